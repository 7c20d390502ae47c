"""Census 2021 indicators (disability, household deprivation, city-only tables) and the mid-2020
population with its age shares."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lib.methods import aggregate
from lib.pipeline import sources
from lib.pipeline.parts import Lookups, Part, city_row, measures


def indicators_census(data_dir: Path, lk: Lookups) -> Part:
    """Census 2021: disability (LSOA 2021 sums), household deprivation, and city-only tables."""
    part = Part()
    dis = sources.disability2021(data_dir)
    md = dis[dis["lsoa21_code"].isin(lk.lsoa21_lsoa11.index)].reset_index(drop=True)
    part.measures.append(
        (
            measures(md["lsoa21_code"], "disability", "Census 2021", md["disabled"], md["residents"]),
            lk.lsoa21_ward,
            "lsoa21",
        )
    )
    part.rows.append(
        aggregate.england_row("disability", "Census 2021", float(dis["disabled"].sum()), float(dis["residents"].sum()))
    )
    hd = sources.household_deprivation2021(data_dir)
    mh = hd[hd["lsoa21_code"].isin(lk.lsoa21_lsoa11.index)].reset_index(drop=True)
    for ind, col in (("household_deprivation", "deprived_1plus"), ("household_deprivation_2plus", "deprived_2plus")):
        part.measures.append(
            (measures(mh["lsoa21_code"], ind, "Census 2021", mh[col], mh["households"]), lk.lsoa21_ward, "lsoa21")
        )
        part.rows.append(aggregate.england_row(ind, "Census 2021", float(hd[col].sum()), float(hd["households"].sum())))

    cd = sources.census_la(data_dir, "census_disability")
    cd = cd[cd["measure"] == "Count"]
    lot = float(cd.loc[cd["disability_category"].str.contains("limited a lot"), "value"].sum())
    part.rows.append(
        city_row(
            "disability_limited_lot",
            "Census 2021",
            lot,
            float(cd["value"].sum()),
            note="Published Manchester table; age-standardised 11.4%",
        )
    )
    return part


#: Census 2021 LSOA indicators: id -> (table, numerator as a function of the table, denominator column).
CENSUS_LSOA21: dict[str, tuple[str, object, str]] = {
    "bad_health": ("ts037", lambda t: t["bad_or_very_bad"], "total"),
    "unpaid_care": ("ts039", lambda t: t["total"] - t["no_care"], "total"),
    "unpaid_care_50h": ("ts039", lambda t: t["care_50plus"], "total"),
    "disabled_household": ("ts040", lambda t: t["total"] - t["none_disabled"], "total"),
}


def indicators_census_lsoa21(data_dir: Path, lk: Lookups) -> Part:
    """Census 2021 health and care at LSOA 2021 (TS037, TS039, TS040), rolled up to wards and
    neighbourhoods as the disability indicator is; England = the sum of the English LSOAs. And
    DESNZ fuel poverty 2021 at LSOA 2021 (England and Manchester as DESNZ publishes them)."""
    part = Part()
    tables = {key: sources.nomis_lsoa21(data_dir, key) for key in {t for t, _, _ in CENSUS_LSOA21.values()}}
    for ind, (key, numerator, denominator) in CENSUS_LSOA21.items():
        t = tables[key]
        english = t[t["lsoa21_code"].str.startswith("E01")]
        mine = t[t["lsoa21_code"].isin(lk.lsoa21_lsoa11.index)].reset_index(drop=True)
        part.measures.append(
            (
                measures(mine["lsoa21_code"], ind, "Census 2021", numerator(mine), mine[denominator]),
                lk.lsoa21_ward,
                "lsoa21",
            )
        )
        part.rows.append(
            aggregate.england_row(
                ind, "Census 2021", float(numerator(english).sum()), float(english[denominator].sum())
            )
        )
    fuel, published = sources.fuel_poverty2021(data_dir)
    mine = fuel[fuel["lsoa21_code"].isin(lk.lsoa21_lsoa11.index)].reset_index(drop=True)
    part.measures.append(
        (
            measures(mine["lsoa21_code"], "fuel_poverty", "2021", mine["fuel_poor"], mine["households"]),
            lk.lsoa21_ward,
            "lsoa21",
        )
    )
    fp, hh = published["E92000001"]
    part.rows.append(aggregate.england_row("fuel_poverty", "2021", fp, hh))
    ethnic_group_measures(data_dir, lk, part)
    return part


def ethnic_group_measures(data_dir: Path, lk: Lookups, part: Part) -> None:
    """Census 2021 TS021: residents in each broad ethnic group over all residents, summed from LSOA
    2021 to wards like the other LSOA 2021 tables; England = the sum of the English local authorities
    (the England LSOA file is not in the inputs)."""
    lsoa, la = sources.ethnic_group2021(data_dir)
    mine = lsoa[lsoa["lsoa21_code"].isin(lk.lsoa21_lsoa11.index)].reset_index(drop=True)
    for key in sources.ETHNIC_GROUPS:
        ind = f"ethnic_{key}"
        part.measures.append(
            (measures(mine["lsoa21_code"], ind, "Census 2021", mine[key], mine["total"]), lk.lsoa21_ward, "lsoa21")
        )
        part.rows.append(aggregate.england_row(ind, "Census 2021", float(la[key].sum()), float(la["total"].sum())))


def indicators_population(data_dir: Path, lk: Lookups, pop: pd.DataFrame) -> Part:
    """Mid-2020 population and age shares (0-15, 65+, 75+, 85+)."""
    part = Part()
    m = pop[pop["lsoa11_code"].isin(lk.lsoa11_ward.index)].reset_index(drop=True)
    part.measures.append(
        (
            measures(m["lsoa11_code"], "population", "mid-2020", m["total"], np.full(len(m), np.nan)),
            lk.lsoa11_ward,
            "lsoa",
        )
    )
    part.rows.append(aggregate.england_row("population", "mid-2020", float(pop["total"].sum()), np.nan))
    for col in ("age_0_15", "age_65plus", "age_75plus", "age_85plus"):
        ind = f"population_{col}"
        part.measures.append((measures(m["lsoa11_code"], ind, "mid-2020", m[col], m["total"]), lk.lsoa11_ward, "lsoa"))
        part.rows.append(aggregate.england_row(ind, "mid-2020", float(pop[col].sum()), float(pop["total"].sum())))
    return part
