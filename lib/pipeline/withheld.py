"""Counts withheld at source (the IoD2019 income, IDACI and IDAOPI numerators), made honest.

MHCLG withholds small numerators (blank in File 8). The roll-up counts a withheld numerator as 0
and carries, beside it, ``numerator_max``: the numerator with every withheld count at its
largest possible value (:func:`lib.pipeline.deprivation.withheld_maximum`). From the two:

* **a row whose counts are all withheld** (an LSOA, or a ward all of whose LSOAs are withheld,
  e.g. City Centre's IDACI) has no figure: numerator, value and intervals blank, comparisons
  ``not_compared``, and its note starts "Withheld at source";
* **a total with some withheld parts** keeps the sum with them at 0, which is a lower bound; its
  note says how many of its LSOAs are withheld and what the value would be with each at its
  most. It is compared with a benchmark only when the verdict is the same at both ends for the
  area and for the benchmark (England, Manchester and, for neighbourhoods and localities, the
  rest of Manchester, whose own withheld counts are bounded the same way), at 95% and at 99.8%.
  Where it is not, the comparison is ``not_compared`` and the note says "not compared with
  England: ..." (the words of :data:`lib.core.disclosure.WITHHELD_BENCHMARK_WORDS`, which every
  view's comparison honours).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.core.disclosure import LOWER_BOUND, WITHHELD, WITHHELD_BENCHMARK_WORDS
from lib.core.selection import LIMIT_COLUMNS, limit_columns
from lib.methods import aggregate, stats

#: Why a comparison is left out (``{}``: the benchmark's name).
UNSURE = "counts withheld at source (in this total or in {}'s) could change the result"


def apply(values: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """``values`` (from :func:`lib.methods.aggregate.compute_values` and ``add_comparisons``,
    still carrying ``n_units, n_suppressed, numerator_max``) with withheld counts blanked,
    unsafe comparisons removed and the notes written (see the module rules)."""
    out = values.copy()
    if "n_suppressed" not in out.columns:
        return out
    nsup = pd.to_numeric(out["n_suppressed"], errors="coerce").fillna(0).astype(int)
    keys = sorted(set(zip(out.loc[nsup > 0, "indicator_id"], out.loc[nsup > 0, "period"])))
    for ind, period in keys:
        sel = (out["indicator_id"] == ind) & (out["period"] == period)
        out.loc[sel] = _one(out.loc[sel], indicators)
    return out


def _one(rows: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """One indicator and period: blank, bound, test and note."""
    meta = indicators.set_index("indicator_id").loc[rows["indicator_id"].iloc[0]]
    lo = rows.copy()
    nsup = pd.to_numeric(lo["n_suppressed"], errors="coerce").fillna(0).astype(int).to_numpy()
    nunits = pd.to_numeric(lo["n_units"], errors="coerce").to_numpy(float)
    num = lo["numerator"].to_numpy(float)
    num_max = np.where(lo["numerator_max"].notna(), lo["numerator_max"].to_numpy(float), num)
    hi = lo.drop(columns=["value", *LIMIT_COLUMNS]).assign(numerator=num_max)
    hi = aggregate.compute_values(hi, indicators)
    is_lsoa = lo["area_type"].isin(["lsoa", "lsoa21"]).to_numpy()  # a small area of either edition
    cap = _cap(num_max - num, nsup, is_lsoa)

    unsure = {b: _unsure(lo, hi, b, meta) for b in ("england", "city", "rest")}
    all_withheld = (nsup > 0) & (nsup >= np.nan_to_num(nunits, nan=np.inf))
    part_withheld = (nsup > 0) & ~all_withheld

    notes = []
    for i in range(len(lo)):
        old = lo["note"].iloc[i]
        text = ""
        if all_withheld[i]:
            text = (
                f"{WITHHELD.capitalize()} (a count below {cap + 1:,.0f})"
                if is_lsoa[i]
                else f"{WITHHELD.capitalize()}: all {nsup[i]:,} of its LSOAs' counts are withheld (each below {cap + 1:,.0f})"
            )
        elif part_withheld[i]:
            has = "LSOA has its count" if nsup[i] == 1 else "LSOAs have their count"
            text = (
                f"{LOWER_BOUND} {nsup[i]:,} of {nunits[i]:,.0f} {has} {WITHHELD}, counted as 0 here; "
                f"with each at its most ({cap:,.0f}) the value would be {_value_text(hi['value'].iloc[i], meta)}"
            )
        if not all_withheld[i]:
            words = [WITHHELD_BENCHMARK_WORDS[b] for b in ("england", "city", "rest") if unsure[b][i]]
            text = "; ".join([text] * bool(text) + [f"not compared with {w}: {UNSURE.format(w)}" for w in words])
        notes.append("; ".join(x for x in (text, old if isinstance(old, str) else "") if x))
    out = lo.copy()
    out["note"] = notes
    blank = all_withheld
    for col in ("numerator", "value", *LIMIT_COLUMNS):
        out.loc[blank, col] = np.nan
    out.loc[blank, ["vs_england", "vs_city"]] = "not_compared"
    out.loc[unsure["england"], "vs_england"] = "not_compared"
    out.loc[unsure["city"], "vs_city"] = "not_compared"
    return out


def _cap(extra: np.ndarray, nsup: np.ndarray, is_lsoa: np.ndarray) -> float:
    """The largest value a single withheld count was given (the source's cut-off less one)."""
    one = is_lsoa & (nsup == 1)
    return float(np.nanmax(extra[one])) if one.any() else float("nan")


def _value_text(x: float, meta: pd.Series) -> str:
    if pd.isna(x):
        return "unknown"
    return f"{x:,.1f}%" if str(meta["unit"]).startswith("%") else f"{x:,.1f}"


def _unsure(lo: pd.DataFrame, hi: pd.DataFrame, bench: str, meta: pd.Series) -> np.ndarray:
    """Rows whose verdict against ``bench`` differs between the ends of the withheld counts (the
    area's own and the benchmark's), at 95% or at 99.8%."""
    n = len(lo)
    if meta["ci_method"] == "none":
        return np.zeros(n, bool)
    types = lo["area_type"].to_numpy(object)
    if bench == "rest":
        eligible = np.isin(types, ["neighbourhood", "locality"])
        city_lo = lo[lo["area_type"] == "city"]
        city_hi = hi[hi["area_type"] == "city"]
        if city_lo.empty or not eligible.any():
            return np.zeros(n, bool)
        mult = float(meta["multiplier"])
        den = float(city_lo["denominator"].iloc[0]) - lo["denominator"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            b_lo = (float(city_lo["numerator"].iloc[0]) - lo["numerator"].to_numpy(float)) / den * mult
            b_hi = (float(city_hi["numerator"].iloc[0]) - hi["numerator"].to_numpy(float)) / den * mult
        benches = (b_lo, b_hi)
    else:
        eligible = ~np.isin(types, ["england", bench])
        if bench == "city":
            eligible &= types != "england"
        b_lo = lo.loc[lo["area_type"] == bench, "value"]
        b_hi = hi.loc[hi["area_type"] == bench, "value"]
        if b_lo.empty:
            return np.zeros(n, bool)
        benches = (np.full(n, float(b_lo.iloc[0])), np.full(n, float(b_hi.iloc[0])))
    differs = np.zeros(n, bool)
    for level in stats.LEVELS:
        lo_col, hi_col = limit_columns(level)
        verdicts = np.vstack(
            [
                stats.compare_with_benchmark(
                    a["value"].to_numpy(float),
                    a[lo_col].to_numpy(float),
                    a[hi_col].to_numpy(float),
                    b,
                    meta["polarity"],
                )
                for a in (lo, hi)
                for b in benches
            ]
        )
        differs |= (verdicts != verdicts[0]).any(axis=0)
    return eligible & differs
