"""Missing months in a monthly trend are shown as a gap: a break in the lines, a shaded
"No figures" band and a plain note, never a line drawn across them.

Households on Universal Credit is the real case: the DWP extract has no columns for January to
October 2023 (checked here against the raw file's header)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lib.core.data import load_dataset
from lib.methods.indicators import meta
from lib.render import charts
from lib.views import compare
from tests.conftest import open_page

UC = "universal_credit_households"


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


def _raw_missing_months(data_dir: Path) -> list[str]:
    """Every calendar month between the raw file's first and last month that has no column."""
    header = pd.read_csv(data_dir / "manchester" / "households_on_UC_msoa_15-22_manchester.csv", nrows=0).columns
    labels = [c for c in header[1:] if not c.endswith("Annotations") and not c.startswith("Unnamed")]
    present = pd.to_datetime(pd.Series(labels).str.replace(r"\s*\(.*\)$", "", regex=True), format="%B %Y")
    every = pd.date_range(present.min(), present.max(), freq="MS")
    return sorted(set(every.strftime("%Y-%m")) - set(present.dt.strftime("%Y-%m")))


def test_the_raw_file_lacks_jan_to_oct_2023_and_the_gap_is_found(ds, data_dir):
    missing = _raw_missing_months(data_dir)
    assert missing == [f"2023-{m:02d}" for m in range(1, 11)]
    trend = compare.trend_data(ds, UC, "C1")
    assert not set(missing) & set(trend["period"])
    assert charts.month_gaps(sorted(trend["period"].unique())) == [(missing[0], missing[-1])]


def _layer_rows(spec: dict, layer: dict) -> list[dict]:
    data = layer.get("data", spec.get("data"))
    return spec["datasets"][data["name"]]


def test_trend_chart_breaks_the_lines_at_the_gap(ds):
    trend = compare.trend_data(ds, UC, "C1")
    spec = charts.trend_chart(trend, meta(ds.indicators, UC)).to_dict()
    line = next(lyr for lyr in spec["layer"] if lyr["mark"]["type"] == "line")
    assert line["encoding"]["detail"]["field"] == "segment"  # one path per series and segment
    rows = pd.DataFrame(_layer_rows(spec, line))
    for (_, seg), grp in rows.groupby(["series", "segment"]):
        months = pd.to_datetime(grp["period"]).sort_values()
        steps = months.dt.year * 12 + months.dt.month
        assert (steps.diff().dropna() == 1).all(), f"segment {seg} crosses a gap"
    assert set(rows.loc[rows["period"] <= "2022-12", "segment"]) == {0}
    assert set(rows.loc[rows["period"] >= "2023-11", "segment"]) == {1}
    rect = next(lyr for lyr in spec["layer"] if lyr["mark"]["type"] == "rect")
    [shade] = _layer_rows(spec, rect)
    assert (shade["start"], shade["end"], shade["gap"]) == ("2022-12", "2023-11", "Jan–Oct 2023")
    text = next(lyr for lyr in spec["layer"] if lyr["mark"]["type"] == "text")
    assert _layer_rows(spec, text)[0]["label"] == "No figures"
    # the month after the gap stands alone, so it is drawn as a point for each of the three series
    lone = [lyr for lyr in spec["layer"] if lyr["mark"]["type"] == "point"]
    assert sorted(r["period"] for lyr in lone for r in _layer_rows(spec, lyr)) == ["2023-11"] * 3


def test_a_series_without_gaps_is_drawn_as_before(ds):
    trend = compare.trend_data(ds, UC, "C1")
    whole = trend[trend["period"] <= "2022-12"]
    spec = charts.trend_chart(whole, meta(ds.indicators, UC)).to_dict()
    # the interval band only where the series has an interval (none for UC households: a count of
    # claims with no confidence interval), so no empty band reaches a screen reader as a graphic
    has_band = bool(whole["lower"].notna().any()) if "lower" in whole.columns else False
    marks = [lyr["mark"]["type"] for lyr in spec["layer"]]
    assert marks == (["area", "line"] if has_band else ["line"])
    assert "detail" not in spec["layer"][-1]["encoding"]
    assert compare.trend_gap_note(whole) is None
    yearly = compare.trend_data(ds, "children_low_income", "C1")
    assert charts.month_gaps(sorted(yearly["period"].unique())) == []
    assert compare.trend_gap_note(yearly) is None


def test_month_gaps_and_labels():
    assert charts.month_gaps(["2022-11", "2022-12", "2023-03", "2023-05"]) == [
        ("2023-01", "2023-02"),
        ("2023-04", "2023-04"),
    ]
    assert charts.gap_label("2023-01", "2023-10") == "Jan–Oct 2023"
    assert charts.gap_label("2022-11", "2023-02") == "Nov 2022–Feb 2023"
    assert charts.gap_label("2023-04", "2023-04") == "Apr 2023"
    segs = charts.line_segments(pd.Series(["2022-11", "2022-12", "2023-03", "2023-05", "2022-11"]))
    assert segs.tolist() == [0, 0, 1, 2, 0]


def test_gap_note_in_plain_words(ds):
    assert compare.trend_gap_note(compare.trend_data(ds, UC, "N2")) == (
        "No figures for Jan–Oct 2023 in the source data, so the lines break there."
    )


def test_compare_page_says_which_months_have_no_figures():
    at = open_page("pages/compare.py", {"nbhd": "S2", "family": "context", "ind": UC})
    at.session_state["compare_tab"] = "Over time"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("No figures for Jan–Oct 2023" in c.value for c in at.caption)
    at.session_state["compare_ind"] = "imd_most_deprived_10pct"
    at.run()
    assert not at.exception and at.query_params["ind"] == "imd_most_deprived_10pct"
    assert not any("No figures for" in c.value for c in at.caption)


def test_a_series_with_intervals_is_drawn_with_its_band(ds):
    """The band stays where there are intervals (no committed trend has one yet, so limits are
    given to a real series here); without them there is no band layer."""
    trend = compare.trend_data(ds, "children_low_income", "C1")
    m = meta(ds.indicators, "children_low_income")
    assert "area" not in [lyr["mark"]["type"] for lyr in charts.trend_chart(trend, m).to_dict()["layer"]]
    banded = trend.assign(lower=trend["value"] - 1.0, upper=trend["value"] + 1.0)
    marks = [lyr["mark"]["type"] for lyr in charts.trend_chart(banded, m).to_dict()["layer"]]
    assert marks.count("area") == 1
