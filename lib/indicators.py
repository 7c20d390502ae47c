"""Questions the app asks of the dataset: one indicator across areas, benchmarks, comparisons.

Pure functions over the frames of :class:`lib.data.Dataset`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib import stats
from lib.aggregate import RATIO_OF_SUMS, SUM_ONLY
from lib.definitions import locality_order

BENCHMARKS = {"england": "England", "city": "Manchester", "rest": "Rest of Manchester"}
CONFIDENCE = {"95": "95%", "99.8": "99.8%"}


def meta(indicators: pd.DataFrame, indicator_id: str) -> dict:
    """One indicator's catalogue row as a dict (KeyError if unknown)."""
    row = indicators.loc[indicators["indicator_id"] == indicator_id]
    if row.empty:
        raise KeyError(indicator_id)
    return row.iloc[0].to_dict()


def periods(values: pd.DataFrame, indicator_id: str) -> list[str]:
    """The periods an indicator has, oldest first."""
    return sorted(values.loc[values["indicator_id"] == indicator_id, "period"].astype(str).unique())


def area_types(values: pd.DataFrame, indicator_id: str, period: str) -> list[str]:
    """Area types with values for an indicator and period."""
    sel = (values["indicator_id"] == indicator_id) & (values["period"] == period)
    return list(values.loc[sel, "area_type"].unique())


def has_neighbourhoods(values: pd.DataFrame) -> list[str]:
    """Indicator ids with at least one neighbourhood value (the map and compare views use these)."""
    return list(values.loc[values["area_type"] == "neighbourhood", "indicator_id"].unique())


def by_family(indicators: pd.DataFrame, values: pd.DataFrame) -> dict[str, list[str]]:
    """Indicators with neighbourhood values, grouped by family (families in contract order,
    indicators in catalogue order; families with none are left out)."""
    from lib.contract import FAMILIES

    have = set(has_neighbourhoods(values))
    out = {f: [i for i, fam in zip(indicators["indicator_id"], indicators["family"]) if fam == f and i in have] for f in FAMILIES}
    return {f: ids for f, ids in out.items() if ids}


def neighbourhood_order(definition: pd.DataFrame) -> list[str]:
    """Neighbourhood codes in display order (North, Central, South; then by code)."""
    d = definition.drop_duplicates("neighbourhood_code")
    d = d.assign(_o=d["locality_code"].map(locality_order)).sort_values(["_o", "neighbourhood_code"])
    return list(d["neighbourhood_code"])


def slice_values(values: pd.DataFrame, indicator_id: str, period: str, area_type: str | None = None) -> pd.DataFrame:
    """Rows of one indicator and period (optionally one area type)."""
    sel = (values["indicator_id"] == indicator_id) & (values["period"] == period)
    if area_type is not None:
        sel &= values["area_type"] == area_type
    return values.loc[sel].copy()


def benchmark_row(values: pd.DataFrame, indicator_id: str, period: str, which: str) -> pd.Series | None:
    """England's (``england``) or Manchester's (``city``) row, or None if absent."""
    rows = slice_values(values, indicator_id, period, "england" if which == "england" else "city")
    return None if rows.empty else rows.iloc[0]


def rest_of_city(values: pd.DataFrame, indicators: pd.DataFrame, indicator_id: str, period: str, area_code: str, area_type: str = "neighbourhood") -> dict | None:
    """Manchester without one area: city numerator and denominator minus the area's.

    Only for summed indicators (proportions, shares, rates, counts); returns None otherwise.
    The value and interval are recomputed by the indicator's method.
    """
    m = meta(indicators, indicator_id)
    if m["value_type"] not in RATIO_OF_SUMS + SUM_ONLY:
        return None
    city = benchmark_row(values, indicator_id, period, "city")
    area = slice_values(values, indicator_id, period, area_type)
    area = area[area["area_code"] == area_code]
    if city is None or area.empty or pd.isna(city["numerator"]) or pd.isna(area.iloc[0]["numerator"]):
        return None
    num = float(city["numerator"] - area.iloc[0]["numerator"])
    den = float(city["denominator"] - area.iloc[0]["denominator"]) if pd.notna(city["denominator"]) else np.nan
    return _interval_row(num, den, m)


def _interval_row(num: float, den: float, m: dict) -> dict:
    mult = float(m["multiplier"])
    out = {"numerator": num, "denominator": den}
    if m["value_type"] in SUM_ONLY:
        out["value"] = num
    else:
        out["value"] = num / den * mult if den and den > 0 else np.nan
    for level, z in stats.LEVELS.items():
        lo, hi = np.nan, np.nan
        if m["ci_method"] == "wilson" and den and den > 0:
            lo, hi = (float(x) * mult for x in stats.wilson_interval(num, den, z))
        elif m["ci_method"] == "byar":
            lo, hi = stats.poisson_interval(num, z)
            scale = 1.0 if m["value_type"] in SUM_ONLY else mult / den
            lo, hi = float(lo) * scale, float(hi) * scale
        suffix = "95" if level == "95" else "998"
        out[f"lower_{suffix}"], out[f"upper_{suffix}"] = lo, hi
    return out


def compare_rows(rows: pd.DataFrame, indicators: pd.DataFrame, benchmark: pd.Series | np.ndarray | float, level: str = "95") -> np.ndarray:
    """Compare each row with a benchmark value at 95% or 99.8% (Fingertips rule, polarity-aware).

    Rows whose indicator has no confidence interval come back ``not_compared``.
    """
    if rows.empty:
        return np.array([], dtype=object)
    suffix = "95" if level == "95" else "998"
    pol = rows["indicator_id"].map(indicators.set_index("indicator_id")["polarity"]).fillna("no_judgement")
    res = stats.compare_with_benchmark(
        rows["value"].to_numpy(float), rows[f"lower_{suffix}"].to_numpy(float), rows[f"upper_{suffix}"].to_numpy(float),
        np.broadcast_to(np.asarray(benchmark, dtype=float), (len(rows),)), pol.to_numpy(),
    )
    ci = rows["indicator_id"].map(indicators.set_index("indicator_id")["ci_method"])
    return np.where(ci.to_numpy() == "none", "not_compared", np.asarray(res, dtype=object))


def area_comparison_table(
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    indicator_id: str,
    period: str,
    area_type: str = "neighbourhood",
    benchmark: str = "england",
    level: str = "95",
) -> pd.DataFrame:
    """All areas of one type for one indicator and period, with benchmarks and a comparison.

    Columns: the values.csv columns plus ``england``, ``manchester``, ``benchmark_value`` and
    ``comparison`` (against the chosen benchmark and level; ``rest`` = Manchester without
    the area, for summed indicators), and ``quartile`` (1-4 among the areas shown).
    """
    rows = slice_values(values, indicator_id, period, area_type)
    eng = benchmark_row(values, indicator_id, period, "england")
    city = benchmark_row(values, indicator_id, period, "city")
    rows["england"] = np.nan if eng is None else eng["value"]
    rows["manchester"] = np.nan if city is None else city["value"]
    if benchmark == "rest" and area_type in ("neighbourhood", "locality"):
        bench = [
            (r or {}).get("value", np.nan)
            for r in (rest_of_city(values, indicators, indicator_id, period, code, area_type) for code in rows["area_code"])
        ]
        rows["benchmark_value"] = np.asarray(bench, dtype=float)
    else:
        rows["benchmark_value"] = rows["england"] if benchmark == "england" else rows["manchester"]
    rows["comparison"] = compare_rows(rows, indicators, rows["benchmark_value"].to_numpy(float), level)
    rows["quartile"] = stats.quartile_groups(rows["value"].to_numpy(float))
    return rows.reset_index(drop=True)


def latest_period(values: pd.DataFrame, indicator_id: str) -> str:
    """The most recent period of an indicator."""
    p = periods(values, indicator_id)
    if not p:
        raise KeyError(indicator_id)
    return p[-1]
