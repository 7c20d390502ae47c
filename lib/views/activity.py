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


# --------------------------------------------------------------------------- the money

#: The money tables' columns as people read them (all sums in £ thousands, as published).
MONEY_LABELS: dict[str, str] = {
    "benefit_type": "Benefit",
    "scheme": "Scheme",
    "line": "Line",
    "status": "Approval",
    "2017/18": "2017/18 (£'000)",
    "2018/19": "2018/19 (£'000)",
    "2019/20": "2019/20 (£'000)",
    "2020/21": "2020/21 (£'000)",
    "cumulative": "Cumulative (£'000)",
    "spend_2017_21": "Spend 2017 to 2021 (£'000)",
    "recurrent": "Recurrent (£'000)",
    "gbp000": "Amount (£'000)",
    "row_type": "Row",
    "note": "Note",
}
#: What each ``row_type`` of a money table is, in words.
ROW_TYPES: dict[str, str] = {
    "line": "Published line",
    "published_total": "Published total",
    "recomputed_total": "Total recomputed by this project",
}


def _money_numbers(t: pd.DataFrame) -> list[str]:
    return [c for c in t.columns if c not in ("source", "note", "row_type") and pd.api.types.is_numeric_dtype(t[c])]


def display_money_table(t: pd.DataFrame) -> pd.DataFrame:
    """A money seed table as the screen shows it: plain column names and every sum in one format
    (thousands separators, a minus sign for reductions; blank where the source has none)."""
    out = t.drop(columns=[c for c in ("source",) if c in t.columns]).copy()
    for c in _money_numbers(out):
        out[c] = [
            "" if pd.isna(x) else (f"{float(x):,.0f}" if float(x).is_integer() else f"{float(x):,.1f}") for x in out[c]
        ]
    if "row_type" in out:
        out["row_type"] = out["row_type"].map(lambda r: ROW_TYPES.get(str(r), str(r)))
    out = out.fillna("")
    return out.rename(columns=lambda c: MONEY_LABELS.get(c, c.replace("_", " ").capitalize()))


def money_download(t: pd.DataFrame) -> pd.DataFrame:
    """A money seed table ready for analysis: the sums as numbers (£ thousands, ``unit``), each
    row's ``status`` (``derived`` for a total this project recomputed, ``real`` as published) and
    the source; the investment plan's own approval status as ``approval``."""
    out = t.rename(columns={"status": "approval"}) if "status" in t.columns else t.copy()
    for c in _money_numbers(out):
        out[c] = pd.to_numeric(out[c], errors="coerce")
    out["unit"] = "GBP thousands"
    out["status"] = np.where(
        out.get("row_type", pd.Series("", index=out.index)) == "recomputed_total", "derived", "real"
    )
    return out


# --------------------------------------------------------------------------- the tracker's baseline


def month_label(month: str) -> str:
    """``'2019-04'`` -> ``'Apr 2019'``."""
    return pd.Timestamp(f"{month}-01").strftime("%b %Y")


def baseline_positions(months: list[str], chosen: tuple[str, str] | None = None) -> tuple[int, int]:
    """The positions (first, last; both included) of the baseline the user picked among ``months``
    (in time order), for :func:`lib.methods.spc.xmr`'s ``baseline_range``. No choice, a month not in
    the series, or fewer than 2 months: the whole series (Making Data Count's default)."""
    whole = (0, len(months) - 1)
    if not chosen or chosen[0] not in months or chosen[1] not in months:
        return whole
    first, last = sorted((months.index(chosen[0]), months.index(chosen[1])))
    return (first, last) if last > first else whole


def baseline_text(months: list[str], first: int, last: int) -> str:
    """How the limits were set, in words, e.g. "Limits from the baseline Jan 2019 to Dec 2019
    (12 months); the other 12 months are judged against them." """
    n = last - first + 1
    if n == len(months):
        return f"Limits from all {n} months."
    rest = len(months) - n
    return (
        f"Limits from the baseline {month_label(months[first])} to {month_label(months[last])} ({n} months); "
        f"the other {rest} month{'s' if rest != 1 else ''} {'are' if rest != 1 else 'is'} judged against them."
    )
