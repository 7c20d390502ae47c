"""Readers for the raw public inputs in ``../shared/data`` (see its README).

Each function reads one source as published (column names are the source's own), applies the
parsing the README asks for (thousands separators, ``..`` as nil, dropped annotation columns)
and returns a tidy frame with short, documented column names. Nothing here aggregates.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

#: Relative paths inside the data folder, so a missing input names the exact file.
FILES = {
    "wards17": "geo/manchester_wards_dec2017_wd17.geojson",
    "lsoa11_geo": "geo/manchester_lsoa11.geojson",
    "msoa11_geo": "geo/manchester_msoa11.geojson",
    "life_expectancy_msoa": "england/ons_life_expectancy_msoa11_england_2016_2020.csv.gz",
    "ethnic_group_lsoa21": "manchester/census2021_ts021_ethnic_group_lsoa21_manchester.csv",
    "ethnic_group_ltla21": "england/census2021_ts021_ethnic_group_ltla21_england.csv",
    "definition_source": "geo/neighbourhoods_wards2004-2018.csv",
    "lsoa11_wd17": "lookups/LSOA11_WD17_LAD17_EW_LU_manchester.csv",
    "msoa11_wd17": "lookups/MSOA11_WD17_LAD17_EW_LU_manchester.csv",
    "oa11": "lookups/OA11_LSOA11_MSOA11_LAD11_manchester.csv",
    "lsoa11_lsoa21": "lookups/lookup_lsoa11_lsoa21_ltla22_manchester.csv",
    "msoa_names": "lookups/msoanames_hcl_manchester.csv",
    "ltla21_region": "lookups/lookup_ltla21_region21_england.csv",
    "ltla23_region": "lookups/lookup_ltla23_region23_england.csv",
    "file1": "england/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
    "file6": "england/File_6_-_IoD2019_Population_Denominators.csv.gz",
    "file8": "england/imd2019_england_lsoa11_indicators.csv.gz",
    "imd2015": "england/imd2015_england_lsoa11.csv.gz",
    "imd2025": "england/imd2025_england_lsoa21.csv.gz",
    "imd2025_ind": "england/imd2025_england_lsoa21_indicators.csv.gz",
    "pop2020": "england/population20_lsoa11_england.csv.gz",
    "disability21": "england/disability21_lsoa21_england.csv.gz",
    "household_dep21": "england/household_deprivation21_lsoa21_england.csv.gz",
    "ts037": "england/census2021_ts037_lsoa21_england.csv.gz",
    "ts039": "england/census2021_ts039_lsoa21_england.csv.gz",
    "ts040": "england/census2021_ts040_lsoa21_england.csv.gz",
    "fuel_poverty21": "manchester/desnz_fuel_poverty_lsoa21_manchester_2021.csv",
    "fuel_poverty21_bench": "england/desnz_fuel_poverty_benchmarks_england_nw_manchester_2021.csv",
    "cilif_la": "england/children_relative_low_income_ltla_14-22_england.csv",
    "cilif_msoa": "manchester/children_relative_low_income_msoa_14-22_manchester.csv",
    "uc_la": "england/households_on_UC_ltla_15-22_england.csv",
    "uc_msoa": "manchester/households_on_UC_msoa_15-22_manchester.csv",
    "qof_region": "england/output_region_prevalence_england.csv",
    "qof_lad": "england/output_lad_prevalence_england.csv",
    "health_index": "england/england_health_index_ltla21.csv",
    "census_health": "manchester/census2021_general_health_la_manchester.csv",
    "census_health_as": "manchester/census2021_general_health_age_standardised_la_manchester.csv",
    "census_disability": "manchester/census2021_disability_la_manchester.csv",
    "census_disability_as": "manchester/census2021_disability_age_standardised_la_manchester.csv",
    "iod2019_lad": "england/iod2019_lad_summary_all_lads.csv",
    "iod2025_lad": "england/iod2025_lad_summary_all_lads.csv",
    "seeds": "seeds",
}


class MissingInputError(FileNotFoundError):
    """A raw input file the pipeline needs is not in the data folder."""


def path(data_dir: Path, key: str) -> Path:
    """Absolute path of a raw input, raising a clear error if it is absent."""
    p = Path(data_dir) / FILES[key]
    if not p.exists():
        raise MissingInputError(
            f"Raw input {FILES[key]} was not found under {data_dir}. "
            "Point the pipeline at the shared data folder with --data PATH."
        )
    return p


def file1_imd2019(data_dir: Path) -> pd.DataFrame:
    """IoD2019 File 1: ``lsoa11_code, lad_code, imd_rank, imd_decile`` for all English LSOAs."""
    df = pd.read_csv(path(data_dir, "file1"), thousands=",")
    return pd.DataFrame(
        {
            "lsoa11_code": df["LSOA code (2011)"],
            "lad_code": df["Local Authority District code (2019)"],
            "imd_rank": df["Index of Multiple Deprivation (IMD) Rank"].astype(int),
            "imd_decile": df["Index of Multiple Deprivation (IMD) Decile"].astype(int),
        }
    )


def file6_denominators(data_dir: Path) -> pd.DataFrame:
    """IoD2019 File 6, mid-2015 (excluding prisoners): ``lsoa11_code, pop_total, pop_0_15, pop_60plus``."""
    df = pd.read_csv(path(data_dir, "file6"), thousands=",")
    return pd.DataFrame(
        {
            "lsoa11_code": df["LSOA code (2011)"],
            "pop_total": df["Total population: mid 2015 (excluding prisoners)"].astype(int),
            "pop_0_15": df["Dependent Children aged 0-15: mid 2015 (excluding prisoners)"].astype(int),
            "pop_60plus": df["Older population aged 60 and over: mid 2015 (excluding prisoners)"].astype(int),
        }
    )


def file8_indicators2019(data_dir: Path) -> pd.DataFrame:
    """IoD2019 File 8 underlying indicators (humaniverse/IMD column names), all English LSOAs."""
    return pd.read_csv(path(data_dir, "file8"))


def imd2015(data_dir: Path) -> pd.DataFrame:
    """IMD2015: ``lsoa11_code, imd_score, imd_rank, imd_decile``."""
    df = pd.read_csv(path(data_dir, "imd2015"))
    return df.rename(columns={"IMD_score": "imd_score", "IMD_rank": "imd_rank", "IMD_decile": "imd_decile"})[
        ["lsoa11_code", "imd_score", "imd_rank", "imd_decile"]
    ]


def imd2025(data_dir: Path) -> pd.DataFrame:
    """IMD2025 on LSOA 2021: ``lsoa21_code, imd_score, imd_rank, imd_decile``."""
    df = pd.read_csv(path(data_dir, "imd2025"))
    return df.rename(columns={"IMD_score": "imd_score", "IMD_rank": "imd_rank", "IMD_decile": "imd_decile"})[
        ["lsoa21_code", "imd_score", "imd_rank", "imd_decile"]
    ]


def imd2025_indicators(data_dir: Path) -> pd.DataFrame:
    """IoD2025 underlying indicators on LSOA 2021, all English LSOAs."""
    return pd.read_csv(path(data_dir, "imd2025_ind"))


def population2020(data_dir: Path) -> pd.DataFrame:
    """ONS mid-2020 LSOA 2011 estimates: ``lsoa11_code, lsoa11_name, total`` and age groups.

    Age groups: ``age_0_15, age_0_17, age_0_19, age_18plus, age_under65, age_65plus, age_75plus, age_85plus``, plus one column
    per ESP2013 band (``band_0-4`` ... ``band_90+``) for direct standardisation.
    """
    df = pd.read_csv(path(data_dir, "pop2020"))
    ages = [str(a) for a in range(90)] + ["90+"]
    single = df[ages].astype(int)
    single.columns = list(range(91))
    out = pd.DataFrame(
        {
            "lsoa11_code": df["lsoa11_code"],
            "lsoa11_name": df["lsoa11_name"],
            "total": df["total_population"].astype(int),
        }
    )
    out["age_0_15"] = single.loc[:, 0:15].sum(axis=1)
    out["age_0_17"] = single.loc[:, 0:17].sum(axis=1)
    out["age_0_19"] = single.loc[:, 0:19].sum(axis=1)
    out["age_18plus"] = single.loc[:, 18:90].sum(axis=1)
    out["age_under65"] = single.loc[:, 0:64].sum(axis=1)
    out["age_65plus"] = single.loc[:, 65:90].sum(axis=1)
    out["age_75plus"] = single.loc[:, 75:90].sum(axis=1)
    out["age_85plus"] = single.loc[:, 85:90].sum(axis=1)
    for lo in range(0, 90, 5):
        out[f"band_{lo}-{lo + 4}"] = single.loc[:, lo : lo + 4].sum(axis=1)
    out["band_90+"] = single[90]
    return out


def disability2021(data_dir: Path) -> pd.DataFrame:
    """Census 2021 TS038 on LSOA 2021: ``lsoa21_code, disabled, residents``."""
    df = pd.read_csv(path(data_dir, "disability21"))
    dis = df[df["disability"] == "Disabled under the Equality Act"]
    return pd.DataFrame(
        {
            "lsoa21_code": dis["lsoa21_code"],
            "disabled": dis["n"].astype(int),
            "residents": dis["total_residents"].astype(int),
        }
    ).reset_index(drop=True)


def household_deprivation2021(data_dir: Path) -> pd.DataFrame:
    """Census 2021 TS011: ``lsoa21_code, households, deprived_1plus, deprived_2plus``."""
    df = pd.read_csv(path(data_dir, "household_dep21"))
    dims = df["deprivation_dimensions"].str.extract(r"deprived in (\w+) dimension", expand=False)
    n_dims = dims.map({"one": 1, "two": 2, "three": 3, "four": 4}).fillna(0).astype(int)
    df = df.assign(n_dims=n_dims)
    g = df.groupby("lsoa21_code", sort=True)
    out = pd.DataFrame(
        {
            "households": g["total_households"].first().astype(int),
            "deprived_1plus": df[df["n_dims"] >= 1].groupby("lsoa21_code")["n"].sum(),
            "deprived_2plus": df[df["n_dims"] >= 2].groupby("lsoa21_code")["n"].sum(),
        }
    ).fillna(0)
    return out.astype(int).reset_index()


#: Census 2021 LSOA tables (Nomis bulk files): key -> {our column: the source's column, or a list
#: of source columns that add up to it}. ``total`` is each table's own total.
NOMIS_COLUMNS: dict[str, dict[str, str | list[str]]] = {
    "ts037": {
        "total": "General health: Total: All usual residents",
        "bad_or_very_bad": ["General health: Bad health", "General health: Very bad health"],
    },
    "ts039": {
        "total": "Provision of unpaid care: Total: All usual residents aged 5 and over",
        "no_care": "Provision of unpaid care: Provides no unpaid care",
        "care_50plus": "Provision of unpaid care: Provides 50 or more hours unpaid care a week",
    },
    "ts040": {
        "total": "Number of disabled people in household: Total: All households",
        "none_disabled": "Number of disabled people in household: No people disabled under the Equality Act in household",
    },
}


def nomis_lsoa21(data_dir: Path, key: str) -> pd.DataFrame:
    """A Census 2021 LSOA table of :data:`NOMIS_COLUMNS`: ``lsoa21_code`` and our columns (counts)."""
    df = pd.read_csv(path(data_dir, key))
    out = pd.DataFrame({"lsoa21_code": df["geography code"]})
    for col, src in NOMIS_COLUMNS[key].items():
        cols = [src] if isinstance(src, str) else src
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise MissingInputError(f"{FILES[key]} lacks the column(s) {', '.join(missing)}")
        out[col] = df[cols].sum(axis=1).astype(int)
    return out


#: Census 2021 TS021 broad ethnic groups: our key -> the source's group (the text before ":" in the
#: local authority file's detailed categories).
ETHNIC_GROUPS: dict[str, str] = {
    "asian": "Asian, Asian British or Asian Welsh",
    "black": "Black, Black British, Black Welsh, Caribbean or African",
    "mixed": "Mixed or Multiple ethnic groups",
    "white": "White",
    "other": "Other ethnic group",
}


def ethnic_group2021(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Census 2021 TS021, five broad groups: (Manchester LSOA 2021 rows ``lsoa21_code, total`` and
    one count column per :data:`ETHNIC_GROUPS` key; English local authorities in the same shape,
    ``ltla21_code`` instead, the broad groups summed from the detailed "(number)" categories and
    ``total`` their sum)."""
    lsoa = pd.read_csv(path(data_dir, "ethnic_group_lsoa21"))
    by_group = {v: k for k, v in ETHNIC_GROUPS.items()}
    unknown = sorted(set(lsoa["ethnic_group"]) - set(by_group))
    if unknown:
        raise MissingInputError(f"{FILES['ethnic_group_lsoa21']} has unknown group(s) {unknown}")
    wide = lsoa.assign(key=lsoa["ethnic_group"].map(by_group)).pivot(index="lsoa21_code", columns="key", values="n")
    wide = wide[list(ETHNIC_GROUPS)].astype(int)
    wide.insert(0, "total", lsoa.groupby("lsoa21_code")["total_residents"].first().astype(int))
    la = pd.read_csv(path(data_dir, "ethnic_group_ltla21"))
    la = la[la["ethnic_group"].str.endswith("(number)") & la["ltla21_code"].str.startswith("E")]
    broad = la["ethnic_group"].str.split(":", n=1).str[0].str.strip()
    unknown = sorted(set(broad) - set(by_group))
    if unknown:
        raise MissingInputError(f"{FILES['ethnic_group_ltla21']} has unknown group(s) {unknown}")
    la_wide = la.assign(key=broad.map(by_group)).pivot_table(
        index="ltla21_code", columns="key", values="value", aggfunc="sum"
    )[list(ETHNIC_GROUPS)]
    la_wide.insert(0, "total", la_wide.sum(axis=1))
    return wide.reset_index(), la_wide.astype(int).reset_index()


def fuel_poverty2021(data_dir: Path) -> tuple[pd.DataFrame, dict[str, tuple[float, float]]]:
    """DESNZ fuel poverty 2021: (Manchester LSOA 2021 rows ``lsoa21_code, households, fuel_poor``,
    {area code: (fuel-poor households, households)} for England and Manchester as published)."""
    df = pd.read_csv(path(data_dir, "fuel_poverty21"))
    lsoa = pd.DataFrame(
        {
            "lsoa21_code": df["LSOA Code"],
            "households": df["Number of households"].astype(float),
            "fuel_poor": df["Number of households in fuel poverty"].astype(float),
        }
    )
    bench = pd.read_csv(path(data_dir, "fuel_poverty21_bench"))
    code = bench.columns[0]
    published = {
        str(r[code]).strip(): (float(r["Number of households in fuel poverty"]), float(r["Number of households"]))
        for _, r in bench.iterrows()
    }
    return lsoa, published


def stat_xplore(data_dir: Path, key: str) -> pd.DataFrame:
    """A DWP Stat-Xplore export in long form: ``area_name, period_label, count``.

    ``..`` (nil or negligible) becomes NaN; annotation and trailing empty columns are dropped.
    """
    df = pd.read_csv(path(data_dir, key), na_values="..")
    first = df.columns[0]
    keep = [c for c in df.columns[1:] if not c.endswith("Annotations") and not c.startswith("Unnamed")]
    long = df.melt(id_vars=[first], value_vars=keep, var_name="period_label", value_name="count")
    return long.rename(columns={first: "area_name"})


def financial_year(label: str) -> str:
    """``'2021/22 (p)'`` -> ``'2021/22'``."""
    return re.sub(r"\s*\(.*\)$", "", label).strip()


def month_period(label: str) -> str:
    """``'November 2023 (p)'`` -> ``'2023-11'``."""
    clean = re.sub(r"\s*\(.*\)$", "", label).strip()
    return pd.to_datetime(clean, format="%B %Y").strftime("%Y-%m")


def provisional(label: str) -> str | None:
    """The Stat-Xplore flag in a period label: ``'p'`` provisional, ``'r'`` revised, or None."""
    m = re.search(r"\((\w)\)$", label.strip())
    return m.group(1) if m else None


def qof(data_dir: Path, level: str) -> pd.DataFrame:
    """HoC Library QOF modelled prevalence 2019/20 at ``region`` or ``lad`` level."""
    return pd.read_csv(path(data_dir, "qof_region" if level == "region" else "qof_lad"))


def census_la(data_dir: Path, key: str) -> pd.DataFrame:
    """A Trafford Data Lab Census 2021 LA table (Manchester rows)."""
    return pd.read_csv(path(data_dir, key))


def seed(data_dir: Path, name: str) -> pd.DataFrame:
    """A seed table transcribed from the council reports (``seeds/<name>.csv``)."""
    p = path(data_dir, "seeds") / f"{name}.csv"
    if not p.exists():
        raise MissingInputError(f"Seed table seeds/{name}.csv was not found under {data_dir}.")
    return pd.read_csv(p)
