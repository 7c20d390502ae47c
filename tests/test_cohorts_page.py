"""The Risk cohorts page through the router (Streamlit AppTest): every section, the MODELLED
labels, URL parameters and the method switch."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib import cohorts
from tests.conftest import open_page, shown_tables

TIMEOUT = 120


def _open(params: dict[str, str] | None = None) -> AppTest:
    return open_page("pages/cohorts.py", params, timeout=TIMEOUT)


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.subheader]
    parts += [i.value for i in at.info]
    return "\n".join(parts)


def test_default_view_has_every_section_and_modelled_labels():
    at = _open()
    assert not at.warning
    subs = [s.value for s in at.subheader]
    for c in cohorts.COHORTS:
        assert c.label in subs
    assert "Risk pyramid (MODELLED)" in [h.value for h in at.header]  # its own section, not hidden in a tab
    text = _texts(at)
    assert "MODELLED ESTIMATE" in text
    assert "No public small-area prevalence" in text
    assert "approximately 22,000 people" in text and "approximately 2% of Manchester's population" in text
    assert "No public source gives the size of the rising-risk tier" in text
    assert "Need index = population" in text
    # a table per cohort, the map table, the pyramid table and the choice-effect table
    assert len(shown_tables(at)) == len(cohorts.COHORTS) + 3
    assert at.radio(key="cohorts_method").value == "need"


@pytest.mark.parametrize("params", [
    {"nbhd": "S3", "bench": "city", "level": "99.8", "ind": "expected_dementia", "method": "population"},
    {"nbhd": "C2", "bench": "rest", "level": "95", "ind": "universal_credit_households", "method": "need"},
])
def test_non_default_params_are_followed(params):
    at = _open(params)
    assert not at.warning
    assert at.session_state["frame_values"] == {k: params[k] for k in ("nbhd", "bench", "level")}
    assert at.selectbox(key="cohorts_ind").value == params["ind"]
    assert at.radio(key="cohorts_method").value == params["method"]
    assert at.query_params["method"] == params["method"] and at.query_params["ind"] == params["ind"]
    assert at.title[0].value.startswith(f"Risk cohorts: {params['nbhd']}")
    if params["method"] == "population":
        assert "Population only" in _texts(at)


def test_invalid_method_falls_back_with_a_notice():
    at = _open({"method": "guess"})
    assert at.radio(key="cohorts_method").value == "need"
    assert any("guess" in w.value for w in at.warning)


def test_switching_method_and_indicator_updates_the_url():
    at = _open()
    at.radio(key="cohorts_method").set_value("population").run()
    assert not at.exception
    assert at.query_params["method"] == "population"
    at.selectbox(key="cohorts_ind").set_value("expected_depression").run()
    assert not at.exception
    assert at.query_params["ind"] == "expected_depression"
    assert any("MODELLED" in s.value for s in at.subheader)
