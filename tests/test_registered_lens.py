"""The registered-patient lens on every page (AppTest): choose "Registered patients" and the
overview, map, compare, profile and presentation show the figures of the patients registered with
each neighbourhood's GP practices, and every view says which population a figure describes."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.core.selection import Selection
from lib.exports.footer import footer_lines, meta_footer
from lib.render.format import source_text
from tests.conftest import REPO, shown_tables
from tests.test_pages import _open

INDICATORS = pd.read_csv(REPO / "profiles" / "indicators.csv")
REGISTERED_IDS = set(INDICATORS.loc[INDICATORS["population"] == "registered", "indicator_id"])
RESIDENT_IDS = set(INDICATORS.loc[INDICATORS["population"] == "residents", "indicator_id"])
REG_VALUES = pd.read_csv(REPO / "profiles" / "registered_values.csv", dtype={"period": str})


def _registered(page: str, **params: str):
    at = _open(page, {"population": "registered", **params})
    assert not at.exception, [e.value for e in at.exception]
    return at


def _text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return " ".join(parts).replace("\\", "")


def _value(ind: str, period: str, area_type: str, code: str, col: str = "value") -> float:
    rows = REG_VALUES[
        (REG_VALUES["indicator_id"] == ind)
        & (REG_VALUES["period"] == period)
        & (REG_VALUES["area_type"] == area_type)
        & (REG_VALUES["area_code"] == code)
    ]
    assert len(rows) == 1, (ind, period, area_type, code)
    return float(rows[col].iloc[0])


def test_the_selection_carries_the_lens_and_its_links_name_it_only_when_registered():
    assert Selection("N1").params() == {"nbhd": "N1", "bench": "england", "level": "95"}
    assert Selection("N1", population="registered").params()["population"] == "registered"
    with pytest.raises(ValueError, match="unknown population"):
        Selection("N1", population="visitors")


def test_source_lines_and_export_footers_say_which_population():
    reg = INDICATORS[INDICATORS["indicator_id"] == "reg_dm"].iloc[0].to_dict()
    res = INDICATORS[INDICATORS["indicator_id"] == "disability"].iloc[0].to_dict()
    assert "Registered patients" in source_text(reg, "2024/25")
    assert "Residents" in source_text(res, "2021")
    assert "Registered patients" in " ".join(meta_footer(reg, "2024/25", "http://x/map"))
    # an indicator of the user's own, with no population column, says nothing rather than guess
    assert "Residents" not in " ".join(footer_lines("Own survey", "2025", "real", "http://x"))


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("pages/overview.py", {}),
        ("pages/map.py", {}),
        ("pages/compare.py", {"view": "bars"}),
        ("pages/compare.py", {"view": "funnel"}),
        ("pages/compare.py", {"view": "trend"}),
        ("pages/profile.py", {"view": "compare"}),
        ("pages/profile.py", {"view": "table"}),
    ],
)
def test_each_view_offers_registered_indicators_only_and_says_so(page, params):
    at = _registered(page, **params)
    assert "Registered patients" in _text(at)
    assert "wherever they live" in _text(at)
    for box in at.selectbox:
        if box.key in ("map_ind", "compare_ind", "overview_ind"):
            assert set(box.options) <= {INDICATORS.set_index("indicator_id").loc[i, "name"] for i in REGISTERED_IDS} | {
                INDICATORS.set_index("indicator_id").loc[i, "short_name"] for i in REGISTERED_IDS
            }
            assert box.value in REGISTERED_IDS


def test_the_overview_counts_registered_patients_and_shows_the_neighbourhoods_registers():
    at = _registered("pages/overview.py")
    ind = at.selectbox(key="overview_ind").value
    table = next(t for t in shown_tables(at) if "Neighbourhood" in t.columns)
    period = [c for c in table.columns if c.startswith("Registered patients (")]
    assert period, table.columns  # the head count is the registered list, not residents
    list_period = period[0].removeprefix("Registered patients (").removesuffix(")")
    latest = max(REG_VALUES.loc[REG_VALUES["indicator_id"] == ind, "period"])
    for row in table.to_dict("records"):
        shown = float(str(row[period[0]]).replace(",", ""))
        assert shown == _value("reg_patients", list_period, "neighbourhood", row["Code"])
        count = float(str(row["Count"]).replace(",", ""))
        assert count == _value(ind, latest, "neighbourhood", row["Code"], "numerator")


def test_the_map_colours_neighbourhoods_by_their_practices_and_says_why_no_finer_detail():
    at = _registered("pages/map.py", layer="wards")
    assert at.radio(key="map_layer").disabled
    assert "Practices have no boundary" in _text(at)
    table = next(t for t in shown_tables(at) if len(t) == 12)
    assert len(table) == 12  # the 12 neighbourhoods, not the wards the link asked for


def test_the_lens_has_its_own_cached_results_beside_the_residents():
    """The shared cache is keyed by the lens: the rug of all indicators in one lens is never
    served to the other (a residents rug computed first, then the registered one)."""
    res = _open("pages/compare.py", {"view": "rug"})
    rug_res = next(t for t in shown_tables(res) if t.shape[1] >= 12)
    reg = _registered("pages/compare.py", view="rug")
    rug_reg = next(t for t in shown_tables(reg) if t.shape[1] >= 12)
    names = INDICATORS.set_index("short_name")["population"]
    first = rug_reg.columns[0]

    def indicator(row_header: str) -> str:  # "Asthma register (2024/25)": the name, then its period
        return row_header.rsplit(" (", 1)[0]

    assert {names.get(indicator(n)) for n in rug_reg[first]} == {"registered"}
    assert {names.get(indicator(n)) for n in rug_res[first]} == {"residents"}


def test_the_link_names_the_registered_lens_and_a_residents_link_stays_as_before():
    at = _registered("pages/compare.py")
    assert at.query_params["population"] == "registered"
    at = _open("pages/compare.py", {"population": "residents"})
    assert "population" not in at.query_params  # the default lens is not written into links
    assert at.selectbox(key="compare_ind").value in RESIDENT_IDS


def test_the_sidebar_says_which_population():
    at = _registered("pages/overview.py")
    assert any("Registered patients, compared with England" in m.value for m in at.sidebar.markdown)


@pytest.mark.parametrize("step", ["map", "profile", "compare", "cohorts"])
def test_presentation_steps_in_the_registered_lens(step):
    at = _registered("pages/present.py", present="1", step=step)
    text = _text(at)
    assert "Registered patients" in text
    if step == "cohorts":
        # the registers beside the model: dementia and the registered 85+ of the practices
        assert "From the GP registers" in text and "Dementia" in text
    if step in ("map", "compare"):
        # the key indicator is a register: its source line names the registered population
        sources = [c.value.replace("\\", "") for c in at.caption if "Source:" in c.value]
        assert sources and all("· Registered patients ·" in s for s in sources)


def test_the_activity_page_says_its_figures_are_residents_in_the_registered_lens():
    at = _registered("pages/activity.py")
    assert any("describes residents, not registered patients" in i.value for i in at.info)
    at = _open("pages/activity.py")
    assert not any("describes residents, not registered patients" in i.value for i in at.info)


def test_the_cohorts_page_says_which_tables_describe_which_population_in_the_registered_lens():
    at = _registered("pages/cohorts.py")
    assert any("Two populations here" in i.value for i in at.info)
    assert not any("Two populations here" in i.value for i in _open("pages/cohorts.py").info)


def test_the_board_summary_names_the_registers_that_are_higher_or_lower_than_england():
    """Registers are judged neither better nor worse: the summary must not call a neighbourhood 'not
    significantly different' when its registers are significantly higher or lower (it did)."""
    from lib.core import data
    from lib.views import profile_summary

    ds = data.for_population(data.load_dataset(population=None), "registered")
    names = INDICATORS.set_index("indicator_id")["short_name"]
    for nbhd in ("S3", "C3"):
        first = profile_summary.board_summary(ds, Selection(nbhd, population="registered"))[0]
        mine = REG_VALUES[(REG_VALUES["area_type"] == "neighbourhood") & (REG_VALUES["area_code"] == nbhd)]
        latest = mine[mine["period"] == mine.groupby("indicator_id")["period"].transform("max")]
        higher = latest.loc[latest["vs_england"] == "higher", "indicator_id"]
        assert len(higher) > 0
        assert "not significantly different" not in first
        assert "higher on" in first
        assert names[higher.iloc[0]] in first or "more" in first  # named (or counted, when over eight)
