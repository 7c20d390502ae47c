"""Build ``profiles/values.csv`` from the raw inputs.

Each source has its module (``deprivation``, ``census``, ``city``, ``expected``), whose
``indicators_*`` functions return a :class:`lib.pipeline.parts.Part`: small-area measures (rolled
up by :func:`lib.methods.aggregate.roll_up`) and/or ready rows at city and England level.
:func:`build_values` puts them together, computes values, intervals and comparisons, and returns
the contract frame. A new source is a new module and one line here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lib.core.contract import VALUE_COLUMNS
from lib.methods import aggregate
from lib.pipeline import lsoa21, sources, withheld
from lib.pipeline.census import indicators_census, indicators_census_lsoa21, indicators_population
from lib.pipeline.city import flag_note, indicators_city_context, indicators_homelessness
from lib.pipeline.deprivation import indicators_deprivation, indicators_dwp
from lib.pipeline.expected import activity_target_rows, indicators_expected
from lib.pipeline.life_expectancy import indicators_life_expectancy
from lib.pipeline.parts import load_lookups
from lib.pipeline.registered import indicators_registered

AREA_TYPE_ORDER = ["england", "city", "locality", "neighbourhood", "pcn", "practice", "ward", "msoa", "lsoa", "lsoa21"]


def build_values(
    data_dir: Path, definition: pd.DataFrame, indicators: pd.DataFrame, practices: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Build the full ``values.csv`` frame. Returns (values, build notes). ``practices`` (the
    validated ``geodata/practices.csv``) adds the registered-patient indicators."""
    pop = sources.population2020(data_dir)
    lk = load_lookups(data_dir, pop)
    parts = [
        indicators_deprivation(data_dir, lk, pop),
        indicators_census(data_dir, lk),
        indicators_census_lsoa21(data_dir, lk),
        indicators_population(data_dir, lk, pop),
        indicators_dwp(data_dir, lk, pop),
        indicators_city_context(data_dir),
        indicators_expected(data_dir, lk, pop),
        indicators_homelessness(data_dir, lk),
        indicators_life_expectancy(data_dir, definition),
    ]
    if practices is not None:
        parts.append(indicators_registered(data_dir, practices, definition))
    rolled: list[pd.DataFrame] = []
    extra: list[dict] = []
    published: list[dict] = []
    weighted_ids = set(indicators.loc[indicators["value_type"].isin(aggregate.WEIGHTED_MEAN), "indicator_id"])
    for part in parts:
        for measures, unit_to_ward, unit_type in part.measures:
            if unit_type == lsoa21.AREA_TYPE:  # the LSOA 2021 rows: whole, in the ward of most residents
                rolled.append(lsoa21.unit_rows(measures, lk, definition))
                unit_type = None
            # a merged LSOA 2021 is split between its LSOA 2011 predecessors (by population)
            is_weighted = bool(len(measures)) and measures["indicator_id"].iloc[0] in weighted_ids
            measures, unit_to_ward = lk.split_merged(measures, unit_to_ward, is_weighted)
            rolled.append(
                aggregate.roll_up(measures, unit_to_ward, definition, unit_type=unit_type, unit_names=lk.lsoa11_name)
            )
        for r in part.rows:
            (published if r.get("area_type") == "city_published" else extra).append(r)
    frame = pd.concat(rolled + [pd.DataFrame(extra)], ignore_index=True)
    frame["note"] = frame.get("note", pd.Series(pd.NA, index=frame.index))
    pub = pd.DataFrame(published)
    if len(pub):
        key = frame["indicator_id"] + "|" + frame["period"]
        pub_key = pub["indicator_id"] + "|" + pub["period"]
        pub_note = pd.Series(
            [
                f"Published Manchester total {v:,.0f}; the MSOA sum differs by disclosure control" + flag_note(f)
                for v, f in zip(pub["published"], pub["flag"])
            ],
            index=pub_key,
        )
        is_city = frame["area_type"] == "city"
        frame.loc[is_city, "note"] = [
            _join(n, pub_note.get(k, "")) for n, k in zip(frame.loc[is_city, "note"], key[is_city])
        ]
        flag = pd.Series(pub["flag"].to_numpy(), index=pub_key)
        for lvl in ("ward", "neighbourhood", "locality"):
            sel = frame["area_type"] == lvl
            frame.loc[sel, "note"] = [
                _join(n, flag_note(flag.get(k)).lstrip("; ")) for n, k in zip(frame.loc[sel, "note"], key[sel])
            ]
    values = aggregate.compute_values(frame, indicators)
    targets = activity_target_rows(data_dir, values, definition)
    if len(targets):
        values = pd.concat([values, aggregate.compute_values(targets, indicators)], ignore_index=True)
    values = aggregate.add_comparisons(values, indicators)
    values = withheld.apply(values, indicators)
    return tidy_values(values, indicators), lk.notes


def _join(a, b) -> str:
    parts = [str(x) for x in (a, b) if isinstance(x, str) and x.strip()]
    return "; ".join(parts)


def tidy_values(values: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Contract column order, deterministic sort, blanks (never 0) where a value does not exist."""
    order = {k: i for i, k in enumerate(indicators["indicator_id"])}
    v = values.copy()
    v["_i"] = v["indicator_id"].map(order)
    v["_t"] = v["area_type"].map({t: i for i, t in enumerate(AREA_TYPE_ORDER)})
    v = v.sort_values(["_i", "period", "_t", "area_code"], kind="mergesort")
    v = v[VALUE_COLUMNS].reset_index(drop=True)
    v["note"] = v["note"].replace("", pd.NA)
    return v


def format_number(x: float) -> str:
    """Deterministic text for a number: integers as integers, others to 6 decimals; blank for NaN."""
    if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA:
        return ""
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return format(round(x, 6), ".15g")
