"""The speed work of issue 19 ("Speed of what users do") keeps every figure as it was: what is now
kept per selection, or computed without a row-wise groupby, is compared with an independent
computation from the committed files."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.core import data
from lib.core.selection import Selection
from lib.methods.indicators import periods
from lib.render.spine import spine_data
from lib.views import life_expectancy as le
from lib.views import profile
from tests.conftest import REPO

RAW_VALUES = pd.read_csv(REPO / "profiles/values.csv", keep_default_na=False, na_values=[""])
RAW_INDICATORS = pd.read_csv(REPO / "profiles/indicators.csv", keep_default_na=False, na_values=[""])


def _reference_off_spine(nbhd: str, spine: pd.DataFrame, indicator_ids: list[str]) -> dict[str, set[str]]:
    """Why each indicator is left off ``nbhd``'s spine, from the raw committed files alone (not the
    profile table): its value type in indicators.csv, and in values.csv its rows for ``nbhd`` and
    England at the latest period any neighbourhood has, or, with no neighbourhood rows at all, the
    area types it has (MSOAs: life expectancy; the city: QOF, the Health Index)."""
    value_type = dict(zip(RAW_INDICATORS["indicator_id"], RAW_INDICATORS["value_type"]))
    out: dict[str, set[str]] = {}
    for ind in indicator_ids:
        rows = RAW_VALUES[RAW_VALUES["indicator_id"] == ind]
        if ind in set(spine["indicator_id"]) or rows.empty:
            continue
        nb = rows[rows["area_type"] == "neighbourhood"]
        if len(nb):
            latest = periods(nb, ind)[-1]
            mine = nb[(nb["period"] == latest) & (nb["area_code"] == nbhd)]
            if mine.empty:
                continue  # no figure for this neighbourhood in that period: not in its profile
            eng = rows[(rows["area_type"] == "england") & (rows["period"] == latest)]["value"]
            if value_type[ind] == "count":
                reason = "count"
            elif mine["value"].isna().all():
                reason = "no_value"
            elif eng.isna().all():  # no England row, or a blank one
                reason = "no_england"
            else:
                continue
        elif (rows["area_type"] == "msoa").any():
            reason = "msoa_only"
        elif (rows["area_type"] == "city").any():
            reason = "city_only"
        else:
            continue
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
    checked, reasons = 0, set()
    for nbhd in ds.definition["neighbourhood_code"].unique():
        table = profile.profile_table(ds, Selection(nbhd, bench))
        spine = spine_data(table)
        got = profile.not_on_spine(ds, table, spine)
        want = _reference_off_spine(nbhd, spine, ids)
        reasons |= set(want)
        assert {k: set(v) for k, v in got.items()} == {k: {short[i] for i in v} for k, v in want.items()}, nbhd
        checked += 1
    assert checked == 12
    assert {"count", "msoa_only", "city_only"} <= reasons, reasons  # the check is not empty


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
