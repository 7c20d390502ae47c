"""The Risk cohorts page through the router (Streamlit AppTest): every section, the MODELLED
labels, URL parameters and the method switch."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib.core.selection import Selection
from lib.views import cohorts
from tests.conftest import open_page, shown_tables

TIMEOUT = 120


def _open(params: dict[str, str] | None = None) -> AppTest:
    return open_page("pages/cohorts.py", params, timeout=TIMEOUT)


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.subheader]
    parts += [i.value for i in at.info]
    return "\n".join(parts)


def test_default_view_has_the_first_cohort_and_the_others_one_click_away():
    at = _open()
    assert not at.warning
    first = cohorts.COHORTS[0]
    assert [s.value for s in at.subheader] == [first.label]
    # the open cohort's tables alone: its indicators and, if it has any, its GP registers
    assert len(shown_tables(at)) == 1 + bool(first.registers)
    assert at.query_params["cohort"] == first.cohort_id
    labels = [t.label for t in at.tabs]
    assert [c.label.split(" (")[0] for c in cohorts.COHORTS] == [
        x for x in labels if x in {c.label.split(" (")[0] for c in cohorts.COHORTS}
    ]
    # the map and the pyramid are views of their own (tabs at the top), drawn when opened
    labels = [t.label for t in at.tabs]
    assert {"Map of a cohort indicator", "Risk pyramid (MODELLED)"} <= set(labels)
    assert not [h for h in at.header if h.value == "Risk pyramid (MODELLED)"]


@pytest.mark.parametrize("cohort", [c.cohort_id for c in cohorts.COHORTS])
def test_each_cohort_opens_by_its_link_with_its_table(cohort):
    at = _open({"cohort": cohort, "nbhd": "S2"})
    c = cohorts.cohort(cohort)
    assert not at.warning and [s.value for s in at.subheader] == [c.label]
    table = shown_tables(at)[0]
    assert list(table["Indicator"]) == list(cohorts.cohort_table(at_ds(), cohort, Selection("S2"))["short_name"])
    assert at.query_params["cohort"] == cohort and at.query_params["view"] == "cohorts"
    if c.gap:
        assert c.gap in _texts(at)
    # switching cohort keeps it in the URL
    other = next(x for x in cohorts.COHORTS if x.cohort_id != cohort)
    at.session_state["cohorts_cohort_tab"] = other.label.split(" (")[0]
    at.run()
    assert [s.value for s in at.subheader] == [other.label] and at.query_params["cohort"] == other.cohort_id


def at_ds():
    from lib.core import data

    return data.load_dataset()


def test_pyramid_view_has_its_modelled_labels_and_tables():
    at = _open({"view": "pyramid"})
    assert not at.warning
    assert "Risk pyramid (MODELLED)" in [h.value for h in at.header]
    text = _texts(at)
    assert "MODELLED ESTIMATE" in text
    assert "approximately 22,000 people" in text and "approximately 2% of Manchester's population" in text
    assert "No public source gives the size of the rising-risk tier" in text
    # the default is the GP registers method, which describes registered patients
    assert at.radio(key="cohorts_method").value == "registers"
    assert "GP registers = patients on six QOF registers" in text
    assert "This pyramid describes registered patients" in text and "Still a model" in text
    assert len(shown_tables(at)) == 2  # the pyramid table and the choice-effect table
    assert at.query_params["view"] == "pyramid"


def test_selecting_a_method_labels_its_population_lens():
    """The registers method says registered patients in its titles, headers and captions; the need
    index says residents (and never registered patients)."""
    at = _open({"view": "pyramid", "method": "need"})
    assert at.radio(key="cohorts_method").value == "need"
    text = _texts(at)
    assert "Need index = population" in text and "This pyramid describes registered patients" not in text
    table = shown_tables(at)[0]
    assert "Residents (mid-2020)" in table.columns and "Registered patients (July 2026)" not in table.columns
    at.radio(key="cohorts_method").set_value("registers").run()
    assert not at.exception and at.query_params["method"] == "registers"
    text = _texts(at)
    assert "This pyramid describes registered patients" in text
    assert "Each bar's width is the tier's share of registered patients" in text
    table = shown_tables(at)[0]
    assert "Registered patients (July 2026)" in table.columns and "Residents (mid-2020)" not in table.columns
    assert "Highest risk, registered patients (modelled)" in table.columns
    assert "Weight: patients on the six GP registers, 2024/25" in table.columns
    assert set(table["Population"]) == {"Registered patients (July 2026)"}
    effect = shown_tables(at)[1]
    assert "Highest + high, by GP registers (registered patients)" in effect.columns


def test_map_view_has_the_map_table():
    at = _open({"view": "map", "ind": "expected_dementia"})
    assert not at.warning and not at.exception
    assert at.selectbox(key="cohorts_ind").value == "expected_dementia"
    assert len(shown_tables(at)) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"nbhd": "S3", "bench": "city", "level": "99.8", "ind": "expected_dementia", "method": "population"},
        {"nbhd": "C2", "bench": "rest", "level": "95", "ind": "universal_credit_households", "method": "need"},
    ],
)
def test_non_default_params_are_followed(params):
    for view in ("pyramid", "map", "cohorts"):
        at = _open({**params, "view": view})
        assert not at.warning
        assert at.session_state["frame_values"] == {
            **{k: params[k] for k in ("nbhd", "bench", "level")},
            "population": "residents",
        }
        # every view keeps the others' choices in the URL
        assert at.query_params["method"] == params["method"] and at.query_params["ind"] == params["ind"]
        assert at.query_params["view"] == view
        assert at.title[0].value.startswith(f"Risk cohorts: {params['nbhd']}")
        if view == "map":
            assert at.selectbox(key="cohorts_ind").value == params["ind"]
        if view == "pyramid":
            assert at.radio(key="cohorts_method").value == params["method"]
            if params["method"] == "population":
                assert "Population only" in _texts(at)


def test_invalid_method_falls_back_with_a_notice():
    at = _open({"method": "guess", "view": "pyramid"})
    assert at.radio(key="cohorts_method").value == "registers"
    assert any("guess" in w.value for w in at.warning)


def test_switching_method_and_indicator_updates_the_url():
    at = _open({"view": "pyramid"})
    at.radio(key="cohorts_method").set_value("population").run()
    assert not at.exception
    assert at.query_params["method"] == "population"
    at = _open({"view": "map", "method": "population"})
    at.selectbox(key="cohorts_ind").set_value("expected_depression").run()
    assert not at.exception
    assert at.query_params["ind"] == "expected_depression" and at.query_params["method"] == "population"
    assert any("MODELLED" in s.value for s in at.subheader)
