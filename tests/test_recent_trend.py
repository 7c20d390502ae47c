"""Fingertips' recent trend: the chi-squared test for trend (extended Mantel-Haenszel) on the
latest 5 points, checked against statsmodels' ordinal association test and the Cochran-Armitage
form computed by hand; the Compare page's trend view states the test and its points, and draws
the other neighbourhoods faint behind the selected one."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.contingency_tables import Table

from lib.core import data
from lib.methods import trend
from lib.methods.indicators import meta
from lib.render import charts
from lib.views import compare
from tests.conftest import open_page


def _statsmodels(o, n):
    """Linear-by-linear association on the 2 x k table (periods scored 1..k): its z squared is
    the extended Mantel-Haenszel chi-squared."""
    o, n = np.asarray(o, float), np.asarray(n, float)
    r = Table(np.c_[n - o, o]).test_ordinal_association(
        row_scores=np.arange(1, len(o) + 1), col_scores=np.array([0.0, 1.0])
    )
    return r.zscore**2, r.pvalue


@pytest.mark.parametrize("seed", range(6))
def test_chi_squared_matches_statsmodels(seed):
    rng = np.random.default_rng(seed)
    n = rng.integers(200, 5000, size=5)
    o = rng.binomial(n, rng.uniform(0.05, 0.4) + np.linspace(0, rng.uniform(-0.04, 0.04), 5))
    chi2, p, d = trend.mantel_haenszel_trend(o, n)
    z2, p_sm = _statsmodels(o, n)
    assert chi2 == pytest.approx(z2, rel=1e-9)
    assert p == pytest.approx(p_sm, rel=1e-6)


def test_chi_squared_is_cochran_armitage_scaled_by_n_minus_1_over_n():
    # Cochran-Armitage by hand (Altman, Practical statistics for medical research, 10.7.4)
    o = np.array([30, 36, 45, 52, 60.0])
    n = np.array([500, 510, 505, 498, 502.0])
    t = np.arange(1, 6.0)
    big_n, p = n.sum(), o.sum() / n.sum()
    num = ((o - n * p) * t).sum() ** 2
    den = p * (1 - p) * ((n * t * t).sum() - (n * t).sum() ** 2 / big_n)
    chi2_ca = num / den
    chi2, pv, d = trend.mantel_haenszel_trend(o, n)
    assert chi2 == pytest.approx(chi2_ca * (big_n - 1) / big_n, rel=1e-12)
    assert d > 0 and pv < 0.002


def test_words_by_polarity_and_only_the_latest_five_points():
    periods = [f"20{y}/{y + 1}" for y in range(14, 21)]
    n = [1000] * 7
    rising = [100, 100, 100, 110, 130, 150, 170]
    worse = trend.recent_trend(periods, rising, n, "lower_is_better")
    assert worse["result"] == "increasing" and worse["text"] == "Increasing and getting worse"
    assert worse["periods"] == periods[-5:]
    assert worse["chi2"] == pytest.approx(trend.mantel_haenszel_trend(rising[-5:], n[-5:])[0])
    assert trend.recent_trend(periods, rising, n, "higher_is_better")["text"] == "Increasing and getting better"
    assert trend.recent_trend(periods, rising[::-1], n, "higher_is_better")["text"] == "Decreasing and getting worse"
    assert trend.recent_trend(periods, rising, n, "no_judgement")["text"] == "Increasing"
    # what happened before the latest 5 points does not count
    earlier = [900, 10] + rising[2:]
    assert trend.recent_trend(periods, earlier, n, "lower_is_better")["chi2"] == worse["chi2"]
    flat = trend.recent_trend(periods, [100, 101, 99, 100, 102, 98, 100], n, "lower_is_better")
    assert flat["result"] == "no_change" and flat["text"] == "No significant change"


def test_stricter_level_needs_a_stronger_trend():
    periods, n = ["1", "2", "3", "4", "5"], [2000] * 5
    o = [200, 206, 214, 224, 236]  # p between 0.002 and 0.05
    p = trend.mantel_haenszel_trend(o, n)[1]
    assert 0.002 < p < 0.05
    assert trend.recent_trend(periods, o, n, "lower_is_better", "95")["result"] == "increasing"
    assert trend.recent_trend(periods, o, n, "lower_is_better", "99.8")["result"] == "no_change"


def test_too_few_points_or_a_withheld_count_is_not_tested():
    few = trend.recent_trend(["a", "b", "c", "d"], [1, 2, 3, 4], [10] * 4, "lower_is_better")
    assert few["result"] == "not_calculated" and "Not enough points" in few["text"] and math.isnan(few["chi2"])
    gap = trend.recent_trend(list("abcde"), [10, 12, math.nan, 14, 15], [100] * 5, "lower_is_better")
    assert gap["result"] == "not_calculated" and "missing" in gap["text"]


@pytest.fixture(scope="module")
def ds():
    return data.load_dataset()


def _with_five_years(ds: data.Dataset, ind: str = "bad_health") -> data.Dataset:
    """The dataset with ``ind`` (a proportion with counts, one Census) given five made-up years:
    each year's counts grow by 4% of the denominator's rate for every area."""
    v = ds.values
    base = v[v["indicator_id"] == ind]
    years = []
    for k, year in enumerate(["2017", "2018", "2019", "2020", "2021"]):
        y = base.copy()
        y["period"] = year
        y["numerator"] = (y["numerator"] * (1 + 0.04 * k)).round()
        y["value"] = 100 * y["numerator"] / y["denominator"]
        years.append(y)
    return dataclasses.replace(ds, values=pd.concat([v[v["indicator_id"] != ind], *years], ignore_index=True))


def test_trend_tests_on_the_latest_points_of_each_area(ds):
    five = _with_five_years(ds)
    table, words = compare.trend_tests(five, "bad_health", "C2")
    assert list(table["area_type"]) == ["neighbourhood", "city", "england"]
    assert "chi-squared test for trend" in words and "2017 to 2021" in words
    v = five.values
    for _, r in table.iterrows():
        rows = v[(v["indicator_id"] == "bad_health") & (v["area_code"] == r["area_code"])].sort_values("period")
        expected, _ = _statsmodels(rows["numerator"], rows["denominator"])
        assert r["chi_squared"] == pytest.approx(expected, rel=1e-9)
        assert r["recent_trend"] == "Increasing and getting worse"  # more residents in bad health
        assert r["periods_tested"] == "2017 to 2021"


def test_registered_registers_have_too_few_points_and_estimates_are_not_tested(ds):
    reg = data.for_population(data.load_dataset(population=None), "registered")
    table, words = compare.trend_tests(reg, "reg_dm", "C2")
    assert words.startswith("Not enough points for a trend test")
    assert all(t.startswith("Not enough points") for t in table["recent_trend"])
    table, words = compare.trend_tests(ds, "universal_credit_households", "C2")
    assert "estimates" in words and table["chi_squared"].isna().all()


def test_other_neighbourhoods_are_drawn_faint_behind(ds):
    ind = "children_low_income"
    others = compare.trend_others(ds, ind, "N1")
    assert sorted(others["area_code"].unique()) == sorted(set(ds.definition["neighbourhood_code"]) - {"N1"})
    spec = charts.trend_chart(compare.trend_data(ds, ind, "N1"), meta(ds.indicators, ind), others=others).to_dict()
    faint = spec["layer"][0]
    assert faint["mark"]["color"] == charts.OTHERS_COLOUR and faint["mark"]["strokeWidth"] < 2.5
    assert "color" not in faint["encoding"]  # outside the legend
    rows = pd.DataFrame(spec["datasets"][faint["data"]["name"]])
    assert rows["series"].nunique() == 11


def test_compare_trend_view_says_which_test():
    at = open_page(
        "pages/compare.py", {"nbhd": "C2", "view": "trend", "ind": "children_low_income", "family": "outcome"}
    )
    text = " ".join(m.value for m in at.markdown)
    assert "Recent trend." in text
    assert any("other 11 neighbourhoods" in c.value for c in at.caption)


def test_a_modelled_rate_says_it_is_an_estimate_and_a_derived_share_is_not_a_proportion(ds):
    _, words = compare.trend_tests(ds, "children_low_income", "C2")
    assert "estimates (modelled)" in words
    _, words = compare.trend_tests(ds, "imd_most_deprived_10pct", "C2")
    assert "not a proportion" in words
