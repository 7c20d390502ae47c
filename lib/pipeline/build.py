"""Build ``profiles/values.csv`` from the raw inputs.

Each ``_indicator_*`` function returns small-area measures (rolled up by
:func:`lib.methods.aggregate.roll_up`) and/or ready rows at city and England level. :func:`build_values`
puts them together, computes values, intervals and comparisons, and returns the contract frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lib.core.contract import VALUE_COLUMNS
from lib.core.definitions import CITY_CODE, CITY_NAME, ENGLAND_CODE
from lib.methods import aggregate
from lib.pipeline import sources

AREA_TYPE_ORDER = ["england", "city", "locality", "neighbourhood", "ward", "lsoa"]


@dataclass
class Lookups:
    """Best-fit keys from each small-area geography to the 2004-2018 wards."""

    lsoa11_ward: pd.Series
    lsoa11_name: pd.Series
    msoa11_ward: pd.Series
    msoa11_code_by_name: pd.Series
    lsoa21_lsoa11: pd.Series
    lsoa11_msoa11: pd.Series
    notes: list[str] = field(default_factory=list)

    @property
    def lsoa21_ward(self) -> pd.Series:
        return self.lsoa21_lsoa11.map(self.lsoa11_ward)

    @property
    def lsoa21_msoa11(self) -> pd.Series:
        return self.lsoa21_lsoa11.map(self.lsoa11_msoa11)


def load_lookups(data_dir: Path, pop2020: pd.DataFrame) -> Lookups:
    """Read the ONS best-fit lookups and resolve LSOA 2021 merges.

    A merged LSOA 2021 (change code M) has two LSOA 2011 parents; it is assigned to the parent
    with the larger mid-2020 population (documented in the note). Splits (S) map to their
    single parent; unchanged (U) LSOAs map to themselves.
    """
    lw = pd.read_csv(sources.path(data_dir, "lsoa11_wd17"))
    mw = pd.read_csv(sources.path(data_dir, "msoa11_wd17"))
    oa = pd.read_csv(sources.path(data_dir, "oa11"))
    l21 = pd.read_csv(sources.path(data_dir, "lsoa11_lsoa21"))
    pop = pop2020.set_index("lsoa11_code")["total"]
    l21 = l21.assign(parent_pop=l21["lsoa11_code"].map(pop))
    l21 = l21.sort_values(["lsoa21_code", "parent_pop", "lsoa11_code"], ascending=[True, False, True])
    merged = l21[l21["lsoa21_code"].duplicated(keep=False)]
    notes = []
    for code, grp in merged.groupby("lsoa21_code"):
        notes.append(
            f"LSOA 2021 {code} merges {', '.join(grp['lsoa11_code'])}; assigned to {grp['lsoa11_code'].iloc[0]} (larger mid-2020 population)"
        )
    first = l21.drop_duplicates("lsoa21_code")
    return Lookups(
        lsoa11_ward=lw.set_index("LSOA11CD")["WD17CD"],
        lsoa11_name=lw.set_index("LSOA11CD")["LSOA11NM"],
        msoa11_ward=mw.set_index("MSOA11CD")["WD17CD"],
        msoa11_code_by_name=mw.set_index("MSOA11NM")["MSOA11CD"],
        lsoa21_lsoa11=first.set_index("lsoa21_code")["lsoa11_code"],
        lsoa11_msoa11=oa.drop_duplicates("lsoa11cd").set_index("lsoa11cd")["msoa11cd"],
        notes=notes,
    )


@dataclass
class Part:
    """What one indicator builder returns."""

    measures: list[tuple[pd.DataFrame, pd.Series, str | None]] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)


def _measures(unit: pd.Series, ind: str, period: str, num, den, suppressed=None) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "unit_code": unit.to_numpy(),
            "indicator_id": ind,
            "period": period,
            "numerator": np.asarray(num, dtype=float),
            "denominator": np.asarray(den, dtype=float),
        }
    )
    df["suppressed"] = False if suppressed is None else np.asarray(suppressed, dtype=bool)
    return df


def _weighted(unit: pd.Series, ind: str, period: str, value: pd.Series, weight: pd.Series) -> pd.DataFrame:
    ok = value.notna() & weight.notna()
    return _measures(unit[ok], ind, period, (value * weight)[ok], weight[ok])


def _england_weighted(ind: str, period: str, value: pd.Series, weight: pd.Series) -> dict:
    ok = value.notna() & weight.notna()
    return aggregate.england_row(ind, period, float((value * weight)[ok].sum()), float(weight[ok].sum()))


def _city_row(ind: str, period: str, num: float, den: float, value: float = np.nan, note: str = "") -> dict:
    return {
        "indicator_id": ind,
        "period": period,
        "area_type": "city",
        "area_code": CITY_CODE,
        "area_name": CITY_NAME,
        "parent_code": ENGLAND_CODE,
        "numerator": num,
        "denominator": den,
        "value": value,
        "note": note,
    }


def indicators_deprivation(data_dir: Path, lk: Lookups, pop20: pd.DataFrame) -> Part:
    """IMD shares in decile 1, average rank and score; income, IDACI and IDAOPI (IoD2015/2019/2025)."""
    part = Part()
    f1 = sources.file1_imd2019(data_dir)
    f6 = sources.file6_denominators(data_dir)
    f8 = sources.file8_indicators2019(data_dir)
    e19 = f1.merge(f6, on="lsoa11_code", validate="1:1").merge(f8, on="lsoa11_code", validate="1:1")
    m19 = e19[e19["lsoa11_code"].isin(lk.lsoa11_ward.index)].reset_index(drop=True)
    n19 = len(e19)

    # IMD decile 1 share and average rank, 2019
    for df, sink in ((m19, "m"), (e19, "e")):
        in_d1 = (df["imd_decile"] == 1) * df["pop_total"]
        rank = (n19 + 1 - df["imd_rank"]).astype(float)
        if sink == "m":
            part.measures.append(
                (
                    _measures(df["lsoa11_code"], "imd_most_deprived_10pct", "IoD2019", in_d1, df["pop_total"]),
                    lk.lsoa11_ward,
                    "lsoa",
                )
            )
            part.measures.append(
                (
                    _weighted(df["lsoa11_code"], "imd_average_rank", "IoD2019", rank, df["pop_total"].astype(float)),
                    lk.lsoa11_ward,
                    "lsoa",
                )
            )
        else:
            part.rows.append(
                aggregate.england_row(
                    "imd_most_deprived_10pct", "IoD2019", float(in_d1.sum()), float(df["pop_total"].sum())
                )
            )
            part.rows.append(_england_weighted("imd_average_rank", "IoD2019", rank, df["pop_total"].astype(float)))

    # Income, IDACI, IDAOPI: summed numerators; withheld (blank) numerators counted as 0
    for ind, num_col, den_col in (
        ("income_deprivation", "income_domain_numerator", "pop_total"),
        ("idaci", "income_deprivation_affecting_children_index_idaci_numerator", "pop_0_15"),
        ("idaopi", "income_deprivation_affecting_older_people_index_idaopi_numerator", "pop_60plus"),
    ):
        sup = m19[num_col].isna()
        part.measures.append(
            (
                _measures(m19["lsoa11_code"], ind, "IoD2019", m19[num_col].fillna(0), m19[den_col], sup),
                lk.lsoa11_ward,
                "lsoa",
            )
        )
        row = aggregate.england_row(ind, "IoD2019", float(e19[num_col].fillna(0).sum()), float(e19[den_col].sum()))
        row["n_suppressed"] = int(e19[num_col].isna().sum())
        part.rows.append(row)

    # Health indicators 2019: population-weighted means
    health19 = {
        "ypll": "years_of_potential_life_lost_indicator",
        "cidr": "comparative_illness_and_disability_ratio_indicator",
        "acute_morbidity": "acute_morbidity_indicator",
        "mood_anxiety": "mood_and_anxiety_disorders_indicator",
    }
    w19 = m19["pop_total"].astype(float)
    for ind, col in health19.items():
        part.measures.append((_weighted(m19["lsoa11_code"], ind, "IoD2019", m19[col], w19), lk.lsoa11_ward, "lsoa"))
        part.rows.append(_england_weighted(ind, "IoD2019", e19[col], e19["pop_total"].astype(float)))

    # IoD2015 (LSOA 2011), weighted by the same mid-2015 population
    i15 = sources.imd2015(data_dir).merge(f6, on="lsoa11_code", validate="1:1")
    m15 = i15[i15["lsoa11_code"].isin(lk.lsoa11_ward.index)].reset_index(drop=True)
    for df, sink in ((m15, "m"), (i15, "e")):
        in_d1 = (df["imd_decile"] == 1) * df["pop_total"]
        if sink == "m":
            part.measures.append(
                (
                    _measures(df["lsoa11_code"], "imd_most_deprived_10pct", "IoD2015", in_d1, df["pop_total"]),
                    lk.lsoa11_ward,
                    "lsoa",
                )
            )
            part.measures.append(
                (
                    _weighted(
                        df["lsoa11_code"],
                        "imd_average_score",
                        "IoD2015",
                        df["imd_score"],
                        df["pop_total"].astype(float),
                    ),
                    lk.lsoa11_ward,
                    "lsoa",
                )
            )
        else:
            part.rows.append(
                aggregate.england_row(
                    "imd_most_deprived_10pct", "IoD2015", float(in_d1.sum()), float(df["pop_total"].sum())
                )
            )
            part.rows.append(
                _england_weighted("imd_average_score", "IoD2015", df["imd_score"], df["pop_total"].astype(float))
            )

    # IoD2025 (LSOA 2021), weighted by Census 2021 usual residents
    res = sources.disability2021(data_dir)[["lsoa21_code", "residents"]]
    i25 = sources.imd2025(data_dir).merge(res, on="lsoa21_code", validate="1:1")
    i25ind = sources.imd2025_indicators(data_dir)
    i25 = i25.merge(i25ind, on="lsoa21_code", validate="1:1")
    n25 = len(i25)
    m25 = i25[i25["lsoa21_code"].isin(lk.lsoa21_lsoa11.index)].reset_index(drop=True)
    health25 = {
        "ypll": "years_of_potential_life_lost_indicator",
        "cidr": "comparative_illness_and_disability_ratio_indicator",
        "acute_morbidity": "acute_morbidity_indicator",
    }
    for df, sink in ((m25, "m"), (i25, "e")):
        w = df["residents"].astype(float)
        in_d1 = (df["imd_decile"] == 1) * df["residents"]
        rank = (n25 + 1 - df["imd_rank"]).astype(float)
        if sink == "m":
            u = df["lsoa21_code"]
            part.measures.append(
                (_measures(u, "imd_most_deprived_10pct", "IoD2025", in_d1, df["residents"]), lk.lsoa21_ward, None)
            )
            part.measures.append((_weighted(u, "imd_average_rank", "IoD2025", rank, w), lk.lsoa21_ward, None))
            part.measures.append(
                (_weighted(u, "imd_average_score", "IoD2025", df["imd_score"], w), lk.lsoa21_ward, None)
            )
            for ind, col in health25.items():
                part.measures.append((_weighted(u, ind, "IoD2025", df[col], w), lk.lsoa21_ward, None))
        else:
            part.rows.append(
                aggregate.england_row(
                    "imd_most_deprived_10pct", "IoD2025", float(in_d1.sum()), float(df["residents"].sum())
                )
            )
            part.rows.append(_england_weighted("imd_average_rank", "IoD2025", rank, w))
            part.rows.append(_england_weighted("imd_average_score", "IoD2025", df["imd_score"], w))
            for ind, col in health25.items():
                part.rows.append(_england_weighted(ind, "IoD2025", df[col], w))
    return part


def indicators_census(data_dir: Path, lk: Lookups) -> Part:
    """Census 2021: disability (LSOA 2021 sums), household deprivation, and city-only tables."""
    part = Part()
    dis = sources.disability2021(data_dir)
    md = dis[dis["lsoa21_code"].isin(lk.lsoa21_lsoa11.index)].reset_index(drop=True)
    part.measures.append(
        (
            _measures(md["lsoa21_code"], "disability", "Census 2021", md["disabled"], md["residents"]),
            lk.lsoa21_ward,
            None,
        )
    )
    part.rows.append(
        aggregate.england_row("disability", "Census 2021", float(dis["disabled"].sum()), float(dis["residents"].sum()))
    )
    hd = sources.household_deprivation2021(data_dir)
    mh = hd[hd["lsoa21_code"].isin(lk.lsoa21_lsoa11.index)].reset_index(drop=True)
    for ind, col in (("household_deprivation", "deprived_1plus"), ("household_deprivation_2plus", "deprived_2plus")):
        part.measures.append(
            (_measures(mh["lsoa21_code"], ind, "Census 2021", mh[col], mh["households"]), lk.lsoa21_ward, None)
        )
        part.rows.append(aggregate.england_row(ind, "Census 2021", float(hd[col].sum()), float(hd["households"].sum())))

    cd = sources.census_la(data_dir, "census_disability")
    cd = cd[cd["measure"] == "Count"]
    lot = float(cd.loc[cd["disability_category"].str.contains("limited a lot"), "value"].sum())
    part.rows.append(
        _city_row(
            "disability_limited_lot",
            "Census 2021",
            lot,
            float(cd["value"].sum()),
            note="Published Manchester table; age-standardised 11.4%",
        )
    )
    ch = sources.census_la(data_dir, "census_health")
    ch = ch[ch["measure"] == "Count"]
    bad = float(ch.loc[ch["general_health"].isin(["Bad health", "Very bad health"]), "value"].sum())
    part.rows.append(
        _city_row(
            "bad_health",
            "Census 2021",
            bad,
            float(ch["value"].sum()),
            note="Published Manchester table; age-standardised 8.8%",
        )
    )
    return part


def indicators_population(data_dir: Path, lk: Lookups, pop: pd.DataFrame) -> Part:
    """Mid-2020 population and age shares (0-15, 65+, 75+, 85+)."""
    part = Part()
    m = pop[pop["lsoa11_code"].isin(lk.lsoa11_ward.index)].reset_index(drop=True)
    part.measures.append(
        (
            _measures(m["lsoa11_code"], "population", "mid-2020", m["total"], np.full(len(m), np.nan)),
            lk.lsoa11_ward,
            "lsoa",
        )
    )
    part.rows.append(aggregate.england_row("population", "mid-2020", float(pop["total"].sum()), np.nan))
    for col in ("age_0_15", "age_65plus", "age_75plus", "age_85plus"):
        ind = f"population_{col}"
        part.measures.append((_measures(m["lsoa11_code"], ind, "mid-2020", m[col], m["total"]), lk.lsoa11_ward, "lsoa"))
        part.rows.append(aggregate.england_row(ind, "mid-2020", float(pop[col].sum()), float(pop["total"].sum())))
    return part


def _dwp_long(data_dir: Path, key: str, period_fn) -> pd.DataFrame:
    df = sources.stat_xplore(data_dir, key)
    df["flag"] = df["period_label"].map(sources.provisional)
    df["period"] = df["period_label"].map(period_fn)
    return df


def indicators_dwp(data_dir: Path, lk: Lookups, pop: pd.DataFrame) -> Part:
    """Children in relative low-income families (yearly) and households on UC (monthly)."""
    part = Part()
    m_pop = pop[pop["lsoa11_code"].isin(lk.lsoa11_ward.index)]
    age019_msoa = m_pop.groupby(m_pop["lsoa11_code"].map(lk.lsoa11_msoa11))["age_0_19"].sum()
    hd = sources.household_deprivation2021(data_dir)
    mh = hd[hd["lsoa21_code"].isin(lk.lsoa21_lsoa11.index)]
    hh_msoa = mh.groupby(mh["lsoa21_code"].map(lk.lsoa21_msoa11))["households"].sum()
    england_019 = float(pop["age_0_19"].sum())
    england_hh = float(hd["households"].sum())

    for ind, key_msoa, key_la, period_fn, denom, eng_den, n_la in (
        ("children_low_income", "cilif_msoa", "cilif_la", sources.financial_year, age019_msoa, england_019, "309"),
        ("universal_credit_households", "uc_msoa", "uc_la", sources.month_period, hh_msoa, england_hh, "296"),
    ):
        ms = _dwp_long(data_dir, key_msoa, period_fn)
        ms["msoa11_code"] = ms["area_name"].map(lk.msoa11_code_by_name)
        if ms["msoa11_code"].isna().any():
            raise sources.MissingInputError(
                "DWP MSOA names not in the MSOA lookup: "
                + ", ".join(ms.loc[ms["msoa11_code"].isna(), "area_name"].unique())
            )
        for period, grp in ms.groupby("period", sort=True):
            part.measures.append(
                (
                    _measures(grp["msoa11_code"], ind, period, grp["count"], grp["msoa11_code"].map(denom)),
                    lk.msoa11_ward,
                    None,
                )
            )
        la = _dwp_long(data_dir, key_la, period_fn)
        flags = la.drop_duplicates("period").set_index("period")["flag"]
        mcr = la[la["area_name"] == CITY_NAME].set_index("period")["count"]
        for period, grp in la.groupby("period", sort=True):
            row = aggregate.england_row(ind, period, float(grp["count"].sum()), eng_den)
            row["note"] = f"Sum of the {n_la} English local authorities (derived)" + _flag_note(flags.get(period))
            part.rows.append(row)
            part.rows.append(
                {
                    "indicator_id": ind,
                    "period": period,
                    "area_type": "city_published",
                    "published": float(mcr[period]),
                    "flag": flags.get(period),
                }
            )
    return part


def _flag_note(flag: str | None) -> str:
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
            _city_row(
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
                _city_row(ind, str(int(r["year"])), np.nan, np.nan, value=float(r[col]), note="Published value")
            )
        e = aggregate.england_row(ind, "2015", np.nan, np.nan)
        e["value"] = 100.0
        e["note"] = "England 2015 = 100 by construction"
        part.rows.append(e)
    return part


#: Share of diagnosed dementia patients aged 65+ (seed fact ``dementia_65plus_share``, percent).
DEMENTIA_65PLUS_FACT = "dementia_65plus_share"
MICRO = 1_000_000  # expected counts are apportioned in whole millionths of a person


def expected_weights(ward_pop: pd.DataFrame, dementia_65plus: float) -> dict[str, pd.Series]:
    """Ward weights (each summing to 1) for the expected register counts.

    ``ward_pop`` holds ``total, age_18plus, age_under65, age_65plus`` per ward (mid-2020).
    Dementia: ``s x P65(ward)/P65(city) + (1 - s) x Pu65(ward)/Pu65(city)`` with ``s`` the seed
    share of diagnosed patients aged 65+ (0.95). Depression (18+ register): share of residents
    18+. Serious mental illness and learning disability (all-ages registers): share of residents.
    """
    share = lambda col: ward_pop[col] / ward_pop[col].sum()  # noqa: E731
    return {
        "expected_dementia": dementia_65plus * share("age_65plus") + (1 - dementia_65plus) * share("age_under65"),
        "expected_smi": share("total"),
        "expected_depression": share("age_18plus"),
        "expected_learning_disability": share("total"),
    }


def indicators_expected(data_dir: Path, lk: Lookups, pop: pd.DataFrame) -> Part:
    """Expected (modelled) register counts: the city's QOF 2019/20 register spread over wards.

    Each ward gets ``register x weight`` (see :func:`expected_weights`), held in whole millionths
    of a person by the largest-remainder method so every level adds up exactly to the register.
    """
    from lib.methods.apportion import apportion as largest_remainder
    from lib.pipeline.catalogue import EXPECTED_REGISTERS

    part = Part()
    m = pop[pop["lsoa11_code"].isin(lk.lsoa11_ward.index)]
    ward_pop = (
        m.groupby(m["lsoa11_code"].map(lk.lsoa11_ward))[["total", "age_18plus", "age_under65", "age_65plus"]]
        .sum()
        .sort_index()
    )
    facts = sources.seed(data_dir, "city_headline_facts").set_index("fact_id")
    s65 = float(facts.loc[DEMENTIA_65PLUS_FACT, "value"]) / 100.0
    weights = expected_weights(ward_pop, s65)
    lad = sources.qof(data_dir, "lad")
    man = lad[lad["lad_code"] == CITY_CODE].set_index("group_code")
    wards = pd.Series(ward_pop.index, index=ward_pop.index)
    for ind, (code, _name, _ages, _w) in EXPECTED_REGISTERS.items():
        register = float(man.loc[code, "register"])
        micro = largest_remainder(round(register * MICRO), weights[ind].to_dict())
        counts = np.array([micro[w] for w in ward_pop.index], dtype=float) / MICRO
        part.measures.append((_measures(wards, ind, "2019/20", counts, np.full(len(counts), np.nan)), wards, None))
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
            _city_row(
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


def build_values(data_dir: Path, definition: pd.DataFrame, indicators: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Build the full ``values.csv`` frame. Returns (values, build notes)."""
    pop = sources.population2020(data_dir)
    lk = load_lookups(data_dir, pop)
    parts = [
        indicators_deprivation(data_dir, lk, pop),
        indicators_census(data_dir, lk),
        indicators_population(data_dir, lk, pop),
        indicators_dwp(data_dir, lk, pop),
        indicators_city_context(data_dir),
        indicators_expected(data_dir, lk, pop),
        indicators_homelessness(data_dir, lk),
    ]
    rolled: list[pd.DataFrame] = []
    extra: list[dict] = []
    published: list[dict] = []
    for part in parts:
        for measures, unit_to_ward, unit_type in part.measures:
            rolled.append(
                aggregate.roll_up(measures, unit_to_ward, definition, unit_type=unit_type, unit_names=lk.lsoa11_name)
            )
        for r in part.rows:
            (published if r.get("area_type") == "city_published" else extra).append(r)
    frame = pd.concat(rolled + [pd.DataFrame(extra)], ignore_index=True)
    frame["note"] = frame.get("note", pd.Series(pd.NA, index=frame.index))
    sup = frame["n_suppressed"].fillna(0).astype(int)
    withheld = np.where(
        sup > 0,
        sup.astype(str)
        + np.where(frame["area_type"] == "lsoa", " (this LSOA)", " LSOA(s)")
        + " with numerators withheld at source, counted as 0",
        "",
    )
    frame["note"] = [_join(a, b) for a, b in zip(frame["note"], withheld)]
    pub = pd.DataFrame(published)
    if len(pub):
        key = frame["indicator_id"] + "|" + frame["period"]
        pub_key = pub["indicator_id"] + "|" + pub["period"]
        pub_note = pd.Series(
            [
                f"Published Manchester total {v:,.0f}; the MSOA sum differs by disclosure control" + _flag_note(f)
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
                _join(n, _flag_note(flag.get(k)).lstrip("; ")) for n, k in zip(frame.loc[sel, "note"], key[sel])
            ]
    values = aggregate.compute_values(frame, indicators)
    targets = activity_target_rows(data_dir, values, definition)
    if len(targets):
        values = pd.concat([values, aggregate.compute_values(targets, indicators)], ignore_index=True)
    values = aggregate.add_comparisons(values, indicators)
    return tidy_values(values, indicators), lk.notes


def activity_target_rows(data_dir: Path, values: pd.DataFrame, definition: pd.DataFrame) -> pd.DataFrame:
    """Modelled neighbourhood shares of the 2020/21 city targets (by population), with their
    locality sums and the city target, for the explorer views.

    Uses the same function as the Activity shift page (:func:`lib.methods.apportion.target_shares`), so
    the numbers agree. No ward rows: the targets were set for the city, and a ward split would
    add nothing but rounding.
    """
    from lib.methods import apportion
    from lib.pipeline.seeds import activity_targets

    shares = apportion.target_shares(activity_targets(data_dir), apportion.population_weights(values), "population")
    d = definition.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")
    rows = []
    note = "Modelled: city target split by population (largest remainder)"
    for mid, grp in shares.groupby("measure_id", sort=True):
        ind = f"target_{mid}"
        for _, r in grp.iterrows():
            rows.append(
                {
                    "indicator_id": ind,
                    "period": "2020/21",
                    "area_type": "neighbourhood",
                    "area_code": r["neighbourhood_code"],
                    "area_name": d.loc[r["neighbourhood_code"], "neighbourhood_name"],
                    "parent_code": d.loc[r["neighbourhood_code"], "locality_code"],
                    "numerator": float(r["share"]),
                    "denominator": np.nan,
                    "note": note,
                }
            )
        loc = grp.assign(loc=grp["neighbourhood_code"].map(d["locality_code"])).groupby("loc")["share"].sum()
        names = d.drop_duplicates("locality_code").set_index("locality_code")["locality_name"]
        for code, total in loc.items():
            rows.append(
                {
                    "indicator_id": ind,
                    "period": "2020/21",
                    "area_type": "locality",
                    "area_code": code,
                    "area_name": names[code],
                    "parent_code": CITY_CODE,
                    "numerator": float(total),
                    "denominator": np.nan,
                    "note": "Sum of its neighbourhoods' modelled shares",
                }
            )
        rows.append(
            {
                "indicator_id": ind,
                "period": "2020/21",
                "area_type": "city",
                "area_code": CITY_CODE,
                "area_name": CITY_NAME,
                "parent_code": ENGLAND_CODE,
                "numerator": float(grp["city_target"].iloc[0]),
                "denominator": np.nan,
                "note": "Published city target (real)",
            }
        )
    return pd.DataFrame(rows)


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
