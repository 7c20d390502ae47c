"""Apportion the city's 2020/21 activity-shift targets to the 12 neighbourhoods (modelled).

The targets are published for Manchester as a whole. A neighbourhood's share is an estimate:
the city figure split in proportion to a weight, either

* **population**: resident population (ONS mid-2020, indicator ``population``), or
* **need**: population × emergency admissions ratio (IoD health indicator
  ``acute_morbidity``, latest period; a population-weighted mean of the LSOA ratios, whose England
  figure is not 100), so neighbourhoods with more emergency admissions than expected for their
  age and sex carry a larger share. Only the ratios between neighbourhoods matter to the split.

or **driver** (:func:`target_shares_by_driver`): each target line by the weight that fits what it
counts (:data:`TARGET_DRIVERS`, stated per line): emergency activity by need, older people's
services by residents aged 65+ or 75+, school readiness by children aged 0-15, ESA claimants by
working-age residents × the comparative illness and disability ratio.

Rounding rule (stated on screen): shares are whole numbers found by the **largest-remainder
(Hamilton) method**, so the 12 shares always add back to the published city figure exactly.
Each area first gets the whole part of its exact quota; the units left over go one each to the
areas with the largest fractional remainders; equal remainders are broken by area code in
alphabetical order (e.g. ``C1`` before ``N1``).

:func:`split_counts` applies the same rounding rule to small areas: it splits area counts (e.g. DWP
counts by MSOA) between the wards each area overlaps, in proportion to a weight (e.g. residents).

Pure functions; nothing here imports Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # only for the type of the dataset argument
    from lib.core.data import Dataset

METHODS = {
    "population": "Population: the city target split in proportion to resident population (ONS mid-2020).",
    "need": (
        "Need: the city target split in proportion to population (ONS mid-2020) × emergency admissions "
        "ratio ({period}; a population-weighted mean of small-area ratios), i.e. relative emergency admissions."
    ),
}
ROUNDING_RULE = (
    "Whole numbers by the largest-remainder method: each neighbourhood gets the whole part of its exact "
    "share, and the units left over go to the largest remainders (ties by neighbourhood code), so the "
    "shares add up exactly to the city figure."
)


#: What each driver weighs, in words (``{period}``: the IoD edition of the ratio used).
DRIVERS: dict[str, str] = {
    "population": "all residents (ONS mid-2020)",
    "need": "residents × emergency admissions ratio (IoD {period})",
    "age_65plus": "residents aged 65 and over (ONS mid-2020)",
    "age_75plus": "residents aged 75 and over (ONS mid-2020)",
    "age_0_15": "children aged 0 to 15 (ONS mid-2020)",
    "working_age_cidr": (
        "working-age residents, 16 to 64 (ONS mid-2020), × comparative illness and disability ratio (IoD {period})"
    ),
}
#: Each 2020/21 target line's driver and why it fits (the lines of ``activity_targets_2020_21``).
TARGET_DRIVERS: dict[str, tuple[str, str]] = {
    "ae_attendances": ("need", "A&E attendances follow emergency need"),
    "acute_length_of_stay": ("age_65plus", "most hospital bed days are for people aged 65 and over"),
    "avoidable_gp_visits": ("population", "GP visits are made by residents of every age"),
    "avoidable_prescribing": ("age_65plus", "most prescribing is for people aged 65 and over"),
    "elective_admissions": ("age_65plus", "planned admissions rise steeply with age"),
    "non_elective_admissions": ("need", "emergency admissions are what the need ratio measures"),
    "outpatient_attendances": ("population", "outpatient attendances are made by residents of every age"),
    "care_packages": ("age_75plus", "care packages are mostly for people aged 75 and over"),
    "asc_contacts_referrals": ("age_65plus", "adult social care contacts are mostly for people aged 65 and over"),
    "esa_claimants": ("working_age_cidr", "ESA is claimed by working-age people with work-limiting illness"),
    "school_readiness": ("age_0_15", "school readiness is about children (the nearest age band published)"),
}
DRIVER_METHOD = (
    "Driver: each city target split in proportion to the measure that fits what it counts (its driver, "
    "stated on every line)."
)


def apportion(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split the integer ``total`` into integer shares proportional to ``weights``.

    Largest-remainder (Hamilton) method with exact rational arithmetic: quota_i = total × w_i / Σw;
    each area gets ⌊quota_i⌋ and the remaining ``total − Σ⌊quota_i⌋`` units go one each to the
    areas with the largest remainders ``quota_i − ⌊quota_i⌋``; ties are broken by code in
    ascending (alphabetical) order. The shares sum exactly to ``total``. A negative total is
    apportioned as minus the apportionment of its absolute value.

    Zero weights get zero (unless every weight is zero, which is an error). Raises
    :class:`ValueError` for no areas, negative, NaN or infinite weights, or a non-integer total.
    """
    if not weights:
        raise ValueError("apportion needs at least one area")
    if int(total) != total:
        raise ValueError(f"total must be a whole number, got {total!r}")
    total = int(total)
    if total < 0:
        return {k: -v for k, v in apportion(-total, weights).items()}
    for code, w in weights.items():
        if w is None or not math.isfinite(float(w)) or float(w) < 0:
            raise ValueError(f"weight for {code} must be a finite number ≥ 0, got {w!r}")
    exact = {code: Fraction(float(w)) for code, w in weights.items()}
    denom = sum(exact.values())
    if denom == 0:
        raise ValueError("all weights are zero: nothing to apportion by")
    quotas = {code: total * w / denom for code, w in exact.items()}
    shares = {code: math.floor(q) for code, q in quotas.items()}
    left = total - sum(shares.values())
    order = sorted(quotas, key=lambda c: (-(quotas[c] - shares[c]), c))
    for code in order[:left]:
        shares[code] += 1
    return shares


def population_weights(values: pd.DataFrame, period: str = "mid-2020") -> dict[str, float]:
    """Neighbourhood code -> resident population (indicator ``population``, ``period``)."""
    rows = values[
        (values["indicator_id"] == "population")
        & (values["area_type"] == "neighbourhood")
        & (values["period"] == period)
    ]
    if rows.empty:
        raise ValueError(f"no neighbourhood population for {period}")
    return {str(c): float(v) for c, v in zip(rows["area_code"], rows["value"])}


def need_period(values: pd.DataFrame) -> str:
    """The latest period of the emergency admissions ratio with neighbourhood values."""
    rows = values[(values["indicator_id"] == "acute_morbidity") & (values["area_type"] == "neighbourhood")]
    if rows.empty:
        raise ValueError("no neighbourhood values of acute_morbidity")
    return sorted(rows["period"].astype(str).unique())[-1]


def need_weights(
    values: pd.DataFrame, period: str | None = None, population_period: str = "mid-2020"
) -> dict[str, float]:
    """Neighbourhood code -> population × emergency admissions ratio / 100 (expected admissions index).

    ``period`` defaults to the latest period of ``acute_morbidity``.
    """
    period = period or need_period(values)
    pop = population_weights(values, population_period)
    rows = values[
        (values["indicator_id"] == "acute_morbidity")
        & (values["area_type"] == "neighbourhood")
        & (values["period"] == period)
    ]
    ratio = {str(c): float(v) for c, v in zip(rows["area_code"], rows["value"])}
    missing = sorted(set(pop) - set(ratio))
    if missing:
        raise ValueError(f"no emergency admissions ratio for {', '.join(missing)} in {period}")
    return {code: pop[code] * ratio[code] / 100.0 for code in pop}


def _age_counts(values: pd.DataFrame, indicator_id: str, period: str = "mid-2020") -> dict[str, float]:
    rows = values[
        (values["indicator_id"] == indicator_id)
        & (values["area_type"] == "neighbourhood")
        & (values["period"] == period)
    ]
    if rows.empty or rows["numerator"].isna().any():
        raise ValueError(f"no neighbourhood counts of {indicator_id} for {period}")
    return {str(c): float(v) for c, v in zip(rows["area_code"], rows["numerator"])}


def _latest_ratio(values: pd.DataFrame, indicator_id: str) -> tuple[dict[str, float], str]:
    rows = values[(values["indicator_id"] == indicator_id) & (values["area_type"] == "neighbourhood")]
    if rows.empty:
        raise ValueError(f"no neighbourhood values of {indicator_id}")
    period = sorted(rows["period"].astype(str).unique())[-1]
    rows = rows[rows["period"].astype(str) == period]
    return {str(c): float(v) for c, v in zip(rows["area_code"], rows["value"])}, period


def driver_weights(values: pd.DataFrame, driver: str) -> dict[str, float]:
    """Neighbourhood code -> weight for a driver of :data:`DRIVERS`: a head-count (all residents,
    an age band) or residents × a ratio (need; working age × illness and disability ratio)."""
    if driver in ("population", "need"):
        return weights_for(values, driver)
    if driver in ("age_65plus", "age_75plus", "age_0_15"):
        return _age_counts(values, f"population_{driver}")
    if driver == "working_age_cidr":
        pop = population_weights(values)
        young, old = _age_counts(values, "population_age_0_15"), _age_counts(values, "population_age_65plus")
        ratio, period = _latest_ratio(values, "cidr")
        missing = sorted(set(pop) - set(ratio))
        if missing:
            raise ValueError(f"no illness and disability ratio for {', '.join(missing)} in {period}")
        return {c: (pop[c] - young[c] - old[c]) * ratio[c] / 100.0 for c in pop}
    raise ValueError(f"unknown driver {driver!r}; use one of {', '.join(DRIVERS)}")


def driver_text(values: pd.DataFrame, driver: str) -> str:
    """A driver in words, with the IoD edition of its ratio."""
    if driver == "need":
        return DRIVERS[driver].format(period=need_period(values))
    if driver == "working_age_cidr":
        return DRIVERS[driver].format(period=_latest_ratio(values, "cidr")[1])
    return DRIVERS[driver]


def target_shares_by_driver(targets: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """:func:`target_shares` with each line split by its own driver (:data:`TARGET_DRIVERS`).

    Adds ``driver`` (its id), ``driver_text`` (what it weighs) and ``driver_reason`` (why it fits);
    ``method`` says the driver of the line. Shares of each measure still sum to its city target.
    A line with no driver of its own (e.g. a new target) is split by population, and says so.
    """
    parts = []
    cache: dict[str, dict[str, float]] = {}
    for _, line in target_lines(targets).iterrows():
        driver, reason = TARGET_DRIVERS.get(
            str(line["measure_id"]), ("population", "no driver of its own is set: split by population")
        )
        if driver not in cache:
            cache[driver] = driver_weights(values, driver)
        words = driver_text(values, driver)
        one = target_shares(line.to_frame().T, cache[driver], "driver", f"Driver: {words}")
        parts.append(one.assign(driver=driver, driver_text=words, driver_reason=reason))
    return pd.concat(parts, ignore_index=True)


def weights_for(values: pd.DataFrame, method: str) -> dict[str, float]:
    """The weights for ``method`` (``population`` or ``need``)."""
    if method == "population":
        return population_weights(values)
    if method == "need":
        return need_weights(values)
    raise ValueError(f"unknown method {method!r}; use 'population' or 'need'")


def method_text(values: pd.DataFrame, method: str) -> str:
    """The method in words (for the screen and the download)."""
    if method == "driver":
        return DRIVER_METHOD
    if method == "need":
        return METHODS["need"].format(period=need_period(values))
    return METHODS[method]


def target_lines(targets: pd.DataFrame) -> pd.DataFrame:
    """Only the published target lines (no totals) of the ``activity_targets_2020_21`` seed."""
    return targets[targets["row_type"] == "line"].reset_index(drop=True)


def target_shares(
    targets: pd.DataFrame, weights: Mapping[str, float], method: str, method_words: str | None = None
) -> pd.DataFrame:
    """One row per neighbourhood × target line: the apportioned share (status ``modelled``).

    Columns: ``neighbourhood_code, measure_id, measure, unit_as_published, city_target, weight,
    weight_share, share, method, status``. Shares of each measure sum to its city target.
    """
    lines = target_lines(targets)
    wsum = float(sum(weights.values()))
    rows = []
    for _, t in lines.iterrows():
        shares = apportion(int(t["activity_shift_2020_21"]), weights)
        for code in sorted(weights):
            rows.append(
                {
                    "neighbourhood_code": code,
                    "measure_id": t["measure_id"],
                    "measure": t["measure"],
                    "unit_as_published": t["unit_as_published"],
                    "city_target": int(t["activity_shift_2020_21"]),
                    "weight": float(weights[code]),
                    "weight_share": float(weights[code]) / wsum,
                    "share": int(shares[code]),
                    "method": method_words or METHODS.get(method, method),
                    "status": "modelled",
                }
            )
    return pd.DataFrame(rows)


def choice_difference(targets: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """How much the choice of method matters: per neighbourhood, the share of the city (%) under
    each method, the difference in percentage points, and the difference in each target's share
    summed over all lines (need − population)."""
    pop = population_weights(values)
    need = need_weights(values)
    by_pop = target_shares(targets, pop, "population")
    by_need = target_shares(targets, need, "need")
    pop_sum, need_sum = sum(pop.values()), sum(need.values())
    rows = []
    for code in sorted(pop):
        p = by_pop[by_pop["neighbourhood_code"] == code]["share"].sum()
        n = by_need[by_need["neighbourhood_code"] == code]["share"].sum()
        rows.append(
            {
                "neighbourhood_code": code,
                "pct_by_population": 100 * pop[code] / pop_sum,
                "pct_by_need": 100 * need[code] / need_sum,
                "difference_pct_points": 100 * need[code] / need_sum - 100 * pop[code] / pop_sum,
                "all_targets_by_population": int(p),
                "all_targets_by_need": int(n),
                "difference_all_targets": int(n - p),
            }
        )
    return pd.DataFrame(rows)


def shares_by_method(ds: Dataset, targets: pd.DataFrame, method: str) -> tuple[pd.DataFrame, str]:
    """The neighbourhoods' shares of the city targets (:func:`target_shares`) with the method's
    weights from the dataset (:func:`weights_for`; for ``driver``, each line's own,
    :func:`target_shares_by_driver`), and the method in words (:func:`method_text`)."""
    words = method_text(ds.values, method)
    if method == "driver":
        return target_shares_by_driver(targets, ds.values), words
    return target_shares(targets, weights_for(ds.values, method), method, words), words


def method_difference(ds: Dataset, targets: pd.DataFrame) -> pd.DataFrame:
    """:func:`choice_difference` for the dataset's values."""
    return choice_difference(targets, ds.values)


def split_counts(counts: pd.DataFrame, pieces: pd.DataFrame) -> pd.DataFrame:
    """Population-weighted apportionment of area counts to the pieces each area is cut into.

    ``counts``: ``unit_code, period, count`` (one row per area and period; a count withheld at
    source is NaN). ``pieces``: ``unit_code, target_code, weight`` (e.g. an MSOA's residents in
    each ward it overlaps). Each count is split between its unit's pieces in proportion to their
    weights, in whole numbers by :func:`apportion` (largest remainder, ties by ``target_code``),
    so the pieces of every unit add back to its count exactly. A withheld count stays withheld:
    every piece of it is NaN. A unit with no pieces, or whose weights are all zero, is an error.

    Returns ``unit_code, target_code, period, count`` (float; whole numbers or NaN).
    """
    missing = sorted(set(counts["unit_code"]) - set(pieces["unit_code"]))
    if missing:
        raise ValueError("no pieces to apportion to for " + ", ".join(map(str, missing[:10])))
    by_unit = {
        unit: dict(zip(grp["target_code"].astype(str), grp["weight"].astype(float)))
        for unit, grp in pieces.groupby("unit_code", sort=True)
    }
    rows: list[tuple] = []
    for unit, period, count in zip(counts["unit_code"], counts["period"], counts["count"]):
        weights = by_unit[unit]
        if pd.isna(count):
            rows.extend((unit, code, period, float("nan")) for code in sorted(weights))
            continue
        shares = apportion(float(count), weights)
        rows.extend((unit, code, period, float(shares[code])) for code in sorted(shares))
    return pd.DataFrame(rows, columns=["unit_code", "target_code", "period", "count"])
