"""The speed work of issue 19 ("Speed of what users do") keeps every figure as it was: what is now
kept per selection, or computed without a row-wise groupby, is compared with an independent
computation from the committed files."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.core import data
from lib.core.selection import Selection
from lib.render.spine import spine_data
from lib.views import life_expectancy as le
from lib.views import profile
from tests.conftest import REPO

RAW_VALUES = pd.read_csv(REPO / "profiles/values.csv", keep_default_na=False, na_values=[""])
RAW_INDICATORS = pd.read_csv(REPO / "profiles/indicators.csv", keep_default_na=False, na_values=[""])


def _reference_off_spine(table: pd.DataFrame, spine: pd.DataFrame, indicator_ids: list[str]) -> dict[str, set[str]]:
    """Why each indicator is left off the spine, from the raw values.csv (the rule of
    :data:`lib.views.profile.OFF_SPINE_REASONS`), by indicator id."""
    types = RAW_VALUES.groupby("indicator_id")["area_type"].agg(set)
    rows = table.drop_duplicates("indicator_id").set_index("indicator_id")
    out: dict[str, set[str]] = {}
    for ind in indicator_ids:
        if ind in set(spine["indicator_id"]) or ind not in types.index:
            continue
        if ind in rows.index:
            r = rows.loc[ind]
            reason = (
                "count"
                if r["value_type"] == "count"
                else "no_value"
                if pd.isna(r["value"])
                else "no_england"
                if pd.isna(r["england"])
                else None
            )
        elif "neighbourhood" in types[ind]:
            reason = None
        elif "msoa" in types[ind]:
            reason = "msoa_only"
        elif "city" in types[ind]:
            reason = "city_only"
        else:
            reason = None
        if reason:
            out.setdefault(reason, set()).add(ind)
    return out


@pytest.fixture(scope="module")
def residents():
    return data.for_population(data.load_dataset(REPO, population=None), "residents")


@pytest.mark.parametrize("bench", ["england", "city"])
def test_off_spine_groups_match_the_raw_values_for_every_neighbourhood(residents, bench):
    ds = residents
    short = dict(zip(ds.indicators["indicator_id"], ds.indicators["short_name"]))
    ids = [i for i in ds.indicators["indicator_id"] if i in set(RAW_INDICATORS["indicator_id"])]
    checked = 0
    for nbhd in ds.definition["neighbourhood_code"].unique():
        table = profile.profile_table(ds, Selection(nbhd, bench))
        spine = spine_data(table)
        got = profile.not_on_spine(ds, table, spine)
        want = _reference_off_spine(table, spine, ids)
        assert {k: set(v) for k, v in got.items()} == {k: {short[i] for i in v} for k, v in want.items()}, nbhd
        checked += 1
    assert checked == 12


def test_the_life_expectancy_section_in_one_go_is_its_parts(residents):
    ds = residents
    raw = RAW_VALUES[RAW_VALUES["indicator_id"].isin(list(le.SEXES)) & (RAW_VALUES["area_type"] == "msoa")]
    assert len(raw) > 0
    for nbhd in ds.definition["neighbourhood_code"].unique():
        part = le.profile_section_of(ds, nbhd, "95")
        rng = part["ranges"]
        # the neighbourhood's own rows: as many MSOAs as the raw file assigns to its wards
        wards = set(ds.definition.loc[ds.definition["neighbourhood_code"] == nbhd, "ward_code"])
        mine = raw[raw["parent_code"].isin(wards)]
        for ind in le.SEXES:
            row = rng[(rng["area_code"] == nbhd) & (rng["indicator_id"] == ind)].iloc[0]
            figs = pd.to_numeric(mine.loc[mine["indicator_id"] == ind, "value"], errors="coerce").dropna()
            assert int(row["n_msoas"]) == int((mine["indicator_id"] == ind).sum())
            assert row["lowest_value"] == pytest.approx(figs.min())
            assert row["highest_value"] == pytest.approx(figs.max())
            assert row["gap"] == pytest.approx(figs.max() - figs.min())
        assert part["sentences"] == [le.range_sentence(r) for r in rng[rng["area_code"] == nbhd].to_dict("records")]
        assert len(part["sentences"]) == 2
        pd.testing.assert_frame_equal(part["table"], le.display_ranges(rng))
        assert set(part["msoas"]["Code"]) == set(mine["area_code"])
        assert set(part["msoa_rows"]["area_code"]) == set(mine["area_code"])


def test_no_life_expectancy_section_without_msoa_figures(residents):
    ds = residents
    values = ds.values[~ds.values["indicator_id"].isin(list(le.SEXES))]
    bare = data.Dataset(ds.indicators, values, ds.definition, ds.threshold, ds.population)
    assert le.profile_section_of(bare, "N1") is None
