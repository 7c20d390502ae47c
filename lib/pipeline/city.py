"""Figures published for Manchester and England only: QOF modelled prevalence, the ONS Health
Index, and the homelessness indicators of the Indices of Deprivation (by local authority)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lib.core.definitions import CITY_CODE
from lib.methods import aggregate
from lib.pipeline import sources
from lib.pipeline.parts import Lookups, Part, city_row


def flag_note(flag: str | None) -> str:
    return {"p": "; provisional", "r": "; revised"}.get(flag or "", "")


def indicators_city_context(data_dir: Path) -> Part:
    """QOF modelled prevalence (city and England) and the ONS Health Index (city)."""
    part = Part()
    reg = sources.qof(data_dir, "region")
    lad = sources.qof(data_dir, "lad")
    eng = reg.groupby("group_code")[["register", "list"]].sum()
    man = lad[lad["lad_code"] == CITY_CODE].set_index("group_code")
    for code in eng.index:
        ind = f"qof_{code.lower()}"
        part.rows.append(
            city_row(
                ind,
                "2019/20",
                float(man.loc[code, "register"]),
                float(man.loc[code, "list"]),
                note="Published local authority row (modelled register and list sizes)",
            )
        )
        row = aggregate.england_row(ind, "2019/20", float(eng.loc[code, "register"]), float(eng.loc[code, "list"]))
        row["note"] = "Sum of the 9 English regions (derived)"
        part.rows.append(row)
    hi = pd.read_csv(sources.path(data_dir, "health_index"))
    hi_m = hi[hi["ltla21_code"] == CITY_CODE]
    for col in (
        "overall_score",
        "healthy_people_domain_score",
        "healthy_lives_domain_score",
        "healthy_places_domain_score",
    ):
        ind = f"health_index_{col.replace('_score', '').replace('_domain', '')}"
        for _, r in hi_m.iterrows():
            part.rows.append(
                city_row(ind, str(int(r["year"])), np.nan, np.nan, value=float(r[col]), note="Published value")
            )
        e = aggregate.england_row(ind, "2015", np.nan, np.nan)
        e["value"] = 100.0
        e["note"] = "England 2015 = 100 by construction"
        part.rows.append(e)
    return part


def indicators_homelessness(data_dir: Path, lk: Lookups) -> Part:
    """IoD homelessness indicators: published by local authority only, so Manchester and England rows.

    Every Manchester LSOA carries the same value (checked: a varying value raises, since it would
    need the small-area treatment instead). England: LSOA values weighted by population
    (IoD2019, mid-2015) or Census 2021 households (IoD2025).
    """
    part = Part()
    f8 = sources.file8_indicators2019(data_dir).merge(
        sources.file6_denominators(data_dir), on="lsoa11_code", validate="1:1"
    )
    i25 = sources.imd2025_indicators(data_dir).merge(
        sources.household_deprivation2021(data_dir)[["lsoa21_code", "households"]], on="lsoa21_code", validate="1:1"
    )
    for ind, period, df, code_col, in_city, col, weight, note in (
        (
            "homelessness_rate",
            "IoD2019",
            f8,
            "lsoa11_code",
            lk.lsoa11_ward.index,
            "homelessness_indicator_rate_per_1000_households",
            "pop_total",
            "LSOA values weighted by mid-2015 population (derived)",
        ),
        (
            "homelessness_rate",
            "IoD2025",
            i25,
            "lsoa21_code",
            lk.lsoa21_lsoa11.index,
            "homelessness_indicator_rate_per_1_000_households",
            "households",
            "LSOA values weighted by Census 2021 households (derived)",
        ),
        (
            "core_homelessness",
            "IoD2025",
            i25,
            "lsoa21_code",
            lk.lsoa21_lsoa11.index,
            "core_homelessness_rate_percent_of_households",
            "households",
            "LSOA values weighted by Census 2021 households (derived)",
        ),
    ):
        city_vals = df.loc[df[code_col].isin(in_city), col].round(9).unique()
        if len(city_vals) != 1:
            raise ValueError(f"{col} varies between Manchester LSOAs: it needs the small-area treatment")
        part.rows.append(
            city_row(
                ind,
                period,
                np.nan,
                np.nan,
                value=float(city_vals[0]),
                note="Published by local authority only (the same value in every Manchester LSOA)",
            )
        )
        ok = df[col].notna() & df[weight].notna()
        e = aggregate.england_row(ind, period, np.nan, np.nan)
        e["value"] = float((df.loc[ok, col] * df.loc[ok, weight]).sum() / df.loc[ok, weight].sum())
        e["note"] = note
        part.rows.append(e)
    return part
