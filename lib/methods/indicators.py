"""Questions the app asks of the dataset: one indicator across areas, benchmarks, comparisons.

Pure functions over the frames of :class:`lib.core.data.Dataset`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from lib.core.definitions import locality_order
from lib.core.disclosure import not_compared_for_withheld
from lib.core.selection import suffix as level_suffix
from lib.methods import stats
from lib.methods.aggregate import RATIO_OF_SUMS, SUM_ONLY


def meta(indicators: pd.DataFrame, indicator_id: str) -> dict:
    """One indicator's catalogue row as a dict (KeyError if unknown)."""
    row = indicators.loc[indicators["indicator_id"] == indicator_id]
    if row.empty:
        raise KeyError(indicator_id)
    return row.iloc[0].to_dict()


# These three run on every page run over the whole values table: comparisons on its columns'
# arrays, not frame filters (about a quarter of the time).
def _column(values: pd.DataFrame, name: str) -> np.ndarray:
    return values[name].to_numpy(object)


def periods(values: pd.DataFrame, indicator_id: str) -> list[str]:
    """The periods an indicator has, oldest first."""
    return sorted({str(p) for p in _column(values, "period")[_column(values, "indicator_id") == indicator_id]})


def periods_of_any(values: pd.DataFrame, indicator_ids: Iterable[str]) -> list[str]:
    """Every period that any of ``indicator_ids`` has, oldest first."""
    wanted = set(indicator_ids)
    return sorted({str(p) for i, p in zip(_column(values, "indicator_id"), _column(values, "period")) if i in wanted})


def area_types(values: pd.DataFrame, indicator_id: str, period: str) -> list[str]:
    """Area types with values for an indicator and period (in the order they first appear)."""
    sel = (_column(values, "indicator_id") == indicator_id) & (_column(values, "period") == period)
    return list(dict.fromkeys(_column(values, "area_type")[sel]))


def has_neighbourhoods(values: pd.DataFrame, also: Iterable[str] = ()) -> list[str]:
    """Indicator ids with at least one neighbourhood value (the map and compare views use these),
    or a value for one of the area types in ``also`` (the map adds ``msoa``)."""
    types = {"neighbourhood", *also}
    return list(dict.fromkeys(_column(values, "indicator_id")[np.isin(_column(values, "area_type"), list(types))]))


def by_family(indicators: pd.DataFrame, values: pd.DataFrame, also: Iterable[str] = ()) -> dict[str, list[str]]:
    """Indicators with neighbourhood values (or values for an area type in ``also``), grouped by
    family (families in contract order, indicators in catalogue order; families with none are left out)."""
    from lib.core.contract import FAMILIES

    have = set(has_neighbourhoods(values, also))
    out = {
        f: [i for i, fam in zip(indicators["indicator_id"], indicators["family"]) if fam == f and i in have]
        for f in FAMILIES
    }
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


def rest_of_city(
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    indicator_id: str,
    period: str,
    area_code: str,
    area_type: str = "neighbourhood",
) -> dict | None:
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
        suffix = level_suffix(level)
        out[f"lower_{suffix}"], out[f"upper_{suffix}"] = lo, hi
    return out


def compare_rows(
    rows: pd.DataFrame, indicators: pd.DataFrame, benchmark: pd.Series | np.ndarray | float, level: str = "95"
) -> np.ndarray:
    """Compare each row with a benchmark value at 95% or 99.8% (Fingertips rule, polarity-aware).

    Rows whose indicator has no confidence interval come back ``not_compared``.
    """
    if rows.empty:
        return np.array([], dtype=object)
    suffix = level_suffix(level)
    pol = rows["indicator_id"].map(dict(zip(indicators["indicator_id"], indicators["polarity"]))).fillna("no_judgement")
    res = stats.compare_with_benchmark(
        rows["value"].to_numpy(float),
        rows[f"lower_{suffix}"].to_numpy(float),
        rows[f"upper_{suffix}"].to_numpy(float),
        np.broadcast_to(np.asarray(benchmark, dtype=float), (len(rows),)),
        pol.to_numpy(),
    )
    ci = rows["indicator_id"].map(dict(zip(indicators["indicator_id"], indicators["ci_method"])))
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
    sel = (values["indicator_id"] == indicator_id) & (values["period"] == period)
    return comparison_frame(values.loc[sel], indicators, area_type, benchmark, level)


def area_table(
    ds, indicator_id: str, period: str, area_type: str = "neighbourhood", benchmark: str = "england", level: str = "95"
) -> pd.DataFrame:
    """:func:`area_comparison_table` of a :class:`lib.core.data.Dataset` (the form the app's shared
    cache takes: ``shared.computed(area_table, ds, ...)``)."""
    return area_comparison_table(ds.values, ds.indicators, indicator_id, period, area_type, benchmark, level)


def comparison_frame(
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    area_type: str = "neighbourhood",
    benchmark: str = "england",
    level: str = "95",
) -> pd.DataFrame:
    """:func:`area_comparison_table` for every indicator and period in ``values`` at once.

    One row per area of ``area_type`` (in the order of ``values``), with the same columns as
    :func:`area_comparison_table`; quartiles are computed within each indicator and period.
    The rest-of-Manchester benchmark is the city's numerator and denominator minus the area's
    (summed indicators only; as :func:`rest_of_city`), recomputed by the indicator's method.
    """
    rows = values.loc[values["area_type"] == area_type].reset_index(drop=True)
    keys = list(zip(rows["indicator_id"], rows["period"]))
    # England's and Manchester's row of each indicator and period (the first, as benchmark_row).
    bench_rows: dict[tuple[str, str, str], tuple[float, float, float]] = {}
    b = values.loc[values["area_type"].isin(["england", "city"])]
    for k in zip(b["area_type"], b["indicator_id"], b["period"], b["value"], b["numerator"], b["denominator"]):
        bench_rows.setdefault(k[:3], k[3:])
    none = (np.nan, np.nan, np.nan)
    eng = np.array([bench_rows.get(("england", *k), none) for k in keys], dtype=float).reshape(-1, 3)
    city = np.array([bench_rows.get(("city", *k), none) for k in keys], dtype=float).reshape(-1, 3)
    rows["england"] = eng[:, 0]
    rows["manchester"] = city[:, 0]
    if benchmark == "rest" and area_type in ("neighbourhood", "locality"):
        vt = rows["indicator_id"].map(dict(zip(indicators["indicator_id"], indicators["value_type"]))).to_numpy(object)
        mult = rows["indicator_id"].map(dict(zip(indicators["indicator_id"], indicators["multiplier"]))).to_numpy(float)
        num = city[:, 1] - rows["numerator"].to_numpy(float)
        den = city[:, 2] - rows["denominator"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(den > 0, num / np.where(den > 0, den, 1.0) * mult, np.nan)
        rest = np.where(np.isin(vt, SUM_ONLY), num, ratio)
        rows["benchmark_value"] = np.where(np.isin(vt, RATIO_OF_SUMS + SUM_ONLY), rest, np.nan).astype(float)
    else:
        rows["benchmark_value"] = rows["england"] if benchmark == "england" else rows["manchester"]
    rows["comparison"] = compare_rows(rows, indicators, rows["benchmark_value"].to_numpy(float), level)
    if "note" in rows.columns:
        # a total whose withheld counts could change the verdict against this benchmark is not compared
        # (for wards and small areas, "rest" falls back to Manchester, as the benchmark value above does)
        effective = benchmark if benchmark != "rest" or area_type in ("neighbourhood", "locality") else "city"
        unsure = not_compared_for_withheld(rows["note"], effective)
        if unsure.any():
            rows.loc[unsure, "comparison"] = "not_compared"
    quartile = np.full(len(rows), np.nan)
    group, _ = pd.factorize(pd.Series(keys, dtype=object)) if keys else (np.array([], dtype=int), None)
    value = rows["value"].to_numpy(float)
    for g in np.unique(group):
        idx = np.flatnonzero(group == g)
        quartile[idx] = stats.quartile_groups(value[idx])
    rows["quartile"] = quartile
    return rows


def latest_period(values: pd.DataFrame, indicator_id: str) -> str:
    """The most recent period of an indicator."""
    p = periods(values, indicator_id)
    if not p:
        raise KeyError(indicator_id)
    return p[-1]
