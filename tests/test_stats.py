"""Tests of ``lib.methods.stats`` against independent computations.

Reference values come from statsmodels (Wilson, exact Poisson), scipy's gamma distribution
(exact Poisson limits), scalar transcriptions of the published formulas written here with the
``math`` module (Byar, Dobson) and pandas (quartiles). Random cases use fixed seeds.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2, gamma, norm
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from lib.methods import stats as st
from lib.methods.stats import (
    ESP2013,
    LEVELS,
    Z95,
    Z998,
    compare_with_benchmark,
    directly_standardised_rate,
    esp2013_band,
    poisson_interval,
    proportion_interval,
    quartile_groups,
    quartile_labels,
    rate_interval,
    weighted_mean,
    wilson_interval,
)

ZS = [Z95, Z998]


def alpha_of(z: float) -> float:
    return 2 * (1 - norm.cdf(z))


# ----------------------------------------------------------------------------- references


def ref_byar(o: float, z: float) -> tuple[float, float]:
    """Byar's approximation, transcribed from the published formula."""
    lo = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    hi = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return lo, hi


def ref_exact_gamma(o: float, z: float) -> tuple[float, float]:
    """Exact Poisson limits via the gamma distribution (equivalent to chi2 / 2)."""
    a = alpha_of(z)
    lo = 0.0 if o == 0 else float(gamma.ppf(a / 2, o))
    hi = float(gamma.ppf(1 - a / 2, o + 1))
    return lo, hi


def ref_poisson(o: float, z: float) -> tuple[float, float]:
    return ref_byar(o, z) if o >= 10 else ref_exact_gamma(o, z)


def ref_dsr(counts, pops, weights, multiplier, z):
    """Dobson's method, one band at a time in plain Python."""
    total_o = 0.0
    sum_w = 0.0
    weighted_rates = 0.0
    var_num = 0.0
    for o, n, w in zip(counts, pops, weights):
        total_o += o
        sum_w += w
        if n > 0:
            weighted_rates += w * o / n
            var_num += w * w * o / (n * n)
    if total_o < 10:
        return (math.nan, math.nan, math.nan)
    dsr = weighted_rates / sum_w
    var = var_num / sum_w**2
    o_l, o_u = ref_poisson(total_o, z)
    lo = dsr + math.sqrt(var / total_o) * (o_l - total_o)
    hi = dsr + math.sqrt(var / total_o) * (o_u - total_o)
    return dsr * multiplier, lo * multiplier, hi * multiplier


def ref_compare(v, lo, hi, b, pol) -> str:
    if any(isinstance(x, float) and math.isnan(x) for x in (v, lo, hi, b)):
        return "not_compared"
    if lo <= b <= hi:
        return "similar"
    up = v > b
    return {
        "higher_is_better": ("better", "worse"),
        "lower_is_better": ("worse", "better"),
        "no_judgement": ("higher", "lower"),
    }[pol][0 if up else 1]


def random_proportion_cases(seed: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Denominators from 1 to 1e8 (log-uniform) and numerators 0..n, integer and not."""
    rng = np.random.default_rng(seed)
    n = np.round(10 ** rng.uniform(0, 8, size))
    o = np.floor(rng.uniform(0, 1, size) * (n + 1))
    o = np.minimum(o, n)
    frac = rng.uniform(0, 1, size) < 0.25  # modelled (non-integer) numerators
    o[frac] = rng.uniform(0, 1, frac.sum()) * n[frac]
    # edge cases: O = 0, 1, n; tiny and huge n
    edge_n = np.array([1, 1, 2, 2, 2, 3, 3, 3, 3, 1e8, 1e8, 1e8, 1e8, 10, 10, 10])
    edge_o = np.array([0, 1, 0, 1, 2, 0, 1, 2, 3, 0, 1, 1e8, 5e7, 0, 10, 9.5])
    return np.concatenate([o, edge_o]), np.concatenate([n, edge_n])


# ----------------------------------------------------------------------------- constants


def test_constants_and_levels():
    assert LEVELS == {"95": Z95, "99.8": Z998}
    assert Z95 == pytest.approx(norm.ppf(0.975), abs=1e-6)
    assert Z998 == pytest.approx(norm.ppf(0.999), abs=1e-6)


def test_esp2013_weights():
    assert len(ESP2013) == 19
    assert ESP2013.sum() == 100_000
    expected_labels = [f"{5 * i}-{5 * i + 4}" for i in range(18)] + ["90+"]
    assert list(ESP2013.index) == expected_labels
    assert ESP2013["0-4"] == 5000 and ESP2013["40-44"] == 7000 and ESP2013["90+"] == 1000


def test_esp2013_band_every_age():
    for age in range(0, 121):
        label = esp2013_band(age)
        assert label in ESP2013.index
        if label.endswith("+"):
            assert age >= int(label[:-1])
        else:
            lo, hi = (int(x) for x in label.split("-"))
            assert lo <= age <= hi
    assert esp2013_band(np.int64(37)) == "35-39"
    for bad in (-1, 2.5, float("nan"), None):
        with pytest.raises(ValueError):
            esp2013_band(bad)


# ----------------------------------------------------------------------------- Wilson


@pytest.mark.parametrize("z", ZS)
def test_wilson_matches_statsmodels(z):
    o, n = random_proportion_cases(seed=1, size=600)
    lo, hi = wilson_interval(o, n, z)
    ref_lo, ref_hi = proportion_confint(o, n, alpha=alpha_of(z), method="wilson")
    np.testing.assert_allclose(lo, ref_lo, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(hi, ref_hi, rtol=1e-6, atol=1e-12)
    p = o / n
    assert np.all((0 <= lo) & (lo <= p) & (p <= hi) & (hi <= 1))


def test_wilson_matches_formula_scalar():
    rng = np.random.default_rng(2)
    for _ in range(200):
        n = float(rng.integers(1, 5000))
        o = float(rng.integers(0, n + 1))
        z = float(rng.choice(ZS))
        root = z * math.sqrt(z * z + 4 * o * (1 - o / n))
        exp_lo = (2 * o + z * z - root) / (2 * (n + z * z))
        exp_hi = (2 * o + z * z + root) / (2 * (n + z * z))
        lo, hi = wilson_interval(o, n, z)
        assert float(lo) == pytest.approx(max(exp_lo, 0.0), abs=1e-12)
        assert float(hi) == pytest.approx(min(exp_hi, 1.0), abs=1e-12)


def test_wilson_exact_bounds_at_zero_and_n():
    n = np.array([1, 2, 3, 17, 1e8])
    lo0, _ = wilson_interval(np.zeros_like(n), n)
    _, hin = wilson_interval(n, n)
    assert np.all(lo0 == 0.0)
    assert np.all(hin == 1.0)


def test_wilson_99_8_contains_95():
    o, n = random_proportion_cases(seed=3, size=300)
    lo95, hi95 = wilson_interval(o, n, Z95)
    lo998, hi998 = wilson_interval(o, n, Z998)
    assert np.all(lo998 <= lo95 + 1e-15) and np.all(hi998 >= hi95 - 1e-15)


def test_wilson_nan_and_zero_denominator():
    lo, hi = wilson_interval([np.nan, 3, 0, 2], [10, np.nan, 0, 4])
    assert np.isnan(lo[:3]).all() and np.isnan(hi[:3]).all()
    assert np.isfinite(lo[3]) and np.isfinite(hi[3])
    s_lo, _ = wilson_interval(pd.Series([1, pd.NA], dtype="Float64"), pd.Series([5, 5]))
    assert np.isfinite(s_lo[0]) and np.isnan(s_lo[1])
    scalar_lo, scalar_hi = wilson_interval(1, 4)
    assert isinstance(scalar_lo, np.ndarray) and scalar_lo.shape == () and scalar_lo.dtype == np.float64


# ----------------------------------------------------------------------------- Poisson


@pytest.mark.parametrize("z", ZS)
def test_exact_poisson_below_10_matches_gamma_and_statsmodels(z):
    rng = np.random.default_rng(4)
    integers = np.arange(0, 10, dtype=float)
    modelled = rng.uniform(0, 10, 300)
    o = np.concatenate([integers, modelled, [0.0, 9.999]])
    lo, hi = poisson_interval(o, z)
    ref = np.array([ref_exact_gamma(x, z) for x in o])
    np.testing.assert_allclose(lo, ref[:, 0], rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(hi, ref[:, 1], rtol=1e-9)
    for k in range(10):
        sm_lo, sm_hi = confint_poisson(k, 1, method="exact-c", alpha=alpha_of(z))
        assert lo[k] == pytest.approx(sm_lo, rel=1e-9, abs=1e-14)
        assert hi[k] == pytest.approx(sm_hi, rel=1e-9)
    assert lo[0] == 0.0


@pytest.mark.parametrize("z", ZS)
def test_byar_from_10_matches_formula(z):
    rng = np.random.default_rng(5)
    o = np.concatenate(
        [
            np.arange(10, 60, dtype=float),
            rng.integers(10, 1_000_000, 300).astype(float),
            rng.uniform(10, 1e4, 100),
            [1e8],
        ]
    )
    lo, hi = poisson_interval(o, z)
    ref = np.array([ref_byar(x, z) for x in o])
    np.testing.assert_allclose(lo, ref[:, 0], rtol=1e-12)
    np.testing.assert_allclose(hi, ref[:, 1], rtol=1e-12)


def test_switch_between_exact_and_byar_at_10():
    lo, hi = poisson_interval([9.0, 10.0])
    assert (lo[0], hi[0]) == pytest.approx(ref_exact_gamma(9, Z95), rel=1e-9)
    assert (lo[1], hi[1]) == pytest.approx(ref_byar(10, Z95), rel=1e-12)
    # the exact and approximate limits differ noticeably at O = 10
    assert ref_byar(10, Z95) != pytest.approx(ref_exact_gamma(10, Z95), rel=1e-6)


@pytest.mark.parametrize("z", ZS)
def test_byar_close_to_exact_for_large_counts(z):
    rng = np.random.default_rng(6)
    o = np.concatenate([[100.0], rng.integers(100, 100_000, 200).astype(float)])
    lo, hi = poisson_interval(o, z)
    a = alpha_of(z)
    exact_lo = chi2.ppf(a / 2, 2 * o) / 2
    exact_hi = chi2.ppf(1 - a / 2, 2 * o + 2) / 2
    np.testing.assert_allclose(lo, exact_lo, rtol=0.01)
    np.testing.assert_allclose(hi, exact_hi, rtol=0.01)


def test_poisson_nan_and_negative():
    lo, hi = poisson_interval([np.nan, 3.0, np.nan, 30.0])
    assert np.isnan(lo[[0, 2]]).all() and np.isnan(hi[[0, 2]]).all()
    assert np.isfinite(lo[[1, 3]]).all()
    with pytest.raises(ValueError, match="negative"):
        poisson_interval([1, -1])


# ----------------------------------------------------------------------------- crude rates


def test_rate_interval_matches_independent_limits():
    rng = np.random.default_rng(7)
    o = np.concatenate([np.arange(0, 30, dtype=float), rng.integers(0, 5000, 200).astype(float)])
    n = 10 ** rng.uniform(0, 8, o.size)
    value, lo, hi = rate_interval(o, n, multiplier=1000)
    np.testing.assert_allclose(value, o / n * 1000, rtol=1e-12)
    for i in range(o.size):
        if o[i] < 10:  # statsmodels exact limits for a rate with exposure n
            r_lo, r_hi = confint_poisson(o[i], n[i], method="exact-c", alpha=alpha_of(Z95))
        else:
            b_lo, b_hi = ref_byar(o[i], Z95)
            r_lo, r_hi = b_lo / n[i], b_hi / n[i]
        assert lo[i] == pytest.approx(r_lo * 1000, rel=1e-9, abs=1e-14)
        assert hi[i] == pytest.approx(r_hi * 1000, rel=1e-9)


def test_rate_interval_count_above_denominator_zero_and_nan():
    value, lo, hi = rate_interval([30, 5, np.nan, 4], [10, 0, 10, np.nan])
    assert value[0] == 3.0 and lo[0] < 3.0 < hi[0]
    assert np.isnan(value[1:]).all() and np.isnan(lo[1:]).all() and np.isnan(hi[1:]).all()


# ----------------------------------------------------------------------------- proportions


def test_proportion_interval_is_scaled_wilson():
    o, n = random_proportion_cases(seed=8, size=200)
    value, lo, hi = proportion_interval(o, n)
    ref_lo, ref_hi = proportion_confint(o, n, alpha=alpha_of(Z95), method="wilson")
    np.testing.assert_allclose(value, o / n * 100, rtol=1e-12)
    np.testing.assert_allclose(lo, ref_lo * 100, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(hi, ref_hi * 100, rtol=1e-6, atol=1e-10)
    v1, l1, h1 = proportion_interval(3, 12, multiplier=1.0, z=Z998)
    r_lo, r_hi = proportion_confint(3, 12, alpha=alpha_of(Z998), method="wilson")
    assert (float(v1), float(l1), float(h1)) == pytest.approx((0.25, r_lo, r_hi), rel=1e-6)


def test_proportion_interval_zero_denominator_and_nan():
    value, lo, hi = proportion_interval([0, np.nan], [0, 5])
    assert np.isnan(value).all() and np.isnan(lo).all() and np.isnan(hi).all()


# ----------------------------------------------------------------------------- Dobson DSR


def _random_age_data(rng, scale):
    pops = rng.integers(0, 5000, 19).astype(float)
    pops[rng.uniform(size=19) < 0.1] = 0.0
    rates = rng.uniform(0, 0.02, 19) * scale
    counts = np.where(pops > 0, rng.poisson(pops * rates), 0).astype(float)
    return counts, pops


@pytest.mark.parametrize("z", ZS)
def test_dsr_matches_scalar_dobson(z):
    rng = np.random.default_rng(9)
    checked = 0
    for _ in range(300):
        counts, pops = _random_age_data(rng, scale=rng.choice([0.001, 0.01, 0.1, 1.0]))
        got = directly_standardised_rate(counts, pops, z=z)
        exp = ref_dsr(counts, pops, list(ESP2013), 100000.0, z)
        if math.isnan(exp[0]):
            assert all(math.isnan(g) for g in got)
        else:
            checked += 1
            assert got == pytest.approx(exp, rel=1e-10)
            assert got[1] <= got[0] <= got[2]
    assert checked > 100


def test_dsr_worked_example():
    # 19 bands: population 1000 in every band, counts 0, 1, ..., 18 (total 171).
    pops = [1000.0] * 19
    counts = [float(i) for i in range(19)]
    weights = [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
               7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000]  # fmt: skip
    num = 0.0
    var_num = 0.0
    for w, o, n in zip(weights, counts, pops):
        num += w * o / n
        var_num += w**2 * o / n**2
    dsr = num / 100000
    var = var_num / 100000**2
    total = 171.0
    o_l = total * (1 - 1 / (9 * total) - Z95 / (3 * math.sqrt(total))) ** 3
    o_u = (total + 1) * (1 - 1 / (9 * (total + 1)) + Z95 / (3 * math.sqrt(total + 1))) ** 3
    expected = (
        dsr * 1e5,
        (dsr + math.sqrt(var / total) * (o_l - total)) * 1e5,
        (dsr + math.sqrt(var / total) * (o_u - total)) * 1e5,
    )
    assert directly_standardised_rate(counts, pops) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("count", [10.0, 3.0, 500.0])
def test_dsr_single_band_reduces_to_weighted_crude_rate(count):
    """With events in one band only, Dobson's limits are w_k/Σw times the Poisson limits / n_k."""
    k, n_k = 7, 2500.0
    counts = np.zeros(19)
    counts[k] = count
    pops = np.full(19, 1000.0)
    pops[k] = n_k
    share = ESP2013.iloc[k] / ESP2013.sum()
    got = directly_standardised_rate(counts, pops, multiplier=1000.0)
    if count < 10:
        assert all(math.isnan(g) for g in got)
        return
    p_lo, p_hi = ref_poisson(count, Z95)
    expected = (share * count / n_k * 1000, share * p_lo / n_k * 1000, share * p_hi / n_k * 1000)
    assert got == pytest.approx(expected, rel=1e-12)


def test_dsr_equal_rates_give_that_rate():
    rng = np.random.default_rng(10)
    for _ in range(50):
        r = float(rng.uniform(1e-4, 0.5))
        pops = rng.integers(100, 100_000, 19).astype(float)
        counts = pops * r  # modelled counts, exactly rate r in every band
        value, lo, hi = directly_standardised_rate(counts, pops)
        assert value == pytest.approx(r * 100000, rel=1e-12)
        assert lo < value < hi


def test_dsr_nan_below_10_total():
    pops = np.full(19, 1000.0)
    nine = np.zeros(19)
    nine[[3, 10, 18]] = [4, 4, 1]
    ten = nine.copy()
    ten[0] = 1
    assert all(math.isnan(x) for x in directly_standardised_rate(nine, pops))
    assert all(math.isfinite(x) for x in directly_standardised_rate(ten, pops))
    assert all(math.isnan(x) for x in directly_standardised_rate(np.zeros(19), pops))


def test_dsr_nan_inputs_and_zero_population_bands():
    pops = np.full(19, 1000.0)
    counts = np.full(19, 5.0)
    with_nan = counts.copy()
    with_nan[4] = np.nan
    assert all(math.isnan(x) for x in directly_standardised_rate(with_nan, pops))
    # empty band (no people, no events) contributes a zero rate
    pops0 = pops.copy()
    pops0[18] = 0
    counts0 = counts.copy()
    counts0[18] = 0
    got = directly_standardised_rate(counts0, pops0)
    exp = ref_dsr(counts0, pops0, list(ESP2013), 1e5, Z95)
    assert got == pytest.approx(exp, rel=1e-12)
    # events in a band with no population: no value
    counts0[18] = 2
    assert all(math.isnan(x) for x in directly_standardised_rate(counts0, pops0))


def test_dsr_aligns_series_on_band_labels():
    rng = np.random.default_rng(11)
    counts, pops = _random_age_data(rng, scale=1.0)
    pops[pops == 0] = 10
    c = pd.Series(counts, index=ESP2013.index)
    p = pd.Series(pops, index=ESP2013.index)
    shuffled = rng.permutation(19)
    got = directly_standardised_rate(c.iloc[shuffled], p.iloc[shuffled[::-1]])
    assert got == pytest.approx(directly_standardised_rate(counts, pops), rel=1e-14)
    assert got == pytest.approx(ref_dsr(counts, pops, list(ESP2013), 1e5, Z95), rel=1e-10)
    with pytest.raises(ValueError, match="missing"):
        directly_standardised_rate(c.iloc[:-1], p)
    with pytest.raises(ValueError, match="19"):
        directly_standardised_rate(counts[:-1], pops[:-1])


def test_dsr_custom_standard():
    counts = [10.0, 20.0, 30.0]
    pops = [1000.0, 2000.0, 1500.0]
    weights = [1.0, 2.0, 1.0]
    got = directly_standardised_rate(counts, pops, standard=weights, multiplier=1000.0)
    assert got == pytest.approx(ref_dsr(counts, pops, weights, 1000.0, Z95), rel=1e-12)


# ----------------------------------------------------------------------------- comparisons

COMPARE_CASES = [
    # value, lower, upper, benchmark, polarity, expected
    (12.0, 11.0, 13.0, 10.0, "higher_is_better", "better"),
    (8.0, 7.0, 9.0, 10.0, "higher_is_better", "worse"),
    (12.0, 11.0, 13.0, 10.0, "lower_is_better", "worse"),
    (8.0, 7.0, 9.0, 10.0, "lower_is_better", "better"),
    (12.0, 11.0, 13.0, 10.0, "no_judgement", "higher"),
    (8.0, 7.0, 9.0, 10.0, "no_judgement", "lower"),
    (10.5, 9.0, 12.0, 10.0, "higher_is_better", "similar"),
    (9.5, 8.0, 11.0, 10.0, "lower_is_better", "similar"),
    (10.5, 9.0, 12.0, 10.0, "no_judgement", "similar"),
    # boundaries: benchmark exactly on a limit is similar
    (12.0, 10.0, 13.0, 10.0, "higher_is_better", "similar"),
    (8.0, 7.0, 10.0, 10.0, "lower_is_better", "similar"),
    (8.0, 7.0, 10.0, 10.0, "no_judgement", "similar"),
    # just outside a limit
    (12.0, 10.000001, 13.0, 10.0, "higher_is_better", "better"),
    (8.0, 7.0, 9.999999, 10.0, "lower_is_better", "better"),
    # missing values
    (np.nan, 7.0, 9.0, 10.0, "higher_is_better", "not_compared"),
    (8.0, np.nan, 9.0, 10.0, "lower_is_better", "not_compared"),
    (8.0, 7.0, np.nan, 10.0, "no_judgement", "not_compared"),
    (8.0, 7.0, 9.0, np.nan, "higher_is_better", "not_compared"),
]


@pytest.mark.parametrize(("value", "lower", "upper", "benchmark", "polarity", "expected"), COMPARE_CASES)
def test_compare_table(value, lower, upper, benchmark, polarity, expected):
    out = compare_with_benchmark(value, lower, upper, benchmark, polarity)
    assert out.dtype == object and out.shape == ()
    assert out.item() == expected
    assert ref_compare(value, lower, upper, benchmark, polarity) == expected


def test_compare_vectorised_matches_scalar_reference():
    rng = np.random.default_rng(12)
    size = 500
    value = rng.normal(10, 3, size)
    half = rng.uniform(0, 3, size)
    lower, upper = value - half, value + half
    bench = rng.normal(10, 3, size)
    for arr in (value, lower, upper, bench):
        arr[rng.uniform(size=size) < 0.05] = np.nan
    pol = rng.choice(["higher_is_better", "lower_is_better", "no_judgement"], size)
    out = compare_with_benchmark(pd.Series(value), lower, upper, bench, pol)
    expected = [ref_compare(*args) for args in zip(value, lower, upper, bench, pol)]
    assert list(out) == expected
    assert set(expected) == {"better", "worse", "similar", "higher", "lower", "not_compared"}
    # scalar benchmark and polarity broadcast
    out2 = compare_with_benchmark(value, lower, upper, 10.0, "lower_is_better")
    assert list(out2) == [ref_compare(*a, 10.0, "lower_is_better") for a in zip(value, lower, upper)]


def test_compare_unknown_polarity():
    with pytest.raises(ValueError, match="polarity"):
        compare_with_benchmark(1.0, 0.5, 1.5, 2.0, "up")
    with pytest.raises(ValueError, match="polarity"):
        compare_with_benchmark([1.0, 2.0], [0.5, 1], [1.5, 3], 2.0, ["no_judgement", None])


def test_wider_interval_never_makes_similar_significant():
    """Property: a 99.8% interval contains the 95% one, so it can only turn better/worse into similar."""
    rng = np.random.default_rng(13)
    o, n = random_proportion_cases(seed=14, size=800)
    bench = rng.uniform(0, 100, o.size)
    pol = rng.choice(["higher_is_better", "lower_is_better", "no_judgement"], o.size)
    v95, l95, u95 = proportion_interval(o, n, z=Z95)
    v998, l998, u998 = proportion_interval(o, n, z=Z998)
    c95 = compare_with_benchmark(v95, l95, u95, bench, pol)
    c998 = compare_with_benchmark(v998, l998, u998, bench, pol)
    assert np.all(c998[c95 == "similar"] == "similar")
    changed = c95 != c998
    assert np.all(c998[changed] == "similar")
    assert changed.any()  # the property is exercised, not vacuous
    # same for rates with Poisson limits
    counts = rng.integers(0, 200, 500).astype(float)
    rv95 = rate_interval(counts, 1000.0, 1000.0, Z95)
    rv998 = rate_interval(counts, 1000.0, 1000.0, Z998)
    rc95 = compare_with_benchmark(*rv95, 100.0, "lower_is_better")
    rc998 = compare_with_benchmark(*rv998, 100.0, "lower_is_better")
    assert np.all(rc998[rc95 == "similar"] == "similar")
    assert np.all(rc998[rc95 != rc998] == "similar")


# ----------------------------------------------------------------------------- quartiles


def test_quartiles_twelve_values():
    rng = np.random.default_rng(15)
    values = rng.normal(size=12)
    groups = quartile_groups(values)
    assert sorted(np.unique(groups, return_counts=True)[1]) == [3, 3, 3, 3]
    order = np.argsort(values)
    assert list(groups[order]) == [1.0] * 3 + [2.0] * 3 + [3.0] * 3 + [4.0] * 3


def test_quartiles_match_qcut_on_first_ranks():
    rng = np.random.default_rng(16)
    for m in range(4, 80):
        values = rng.integers(0, 10, m + 5).astype(float)  # many ties
        values[rng.choice(m + 5, 5, replace=False)] = np.nan
        groups = quartile_groups(pd.Series(values))
        s = pd.Series(values)
        ranks = s.dropna().rank(method="first")
        expected = pd.Series(np.nan, index=s.index)
        expected[ranks.index] = pd.qcut(ranks, 4, labels=False) + 1
        np.testing.assert_array_equal(groups, expected.to_numpy(dtype=float))
        # ordering: a strictly larger value is never in a lower group
        ok = ~np.isnan(values)
        v, g = values[ok], groups[ok]
        assert np.all((v[:, None] > v[None, :]) <= (g[:, None] >= g[None, :]))
        sizes = np.unique(g, return_counts=True)[1]
        assert len(sizes) == 4 and sizes.max() - sizes.min() <= 2


def test_quartiles_nan_and_too_few():
    groups = quartile_groups([5.0, np.nan, 1.0, 3.0, np.nan, 2.0, 4.0, 6.0, 7.0, 8.0])
    assert np.isnan(groups[[1, 4]]).all()
    assert np.isfinite(np.delete(groups, [1, 4])).all()
    assert np.isnan(quartile_groups([1.0, 2.0, 3.0, np.nan, np.nan])).all()
    assert np.isnan(quartile_groups([])).all() and quartile_groups([]).shape == (0,)
    ties = quartile_groups([7.0] * 8)  # deterministic: position breaks ties
    assert list(ties) == [1, 1, 2, 2, 3, 3, 4, 4]


def test_quartile_labels():
    assert quartile_labels == {1: "lowest quarter", 2: "second quarter", 3: "third quarter", 4: "highest quarter"}


# ----------------------------------------------------------------------------- weighted mean


def test_weighted_mean_matches_numpy_average():
    rng = np.random.default_rng(17)
    for _ in range(100):
        size = int(rng.integers(1, 40))
        v = rng.normal(50, 10, size)
        w = rng.uniform(0, 1000, size)
        v[rng.uniform(size=size) < 0.1] = np.nan
        w[rng.uniform(size=size) < 0.1] = np.nan
        ok = ~(np.isnan(v) | np.isnan(w))
        got = weighted_mean(v, w)
        if ok.any() and w[ok].sum() > 0:
            assert got == pytest.approx(np.average(v[ok], weights=w[ok]), rel=1e-12)
        else:
            assert math.isnan(got)


def test_weighted_mean_no_weight():
    assert math.isnan(weighted_mean([1.0, 2.0], [0.0, 0.0]))
    assert math.isnan(weighted_mean([np.nan, 2.0], [5.0, np.nan]))
    assert math.isnan(weighted_mean([], []))
    assert weighted_mean([1.0, 3.0], [1.0, 3.0]) == 2.5


# ----------------------------------------------------------------------------- errors, purity


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: wilson_interval([-1, 2], [10, 10]), "negative"),
        (lambda: wilson_interval([1], [-10]), "negative"),
        (lambda: wilson_interval([11], [10]), "exceed"),
        (lambda: wilson_interval([1], [0]), "exceed"),
        (lambda: proportion_interval(5.5, 5), "exceed"),
        (lambda: poisson_interval(-0.5), "negative"),
        (lambda: poisson_interval(np.inf), "finite"),
        (lambda: rate_interval(-3, 100), "negative"),
        (lambda: rate_interval(3, -100), "negative"),
        (lambda: directly_standardised_rate(np.r_[-1.0, np.full(18, 10.0)], np.full(19, 100.0)), "negative"),
        (lambda: directly_standardised_rate(np.full(19, 10.0), np.r_[-1.0, np.full(18, 100.0)]), "negative"),
        (lambda: weighted_mean([1, 2], [1, -1]), "negative"),
        (lambda: wilson_interval(1, 10, z=0), "z"),
        (lambda: wilson_interval(["a"], [10]), "numeric"),
    ],
)
def test_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_no_warnings_on_nan_and_zero(recwarn):
    wilson_interval([np.nan, 0], [0, 0])
    poisson_interval([np.nan, 0])
    rate_interval([np.nan, 0, 1], [0, 0, np.nan])
    proportion_interval([np.nan, 0], [0, 0])
    directly_standardised_rate(np.zeros(19), np.zeros(19))
    quartile_groups([np.nan] * 5)
    weighted_mean([np.nan], [np.nan])
    assert [str(w.message) for w in recwarn] == []


def test_module_is_pure_and_documented():
    source = Path(st.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    assert ast.get_docstring(tree)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "streamlit" not in imported and "streamlit_folium" not in imported
    for name in st.__all__:
        obj = getattr(st, name)
        if callable(obj):
            assert obj.__doc__, name
