"""Statistical process control for monthly activity: the XmR (individuals) chart of NHS England's
"Making Data Count" (MDC).

Method (as MDC's guidance and its Excel/R tools):

* **mean** of the points (by default all points; pass ``baseline`` to fix the mean and limits on
  the first ``baseline`` points, e.g. a pre-change year);
* **moving ranges** MR_i = |x_i − x_{i−1}| and their mean MR̄ (over the same points). Moving
  ranges are *not* screened: no MR above 3.267·MR̄ is excluded (MDC's default);
* **process limits** mean ± 2.66·MR̄ (2.66 = 3 / 1.128, i.e. ±3σ with σ = MR̄ / 1.128);
  ``lower_bound`` (e.g. 0 for counts) truncates the lower limit;
* **special-cause rules**, each flagging every point that belongs to the pattern:

  1. a single point outside the process limits (*astronomical point*);
  2. a **shift**: 7 or more consecutive points all above, or all below, the mean (a point
     exactly on the mean breaks the run);
  3. a **trend**: 7 or more consecutive points each higher than the one before (or each lower;
     equal neighbours break the run);
  4. **two out of three** consecutive points beyond 2σ from the mean (mean ± 2σ, i.e. two thirds
     of the way to a limit, or further) on the same side: both such points are flagged.

* **variation icon** from the latest point: common cause, or special cause improvement / concern
  (high or low) by the measure's polarity (``lower_is_better`` for activity reduction); with
  ``no_judgement`` a special cause is "neither improvement nor concern";
* **assurance icon** against a target: the process *consistently passes* when the target lies
  outside the limits on the good side, *consistently fails* when outside on the bad side, and is
  *hit and miss* when the target lies within the limits.

Pure functions, no Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

E2 = 2.66  #: 3 / d2 with d2 = 1.128 (moving ranges of two points)
D4 = 3.267  #: upper range limit factor (reported, not used to screen MR̄)
D2 = 1.128
RUN = 7  #: points in a shift or trend
POLARITIES = ("lower_is_better", "higher_is_better", "no_judgement")

VARIATION_ICONS = {
    "common_cause": ("●", "Common cause variation: no significant change"),
    "improvement_high": ("▲", "Special cause variation: improvement (high)"),
    "improvement_low": ("▼", "Special cause variation: improvement (low)"),
    "concern_high": ("▲", "Special cause variation: concern (high)"),
    "concern_low": ("▼", "Special cause variation: concern (low)"),
    "neither_high": ("▲", "Special cause variation: higher (no judgement)"),
    "neither_low": ("▼", "Special cause variation: lower (no judgement)"),
}
ASSURANCE_ICONS = {
    "pass": ("✔", "Consistently passes the target: the target lies outside the process limits on the good side"),
    "fail": ("✖", "Consistently fails the target: the target lies outside the process limits on the bad side"),
    "hit_and_miss": (
        "≈",
        "Hit and miss: the target lies within the process limits, so it will be met some months and missed in others",
    ),
    "no_target": ("–", "No target to assure against"),
}


def _runs(mask: np.ndarray, length: int) -> np.ndarray:
    """Flag every element of each run of ``True`` at least ``length`` long."""
    out = np.zeros(len(mask), dtype=bool)
    start = None
    for i, m in enumerate(list(mask) + [False]):
        if m and start is None:
            start = i
        elif not m and start is not None:
            if i - start >= length:
                out[start:i] = True
            start = None
    return out


def _trend(x: np.ndarray, up: bool, length: int) -> np.ndarray:
    """Flag points in runs of ``length`` or more strictly increasing (``up``) or decreasing points."""
    n = len(x)
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    step = np.diff(x) > 0 if up else np.diff(x) < 0
    # a run of k True steps covers k + 1 points
    start = None
    for i, s in enumerate(list(step) + [False]):
        if s and start is None:
            start = i
        elif not s and start is not None:
            if i - start + 1 >= length:
                out[start : i + 1] = True
            start = None
    return out


def _two_of_three(beyond: np.ndarray) -> np.ndarray:
    out = np.zeros(len(beyond), dtype=bool)
    for i in range(len(beyond) - 2):
        window = beyond[i : i + 3]
        if window.sum() >= 2:
            out[i : i + 3] |= window
    return out


def xmr(
    values: Sequence[float],
    *,
    polarity: str = "lower_is_better",
    target: float | None = None,
    baseline: int | None = None,
    lower_bound: float | None = None,
    baseline_range: tuple[int, int] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """An XmR chart of ``values`` (in time order).

    Returns ``(points, summary)``. ``points`` has one row per value with ``index, value,
    moving_range, mean, ucl, lcl, upper_2sigma, lower_2sigma, rule_astronomical, rule_shift,
    rule_trend, rule_two_of_three, special_cause, direction`` (``high``/``low``/``""``) and
    ``assessment`` (``improvement``/``concern``/``neither``/``common_cause``).
    ``summary`` has ``mean, mr_bar, ucl, lcl, sigma, n, variation, variation_icon,
    variation_text, assurance, assurance_icon, assurance_text, text``.

    ``baseline_range = (first, last)`` (positions, both included, at least 2 points apart by one)
    fixes the mean and limits on those points alone, as Making Data Count does when a user picks a
    baseline period: every point, inside and after it, is then judged against them. Its moving
    ranges are those between consecutive baseline points. ``points`` then also has ``in_baseline``.
    """
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}")
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or len(x) < 2:
        raise ValueError("an XmR chart needs at least 2 points")
    if not np.all(np.isfinite(x)):
        raise ValueError("values must be finite numbers")
    if baseline_range is not None:
        first, last = int(baseline_range[0]), int(baseline_range[1])
        if not 0 <= first < last < len(x):
            raise ValueError("the baseline needs at least 2 points inside the series (first < last)")
    else:
        first, last = 0, (len(x) if baseline is None else max(2, min(int(baseline), len(x)))) - 1
    n_base = last - first + 1
    base = x[first : last + 1]
    mean = float(base.mean())
    mr = np.abs(np.diff(x))
    mr_bar = float(np.abs(np.diff(base)).mean())
    sigma = mr_bar / D2
    ucl = mean + E2 * mr_bar
    lcl = mean - E2 * mr_bar
    if lower_bound is not None:
        lcl = max(lcl, lower_bound)
    up2 = mean + 2 * sigma
    lo2 = mean - 2 * sigma

    astro = (x > ucl) | (x < lcl)
    shift = _runs(x > mean, RUN) | _runs(x < mean, RUN)
    trend_up, trend_down = _trend(x, True, RUN), _trend(x, False, RUN)
    trend = trend_up | trend_down
    two3 = _two_of_three(x > up2) | _two_of_three(x < lo2)
    special = astro | shift | trend | two3

    # direction: the side of the mean; points flagged only by a trend take the trend's direction
    side = np.where(x > mean, "high", np.where(x < mean, "low", ""))
    trend_dir = np.where(trend_up, "high", np.where(trend_down, "low", ""))
    trend_only = trend & ~(astro | shift | two3)
    direction = np.where(special, np.where(trend_only | (side == ""), trend_dir, side), "")
    assessment = [_assess(d, polarity) if d else "common_cause" for d in direction]

    points = pd.DataFrame(
        {
            "index": np.arange(len(x)),
            "value": x,
            "moving_range": np.concatenate([[np.nan], mr]),
            "mean": mean,
            "ucl": ucl,
            "lcl": lcl,
            "upper_2sigma": up2,
            "lower_2sigma": lo2,
            "rule_astronomical": astro,
            "rule_shift": shift,
            "rule_trend": trend,
            "rule_two_of_three": two3,
            "special_cause": special,
            "direction": direction,
            "assessment": assessment,
            "in_baseline": (np.arange(len(x)) >= first) & (np.arange(len(x)) <= last),
        }
    )
    variation = "common_cause" if not special[-1] else f"{assessment[-1]}_{direction[-1]}"
    assurance = assurance_of(target, ucl, lcl, polarity)
    v_icon, v_text = VARIATION_ICONS[variation]
    a_icon, a_text = ASSURANCE_ICONS[assurance]
    summary = {
        "mean": mean,
        "mr_bar": mr_bar,
        "ucl": ucl,
        "lcl": lcl,
        "sigma": sigma,
        "n": int(len(x)),
        "baseline_points": n_base,
        "baseline_first": first,
        "baseline_last": last,
        "variation": variation,
        "variation_icon": v_icon,
        "variation_text": v_text,
        "assurance": assurance,
        "assurance_icon": a_icon,
        "assurance_text": a_text,
        "special_cause_points": int(special.sum()),
        "text": f"{v_icon} {v_text}. {a_icon} {a_text}.",
    }
    return points, summary


def _assess(direction: str, polarity: str) -> str:
    if polarity == "no_judgement":
        return "neither"
    good = "low" if polarity == "lower_is_better" else "high"
    return "improvement" if direction == good else "concern"


def assurance_of(target: float | None, ucl: float, lcl: float, polarity: str) -> str:
    """``pass``, ``fail``, ``hit_and_miss`` or ``no_target`` (see the module docstring)."""
    if target is None or not np.isfinite(target) or polarity == "no_judgement":
        return "no_target"
    if lcl <= target <= ucl:
        return "hit_and_miss"
    above = target > ucl  # the whole process runs below the target
    if polarity == "lower_is_better":
        return "pass" if above else "fail"
    return "fail" if above else "pass"
