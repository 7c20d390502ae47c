"""Public-health statistics: confidence intervals, benchmark comparisons, quartiles.

The methods follow the conventions of OHID Fingertips / PHE technical guidance:

* proportions: Wilson score interval (:func:`wilson_interval`, :func:`proportion_interval`);
* counts and crude rates: Byar's approximation for counts of 10 or more and exact Poisson
  limits (from the chi-squared distribution) below 10 (:func:`poisson_interval`,
  :func:`rate_interval`);
* directly standardised rates: Dobson's method with the 2013 European Standard Population
  (:func:`directly_standardised_rate`, :data:`ESP2013`), no value when the total count is
  below 10;
* comparison of an indicator's interval with a benchmark (:func:`compare_with_benchmark`);
* quartile groups of areas (:func:`quartile_groups`) and population-weighted means
  (:func:`weighted_mean`).

Conventions shared by every vectorised function:

* inputs are scalars or array-likes (lists, numpy arrays, pandas Series, including nullable
  dtypes); they are broadcast together and results are numpy ``float64`` arrays (0-d for
  scalar inputs) or, for the comparison, ``object`` arrays of strings;
* NaN (or ``pd.NA``/``None``) means "no value": the corresponding outputs are NaN and no
  error is raised;
* a denominator of 0 gives NaN;
* negative or infinite counts/denominators, and for proportions a numerator larger than its
  denominator, raise :class:`ValueError` with a message saying what is wrong.

This module is pure (numpy, pandas, scipy only) and never imports Streamlit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.stats import chi2, norm

__all__ = [
    "Z95",
    "Z998",
    "LEVELS",
    "ESP2013",
    "POLARITIES",
    "OUTCOMES",
    "quartile_labels",
    "esp2013_band",
    "wilson_interval",
    "poisson_interval",
    "rate_interval",
    "proportion_interval",
    "directly_standardised_rate",
    "compare_with_benchmark",
    "quartile_groups",
    "weighted_mean",
]

FloatArray = NDArray[np.float64]

#: Two-sided 95% normal quantile (Fingertips uses 1.959964).
Z95: float = 1.959964
#: Two-sided 99.8% normal quantile (Fingertips uses 3.090232).
Z998: float = 3.090232
#: Confidence levels by their label, as used in the app's level selector.
LEVELS: dict[str, float] = {"95": Z95, "99.8": Z998}

_ESP_LABELS: list[str] = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]
_ESP_WEIGHTS: list[int] = [
    5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
    7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000,
]  # fmt: skip

#: The 2013 European Standard Population: weights (summing to 100,000) indexed by the 19
#: age-band labels ``"0-4"``, ``"5-9"``, ..., ``"85-89"``, ``"90+"``.
ESP2013: pd.Series = pd.Series(
    _ESP_WEIGHTS, index=pd.Index(_ESP_LABELS, name="age_band"), name="esp2013", dtype="int64"
)

#: Allowed indicator polarities for :func:`compare_with_benchmark`.
POLARITIES: tuple[str, ...] = ("higher_is_better", "lower_is_better", "no_judgement")
#: Possible outcomes of :func:`compare_with_benchmark`.
OUTCOMES: tuple[str, ...] = ("better", "similar", "worse", "higher", "lower", "not_compared")

#: Display labels of the groups returned by :func:`quartile_groups`.
quartile_labels: dict[int, str] = {
    1: "lowest quarter",
    2: "second quarter",
    3: "third quarter",
    4: "highest quarter",
}


# --------------------------------------------------------------------------- helpers


def _as_float(x: Any, name: str) -> FloatArray:
    """Convert a scalar/array-like (incl. pandas nullable dtypes) to a float64 array."""
    try:
        if isinstance(x, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
            arr = np.asarray(pd.Series(x).to_numpy(dtype="float64", na_value=np.nan))
        else:
            arr = np.asarray(x, dtype="float64")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric (numbers or NaN): {exc}") from exc
    return arr


def _check_counts(x: FloatArray, name: str) -> None:
    """Raise ValueError for negative or infinite values (NaN is allowed: no value)."""
    if np.any(np.isinf(x)):
        raise ValueError(f"{name} must be finite; found an infinite value.")
    if np.any(x < 0):
        bad = x[x < 0].ravel()[:5]
        raise ValueError(f"{name} must not be negative; found {', '.join(repr(float(b)) for b in bad)}.")


def _check_z(z: float) -> float:
    z = float(z)
    if not np.isfinite(z) or z <= 0:
        raise ValueError(f"z must be a positive finite normal quantile (e.g. Z95 = {Z95}); got {z}.")
    return z


def _alpha(z: float) -> float:
    """Two-sided significance level for the normal quantile ``z``: 2(1 - Phi(z))."""
    return float(2.0 * norm.sf(z))


def esp2013_band(age: int) -> str:
    """Return the :data:`ESP2013` band label (``"0-4"`` ... ``"85-89"``, ``"90+"``) of an age.

    ``age`` is a single year of age (an integer >= 0; an integral float such as ``37.0`` is
    accepted). Raises :class:`ValueError` for negative, non-integral or missing ages, since a
    band label cannot be "no value".
    """
    try:
        a = float(age)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"age must be a whole number of years; got {age!r}.") from exc
    if not np.isfinite(a) or a != int(a) or a < 0:
        raise ValueError(f"age must be a whole number of years >= 0; got {age!r}.")
    return _ESP_LABELS[min(int(a) // 5, len(_ESP_LABELS) - 1)]


# --------------------------------------------------------------------------- intervals


def wilson_interval(numerator: ArrayLike, denominator: ArrayLike, z: float = Z95) -> tuple[FloatArray, FloatArray]:
    """Wilson score confidence interval for a proportion ``numerator / denominator``.

    Returns ``(lower, upper)`` as proportions in [0, 1], computed as

        (2O + z² ∓ z·sqrt(z² + 4O(1 − O/n))) / (2(n + z²)),

    with the lower limit exactly 0 when O = 0 and the upper limit exactly 1 when O = n.
    Numerators need not be integers (modelled counts are allowed). NaN inputs and a
    denominator of 0 give NaN. Raises :class:`ValueError` for negative values or when the
    numerator exceeds the denominator.
    """
    z = _check_z(z)
    o = _as_float(numerator, "numerator")
    n = _as_float(denominator, "denominator")
    _check_counts(o, "numerator")
    _check_counts(n, "denominator")
    o, n = np.broadcast_arrays(o, n)
    if np.any(o > n):
        raise ValueError("numerator must not exceed denominator for a proportion.")
    ok = ~(np.isnan(o) | np.isnan(n)) & (n > 0)
    lower = np.full(o.shape, np.nan)
    upper = np.full(o.shape, np.nan)
    oo, nn = o[ok], n[ok]
    z2 = z * z
    root = z * np.sqrt(np.maximum(z2 + 4.0 * oo * (1.0 - oo / nn), 0.0))
    denom = 2.0 * (nn + z2)
    lo = (2.0 * oo + z2 - root) / denom
    hi = (2.0 * oo + z2 + root) / denom
    lo = np.where(oo == 0, 0.0, np.clip(lo, 0.0, 1.0))
    hi = np.where(oo == nn, 1.0, np.clip(hi, 0.0, 1.0))
    lower[ok] = lo
    upper[ok] = hi
    return lower, upper


def poisson_interval(observed: ArrayLike, z: float = Z95) -> tuple[FloatArray, FloatArray]:
    """Confidence limits ``(lower, upper)`` for a Poisson count O.

    For O >= 10, Byar's approximation:
    O_L = O(1 − 1/(9O) − z/(3√O))³ and O_U = (O+1)(1 − 1/(9(O+1)) + z/(3√(O+1)))³.
    For O < 10, exact limits from the chi-squared distribution with α = 2(1 − Φ(z)):
    O_L = χ²(α/2; 2O)/2 (0 when O = 0) and O_U = χ²(1 − α/2; 2O + 2)/2.

    Non-integer counts are accepted. NaN gives NaN; negative counts raise :class:`ValueError`.
    """
    z = _check_z(z)
    o = _as_float(observed, "observed")
    _check_counts(o, "observed")
    lower = np.full(o.shape, np.nan)
    upper = np.full(o.shape, np.nan)

    big = o >= 10
    ob = o[big]
    lower[big] = ob * (1.0 - 1.0 / (9.0 * ob) - z / (3.0 * np.sqrt(ob))) ** 3
    o1 = ob + 1.0
    upper[big] = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * np.sqrt(o1))) ** 3

    small = o < 10  # False for NaN
    alpha = _alpha(z)
    os_ = o[small]
    lo = np.zeros(os_.shape)
    pos = os_ > 0
    lo[pos] = chi2.ppf(alpha / 2.0, 2.0 * os_[pos]) / 2.0
    lower[small] = lo
    upper[small] = chi2.ppf(1.0 - alpha / 2.0, 2.0 * os_ + 2.0) / 2.0
    return lower, upper


def rate_interval(
    observed: ArrayLike, denominator: ArrayLike, multiplier: float = 1.0, z: float = Z95
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Crude rate ``O / n · multiplier`` with Poisson limits (:func:`poisson_interval`) / n · multiplier.

    Returns ``(value, lower, upper)``. The count may exceed the denominator (e.g. admissions
    per person). NaN inputs and a denominator of 0 give NaN; negative values raise
    :class:`ValueError`.
    """
    o = _as_float(observed, "observed")
    n = _as_float(denominator, "denominator")
    _check_counts(o, "observed")
    _check_counts(n, "denominator")
    o, n = np.broadcast_arrays(o, n)
    lo_count, hi_count = poisson_interval(o, z)
    n_safe = np.where(n > 0, n, np.nan)  # denominator 0 (or NaN) -> NaN
    scale = float(multiplier) / n_safe
    return o * scale, lo_count * scale, hi_count * scale


def proportion_interval(
    numerator: ArrayLike, denominator: ArrayLike, multiplier: float = 100.0, z: float = Z95
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Proportion ``O / n · multiplier`` (a percentage by default) with Wilson limits · multiplier.

    Returns ``(value, lower, upper)``; see :func:`wilson_interval` for the rules on NaN,
    zero denominators and invalid inputs.
    """
    lower, upper = wilson_interval(numerator, denominator, z)
    o = _as_float(numerator, "numerator")
    n = _as_float(denominator, "denominator")
    o, n = np.broadcast_arrays(o, n)
    n_safe = np.where(n > 0, n, np.nan)
    m = float(multiplier)
    return o / n_safe * m, lower * m, upper * m


def _aligned(x: ArrayLike, standard: pd.Series, name: str) -> FloatArray:
    """Values of ``x`` in the order of ``standard``: aligned on labels for a labelled Series."""
    if isinstance(x, pd.Series) and len(standard.index.intersection(x.index)) > 0:
        missing = [str(b) for b in standard.index if b not in x.index]
        extra = [str(b) for b in x.index if b not in standard.index]
        if missing or extra or x.index.has_duplicates:
            raise ValueError(
                f"{name} must have exactly one value per standard age band; "
                f"missing: {missing or 'none'}, unknown: {extra or 'none'}"
                + (", duplicated labels" if x.index.has_duplicates else "")
                + "."
            )
        x = x.reindex(standard.index)
    arr = _as_float(x, name).ravel()
    if arr.shape[0] != len(standard):
        raise ValueError(f"{name} has {arr.shape[0]} values but the standard has {len(standard)} age bands.")
    return arr


def directly_standardised_rate(
    counts: ArrayLike,
    populations: ArrayLike,
    standard: ArrayLike = ESP2013,
    multiplier: float = 100000.0,
    z: float = Z95,
) -> tuple[float, float, float]:
    """Directly standardised rate with Dobson's confidence interval.

    ``counts`` (O_i) and ``populations`` (n_i) are one value per age band of ``standard``
    (weights w_i, default :data:`ESP2013`), in the same order; pandas Series whose index
    holds the band labels are aligned on those labels instead.

    DSR = Σ w_i·O_i/n_i / Σ w_i; var(DSR) = Σ w_i²·O_i/n_i² / (Σ w_i)²; with O = Σ O_i and
    (O_L, O_U) = :func:`poisson_interval` (O), the limits are
    DSR + sqrt(var/O)·(O_L − O) and DSR + sqrt(var/O)·(O_U − O). All three are then
    multiplied by ``multiplier`` and returned as ``(value, lower, upper)`` floats.

    Returns NaN for all three when the total count is below 10 (no value is published), when
    any count or population is NaN, or when a band with zero population has events. A band
    with zero population and zero events contributes a rate of 0. Negative or infinite
    values raise :class:`ValueError`.
    """
    z = _check_z(z)
    std = standard if isinstance(standard, pd.Series) else pd.Series(_as_float(standard, "standard").ravel())
    w = _as_float(std, "standard").ravel()
    _check_counts(w, "standard")
    if np.any(np.isnan(w)) or w.sum() <= 0:
        raise ValueError("standard weights must be non-missing with a positive total.")
    o = _aligned(counts, std, "counts")
    n = _aligned(populations, std, "populations")
    _check_counts(o, "counts")
    _check_counts(n, "populations")
    nan3 = (float("nan"),) * 3
    if np.any(np.isnan(o)) or np.any(np.isnan(n)):
        return nan3
    total = float(o.sum())
    if total < 10:
        return nan3
    if np.any((n == 0) & (o > 0)):
        return nan3
    has_pop = n > 0
    n_safe = np.where(has_pop, n, 1.0)
    rate_i = np.where(has_pop, o / n_safe, 0.0)
    var_i = np.where(has_pop, w**2 * o / n_safe**2, 0.0)
    sw = float(w.sum())
    dsr = float((w * rate_i).sum()) / sw
    var = float(var_i.sum()) / sw**2
    o_l, o_u = poisson_interval(total, z)
    k = float(np.sqrt(var / total))
    lower = dsr + k * (float(o_l) - total)
    upper = dsr + k * (float(o_u) - total)
    m = float(multiplier)
    return float(dsr * m), float(lower * m), float(upper * m)


# --------------------------------------------------------------------------- comparisons


def compare_with_benchmark(
    value: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    benchmark: ArrayLike,
    polarity: str | ArrayLike,
) -> NDArray[np.object_]:
    """Compare an indicator value and its interval with a benchmark (Fingertips rule).

    Element-wise result (an ``object`` array of strings, see :data:`OUTCOMES`):

    * ``"not_compared"`` if any of value, lower, upper or benchmark is NaN;
    * ``"similar"`` if lower <= benchmark <= upper (or value equals the benchmark);
    * otherwise, when value > benchmark: ``"better"`` for ``"higher_is_better"``,
      ``"worse"`` for ``"lower_is_better"``, ``"higher"`` for ``"no_judgement"``;
      and the mirror (``"worse"``, ``"better"``, ``"lower"``) when value < benchmark.

    ``polarity`` is one of :data:`POLARITIES`, as a single string or an array of strings
    broadcast with the other inputs; anything else raises :class:`ValueError`.
    """
    v = _as_float(value, "value")
    lo = _as_float(lower, "lower")
    hi = _as_float(upper, "upper")
    b = _as_float(benchmark, "benchmark")
    pol = np.asarray(polarity, dtype=object)
    unknown = sorted({repr(p) for p in pol.ravel() if not (isinstance(p, str) and p in POLARITIES)})
    if unknown:
        raise ValueError(f"unknown polarity {', '.join(unknown)}; expected one of {', '.join(POLARITIES)}.")
    v, lo, hi, b, pol = np.broadcast_arrays(v, lo, hi, b, pol)
    missing = np.isnan(v) | np.isnan(lo) | np.isnan(hi) | np.isnan(b)
    similar = ~missing & (((lo <= b) & (b <= hi)) | (v == b))
    above = ~missing & ~similar & (v > b)
    below = ~missing & ~similar & (v < b)
    out = np.full(v.shape, "not_compared", dtype=object)
    out[similar] = "similar"
    for p, when_above, when_below in (
        ("higher_is_better", "better", "worse"),
        ("lower_is_better", "worse", "better"),
        ("no_judgement", "higher", "lower"),
    ):
        is_p = pol == p
        out[above & is_p] = when_above
        out[below & is_p] = when_below
    return out


def quartile_groups(values: ArrayLike) -> FloatArray:
    """Quartile group (1.0 = lowest values ... 4.0 = highest) of each value.

    The non-NaN values are ranked 1..m in ascending order, ties broken by position (a stable
    sort, i.e. ``rank(method="first")``), and the ranks are cut at their 25th, 50th and 75th
    percentiles (linear interpolation, right-closed intervals), exactly as
    ``pandas.qcut(ranks, 4)`` does; groups are therefore as equal in size as possible.
    NaN stays NaN; with fewer than 4 non-NaN values every result is NaN. Labels for the
    groups are in :data:`quartile_labels`.
    """
    v = _as_float(values, "values")
    flat = v.ravel()
    out = np.full(flat.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(flat))
    m = valid.size
    if m < 4:
        return out.reshape(v.shape)
    order = valid[np.argsort(flat[valid], kind="stable")]
    ranks = np.arange(1, m + 1)  # rank of order[i] is i + 1
    # Rank r falls in group k (1..4) when 1 + (k-1)(m-1)/4 < r <= 1 + k(m-1)/4, i.e. the
    # smallest k with 4(r-1) <= k(m-1); computed in exact integer arithmetic.
    k = np.maximum(1, -(-4 * (ranks - 1) // (m - 1)))
    out[order] = k.astype("float64")
    return out.reshape(v.shape)


def weighted_mean(values: ArrayLike, weights: ArrayLike) -> float:
    """Weighted (e.g. population-weighted) mean of ``values``.

    Pairs where the value or the weight is NaN are ignored. Returns NaN when no weight is
    left (no pairs, or total weight 0). Negative or infinite weights raise
    :class:`ValueError`.
    """
    v = _as_float(values, "values")
    w = _as_float(weights, "weights")
    _check_counts(w, "weights")
    v, w = np.broadcast_arrays(v, w)
    ok = ~(np.isnan(v) | np.isnan(w))
    total = float(w[ok].sum())
    if total <= 0:
        return float("nan")
    return float((v[ok] * w[ok]).sum() / total)
