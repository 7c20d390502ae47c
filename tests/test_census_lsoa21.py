"""New resident outcomes with counts (issue 18, item 5): Census 2021 general health, unpaid care
and disabled households, and DESNZ fuel poverty, from LSOA 2021. The city and England counts are
recomputed here from the raw files, independently of the pipeline."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from tests.conftest import REPO, read_profile_csv

TABLES = {
    "bad_health": (
        "census2021_ts037_lsoa21_england.csv.gz",
        ["General health: Bad health", "General health: Very bad health"],
        "General health: Total: All usual residents",
    ),
    "unpaid_care_50h": (
        "census2021_ts039_lsoa21_england.csv.gz",
        ["Provision of unpaid care: Provides 50 or more hours unpaid care a week"],
        "Provision of unpaid care: Total: All usual residents aged 5 and over",
    ),
}


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return read_profile_csv(REPO / "profiles" / "values.csv")


@pytest.fixture(scope="module")
def manchester_lsoa21(data_dir) -> set[str]:
    look = pd.read_csv(data_dir / "lookups" / "lookup_lsoa11_lsoa21_ltla22_manchester.csv", dtype=str)
    col = next(c for c in look.columns if c.lower().startswith("lsoa21cd") or c.lower() == "lsoa21_code")
    return set(look[col])


def _row(values, ind, area_type) -> pd.Series:
    r = values[(values["indicator_id"] == ind) & (values["area_type"] == area_type)]
    assert len(r) == 1, (ind, area_type)
    return r.iloc[0]


@pytest.mark.parametrize("ind", list(TABLES))
def test_city_and_england_counts_are_the_sums_of_the_lsoas(data_dir, values, manchester_lsoa21, ind):
    file, num_cols, den_col = TABLES[ind]
    with gzip.open(data_dir / "england" / file, "rt", encoding="utf-8") as f:
        raw = pd.read_csv(f)
    english = raw[raw["geography code"].str.startswith("E01")]
    mine = raw[raw["geography code"].isin(manchester_lsoa21)]
    assert len(mine) == 295
    for area_type, rows in (("england", english), ("city", mine)):
        r = _row(values, ind, area_type)
        assert float(r["numerator"]) == rows[num_cols].sum(axis=1).sum()
        assert float(r["denominator"]) == rows[den_col].sum()


def test_unpaid_care_is_everyone_5_plus_minus_those_who_give_none(data_dir, values):
    with gzip.open(data_dir / "england" / "census2021_ts039_lsoa21_england.csv.gz", "rt", encoding="utf-8") as f:
        raw = pd.read_csv(f)
    english = raw[raw["geography code"].str.startswith("E01")]
    total = english["Provision of unpaid care: Total: All usual residents aged 5 and over"].sum()
    none = english["Provision of unpaid care: Provides no unpaid care"].sum()
    r = _row(values, "unpaid_care", "england")
    assert float(r["numerator"]) == total - none and float(r["denominator"]) == total


def test_fuel_poverty_matches_desnz_for_manchester_and_england(data_dir, values):
    bench = pd.read_csv(data_dir / "england" / "desnz_fuel_poverty_benchmarks_england_nw_manchester_2021.csv")
    for code, area_type in (("E92000001", "england"), ("E08000003", "city")):
        b = bench[bench.iloc[:, 0].astype(str).str.strip() == code].iloc[0]
        r = _row(values, "fuel_poverty", area_type)
        assert float(r["numerator"]) == b["Number of households in fuel poverty"]
        assert float(r["denominator"]) == b["Number of households"]
    assert pd.isna(_row(values, "fuel_poverty", "city")["lower_95"])  # modelled: no interval, not tested


@pytest.mark.parametrize("ind", ["bad_health", "unpaid_care", "unpaid_care_50h", "disabled_household", "fuel_poverty"])
def test_every_level_is_there_and_neighbourhoods_sum_to_the_city(values, ind):
    v = values[values["indicator_id"] == ind]
    # LSOA 2021 rows (their own file and layer, tests/test_lsoa21.py); no LSOA 2011 rows
    assert {"ward", "neighbourhood", "locality", "city", "england"} == set(v["area_type"])
    small = read_profile_csv(REPO / "profiles" / "lsoa21_values.csv")
    assert len(small[small["indicator_id"] == ind]) == 295
    nb = pd.to_numeric(v.loc[v["area_type"] == "neighbourhood", "numerator"]).sum()
    assert nb == pytest.approx(float(_row(values, ind, "city")["numerator"]))
