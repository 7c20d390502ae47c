"""Comparisons across areas (lib.methods.indicators.comparison_frame / area_comparison_table) and the
profile table built from them, checked row by row against an independent computation: the
benchmark rows looked up directly, the Fingertips rule from lib.methods.stats, the rest of Manchester
from lib.methods.indicators.rest_of_city and quartiles from lib.methods.stats.quartile_groups."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lib.core.selection import Selection
from lib.methods import stats
from lib.methods.indicators import area_comparison_table, comparison_frame, rest_of_city
from lib.views import profile

BENCHES = ["england", "city", "rest"]


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def _expected(ds, row: pd.Series, area_type: str, bench: str, level: str) -> tuple[float, float, float, str]:
    """England, Manchester, the benchmark value and the comparison for one area row, by hand."""
    v = ds.values
    at = (v["indicator_id"] == row["indicator_id"]) & (v["period"] == row["period"])
    eng = v.loc[at & (v["area_type"] == "england"), "value"]
    city = v.loc[at & (v["area_type"] == "city"), "value"]
    eng = float(eng.iloc[0]) if len(eng) else np.nan
    city = float(city.iloc[0]) if len(city) else np.nan
    if bench == "rest" and area_type in ("neighbourhood", "locality"):
        r = rest_of_city(v, ds.indicators, row["indicator_id"], row["period"], row["area_code"], area_type)
        b = np.nan if r is None else float(r["value"])
    else:
        b = eng if bench == "england" else city
    m = ds.indicators.set_index("indicator_id").loc[row["indicator_id"]]
    sfx = "95" if level == "95" else "998"
    if m["ci_method"] == "none":
        word = "not_compared"
    else:
        word = str(
            stats.compare_with_benchmark(
                row["value"], row[f"lower_{sfx}"], row[f"upper_{sfx}"], b, m["polarity"]
            ).item()
        )
    # a total with counts withheld at source is not compared where they could change the verdict
    # (its note says so: lib.pipeline.withheld)
    eff = bench if bench != "rest" or area_type in ("neighbourhood", "locality") else "city"
    said = {"england": "England", "city": "Manchester", "rest": "the rest of Manchester"}[eff]
    if isinstance(row["note"], str) and f"not compared with {said}:" in row["note"]:
        word = "not_compared"
    return eng, city, b, word


@pytest.mark.parametrize("area_type", ["neighbourhood", "locality", "ward"])
@pytest.mark.parametrize("bench", BENCHES)
@pytest.mark.parametrize("level", ["95", "99.8"])
def test_comparison_frame_matches_a_row_by_row_computation(ds, area_type, bench, level):
    # Every indicator and period at once, as the profile and tartan rug use it.
    got = comparison_frame(ds.values, ds.indicators, area_type, bench, level)
    rows = ds.values[ds.values["area_type"] == area_type].reset_index(drop=True)
    assert len(got) == len(rows) > 0
    assert list(got["area_code"]) == list(rows["area_code"])  # same rows, same order
    sample = rows.sample(n=min(80, len(rows)), random_state=7)
    for i, row in sample.iterrows():
        eng, city, b, word = _expected(ds, row, area_type, bench, level)
        g = got.iloc[i]
        assert _same(float(g["england"]), eng) and _same(float(g["manchester"]), city), (
            row["indicator_id"],
            row["area_code"],
        )
        assert _same(float(g["benchmark_value"]), b), (row["indicator_id"], row["area_code"], bench)
        assert g["comparison"] == word, (row["indicator_id"], row["period"], row["area_code"], bench, level)


@pytest.mark.parametrize("area_type", ["neighbourhood", "ward"])
def test_quartiles_are_within_each_indicator_and_period(ds, area_type):
    got = comparison_frame(ds.values, ds.indicators, area_type)
    for (ind, period), g in list(got.groupby(["indicator_id", "period"]))[:40]:
        expected = stats.quartile_groups(g["value"].to_numpy(float))
        np.testing.assert_array_equal(g["quartile"].to_numpy(float), expected, err_msg=f"{ind} {period}")


def test_one_indicator_table_is_the_slice_of_the_all_indicator_frame(ds):
    allf = comparison_frame(ds.values, ds.indicators, "neighbourhood", "rest", "99.8")
    for ind, period in [("disability", "Census 2021"), ("imd_most_deprived_10pct", "IoD2019")]:
        one = area_comparison_table(ds.values, ds.indicators, ind, period, "neighbourhood", "rest", "99.8")
        part = allf[(allf["indicator_id"] == ind) & (allf["period"] == period)].reset_index(drop=True)
        assert len(one) == 12
        pd.testing.assert_frame_equal(one, part)


@pytest.mark.parametrize(
    ("nbhd", "bench", "level"),
    [("N1", "england", "95"), ("C3", "rest", "99.8"), ("S4", "city", "95"), ("N2", "rest", "95")],
)
def test_profile_table_rows_match_the_per_indicator_comparison(ds, nbhd, bench, level):
    table = profile.profile_table(ds, Selection(nbhd, bench, level))
    assert len(table) > 20
    sfx = "95" if level == "95" else "998"
    for r in table.to_dict("records"):
        # The latest neighbourhood period of the indicator, compared indicator by indicator.
        nbp = ds.values[(ds.values["indicator_id"] == r["indicator_id"]) & (ds.values["area_type"] == "neighbourhood")]
        assert r["period"] == max(nbp["period"].astype(str))
        eng_t = area_comparison_table(
            ds.values, ds.indicators, r["indicator_id"], r["period"], "neighbourhood", "england", level
        )
        city_t = area_comparison_table(
            ds.values, ds.indicators, r["indicator_id"], r["period"], "neighbourhood", "city", level
        )
        b_t = area_comparison_table(
            ds.values, ds.indicators, r["indicator_id"], r["period"], "neighbourhood", bench, level
        )
        me = eng_t.set_index("area_code").loc[nbhd]
        assert _same(r["value"], float(me["value"])) and _same(r["lower"], float(me[f"lower_{sfx}"]))
        assert _same(r["upper"], float(me[f"upper_{sfx}"])) and _same(r["england"], float(me["england"]))
        assert r["vs_england"] == me["comparison"]
        assert r["vs_city"] == city_t.set_index("area_code").loc[nbhd, "comparison"]
        assert r["vs_bench"] == b_t.set_index("area_code").loc[nbhd, "comparison"]
        vals = eng_t["value"].to_numpy(float)
        assert _same(r["nbhd_min"], float(np.nanmin(vals))) and _same(r["nbhd_max"], float(np.nanmax(vals)))
        d = np.abs(np.append(vals, float(me["manchester"])) - float(me["england"]))
        assert _same(r["spread"], float(np.nanmax(d)) if np.isfinite(d).any() else np.nan)


@pytest.mark.parametrize(("bench", "level"), [("england", "95"), ("rest", "99.8")])
def test_all_profiles_at_once_are_each_neighbourhoods_profile(ds, bench, level):
    """The pages take a neighbourhood's profile from the 12 computed together: the same table."""
    tables = profile.profile_tables(ds, level=level, bench=bench)
    codes = sorted(ds.values.loc[ds.values["area_type"] == "neighbourhood", "area_code"].unique())
    assert sorted(tables) == codes and len(codes) == 12
    for code in codes:
        pd.testing.assert_frame_equal(tables[code], profile.profile_table(ds, Selection(code, bench, level)))


def test_period_and_area_type_lookups_match_frame_filters(ds):
    """periods, periods_of_any, area_types and has_neighbourhoods (array lookups) give what the
    plain pandas filters give, for every indicator and period."""
    from lib.methods.indicators import area_types, has_neighbourhoods, periods, periods_of_any

    v = ds.values
    assert has_neighbourhoods(v) == list(v.loc[v["area_type"] == "neighbourhood", "indicator_id"].unique())
    ids = list(v["indicator_id"].unique())
    for i in ids:
        expected = sorted(v.loc[v["indicator_id"] == i, "period"].astype(str).unique())
        assert periods(v, i) == expected, i
        for p in expected:
            assert area_types(v, i, p) == list(
                v.loc[(v["indicator_id"] == i) & (v["period"] == p), "area_type"].unique()
            ), (i, p)
    some = ids[::3]
    assert periods_of_any(v, some) == sorted(v.loc[v["indicator_id"].isin(some), "period"].astype(str).unique())
    assert periods(v, "no_such_indicator") == [] and periods_of_any(v, []) == []
