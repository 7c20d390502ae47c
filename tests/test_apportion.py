"""Apportioning the city's 2020/21 targets: integer shares that add back to the city total."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.core.data import load_dataset, load_seed
from lib.methods import apportion


def test_hand_worked_example():
    # total 10 by weights 1:1:1 -> quotas 3.333 each: floors 3,3,3 (9); 1 unit left, equal
    # remainders -> ties by code order -> "a" gets it.
    assert apportion.apportion(10, {"b": 1, "a": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    # total 100 by 5:3:2 is exact
    assert apportion.apportion(100, {"x": 5, "y": 3, "z": 2}) == {"x": 50, "y": 30, "z": 20}
    # total 7 by 0.45:0.35:0.2 -> quotas 3.15, 2.45, 1.4 -> floors 3,2,1 (6); largest remainder y (0.45)
    assert apportion.apportion(7, {"x": 0.45, "y": 0.35, "z": 0.2}) == {"x": 3, "y": 3, "z": 1}


def test_sums_exactly_for_many_random_cases():
    rng = np.random.default_rng(12345)
    for _ in range(2000):
        n = int(rng.integers(1, 15))
        weights = {f"A{i:02d}": float(w) for i, w in enumerate(rng.uniform(0, 1e5, n))}
        total = int(rng.integers(0, 10**6))
        shares = apportion.apportion(total, weights)
        assert sum(shares.values()) == total
        assert set(shares) == set(weights)
        wsum = sum(weights.values())
        for k, w in weights.items():  # Hamilton: each share within 1 of its exact quota
            assert abs(shares[k] - total * w / wsum) < 1


def test_zero_weight_and_single_area():
    assert apportion.apportion(5, {"a": 0, "b": 2}) == {"a": 0, "b": 5}
    assert apportion.apportion(1234, {"only": 3.7}) == {"only": 1234}
    assert apportion.apportion(0, {"a": 1, "b": 1}) == {"a": 0, "b": 0}
    assert apportion.apportion(-7, {"a": 1, "b": 1}) == {"a": -4, "b": -3}


@pytest.mark.parametrize("weights", [{}, {"a": 0, "b": 0}, {"a": -1, "b": 2}, {"a": float("nan")}])
def test_bad_weights_raise(weights):
    with pytest.raises(ValueError):
        apportion.apportion(10, weights)


def test_non_integer_total_raises():
    with pytest.raises(ValueError):
        apportion.apportion(10.5, {"a": 1})


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return load_dataset().values


@pytest.fixture(scope="module")
def targets() -> pd.DataFrame:
    return load_seed("activity_targets_2020_21")


@pytest.mark.parametrize("method", ["population", "need"])
def test_target_shares_sum_to_each_city_target(values, targets, method):
    w = apportion.weights_for(values, method)
    assert len(w) == 12
    shares = apportion.target_shares(targets, w, method)
    lines = apportion.target_lines(targets)
    assert len(shares) == 12 * len(lines) == 132
    sums = shares.groupby("measure_id")["share"].sum()
    for _, t in lines.iterrows():
        assert sums[t["measure_id"]] == t["activity_shift_2020_21"]
    assert (shares["status"] == "modelled").all()
    assert shares["share"].sum() == 229191  # the sum of the lines (the source prints 229,192)


def test_need_weights_are_population_times_ratio(values):
    need, pop = apportion.need_weights(values), apportion.population_weights(values)
    assert apportion.need_period(values) == "IoD2025"
    row = values[
        (values.indicator_id == "acute_morbidity") & (values.area_code == "N1") & (values.period == "IoD2025")
    ].iloc[0]
    assert need["N1"] == pytest.approx(pop["N1"] * row["value"] / 100)


def test_choice_difference(values, targets):
    d = apportion.choice_difference(targets, values)
    assert len(d) == 12
    assert d["pct_by_population"].sum() == pytest.approx(100)
    assert d["pct_by_need"].sum() == pytest.approx(100)
    assert d["difference_pct_points"].sum() == pytest.approx(0, abs=1e-9)
    assert d["difference_all_targets"].abs().sum() > 0
    assert "Need" in apportion.method_text(values, "need") and "IoD2025" in apportion.method_text(values, "need")


def test_shares_by_method_and_method_difference_use_the_datasets_values(ds):
    from lib.core.data import load_seed
    from lib.methods import apportion as ap

    targets = load_seed("activity_targets_2020_21")
    for method in ("population", "need"):
        shares, words = ap.shares_by_method(ds, targets, method)
        assert words == ap.method_text(ds.values, method)
        pd.testing.assert_frame_equal(
            shares, ap.target_shares(targets, ap.weights_for(ds.values, method), method, words)
        )
        # each line's shares add up to its published city target
        sums = shares.groupby("measure_id")["share"].sum()
        lines = ap.target_lines(targets).set_index("measure_id")["activity_shift_2020_21"].astype(int)
        assert (sums == lines.reindex(sums.index)).all()
    pd.testing.assert_frame_equal(ap.method_difference(ds, targets), ap.choice_difference(targets, ds.values))
