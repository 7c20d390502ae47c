"""Smoke tests of every page through the router (Streamlit AppTest), with default,
non-default and invalid URL parameters, and a URL round-trip of the shared frame.

Note: AppTest's ``switch_page`` runs the page script on its own (the sidebar frame is drawn
only on the first run, through ``app.py``); the frame's selections are then read from
session state, as they are in the browser when the user moves between pages.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib.render.format import md_text
from tests.conftest import REPO

PAGES = [
    "pages/overview.py",
    "pages/map.py",
    "pages/profile.py",
    "pages/compare.py",
    "pages/cohorts.py",
    "pages/activity.py",
    "pages/own_data.py",
    "pages/methods.py",
]
TIMEOUT = 120


def _app(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at


def _open(page: str, params: dict[str, str] | None = None) -> AppTest:
    at = _app(params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page != "pages/overview.py":
        at.switch_page(page)
        at.run()
    return at


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_with_defaults(page):
    at = _open(page)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.main.children) > 0
    assert not at.warning


NON_DEFAULT = {
    "pages/overview.py": {"nbhd": "S3", "bench": "rest", "level": "99.8", "ind": "idaci"},
    "pages/map.py": {
        "nbhd": "C4",
        "bench": "city",
        "level": "99.8",
        "layer": "wards",
        "colour": "quartile",
        "ind": "idaopi",
    },
    "pages/profile.py": {"nbhd": "C3", "bench": "rest", "level": "99.8", "ind": "idaci", "view": "wards"},
    "pages/compare.py": {
        "nbhd": "S2",
        "bench": "rest",
        "level": "99.8",
        "family": "context",
        "ind": "universal_credit_households",
        "period": "2020-01",
    },
    "pages/methods.py": {"nbhd": "N4", "bench": "city", "level": "99.8", "family": "cohort"},
    "pages/cohorts.py": {"nbhd": "S3", "bench": "city", "level": "99.8"},
    "pages/activity.py": {"nbhd": "N1", "bench": "rest", "level": "95"},
    "pages/own_data.py": {"nbhd": "C2", "bench": "city", "level": "99.8"},
}


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_with_non_default_params(page):
    at = _open(page, NON_DEFAULT[page])
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["frame_values"] == {
        **{k: NON_DEFAULT[page][k] for k in ("nbhd", "bench", "level")},
        "population": "residents",  # the default lens when the link does not choose one
    }


def test_profile_page_follows_the_url():
    at = _open("pages/profile.py", NON_DEFAULT["pages/profile.py"])
    assert at.title[0].value.startswith("C3")
    assert at.selectbox(key="profile_ind").value == "idaci"
    assert at.query_params["ind"] == "idaci"
    assert any("Gorton" in m.value for m in at.markdown)


def test_profile_parts_are_tabs_drawn_only_when_open_and_kept_in_the_url():
    at = _open("pages/profile.py", {"nbhd": "N2"})
    assert [h.value for h in at.header] == ["How it compares with England"]  # the default part only
    assert not any(k == "profile_ind" for k in (w.key for w in at.selectbox))
    assert at.query_params["view"] == "compare"
    for view, label, heading in [
        ("table", "All indicators", "Every indicator"),
        ("age", "Population by age", "Population by age"),
        ("wards", "Its wards", None),
    ]:
        at.session_state["profile_tab"] = label
        at.run()
        assert not at.exception
        assert at.query_params["view"] == view
        if heading:
            assert [h.value for h in at.header][0].startswith(heading)
        else:
            assert at.selectbox(key="profile_ind").value == at.query_params["ind"]
    at.switch_page("pages/map.py").run()
    at.switch_page("pages/profile.py").run()
    assert at.query_params["view"] == "wards"  # remembered across pages


def test_compare_page_follows_the_url():
    at = _open("pages/compare.py", NON_DEFAULT["pages/compare.py"])
    assert at.selectbox(key="compare_family").value == "context"
    assert at.selectbox(key="compare_ind").value == "universal_credit_households"
    assert at.selectbox(key="compare_period").value == "2020-01"
    assert at.query_params["period"] == "2020-01"
    assert at.query_params["view"] == "bars" and at.header[0].value.startswith("Households on Universal Credit")
    for view, label, heading in [
        ("funnel", "Funnel plot", "Funnel"),
        ("trend", "Over time", "Over time"),
        ("rug", "All indicators at a glance", "All indicators"),
    ]:
        at.session_state["compare_tab"] = label
        at.run()
        assert not at.exception
        assert at.query_params["view"] == view and at.query_params["ind"] == "universal_credit_households"
        assert [h.value for h in at.header][0].startswith(heading)  # only the open part is drawn
        assert len(at.header) == 1


def test_compare_page_changes_family_and_indicator():
    at = _open("pages/compare.py")
    at.selectbox(key="compare_family").set_value("cohort").run()
    assert not at.exception
    assert at.selectbox(key="compare_ind").value.startswith("population_age")
    at.selectbox(key="compare_family").set_value("outcome").run()
    at.selectbox(key="compare_ind").set_value("idaci").run()
    assert not at.exception
    assert at.query_params["ind"] == "idaci" and at.query_params["period"] == "IoD2019"


def test_compare_page_mismatched_family_and_indicator():
    at = _open("pages/compare.py", {"family": "cohort", "ind": "children_low_income", "period": "IoD2019"})
    assert not at.exception
    ind = at.selectbox(key="compare_ind")
    assert ind.value.startswith("population_age")  # the family wins; the indicator falls back to its first
    assert at.query_params["family"] == "cohort" and at.query_params["ind"] == ind.value


def test_profile_page_changes_ward_indicator():
    at = _open("pages/profile.py", {"nbhd": "N2", "view": "wards"})
    at.selectbox(key="profile_ind").set_value("children_low_income").run()
    assert not at.exception
    assert any("Cheetham has the highest" in m.value for m in at.markdown)
    assert at.query_params["ind"] == "children_low_income"


@pytest.mark.parametrize("page", PAGES)
def test_invalid_neighbourhood_warns(page):
    at = _app({"nbhd": "ZZ", "bench": "moon", "level": "50"})
    at.run()
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "ZZ" in notices and "moon" in notices
    if page != "pages/overview.py":
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["frame_values"] == {
        "nbhd": "N1",
        "bench": "england",
        "level": "95",
        "population": "residents",
    }


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/profile.py", "pages/compare.py"])
def test_invalid_indicator_warns(page):
    at = _app({"nbhd": "C1"})
    at.run()
    at.query_params["ind"] = "<script>alert(1)</script>"
    if page != "pages/overview.py":
        at.switch_page(page)
    else:
        at = _app({"nbhd": "C1", "ind": "<script>alert(1)</script>"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(md_text("<script>") in w.value and "not available" in w.value for w in at.warning)  # quoted literally


def test_url_round_trip_of_the_frame():
    at = _app({"nbhd": "C3", "bench": "city", "level": "99.8"})
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox(key="nbhd").value == "C3"
    assert at.sidebar.radio(key="bench").value == "city"
    assert at.sidebar.radio(key="level").value == "99.8"
    for key, value in {"nbhd": "C3", "bench": "city", "level": "99.8"}.items():
        assert at.query_params[key] == value
    at.switch_page("pages/profile.py").run()
    assert at.title[0].value.startswith("C3")
    for key, value in {"nbhd": "C3", "bench": "city", "level": "99.8"}.items():
        assert at.query_params[key] == value


def _marked_rows(at: AppTest, label: str) -> list[list[str]]:
    """The rows of the page's HTML tables with a cell (the row's header) ending in "(label)"."""
    from lib.render.tables import read_html_tables

    rows = []
    for block in at.get("html"):
        for table in read_html_tables(block.proto.body):
            rows += [list(r) for r in table.values.tolist() if any(str(c).endswith(f"({label})") for c in r)]
    return rows


@pytest.mark.parametrize(
    "page, params",
    [
        ("pages/overview.py", {"nbhd": "S3"}),
        ("pages/map.py", {"nbhd": "C2"}),
        ("pages/compare.py", {"nbhd": "N4"}),
        ("pages/compare.py", {"nbhd": "N4", "view": "funnel", "ind": "disability"}),
    ],
)
def test_the_selected_neighbourhood_is_marked_in_the_table_of_the_12(page, params):
    """Where a table lists the 12 neighbourhoods, the one selected in the shared frame (here from
    the link) is the one row marked "(selected)"."""
    from lib.core import data

    definition = data.load_dataset().definition
    names = dict(zip(definition["neighbourhood_code"], definition["neighbourhood_name"]))
    at = _open(page, params)
    assert not at.exception, [e.value for e in at.exception]
    rows = _marked_rows(at, "selected")
    assert len(rows) == 1, rows
    code, name = params["nbhd"], names[params["nbhd"]]
    assert any(c in (f"{code} (selected)", f"{name} (selected)", f"{code} {name} (selected)") for c in rows[0]), rows[0]


def test_on_the_wards_map_the_selected_neighbourhoods_wards_are_marked():
    """The Map page's table of wards marks each ward of the selected neighbourhood (per the
    neighbourhood definition) "(in <code>)", and no other."""
    from lib.core import data

    definition = data.load_dataset().definition
    at = _open("pages/map.py", {"nbhd": "C4", "layer": "wards"})
    rows = _marked_rows(at, "in C4")
    assert sorted(r[1] for r in rows) == sorted(definition.loc[definition["neighbourhood_code"] == "C4", "ward_code"])
