"""Links, addresses, groupings and wording (issue 19): each test failed on the code before its fix."""

from __future__ import annotations

from lib.web import urlstate

CHOICES = {"nbhd": ["N1", "C3", "S3"], "bench": ["england", "city", "rest"]}
DEFAULTS = {"nbhd": "N1", "bench": "england"}


def test_neighbourhood_codes_in_links_are_read_whatever_their_case():
    state = urlstate.parse({"nbhd": "s3"}, CHOICES, DEFAULTS)
    assert state.values["nbhd"] == "S3" and not state.notices  # the app's own spelling, no complaint
    assert urlstate.parse({"nbhd": " c3 "}, CHOICES, DEFAULTS).values["nbhd"] == "C3"


def test_other_link_settings_stay_exact():
    state = urlstate.parse({"bench": "England", "nbhd": "s9"}, CHOICES, DEFAULTS)
    assert state.values == DEFAULTS and len(state.notices) == 2


def test_a_lower_case_link_opens_that_neighbourhood():
    from tests.conftest import open_page

    at = open_page("pages/overview.py", {"nbhd": "s3"})
    assert at.session_state["frame_values"]["nbhd"] == "S3"
    assert any("S3" in m.value for m in at.sidebar.markdown)
    assert not [w.value for w in at.warning if "s3" in str(w.value)]  # no "not available" notice
