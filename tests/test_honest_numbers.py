"""Issue 19: modelled counts are not shown as observed counts in the profile table; the money
view speaks plainly in one number format; the spine says which indicators it leaves out and why.

Expectations come from the committed ``profiles/`` files read here with pandas."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from lib.core import data
from lib.core.selection import Selection
from lib.render.spine import spine_data
from lib.views import profile
from tests.conftest import REPO, open_page, shown_tables

RAW_VALUES = pd.read_csv(REPO / "profiles/values.csv", keep_default_na=False, na_values=[""])
RAW_INDICATORS = pd.read_csv(REPO / "profiles/indicators.csv", keep_default_na=False, na_values=[""])
FRACTION = re.compile(r"\d\.\d")


@pytest.fixture(scope="module")
def ds():
    return data.load_dataset()


def test_a_modelled_count_is_labelled_and_never_fractional(ds):
    table = profile.profile_table(ds, Selection("C2"))
    shown = profile.display_profile_table(table, ds.indicators, threshold=ds.threshold)
    modelled = set(RAW_INDICATORS.loc[RAW_INDICATORS["status"] == "modelled", "indicator_id"])
    rows = shown[table["indicator_id"].isin(modelled).to_numpy()]
    assert len(rows) >= 5
    assert not rows["Count"].str.contains(FRACTION).any(), list(rows["Count"])
    dem = shown[(table["indicator_id"] == "expected_dementia").to_numpy()].iloc[0]
    raw = RAW_VALUES[(RAW_VALUES["indicator_id"] == "expected_dementia") & (RAW_VALUES["area_code"] == "C2")]
    raw = raw.sort_values("period").iloc[-1]
    assert dem["Value"] == f"{round(float(raw['value'])):,} (expected, modelled)"
    assert "not an observed count" in dem["Count"]
    city = RAW_VALUES[(RAW_VALUES["indicator_id"] == "expected_dementia") & (RAW_VALUES["area_type"] == "city")]
    assert dem["Manchester"] == f"{round(float(city.sort_values('period').iloc[-1]['value'])):,} (Manchester total)"
    # observed counts are unchanged: bad health's count is the census count
    bad = shown[(table["indicator_id"] == "bad_health").to_numpy()].iloc[0]
    raw_bad = RAW_VALUES[(RAW_VALUES["indicator_id"] == "bad_health") & (RAW_VALUES["area_code"] == "C2")]
    assert bad["Count"] == f"{int(raw_bad.sort_values('period').iloc[-1]['numerator']):,}"


def test_the_money_view_has_plain_columns_and_one_number_format():
    at = open_page("pages/activity.py", {"nbhd": "C2", "view": "money"})
    tables = shown_tables(at)
    assert len(tables) == 3
    for t in tables:
        for c in t.columns:
            assert "_" not in str(c) and str(c) not in ("row_type", "benefit_type"), c
        for c in t.columns:
            cells = [str(x) for x in t[c] if str(x) not in ("", "nan")]
            numbers = [x for x in cells if re.fullmatch(r"-?[\d,]+(\.\d+)?", x)]
            # every number in the same format: thousands separated (no "6018" beside "22,790")
            assert all(re.fullmatch(r"-?\d{1,3}(,\d{3})*", x) for x in numbers), (c, numbers)
    cash = tables[0]
    seed = pd.read_csv(REPO / "profiles/seeds/cash_released_gbp000.csv")
    gross = seed.loc[seed["benefit_type"] == "LCO total gross savings", "2017/18"].iloc[0]
    assert f"{gross:,}" in set(cash.iloc[:, 1].astype(str))
    assert "Total recomputed by this project" in set(cash["Row"])


def _city_only() -> set[str]:
    types = RAW_VALUES.groupby("indicator_id")["area_type"].agg(set)
    return {i for i, t in types.items() if "city" in t and "neighbourhood" not in t and "msoa" not in t}


def test_the_spine_says_which_indicators_it_leaves_out(ds):
    table = profile.profile_table(ds, Selection("C2"))
    groups = profile.not_on_spine(ds, table, spine_data(table))
    short = dict(zip(RAW_INDICATORS["indicator_id"], RAW_INDICATORS["short_name"]))
    expected = {short[i] for i in _city_only()}
    assert {short["qof_dm"], short["health_index_overall"]} <= expected
    assert set(groups["city_only"]) == expected
    sentences = profile.not_on_spine_sentences(groups)
    assert any(
        "published for Manchester only, no neighbourhood figure" in s and short["qof_dm"] in s for s in sentences
    )


def test_the_profile_page_lists_them():
    at = open_page("pages/profile.py", {"nbhd": "C2", "view": "compare"})
    captions = " ".join(c.value for c in at.caption)
    assert "published for Manchester only" in captions
    assert "Health Index overall score" in captions.replace("\\", "")
