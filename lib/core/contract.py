"""The data contract of the embedded dataset (``profiles/``), and its validation.

The same contract is what users download and what their own data must look like, so the
names here are stable. See ``../shared/GUIDE.md`` section 3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.core.selection import LENSES, limit_columns

INDICATOR_COLUMNS: list[str] = [
    "indicator_id",
    "name",
    "short_name",
    "family",
    "population",
    "unit",
    "value_type",
    "multiplier",
    "polarity",
    "ci_method",
    "status",
    "source",
    "licence",
    "period",
    "definition",
    "method_note",
    "caveats",
]

VALUE_COLUMNS: list[str] = [
    "indicator_id",
    "period",
    "area_type",
    "area_code",
    "area_name",
    "parent_code",
    "numerator",
    "denominator",
    "value",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "vs_england",
    "vs_city",
    "note",
]

FAMILIES = ("outcome", "cohort", "activity", "context")
FAMILY_LABELS = {
    "outcome": "Health outcomes",
    "cohort": "Risk cohorts",
    "activity": "Activity shift",
    "context": "Deprivation and context",
}
VALUE_TYPES = ("proportion", "rate", "ratio", "score", "count", "share")
POLARITIES = ("lower_is_better", "higher_is_better", "no_judgement")
#: ``published``: the interval as the source publishes it (e.g. ONS life expectancy), not recomputed here.
CI_METHODS = ("wilson", "byar", "dobson", "published", "none")
STATUSES = ("real", "derived", "modelled")
STATUS_LABELS = {
    "real": "Real: published figure, traceable to a source row",
    "derived": "Derived: computed from published figures by a stated method",
    "modelled": "Modelled: an estimate, not an observation",
}
#: Which population a figure describes: residents (built from wards and small areas) or the
#: patients registered with GP practices (wherever they live).
POPULATIONS = tuple(LENSES)
POPULATION_LABELS = LENSES
POPULATION_WORDS = {
    "residents": "people who live in the area (from its wards and small areas)",
    "registered": "patients registered with the area's GP practices, wherever they live",
}
#: A period that is an edition of the English Indices of Deprivation ("IoD2015", "IoD2019", ...).
IOD_EDITION_PREFIX = "IoD"
#: What a view says where an indicator's periods are not drawn as a trend (:func:`trend_across_periods`).
NOT_A_TREND = (
    "is a score or ratio from separate editions of the Indices of Deprivation (each built afresh, with different "
    "data years, models and standardisation), so its periods are not drawn as a trend."
)


def trend_across_periods(value_type: str, unit: str, periods) -> bool:
    """Whether an indicator's periods may be drawn and read as a trend: the one rule.

    False for a score or ratio whose periods are all IoD editions (the IMD score, the IoD health
    indicators: years of life lost, the illness and disability ratio, the emergency admissions
    ratio): MHCLG rebuilds each edition with different data years and models, and says to compare
    editions by relative position, not by score. Ranks and decile shares (relative positions) and
    every other series may be read over time."""
    ps = [str(p) for p in periods]
    editions = bool(ps) and all(p.startswith(IOD_EDITION_PREFIX) for p in ps)
    relative_position = str(unit).lower().startswith("rank")
    return not (editions and value_type in ("score", "ratio") and not relative_position)


#: ``msoa``: MSOA 2011, for figures published only for MSOAs (life expectancy).
#: ``lsoa21``: LSOA 2021 (295 in Manchester), for figures built from LSOA 2021 (Census 2021, IoD2025,
#: fuel poverty 2021); ``lsoa`` is LSOA 2011. Each LSOA 2021's parent is the ward holding most of its
#: residents (its LSOA 2011 best fit).
AREA_TYPES = ("lsoa", "lsoa21", "msoa", "ward", "practice", "pcn", "neighbourhood", "locality", "city", "england")
JUDGED = ("better", "similar", "worse")
UNJUDGED = ("higher", "similar", "lower")
NOT_COMPARED = "not_compared"
COMPARISONS = ("better", "similar", "worse", "higher", "lower", NOT_COMPARED)


@dataclass(frozen=True)
class ContractProblem:
    """One way a table breaks the contract."""

    table: str
    message: str

    def __str__(self) -> str:  # pragma: no cover - trivial
        return f"{self.table}: {self.message}"


def validate_indicators(df: pd.DataFrame) -> list[ContractProblem]:
    """Return the ways an ``indicators.csv`` table breaks the contract (empty list if none)."""
    t = "indicators.csv"
    out: list[ContractProblem] = []
    missing = [c for c in INDICATOR_COLUMNS if c not in df.columns]
    if missing:
        return [ContractProblem(t, "missing columns " + ", ".join(missing))]
    if df["indicator_id"].duplicated().any():
        out.append(
            ContractProblem(
                t, "duplicate indicator_id " + ", ".join(df.loc[df["indicator_id"].duplicated(), "indicator_id"])
            )
        )
    for col, allowed in (
        ("family", FAMILIES),
        ("value_type", VALUE_TYPES),
        ("polarity", POLARITIES),
        ("ci_method", CI_METHODS),
        ("status", STATUSES),
        ("population", POPULATIONS),
    ):
        bad = df.loc[~df[col].isin(allowed), "indicator_id"]
        if len(bad):
            out.append(ContractProblem(t, f"{col} not one of {allowed} for " + ", ".join(bad)))
    for col in ("name", "short_name", "unit", "source", "licence", "period", "definition"):
        blank = df.loc[df[col].isna() | (df[col].astype(str).str.strip() == ""), "indicator_id"]
        if len(blank):
            out.append(ContractProblem(t, f"blank {col} for " + ", ".join(blank)))
    mult = pd.to_numeric(df["multiplier"], errors="coerce")
    if (mult.isna() | (mult <= 0)).any():
        out.append(ContractProblem(t, "multiplier must be a positive number"))
    return out


def validate_values(df: pd.DataFrame, indicators: pd.DataFrame) -> list[ContractProblem]:
    """Return the ways a ``values.csv`` table breaks the contract (empty list if none).

    Checks columns, allowed values, unique keys, known indicators, CI ordering, and that
    comparison words match each indicator's polarity.
    """
    t = "values.csv"
    out: list[ContractProblem] = []
    missing = [c for c in VALUE_COLUMNS if c not in df.columns]
    if missing:
        return [ContractProblem(t, "missing columns " + ", ".join(missing))]
    unknown = sorted(set(df["indicator_id"]) - set(indicators["indicator_id"]))
    if unknown:
        out.append(ContractProblem(t, "indicator_id not in indicators.csv: " + ", ".join(unknown)))
    bad_type = sorted(set(df["area_type"]) - set(AREA_TYPES))
    if bad_type:
        out.append(ContractProblem(t, "area_type not allowed: " + ", ".join(map(str, bad_type))))
    key = ["indicator_id", "period", "area_type", "area_code"]
    dup = df.duplicated(key)
    if dup.any():
        out.append(ContractProblem(t, f"{int(dup.sum())} duplicated indicator/period/area rows"))
    for col in ("vs_england", "vs_city"):
        bad = sorted(set(df[col].dropna()) - set(COMPARISONS))
        if bad:
            out.append(ContractProblem(t, f"{col} has values outside {COMPARISONS}: {bad}"))
        if df[col].isna().any():
            out.append(ContractProblem(t, f"{col} is blank in {int(df[col].isna().sum())} rows; use not_compared"))
    pol = df["indicator_id"].map(indicators.set_index("indicator_id")["polarity"])
    for col in ("vs_england", "vs_city"):
        judged_words = df[col].isin(["better", "worse"])
        unjudged_words = df[col].isin(["higher", "lower"])
        if (judged_words & (pol == "no_judgement")).any():
            out.append(ContractProblem(t, f"{col} says better/worse for a no_judgement indicator"))
        if (unjudged_words & (pol != "no_judgement")).any():
            out.append(ContractProblem(t, f"{col} says higher/lower for an indicator with a polarity"))
    for lo, hi in (limit_columns("95"), limit_columns("99.8")):
        low, up, v = (pd.to_numeric(df[c], errors="coerce") for c in (lo, hi, "value"))
        tol = 1e-6 * np.maximum(1.0, v.abs())
        bad = (low > v + tol) | (up < v - tol)
        if bad.any():
            out.append(ContractProblem(t, f"{int(bad.sum())} rows where the value lies outside [{lo}, {hi}]"))
    l95, u95, l998, u998 = (
        pd.to_numeric(df[c], errors="coerce") for c in ("lower_95", "upper_95", "lower_998", "upper_998")
    )
    nested = (l998 > l95 + 1e-9) | (u998 < u95 - 1e-9)
    if nested.any():
        out.append(
            ContractProblem(t, f"{int(nested.sum())} rows where the 99.8% interval is narrower than the 95% one")
        )
    for col in ("numerator", "denominator"):
        x = pd.to_numeric(df[col], errors="coerce")
        if (x < 0).any():
            out.append(ContractProblem(t, f"negative {col}"))
    return out
