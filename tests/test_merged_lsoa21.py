"""A merged LSOA 2021 is split between its LSOA 2011 predecessors (issue 18, part A).

E01034128 "Manchester 032F" joins E01005282 (Rusholme, C4) and E01005283 (Levenshulme, C3). The
neighbourhood totals of an LSOA 2021 count must equal an independent computation from the raw
files: every LSOA 2021 to its LSOA 2011 parent's ward, except a merged one, whose count is split by
its parents' mid-2020 populations (whole numbers: the larger share rounded, the other the rest).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib.pipeline import parts, sources
from tests.conftest import DEFINITION_CSV, REPO, read_profile_csv


@pytest.fixture(scope="module")
def geo(data_dir: Path) -> dict:
    l21 = pd.read_csv(data_dir / "lookups" / "lookup_lsoa11_lsoa21_ltla22_manchester.csv")
    ward = pd.read_csv(data_dir / "lookups" / "LSOA11_WD17_LAD17_EW_LU_manchester.csv").set_index("LSOA11CD")["WD17CD"]
    nbhd = pd.read_csv(DEFINITION_CSV).set_index("ward_code")["neighbourhood_code"]
    pop = pd.read_csv(data_dir / "manchester" / "population20_lsoa11_manchester.csv").set_index("lsoa11_code")[
        "total_population"
    ]
    return {"l21": l21, "ward": ward, "nbhd": nbhd, "pop": pop}


def _neighbourhood_sums(geo: dict, counts: pd.DataFrame) -> pd.DataFrame:
    """``counts`` (lsoa21_code, numerator, denominator) summed to neighbourhoods, independently."""
    l21, ward, nbhd, pop = geo["l21"], geo["ward"], geo["nbhd"], geo["pop"]
    rows = []
    for _, c in counts.iterrows():
        par = l21[l21["lsoa21_code"] == c["lsoa21_code"]]
        if len(par) == 1:
            rows.append((nbhd[ward[par["lsoa11_code"].iloc[0]]], c["numerator"], c["denominator"]))
            continue
        p = pop[par["lsoa11_code"]].sort_values(ascending=False, kind="mergesort")
        share = p.iloc[0] / p.sum()
        num0, den0 = round(c["numerator"] * share), round(c["denominator"] * share)
        rows.append((nbhd[ward[p.index[0]]], num0, den0))
        rows.append((nbhd[ward[p.index[1]]], c["numerator"] - num0, c["denominator"] - den0))
    return pd.DataFrame(rows, columns=["nbhd", "numerator", "denominator"]).groupby("nbhd").sum()


def test_the_merge_straddles_two_neighbourhoods(geo: dict) -> None:
    par = geo["l21"][geo["l21"]["lsoa21_code"] == "E01034128"]["lsoa11_code"]
    assert sorted(par) == ["E01005282", "E01005283"]
    assert {geo["nbhd"][geo["ward"][c]] for c in par} == {"C3", "C4"}


@pytest.fixture(scope="module", params=["committed", "rebuilt"])
def values(request: pytest.FixtureRequest) -> pd.DataFrame:
    root = REPO if request.param == "committed" else request.getfixturevalue("rebuilt_dataset").root
    return read_profile_csv(root / "profiles" / "values.csv")


def test_disability_neighbourhood_totals_use_the_split(data_dir: Path, geo: dict, values: pd.DataFrame) -> None:
    d = pd.read_csv(data_dir / "manchester" / "disability21_lsoa21_ew_manchester.csv")
    d = d[d["disability"] == "Disabled under the Equality Act"]
    counts = pd.DataFrame({"lsoa21_code": d["lsoa21_code"], "numerator": d["n"], "denominator": d["total_residents"]})
    expected = _neighbourhood_sums(geo, counts)
    got = values[(values["indicator_id"] == "disability") & (values["area_type"] == "neighbourhood")].set_index(
        "area_code"
    )
    pd.testing.assert_series_equal(
        got.loc[expected.index, "numerator"], expected["numerator"].astype(float), check_names=False
    )
    pd.testing.assert_series_equal(
        got.loc[expected.index, "denominator"], expected["denominator"].astype(float), check_names=False
    )
    # the merged LSOA's residents are shared: C3 holds part of E01034128, not none of it
    merged = counts[counts["lsoa21_code"] == "E01034128"].iloc[0]
    without = counts[counts["lsoa21_code"] != "E01034128"]
    base = _neighbourhood_sums(geo, without)["denominator"]
    assert 0 < got.loc["C3", "denominator"] - base["C3"] < merged["denominator"]
    assert 0 < got.loc["C4", "denominator"] - base["C4"] < merged["denominator"]


def test_split_keeps_weighted_means_and_whole_counts(data_dir: Path) -> None:
    lk = parts.load_lookups(data_dir, sources.population2020(data_dir))
    assert set(lk.lsoa21_split["lsoa21_code"]) == {"E01034128", "E01034119"}
    m = parts.measures(pd.Series(["E01034128", "E01005061"]), "x", "p", [1_501.0, 10.0], [3_001.0, 20.0])
    counts, lookup = lk.split_merged(m, lk.lsoa21_ward, weighted=False)
    assert counts["numerator"].sum() == 1_511 and counts["denominator"].sum() == 3_021
    assert (counts["numerator"] == counts["numerator"].round()).all()
    assert set(counts["unit_code"]) == {"E01005282", "E01005283", "E01005061"}
    assert lookup["E01005282"] == "E05000714" and lookup["E01005283"] == "E05000707"
    w = parts.measures(pd.Series(["E01034128"]), "x", "p", [150.5 * 3_001.0], [3_001.0])
    split, _ = lk.split_merged(w, lk.lsoa21_ward, weighted=True)
    np.testing.assert_allclose(split["numerator"] / split["denominator"], 150.5)
    assert split["denominator"].sum() == 3_001
    assert any("E01034128" in n and "split" in n for n in lk.notes)
