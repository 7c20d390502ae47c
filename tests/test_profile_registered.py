"""lib.views.profile_registered: the registered-patient view's tables, against the committed
values.csv read independently."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.core import data
from lib.core.selection import Selection
from lib.views import profile_registered as pr
from tests.conftest import REPO, read_all_values


@pytest.fixture(scope="module")
def reg():
    return data.load_dataset(REPO, population="registered")


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return read_all_values()


def _raw_value(raw, ind, period, area_type, code, col="value") -> float:
    r = raw[(raw["indicator_id"] == ind) & (raw["period"] == period) & (raw["area_type"] == area_type)]
    if code is not None:
        r = r[r["area_code"] == code]
    return float(pd.to_numeric(r[col]).iloc[0])


def test_the_register_table_is_the_neighbourhoods_rows_with_the_change_between_years(reg, raw):
    t = pr.register_table(reg, Selection("N2", "city", "99.8")).set_index("indicator_id")
    assert len(t) == 21 and set(t["period"]) == {"2024/25"}
    for ind in ("reg_dm", "reg_mh", "reg_ld"):
        now = _raw_value(raw, ind, "2024/25", "neighbourhood", "N2")
        before = _raw_value(raw, ind, "2022/23", "neighbourhood", "N2")
        assert t.loc[ind, "value"] == pytest.approx(now)
        assert t.loc[ind, "lower"] == pytest.approx(_raw_value(raw, ind, "2024/25", "neighbourhood", "N2", "lower_998"))
        assert t.loc[ind, "change_points"] == pytest.approx(now - before)
        assert t.loc[ind, "england"] == pytest.approx(_raw_value(raw, ind, "2024/25", "england", None))
        assert t.loc[ind, "manchester"] == pytest.approx(_raw_value(raw, ind, "2024/25", "city", None))
        # against Manchester at 99.8%: higher only when the interval clears the city's value
        lo, hi, city = t.loc[ind, "lower"], t.loc[ind, "upper"], t.loc[ind, "manchester"]
        assert t.loc[ind, "comparison"] == ("higher" if lo > city else "lower" if hi < city else "similar")


def test_the_practice_table_has_each_practice_of_the_neighbourhood_and_its_total(reg, raw):
    t = pr.practice_table(reg, Selection("C1"), "reg_dep", "2024/25")
    mine = raw[(raw["indicator_id"] == "reg_dep") & (raw["period"] == "2024/25") & (raw["area_type"] == "practice")]
    mine = mine[mine["parent_code"] == "C1"]
    practices = t[t["area_type"] == "practice"]
    assert sorted(practices["area_code"]) == sorted(mine["area_code"])
    assert list(t["area_type"]).count("neighbourhood") == 1 and t["area_type"].iloc[-1] == "neighbourhood"
    assert practices["numerator"].sum() == pytest.approx(float(t["numerator"].iloc[-1]))
    assert (practices["value"].diff().dropna() <= 0).all()  # highest first
    assert set(t["population"]) == {"registered patients"}
    for r in practices.itertuples():
        expect = "higher" if r.lower_95 > r.england else "lower" if r.upper_95 < r.england else "similar"
        assert r.vs_england == expect
        expect = "higher" if r.lower_95 > r.manchester else "lower" if r.upper_95 < r.manchester else "similar"
        assert r.vs_manchester == expect


def test_small_registers_are_hidden_on_screen():
    ds = data.load_dataset(REPO, population="registered")
    t = pr.practice_table(ds, Selection("N1"), "reg_ld", "2024/25")
    shown = pr.display_practice_table(t, ds, Selection("N1"), threshold=50)
    small = t["numerator"] < 50
    assert small.any()
    assert (shown.loc[small, "On the register"] == "<50").all()


def test_the_sentence_names_the_practices_that_differ():
    t = pd.DataFrame(
        {
            "area_type": ["practice"] * 3 + ["neighbourhood"],
            "area_name": ["A", "B", "C", "All"],
            "vs_england": ["higher", "similar", "not_compared", "higher"],
        }
    )
    s = pr.variation_sentence(t, "N9", "Diabetes register")
    assert s.startswith("Of N9's 3 practices, 2 could be tested on diabetes register")
    assert "1 record significantly more than England (A)" in s and "fewer" not in s
