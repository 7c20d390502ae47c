"""The Activity shift page's tracker logic: one series, its modelled target path and the progress made.

Reading the uploaded monthly activity CSV (its contract, validation and warnings) is
:mod:`lib.imports.activity_file`; this module works on the validated frame it returns.

Pure functions, no Streamlit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BASELINE_MONTHS = 12


def series(frame: pd.DataFrame, code: str, measure_id: str) -> pd.DataFrame:
    """One neighbourhood's monthly counts of one measure, in month order."""
    g = frame[(frame["neighbourhood_code"] == code) & (frame["measure_id"] == measure_id)]
    return g.sort_values("month").reset_index(drop=True)


def trajectory(
    months: list[str], counts: list[float], annual_reduction: float, baseline_months: int = BASELINE_MONTHS
) -> pd.DataFrame:
    """The modelled target path for one neighbourhood × measure.

    Baseline = the mean of the first ``baseline_months`` months (fewer if the series is shorter).
    After the baseline the monthly target falls in a straight line, reaching
    baseline − annual_reduction ÷ 12 twelve months after the baseline ends, and stays there:
    ``target(k) = baseline − (annual_reduction / 12) × min(k / 12, 1)`` for the k-th month after the
    baseline (k = 0 for baseline months). ``annual_reduction`` is the neighbourhood's apportioned
    2020/21 target (a modelled estimate). Columns: ``month, target, baseline, progress_share``.
    """
    n_base = min(baseline_months, len(counts))
    if n_base == 0:
        return pd.DataFrame(columns=["month", "target", "baseline", "months_after_baseline"])
    baseline = float(np.mean(counts[:n_base]))
    k = np.maximum(np.arange(len(months)) - n_base + 1, 0)
    target = baseline - (annual_reduction / 12.0) * np.minimum(k / 12.0, 1.0)
    return pd.DataFrame({"month": months, "target": target, "baseline": baseline, "months_after_baseline": k})


def progress(
    counts: list[float], annual_reduction: float, baseline_months: int = BASELINE_MONTHS, recent: int = 3
) -> dict:
    """Observed change against the modelled target: baseline mean, mean of the latest ``recent``
    months, the reduction per month achieved, the target reduction per month, and the share of the
    target achieved (None when there are no months after the baseline)."""
    n_base = min(baseline_months, len(counts))
    baseline = float(np.mean(counts[:n_base])) if n_base else float("nan")
    after = counts[n_base:]
    if not after:
        return {
            "baseline": baseline,
            "latest": None,
            "reduction_per_month": None,
            "target_per_month": annual_reduction / 12.0,
            "achieved_pct": None,
        }
    latest = float(np.mean(after[-recent:]))
    achieved = baseline - latest
    target = annual_reduction / 12.0
    return {
        "baseline": baseline,
        "latest": latest,
        "reduction_per_month": achieved,
        "target_per_month": target,
        "achieved_pct": (100.0 * achieved / target) if target else None,
    }
