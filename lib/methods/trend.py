"""The recent trend of a proportion, as Fingertips shows it (OHID/PHE "recent trends").

Method (the PHE/OHID Fingertips technical guidance): for an indicator that is a proportion with
counts, the **chi-squared test for trend** over the **most recent 5 data points**, in the form of
the **extended Mantel-Haenszel test** (one degree of freedom). With ``O_i`` events out of ``n_i``
in period ``i`` (scores ``t_i = 1 … k`` in time order), ``N = Σ n_i``, ``O = Σ O_i``:

    T = Σ O_i t_i,  E = (O / N) Σ n_i t_i,
    V = O (N − O) / (N² (N − 1)) × (N Σ n_i t_i² − (Σ n_i t_i)²),
    χ² = (T − E)² / V.

(The Cochran-Armitage form divides by N³ instead of N² (N − 1); with populations of thousands the
two agree to many digits.) The trend is significant when the two-sided p-value of χ² on 1 df is
below the chosen level (0.05 at 95% confidence, 0.002 at 99.8%); its direction is the sign of
``T − E``. The result reads as Fingertips does: "Increasing and getting better", "Decreasing and
getting worse", "Increasing" (no judgement), "No significant change", or why it could not be
calculated (fewer than 5 points, no counts).

Pure functions, no Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats as sps

POINTS = 5  #: Fingertips tests the most recent 5 data points
TEST_NAME = "chi-squared test for trend (extended Mantel-Haenszel)"
ALPHA = {"95": 0.05, "99.8": 0.002}


def mantel_haenszel_trend(
    numerators: Sequence[float], denominators: Sequence[float], scores: Sequence[float] | None = None
) -> tuple[float, float, float]:
    """The extended Mantel-Haenszel chi-squared test for trend in proportions ``O_i / n_i``.

    Returns ``(chi2, p_value, direction)`` where ``direction`` is ``T − E`` (positive: rising).
    ``scores`` default to 1, 2, … k. Raises :class:`ValueError` for fewer than 2 points, a count
    outside 0…n, or no variation to test (no events, or every unit an event).
    """
    o = np.asarray(numerators, dtype=float)
    n = np.asarray(denominators, dtype=float)
    t = np.arange(1, len(o) + 1, dtype=float) if scores is None else np.asarray(scores, dtype=float)
    if not (len(o) == len(n) == len(t)) or len(o) < 2:
        raise ValueError("the trend test needs at least 2 points, each with a count and a denominator")
    if not (np.all(np.isfinite(o)) and np.all(np.isfinite(n))) or np.any(n <= 0) or np.any(o < 0) or np.any(o > n):
        raise ValueError("each count must lie between 0 and its denominator")
    big_n, big_o = n.sum(), o.sum()
    if big_o == 0 or big_o == big_n:
        raise ValueError("no variation to test: no events, or every unit an event")
    tt = (o * t).sum()
    e = big_o / big_n * (n * t).sum()
    v = big_o * (big_n - big_o) / (big_n**2 * (big_n - 1)) * (big_n * (n * t * t).sum() - (n * t).sum() ** 2)
    if v <= 0:
        raise ValueError("no spread of scores to test")
    chi2 = float((tt - e) ** 2 / v)
    return chi2, float(sps.chi2.sf(chi2, 1)), float(tt - e)


def trend_words(direction: str, polarity: str) -> str:
    """Fingertips' words for a significant trend: ``direction`` is ``increasing`` or ``decreasing``."""
    head = direction.capitalize()
    if polarity == "no_judgement":
        return head
    good = (direction == "increasing") == (polarity == "higher_is_better")
    return f"{head} and getting {'better' if good else 'worse'}"


def recent_trend(
    periods: Sequence[str],
    numerators: Sequence[float],
    denominators: Sequence[float],
    polarity: str,
    level: str = "95",
    points: int = POINTS,
) -> dict:
    """The recent trend over the latest ``points`` periods (in the order given, oldest first).

    Returns a dict: ``result`` (``increasing | decreasing | no_change | not_calculated``),
    ``text`` (Fingertips' words, or why it was not calculated), ``periods`` (the points tested),
    ``chi2``, ``p_value`` (NaN when not calculated).
    """
    out = {"result": "not_calculated", "text": "", "periods": [], "chi2": math.nan, "p_value": math.nan}
    if len(periods) < points:
        out["text"] = f"Not enough points for a trend test ({len(periods)}; the test needs {points})"
        return out
    ps, o, n = list(periods)[-points:], list(numerators)[-points:], list(denominators)[-points:]
    out["periods"] = ps
    if any(x is None or not math.isfinite(float(x)) for x in [*o, *n]):
        out["text"] = "Not tested: a count is missing (or withheld) in the latest points"
        return out
    try:
        chi2, p, d = mantel_haenszel_trend(o, n)
    except ValueError as e:
        out["text"] = f"Not tested: {e}"
        return out
    out.update(chi2=chi2, p_value=p)
    if p < ALPHA[level] and d != 0:
        direction = "increasing" if d > 0 else "decreasing"
        out.update(result=direction, text=trend_words(direction, polarity))
    else:
        out.update(result="no_change", text="No significant change")
    return out
