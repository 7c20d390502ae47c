"""The five priority population cohorts: which indicators describe each, and their tables.

The cohorts come from the council reports (``profiles/seeds/risk_tiers_and_cohorts.csv``;
New Models of Care, seed 003, section 5.2, and the Commissioning Prospectus, seed 004). Each
cohort is described by real, derived or modelled indicators from ``profiles/``; the table of
one cohort shows a neighbourhood against Manchester and England.

Also the rounding rule shared by the modelled apportionments (:func:`largest_remainder`).

Pure functions; nothing here imports Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.core.data import Dataset
from lib.core.definitions import CITY_CODE
from lib.core.disclosure import DEFAULT_THRESHOLD, display_count
from lib.core.selection import BENCHMARKS, Selection
from lib.methods.apportion import ROUNDING_RULE as APPORTION_RULE
from lib.methods.apportion import apportion
from lib.methods.indicators import area_comparison_table, meta
from lib.render.format import (
    STATUS_BADGE,
    comparison_label,
    format_count,
    format_interval,
    format_value,
    sources_markdown,
)
from lib.views.profile_registered import neighbourhood_rows

#: The rounding rule shared by the modelled apportionments: one implementation, in lib.methods.apportion.
largest_remainder = apportion
ROUNDING_RULE = APPORTION_RULE


@dataclass(frozen=True)
class Cohort:
    """One priority cohort: id (as in the seed table), label, intro and its indicators."""

    cohort_id: str
    label: str
    intro: str
    indicators: tuple[str, ...]
    gap: str = ""
    #: The GP registers (registered patients, ``lib.pipeline.catalogue_registered``) that belong to it.
    registers: tuple[str, ...] = ()


IMPORT_PATH = (
    "You can add your own ward- or neighbourhood-level figures (for example, counts from GP practice registers "
    "or a local children's long-term conditions audit) in the same format as `profiles/values.csv`: one row per "
    "indicator × period × area, with `indicator_id, period, area_type` (`ward`, `neighbourhood`, `locality` or "
    "`city`), `area_code` (ward code, N1–S4, NORTH/CENTRAL/SOUTH or E08000003), `area_name, parent_code`, "
    "`numerator` (the count), `denominator` (the population it is out of) and `value`, plus a row for the "
    "indicator in `profiles/indicators.csv` (name, unit, value type, polarity, status, source, method). "
    "Rebuilding or re-loading the dataset then shows them on every page. A full importer with checks is a later issue; "
    "see the Data and methods page for the column list."
)

COHORTS: tuple[Cohort, ...] = (
    Cohort(
        "frail_older",
        "Frail older people",
        "Frailty rises steeply with age. The public small-area figures are the number and share of residents "
        "aged 65+, 75+ and 85+ and the share of people aged 60+ living in income deprivation.",
        ("population_age_65plus", "population_age_75plus", "population_age_85plus", "idaopi"),
        registers=("reg_age_75plus", "reg_age_85plus", "reg_dem", "reg_ost"),
    ),
    Cohort(
        "ltc_eol",
        "Multiple long term conditions / end of life",
        "No public figure counts people with several long-term conditions by neighbourhood. The nearest public "
        "measures are residents disabled under the Equality Act (Census 2021) and the comparative illness and "
        "disability ratio (benefit claims for illness and disability; compare with England's figure, not 100).",
        ("disability", "disability_limited_lot", "cidr"),
        registers=("reg_pc", "reg_hf", "reg_copd", "reg_chd", "reg_stia", "reg_af", "reg_ckd", "reg_dm", "reg_can"),
    ),
    Cohort(
        "mh_ld_dementia",
        "Mental health, learning disabilities and dementia",
        "The mood and anxiety score is a real small-area measure. The expected counts for dementia, serious mental "
        "illness, depression and learning disability are MODELLED: the city's QOF 2019/20 register spread over the "
        "neighbourhoods by their population in the register's age group (method under the table).",
        ("mood_anxiety", "expected_dementia", "expected_smi", "expected_depression", "expected_learning_disability"),
        registers=("reg_dem", "reg_mh", "reg_ld", "reg_dep"),
    ),
    Cohort(
        "children_ltc",
        "Children and young people with long term conditions",
        "The public small-area figures are the number of children aged 0–15 and the share of children in "
        "low-income families.",
        ("population_age_0_15", "children_low_income", "idaci"),
        gap=(
            "No public small-area prevalence of long-term conditions in children and young people exists: the QOF "
            "registers are published by practice and local authority, mostly for adults, and not by neighbourhood. "
            "The figures here describe the size and circumstances of the child population, not its conditions."
        ),
    ),
    Cohort(
        "complex_lives",
        "Adults with complex lives (e.g. homelessness, addiction)",
        "Homelessness is published only for Manchester as a whole (IoD homelessness indicators); households on "
        "Universal Credit are counted by small area.",
        ("homelessness_rate", "core_homelessness", "universal_credit_households"),
        gap=(
            "No public small-area figure for addiction or multiple disadvantage exists in the data used here; "
            "the homelessness indicators are published by local authority only."
        ),
    ),
)
COHORT_IDS = tuple(c.cohort_id for c in COHORTS)
#: Modelled expected counts (residents) and the GP register each stands in for.
REGISTER_OF_EXPECTED = {
    "expected_dementia": "reg_dem",
    "expected_smi": "reg_mh",
    "expected_depression": "reg_dep",
    "expected_learning_disability": "reg_ld",
}


def register_rows(registered: Dataset, cohort_id: str, sel: Selection) -> pd.DataFrame:
    """The cohort's GP registers for the neighbourhood's practices (registered patients)
    (:func:`lib.views.profile_registered.neighbourhood_rows`)."""
    wanted = [i for i in cohort(cohort_id).registers if i in set(registered.indicators["indicator_id"])]
    return neighbourhood_rows(registered, sel, wanted)


def display_register_rows(rows: pd.DataFrame, registered: Dataset, bench: str = "england") -> pd.DataFrame:
    """:func:`register_rows` as the page shows them."""
    bench_name = BENCHMARKS[bench]
    out = []
    for r in rows.to_dict("records"):
        m = meta(registered.indicators, r["indicator_id"])
        out.append(
            {
                "Register (registered patients)": r["short_name"],
                "Period": r["period"],
                "Value": format_value(r["value"], m),
                "Interval": format_interval(r["lower"], r["upper"], m),
                "Patients": _safe_count(r["count"], registered.threshold),
                "Manchester": format_value(r["manchester"], m),
                "England": format_value(r["england"], m),
                f"Compared with {bench_name}": comparison_label(r["comparison"], bench_name),
            }
        )
    return pd.DataFrame(out)


def expected_against_registers(residents: Dataset, registered: Dataset, cohort_id: str, nbhd: str) -> list[str]:
    """For each modelled expected count of the cohort with a register to stand beside: what the
    model expects among residents, what the practices' register holds, and what the difference
    means, in plain words."""
    out = []
    ids = set(cohort(cohort_id).indicators)
    for expected, reg in REGISTER_OF_EXPECTED.items():
        if expected not in ids:
            continue
        e_period = _latest(residents, expected, "neighbourhood")
        r_period = _latest(registered, reg, "neighbourhood")
        if e_period is None or r_period is None:
            continue
        ev = residents.values
        e = ev[(ev["indicator_id"] == expected) & (ev["area_code"] == nbhd) & (ev["period"] == e_period)]
        rv = registered.values
        r = rv[(rv["indicator_id"] == reg) & (rv["area_code"] == nbhd) & (rv["area_type"] == "neighbourhood")]
        r = r[r["period"] == r_period]
        if e.empty or r.empty:
            continue
        name = meta(registered.indicators, reg)["short_name"].removesuffix(" register")
        modelled = _safe_count(float(e["value"].iloc[0]), residents.threshold)
        counted = _safe_count(float(r["numerator"].iloc[0]), registered.threshold)
        out.append(
            f"{name}: the model expects about {modelled} among the neighbourhood's residents ({e_period}, MODELLED); "
            f"the registers of its practices hold {counted} patients ({r_period}, registered patients, wherever "
            "they live). They describe different people: the register is real and current, and is the figure to "
            "plan practice work with; the model spreads the city's 2019/20 register by age, so a gap shows where "
            "the neighbourhood's practices record more or fewer cases than its age structure alone would suggest, "
            "or where their patients live elsewhere."
        )
    return out


def cohort(cohort_id: str) -> Cohort:
    """One cohort by id (KeyError if unknown)."""
    for c in COHORTS:
        if c.cohort_id == cohort_id:
            return c
    raise KeyError(cohort_id)


def cohort_indicators(ds: Dataset, cohort_id: str) -> list[str]:
    """The cohort's indicators that exist in the dataset, in the cohort's order."""
    have = set(ds.indicators["indicator_id"]) & set(ds.values["indicator_id"])
    return [i for i in cohort(cohort_id).indicators if i in have]


def mappable_indicators(ds: Dataset, cohort_id: str) -> list[str]:
    """The cohort's indicators with neighbourhood figures (those a map can show)."""
    nb = set(ds.values.loc[ds.values["area_type"] == "neighbourhood", "indicator_id"])
    return [i for i in cohort_indicators(ds, cohort_id) if i in nb]


def _latest(ds: Dataset, ind: str, area_type: str) -> str | None:
    sel = (ds.values["indicator_id"] == ind) & (ds.values["area_type"] == area_type)
    p = sorted(ds.values.loc[sel, "period"].astype(str).unique())
    return p[-1] if p else None


def _safe_count(x: float | None, threshold: int) -> str:
    """A count at the disclosure ``threshold`` (:func:`lib.core.disclosure.display_count`); counts of
    10 or more are rounded to whole people (modelled counts are not whole numbers)."""
    return display_count(x, threshold, fmt=lambda v: format_count(round(v) if v >= 10 else v))


def cohort_table(ds: Dataset, cohort_id: str, sel: Selection) -> pd.DataFrame:
    """One row per indicator of the cohort: the neighbourhood ``sel.nbhd`` against Manchester and England.

    Columns: ``indicator_id, name, short_name, period, unit, status, value_type, value, count,
    manchester, manchester_count, england, comparison`` (the neighbourhood against ``sel.bench`` at
    ``sel.level``, from :func:`lib.methods.indicators.area_comparison_table`), ``neighbourhood_level`` (False
    for city-only indicators, whose ``value`` and ``count`` are then blank).
    """
    nbhd, bench, level = sel.nbhd, sel.bench, sel.level
    rows = []
    for ind in cohort_indicators(ds, cohort_id):
        m = meta(ds.indicators, ind)
        period = _latest(ds, ind, "neighbourhood")
        nb_level = period is not None
        if period is None:
            period = _latest(ds, ind, "city")
        if period is None:
            continue
        t = area_comparison_table(ds.values, ds.indicators, ind, period, "neighbourhood", bench, level)
        me = t[t["area_code"] == nbhd]
        city = ds.values[
            (ds.values["indicator_id"] == ind) & (ds.values["period"] == period) & (ds.values["area_type"] == "city")
        ]
        eng = ds.values[
            (ds.values["indicator_id"] == ind) & (ds.values["period"] == period) & (ds.values["area_type"] == "england")
        ]
        rows.append(
            {
                "indicator_id": ind,
                "name": m["name"],
                "short_name": m["short_name"],
                "period": period,
                "unit": m["unit"],
                "status": m["status"],
                "value_type": m["value_type"],
                "value": float(me["value"].iloc[0]) if len(me) else np.nan,
                "count": float(me["numerator"].iloc[0]) if len(me) else np.nan,
                "manchester": float(city["value"].iloc[0]) if len(city) else np.nan,
                "manchester_count": float(city["numerator"].iloc[0]) if len(city) else np.nan,
                "england": float(eng["value"].iloc[0]) if len(eng) else np.nan,
                "comparison": str(me["comparison"].iloc[0]) if len(me) else "not_compared",
                "neighbourhood_level": nb_level,
            }
        )
    cols = [
        "indicator_id",
        "name",
        "short_name",
        "period",
        "unit",
        "status",
        "value_type",
        "value",
        "count",
        "manchester",
        "manchester_count",
        "england",
        "comparison",
        "neighbourhood_level",
    ]
    return pd.DataFrame(rows, columns=cols)


def figure_rows(table: pd.DataFrame, nbhd: str) -> pd.DataFrame:
    """The figures :func:`cohort_table` shows, keyed for a download: the neighbourhood's row of each
    indicator, or Manchester's where the indicator has no neighbourhood figure."""
    city = ~table["neighbourhood_level"].astype(bool) if "neighbourhood_level" in table else False
    return table.assign(area_type=np.where(city, "city", "neighbourhood"), area_code=np.where(city, CITY_CODE, nbhd))


def display_cohort_table(
    table: pd.DataFrame, indicators: pd.DataFrame, bench: str = "england", threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """The cohort table as people read it: formatted text, plain column names.

    Counts below the disclosure ``threshold`` are shown as ``<threshold``; modelled counts are rounded to whole people.
    City-only indicators say so in the neighbourhood column.
    """
    bench_name = BENCHMARKS.get(bench, bench)
    out = []
    for r in table.to_dict("records"):
        m = meta(indicators, r["indicator_id"])
        modelled = r["status"] == "modelled"
        value = format_value(r["value"], m) if r["neighbourhood_level"] else "City only (no neighbourhood figure)"
        if modelled and r["neighbourhood_level"]:
            value = f"{format_value(r['value'], m)} expected (modelled)"
        out.append(
            {
                "Indicator": r["short_name"],
                "Period": r["period"],
                "Neighbourhood": value,
                "Count": _safe_count(r["count"], threshold) if r["value_type"] != "count" else "–",
                "Manchester": format_value(r["manchester"], m) + (" (register)" if modelled else ""),
                "England": format_value(r["england"], m),
                f"Compared with {bench_name}": comparison_label(r["comparison"], bench_name),
                "Status": STATUS_BADGE.get(r["status"], r["status"]),
                "Unit": r["unit"],
            }
        )
    return pd.DataFrame(
        out,
        columns=[
            "Indicator",
            "Period",
            "Neighbourhood",
            "Count",
            "Manchester",
            "England",
            f"Compared with {bench_name}",
            "Status",
            "Unit",
        ],
    )


@dataclass(frozen=True)
class CohortView:
    """What the Risk cohorts page shows for one cohort and neighbourhood, computed together."""

    #: :func:`cohort_table`
    table: pd.DataFrame
    #: :func:`display_cohort_table` (the CSV download is :func:`figure_rows`, analysis-ready)
    shown: pd.DataFrame
    #: ``(short name, method note)`` of each modelled indicator, in table order
    modelled_methods: tuple[tuple[str, str], ...]
    #: the source, period, status and method of each indicator (markdown list, :func:`lib.render.format.sources_markdown`)
    sources: str


def cohort_view(ds: Dataset, cohort_id: str, sel: Selection) -> CohortView:
    """Everything the page draws for one cohort: its table, the table as shown, the methods of its
    modelled indicators and its sources."""
    table = cohort_table(ds, cohort_id, sel)
    modelled = table.loc[table["status"] == "modelled", "indicator_id"]
    return CohortView(
        table=table,
        shown=display_cohort_table(table, ds.indicators, sel.bench, ds.threshold),
        modelled_methods=tuple(
            (meta(ds.indicators, i)["short_name"], meta(ds.indicators, i)["method_note"]) for i in modelled
        ),
        sources=sources_markdown(ds.indicators, table["indicator_id"], table["period"]),
    )


def map_choices(ds: Dataset) -> list[tuple[str, str]]:
    """``(indicator id, cohort label)`` for every indicator a cohort map can show, cohort by cohort
    (an indicator in two cohorts is listed under the first)."""
    out: dict[str, str] = {}
    for c in COHORTS:
        for i in mappable_indicators(ds, c.cohort_id):
            out.setdefault(i, c.label)
    return list(out.items())
