"""Ethnic group as context (issue 18): Census 2021 TS021, five broad groups. The city and England
counts are recomputed here from the raw files, independently of the pipeline; the neighbourhoods
add up to the city; and the indicators are context, never judged better or worse."""

from __future__ import annotations

import csv
from collections import defaultdict

import pandas as pd
import pytest

from tests.conftest import REPO, read_profile_csv

GROUPS = {
    "ethnic_asian": "Asian, Asian British or Asian Welsh",
    "ethnic_black": "Black, Black British, Black Welsh, Caribbean or African",
    "ethnic_mixed": "Mixed or Multiple ethnic groups",
    "ethnic_white": "White",
    "ethnic_other": "Other ethnic group",
}


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    v = read_profile_csv(REPO / "profiles" / "values.csv")
    return v[v["indicator_id"].isin(list(GROUPS))]


def _row(values, ind, area_type) -> pd.Series:
    r = values[(values["indicator_id"] == ind) & (values["area_type"] == area_type)]
    assert len(r) == 1, (ind, area_type)
    return r.iloc[0]


def test_city_counts_are_the_sums_of_manchesters_lsoas(data_dir, values):
    num: dict[str, float] = defaultdict(float)
    total: dict[str, float] = {}
    with open(data_dir / "manchester" / "census2021_ts021_ethnic_group_lsoa21_manchester.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            num[r["ethnic_group"]] += float(r["n"])
            total[r["lsoa21_code"]] = float(r["total_residents"])
    assert len(total) == 295
    for ind, group in GROUPS.items():
        r = _row(values, ind, "city")
        assert float(r["numerator"]) == num[group]
        assert float(r["denominator"]) == sum(total.values())
        assert float(r["value"]) == pytest.approx(100 * num[group] / sum(total.values()), abs=1e-6)


def test_england_counts_are_the_sums_of_the_english_local_authorities(data_dir, values):
    num: dict[str, float] = defaultdict(float)
    las = set()
    with open(data_dir / "england" / "census2021_ts021_ethnic_group_ltla21_england.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["ltla21_code"].startswith("E") and r["ethnic_group"].endswith("(number)"):
                las.add(r["ltla21_code"])
                num[r["ethnic_group"].split(":")[0]] += float(r["value"])
    assert len(las) == 309
    everyone = sum(num.values())
    for ind, group in GROUPS.items():
        r = _row(values, ind, "england")
        assert float(r["numerator"]) == num[group]
        assert float(r["denominator"]) == everyone


@pytest.mark.parametrize("ind", list(GROUPS))
def test_neighbourhoods_and_localities_add_up_to_the_city(values, ind):
    city = _row(values, ind, "city")
    for level, n in (("neighbourhood", 12), ("locality", 3), ("ward", 32)):
        rows = values[(values["indicator_id"] == ind) & (values["area_type"] == level)]
        assert len(rows) == n
        assert rows["numerator"].sum() == city["numerator"]
        assert rows["denominator"].sum() == city["denominator"]


def test_the_five_groups_make_up_everyone_in_every_area(values):
    wide = values.pivot_table(index=["area_type", "area_code"], columns="indicator_id", values="numerator")
    den = values.groupby(["area_type", "area_code"])["denominator"].first()
    assert (wide[list(GROUPS)].sum(axis=1) == den.loc[wide.index]).all()


def test_context_never_judged_and_not_tested(values):
    ind = read_profile_csv(REPO / "profiles" / "indicators.csv").set_index("indicator_id")
    for i in GROUPS:
        m = ind.loc[i]
        assert (m["family"], m["polarity"], m["status"], m["population"]) == (
            "context",
            "no_judgement",
            "derived",
            "residents",
        )
    assert (values["vs_england"] == "not_compared").all() and (values["vs_city"] == "not_compared").all()
    assert values[["lower_95", "upper_95"]].isna().all().all()
