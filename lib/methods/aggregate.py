"""The aggregation engine: small areas -> wards -> neighbourhoods -> localities -> city.

Rules (``../shared/GUIDE.md`` section 4):

* counts, proportions and crude rates: sum numerators and sum denominators, then recompute
  the value and its confidence interval. Area rates are never averaged;
* values published only as scores or ratios without counts: population-weighted mean
  (numerator = sum of weight x value, denominator = sum of weights), flagged as an estimate,
  with no confidence interval and no significance test;
* counts alone (e.g. residents aged 85+): summed.

Everything is driven by the neighbourhood definition table (``lib.core.definitions``), so a
changed grouping rebuilds correctly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.core.definitions import CITY_CODE, CITY_NAME, ENGLAND_CODE, ENGLAND_NAME
from lib.core.selection import LIMIT_COLUMNS, limit_columns
from lib.methods import stats

#: How each value type is aggregated and computed from (numerator, denominator).
RATIO_OF_SUMS = ("proportion", "rate", "share")
WEIGHTED_MEAN = ("score", "ratio")
SUM_ONLY = ("count",)

MEASURE_COLUMNS = ["unit_code", "indicator_id", "period", "numerator", "denominator"]


class AggregationError(ValueError):
    """Small-area input that cannot be placed in the geography; the message lists the codes."""


def hierarchy(definition: pd.DataFrame) -> pd.DataFrame:
    """One row per ward with its neighbourhood and locality codes and names."""
    return definition[
        ["ward_code", "ward_name", "neighbourhood_code", "neighbourhood_name", "locality_code", "locality_name"]
    ].copy()


def roll_up(
    measures: pd.DataFrame,
    unit_to_ward: pd.Series,
    definition: pd.DataFrame,
    *,
    unit_type: str | None = None,
    unit_names: pd.Series | None = None,
) -> pd.DataFrame:
    """Sum small-area numerators and denominators up the geography.

    Parameters
    ----------
    measures:
        Columns :data:`MEASURE_COLUMNS` plus an optional boolean ``suppressed`` (a unit whose
        numerator the source withheld; the caller decides what numerator to put in its place
        and the count of such units is carried into each aggregate as ``n_suppressed``), and an
        optional ``numerator_max`` (the largest the numerator could be, withheld counts at their
        most), summed like the numerator into each aggregate (NaN when absent).
    unit_to_ward:
        Series mapping each unit code to a ward code of the definition (best-fit lookup).
        A unit that is already a ward maps to itself.
    definition:
        The validated ward -> neighbourhood -> locality table.
    unit_type:
        When given (e.g. ``"lsoa"``), the unit rows themselves are returned too, with this
        area_type and their ward as parent.
    unit_names:
        Names of the units, by code, for those rows.

    Returns
    -------
    DataFrame with ``indicator_id, period, area_type, area_code, area_name, parent_code,
    numerator, denominator, n_units, n_suppressed, numerator_max``: one row per indicator x period x area,
    for wards, neighbourhoods, localities and the city.
    """
    m = measures.copy()
    if "suppressed" not in m.columns:
        m["suppressed"] = False
    m["suppressed"] = m["suppressed"].fillna(False).astype(bool)
    if "numerator_max" not in m.columns:
        m["numerator_max"] = np.nan
    unknown = sorted(set(m["unit_code"]) - set(unit_to_ward.index))
    if unknown:
        raise AggregationError(
            f"{len(unknown)} area code(s) are not in the lookup to wards, e.g. " + ", ".join(unknown[:10])
        )
    h = hierarchy(definition).set_index("ward_code")
    m["ward_code"] = m["unit_code"].map(unit_to_ward)
    off_def = sorted(set(m["ward_code"]) - set(h.index))
    if off_def:
        raise AggregationError("ward code(s) not in the neighbourhood definition: " + ", ".join(off_def))
    m["neighbourhood_code"] = m["ward_code"].map(h["neighbourhood_code"])
    m["locality_code"] = m["ward_code"].map(h["locality_code"])
    m["city_code"] = CITY_CODE

    names = {
        "ward": h["ward_name"],
        "neighbourhood": h.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")["neighbourhood_name"],
        "locality": h.drop_duplicates("locality_code").set_index("locality_code")["locality_name"],
        "city": pd.Series({CITY_CODE: CITY_NAME}),
    }
    parents = {
        "ward": ("ward_code", "neighbourhood_code"),
        "neighbourhood": ("neighbourhood_code", "locality_code"),
        "locality": ("locality_code", "city_code"),
        "city": ("city_code", None),
    }
    frames: list[pd.DataFrame] = []
    if unit_type is not None:
        u = m.rename(columns={"unit_code": "area_code", "ward_code": "parent_code"})
        u["area_type"] = unit_type
        u["area_name"] = u["area_code"].map(unit_names) if unit_names is not None else u["area_code"]
        u["n_units"] = 1
        u["n_suppressed"] = u["suppressed"].astype(int)
        frames.append(u)
    for level, (code_col, parent_col) in parents.items():
        g = m.groupby(["indicator_id", "period", code_col], sort=True, dropna=False)
        agg = g.agg(
            numerator=("numerator", lambda s: s.sum(min_count=1)),
            numerator_max=("numerator_max", lambda s: s.sum(min_count=1)),
            denominator=("denominator", lambda s: s.sum(min_count=1)),
            n_units=("unit_code", "size"),
            n_suppressed=("suppressed", "sum"),
        ).reset_index()
        agg = agg.rename(columns={code_col: "area_code"})
        agg["area_type"] = level
        agg["area_name"] = agg["area_code"].map(names[level])
        if parent_col is None:
            agg["parent_code"] = ENGLAND_CODE
        else:
            parent_of = m.drop_duplicates(code_col).set_index(code_col)[parent_col]
            agg["parent_code"] = agg["area_code"].map(parent_of)
        frames.append(agg)
    cols = [
        "indicator_id",
        "period",
        "area_type",
        "area_code",
        "area_name",
        "parent_code",
        "numerator",
        "denominator",
        "n_units",
        "n_suppressed",
        "numerator_max",
    ]
    out = pd.concat([f[cols] for f in frames], ignore_index=True)
    out["n_suppressed"] = out["n_suppressed"].astype(int)
    return out


def england_row(indicator_id: str, period: str, numerator: float, denominator: float) -> dict:
    """A summed England row in the shape :func:`roll_up` returns."""
    return {
        "indicator_id": indicator_id,
        "period": period,
        "area_type": "england",
        "area_code": ENGLAND_CODE,
        "area_name": ENGLAND_NAME,
        "parent_code": pd.NA,
        "numerator": numerator,
        "denominator": denominator,
        "n_units": np.nan,
        "n_suppressed": 0,
    }


def compute_values(rows: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Compute value and 95% / 99.8% limits from summed numerators and denominators.

    The method follows each indicator's ``value_type``, ``ci_method`` and ``multiplier``:

    * proportion / share with ``wilson``: value = O/n x multiplier, Wilson score limits;
    * rate with ``byar``: value = O/n x multiplier, Byar (exact Poisson below 10) limits;
    * count: value = the summed count (limits by Byar only if ``ci_method`` is ``byar``);
    * score / ratio (weighted mean): value = numerator / denominator, no limits; the
      numerator (a weighted sum, not a count) is blanked in the output.

    Rows that already carry a ``value`` (published figures with no counts) keep it.
    """
    meta = indicators.set_index("indicator_id")
    out = rows.copy()
    if "value" not in out.columns:
        out["value"] = np.nan
    for col in LIMIT_COLUMNS:
        if col not in out.columns:
            out[col] = np.nan
    out["numerator"] = pd.to_numeric(out["numerator"], errors="coerce").astype(float)
    out["denominator"] = pd.to_numeric(out["denominator"], errors="coerce").astype(float)
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype(float)
    vt = out["indicator_id"].map(meta["value_type"])
    ci = out["indicator_id"].map(meta["ci_method"])
    mult = out["indicator_id"].map(meta["multiplier"]).astype(float)
    have = out["value"].notna()
    num, den = out["numerator"].to_numpy(), out["denominator"].to_numpy()

    ros = vt.isin(RATIO_OF_SUMS) & ~have
    with np.errstate(divide="ignore", invalid="ignore"):
        out.loc[ros, "value"] = (num / np.where(den > 0, den, np.nan) * mult)[ros]
    wm = vt.isin(WEIGHTED_MEAN) & ~have
    with np.errstate(divide="ignore", invalid="ignore"):
        out.loc[wm, "value"] = (num / np.where(den > 0, den, np.nan))[wm]
    out.loc[wm, "numerator"] = np.nan
    cnt = vt.isin(SUM_ONLY) & ~have
    out.loc[cnt, "value"] = out.loc[cnt, "numerator"]

    for level, z in stats.LEVELS.items():
        lo_col, hi_col = limit_columns(level)
        w = (ci == "wilson") & out["numerator"].notna() & out["denominator"].notna()
        if w.any():
            lo, hi = stats.wilson_interval(out.loc[w, "numerator"].to_numpy(), out.loc[w, "denominator"].to_numpy(), z)
            out.loc[w, lo_col] = lo * mult[w].to_numpy()
            out.loc[w, hi_col] = hi * mult[w].to_numpy()
        b = (ci == "byar") & out["numerator"].notna()
        if b.any():
            lo, hi = stats.poisson_interval(out.loc[b, "numerator"].to_numpy(), z)
            scale = np.where(vt[b] == "count", 1.0, mult[b] / out.loc[b, "denominator"].to_numpy())
            out.loc[b, lo_col] = lo * scale
            out.loc[b, hi_col] = hi * scale
    return out


def add_comparisons(values: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Fill ``vs_england`` and ``vs_city`` at 95% by the Fingertips rule, polarity-aware.

    An area is compared with England's and Manchester's value for the same indicator and
    period. Indicators with no confidence interval (``ci_method`` none: estimates, scores,
    population counts) are ``not_compared``; so are England itself and the city against itself.
    """
    meta = indicators.set_index("indicator_id")
    out = values.copy()
    out["vs_england"] = "not_compared"
    out["vs_city"] = "not_compared"
    key = ["indicator_id", "period"]
    for bench_type, col in (("england", "vs_england"), ("city", "vs_city")):
        bench = out.loc[out["area_type"] == bench_type, key + ["value"]].rename(columns={"value": "benchmark"})
        merged = out[key].merge(bench, on=key, how="left")
        pol = out["indicator_id"].map(meta["polarity"])
        ci = out["indicator_id"].map(meta["ci_method"])
        eligible = (ci != "none").to_numpy() & (~out["area_type"].isin(["england", bench_type])).to_numpy()
        if bench_type == "city":
            eligible &= (out["area_type"] != "england").to_numpy()
        res = stats.compare_with_benchmark(
            out["value"].to_numpy(float),
            out["lower_95"].to_numpy(float),
            out["upper_95"].to_numpy(float),
            merged["benchmark"].to_numpy(float),
            pol.to_numpy(),
        )
        out.loc[eligible, col] = np.asarray(res)[eligible]
    return out
