"""The seed tables' notes say what the council reports get wrong (issue 18, part A).

Each claim is computed here from the raw seed files (``shared/data/seeds/``), independently of
:mod:`lib.pipeline.seeds`, and the note on the right row of the built table (and of the committed
``profiles/seeds/``) must state it with the computed numbers.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lib.pipeline import seeds
from tests.conftest import REPO, read_profile_csv

TOTALS = ("LCO total gross savings", "Reinvestment at 50%", "Net total savings")


@pytest.fixture(scope="module")
def raw_cash(data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(data_dir / "seeds" / "cba_cash_released_gbp000.csv")


@pytest.fixture(scope="module", params=["built", "committed"])
def cash(request: pytest.FixtureRequest, data_dir: Path) -> pd.DataFrame:
    if request.param == "built":
        return seeds.cash_released(data_dir).fillna({"note": ""})
    return read_profile_csv(REPO / "profiles" / "seeds" / "cash_released_gbp000.csv").fillna({"note": ""})


@pytest.fixture(scope="module", params=["built", "committed"])
def activity(request: pytest.FixtureRequest, data_dir: Path) -> pd.DataFrame:
    if request.param == "built":
        return seeds.activity_targets(data_dir).fillna({"note": ""})
    return read_profile_csv(REPO / "profiles" / "seeds" / "activity_targets_2020_21.csv").fillna({"note": ""})


def _years(t: pd.DataFrame) -> list[str]:
    return [c for c in t.columns if "/" in c]


def test_rows_whose_cumulative_is_not_their_years_say_so(raw_cash: pd.DataFrame, cash: pd.DataFrame) -> None:
    years = _years(raw_cash)
    off = raw_cash[raw_cash["cumulative"] != raw_cash[years].sum(axis=1)]
    # the source's own discrepancy, computed: three rows, each 1 more than its years
    assert len(off) == 3
    assert ((off["cumulative"] - off[years].sum(axis=1)) == 1).all()
    notes = cash.set_index("benefit_type")["note"]
    for _, r in off.iterrows():
        note = notes[r["benefit_type"]]
        assert f"{r['cumulative']:,.0f}" in note and f"{r[years].sum():,.0f}" in note and "1 more" in note, note
    fine = raw_cash[(raw_cash["cumulative"] == raw_cash[years].sum(axis=1))]["benefit_type"]
    for b in fine:
        assert "cumulative" not in notes[b], (b, notes[b])


def test_net_is_not_gross_plus_reinvestment_in_two_years(raw_cash: pd.DataFrame, cash: pd.DataFrame) -> None:
    t = raw_cash.set_index("benefit_type")
    cols = _years(raw_cash) + ["cumulative"]
    gap = t.loc["Net total savings", cols] - (
        t.loc["LCO total gross savings", cols] + t.loc["Reinvestment at 50%", cols]
    )
    bad = [c for c in cols if gap[c] != 0]
    assert bad == ["2018/19", "2020/21"]
    note = cash.set_index("benefit_type").loc["Net total savings", "note"]
    for y in bad:
        expect = t.loc["LCO total gross savings", y] + t.loc["Reinvestment at 50%", y]
        assert y in note and f"{t.loc['Net total savings', y]:,.0f}" in note and f"{expect:,.0f}" in note, note
    for y in set(cols) - set(bad):
        assert y not in note, (y, note)


def test_recomputed_gross_cumulative_differs_from_its_own_years(raw_cash: pd.DataFrame, cash: pd.DataFrame) -> None:
    lines = raw_cash[~raw_cash["benefit_type"].isin(TOTALS)]
    years = _years(raw_cash)
    cum_of_lines = lines["cumulative"].sum()
    years_of_lines = lines[years].sum().sum()
    assert (cum_of_lines, years_of_lines) == (22_790, 22_787)  # the figures, computed
    rec = cash[cash["row_type"] == "recomputed_total"]
    assert len(rec) == 1
    assert rec["cumulative"].iloc[0] == cum_of_lines
    assert rec[years].sum(axis=1).iloc[0] == years_of_lines
    note = rec["note"].iloc[0]
    assert f"{cum_of_lines:,.0f}" in note and f"{years_of_lines:,.0f}" in note, note


def test_activity_overall_says_it_adds_unlike_units(data_dir: Path, activity: pd.DataFrame) -> None:
    raw = pd.read_csv(data_dir / "seeds" / "activity_shift_targets_2020_21.csv")
    units = raw.loc[raw["measure_id"] != "overall", "unit_as_published"].dropna().unique()
    assert len(units) > 1
    for kind in ("published_total", "recomputed_total"):
        note = activity.loc[activity["row_type"] == kind, "note"].iloc[0]
        assert "unlike units" in note and f"{len(units)} different units" in note, note
        for u in units:
            assert u in note, (u, note)
