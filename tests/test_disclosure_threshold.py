"""A stricter disclosure threshold reaches every view (issue: the views had their own "< 5").

The user raises the threshold to 10 on the "Your data" page (as in the browser, through its number
input); counts of 5 to 9 must then be hidden on the profile, the risk cohorts, compare areas and
the map. The embedded rows with such counts: the modelled activity-shift targets of S2, S4 (7) and
C1 (8) at neighbourhood level (``target_esa_claimants``), which data suppression leaves alone, and
the LSOA counts of residents aged 85+ (``population_age_85plus``), which it hides.
"""

from __future__ import annotations

import io
import re

import pandas as pd
from streamlit.testing.v1 import AppTest

from lib.core import data, disclosure
from lib.core.selection import Selection
from lib.views import cohorts
from tests.conftest import REPO


def test_display_count_is_the_one_rule():
    assert disclosure.display_count(3, 5) == "<5"
    assert disclosure.display_count(7, 10) == "<10"
    assert disclosure.display_count(7, 10, words=True) == disclosure.TOO_FEW
    assert disclosure.display_count(10, 10) == "10"
    assert disclosure.display_count(0, 10) == "0"  # zero is shown, as suppress() shows it
    assert disclosure.display_count(None, 10) == "–"
    assert disclosure.display_count(float("nan"), 10) == "–"
    assert disclosure.display_count(12345, 10) == "12,345"
    assert disclosure.display_count(12.5, 10, fmt="{:,.0f}".format) == "12"


def test_the_dataset_carries_the_threshold():
    ds = data.load_dataset()
    assert ds.threshold == disclosure.configured_threshold()


def test_cohort_table_hides_counts_below_the_datasets_threshold():
    ds = data.load_dataset()
    v = ds.values.copy()
    row = (
        (v["indicator_id"] == "population_age_85plus") & (v["area_type"] == "neighbourhood") & (v["area_code"] == "C1")
    )
    v.loc[row, "numerator"] = 7.0
    strict = data.Dataset(ds.indicators, v, ds.definition, threshold=10)
    shown = cohorts.cohort_view(strict, "frail_older", Selection("C1")).shown
    assert shown.loc[shown["Indicator"].str.contains("85"), "Count"].tolist() == ["<10"]


def _strict_app(page: str, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/own_data.py")
    at.run()
    at.number_input(key="own_threshold_input").set_value(10).run()
    assert at.session_state["own_data_threshold"] == 10
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _html(at: AppTest) -> str:
    return "\n".join(str(h.proto.body) for h in at.get("html"))


def _small_counts(at: AppTest) -> list[str]:
    """Cells of 5..9 in every "Count" column of the page's tables (a modelled count's value is a
    figure, not a count of people: only the count columns are checked)."""
    out = []
    for h in at.get("html"):
        body = str(h.proto.body)
        if "<table" not in body:
            continue
        for t in pd.read_html(io.StringIO(body)):
            for c in t.columns:
                if "Count" in str(c) or "people" in str(c):
                    out += [str(x) for x in t[c] if re.fullmatch(r"\s*[5-9](\.0)?\s*", str(x))]
    return out


def test_profile_hides_counts_of_5_to_9():
    at = _strict_app("pages/profile.py", {"nbhd": "S2", "view": "table"})
    assert not _small_counts(at)
    assert "&lt;10" in _html(at)


def test_compare_hides_counts_of_5_to_9():
    at = _strict_app("pages/compare.py", {"family": "activity", "ind": "target_esa_claimants", "period": "2020/21"})
    assert not _small_counts(at)
    assert _html(at).count("&lt;10") >= 3  # S2, S4, C1


def test_map_hides_counts_of_5_to_9():
    at = _strict_app("pages/map.py", {"family": "activity", "ind": "target_esa_claimants", "period": "2020/21"})
    assert not _small_counts(at)
    at = _strict_app("pages/map.py", {"ind": "population_age_85plus", "layer": "lsoa"})
    assert not _small_counts(at)


def test_cohorts_page_hides_counts_of_5_to_9():
    at = _strict_app("pages/cohorts.py", {"nbhd": "S2"})
    assert not _small_counts(at)
