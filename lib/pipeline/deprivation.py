"""Deprivation at small area, rolled up to wards and neighbourhoods: the Indices of Deprivation
(IMD shares, ranks and scores; income, IDACI, IDAOPI) and DWP low-income families and Universal Credit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lib.core.definitions import CITY_NAME
from lib.methods import aggregate, apportion
from lib.pipeline import sources
from lib.pipeline.city import flag_note
from lib.pipeline.parts import Lookups, Part, england_weighted, measures, weighted

#: The IoD2019 numerators MHCLG withholds when small: (indicator, File 8 column, File 6 denominator).
WITHHELD_NUMERATORS: tuple[tuple[str, str, str], ...] = (
    ("income_deprivation", "income_domain_numerator", "pop_total"),
    ("idaci", "income_deprivation_affecting_children_index_idaci_numerator", "pop_0_15"),
    ("idaopi", "income_deprivation_affecting_older_people_index_idaopi_numerator", "pop_60plus"),
)


def withheld_maximum(published: pd.Series) -> float:
    """The most a withheld numerator can be. MHCLG rounds the File 8 numerators to the nearest 5 and
    withholds small ones without stating the cut-off; the smallest figure it publishes anywhere in
    England is 10, so a withheld count is below 10: at most 9 (one less than the smallest published)."""
    return float(published.dropna().min()) - 1


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
                    measures(df["lsoa11_code"], "imd_most_deprived_10pct", "IoD2019", in_d1, df["pop_total"]),
                    lk.lsoa11_ward,
                    "lsoa",
                )
            )
            part.measures.append(
                (
                    weighted(df["lsoa11_code"], "imd_average_rank", "IoD2019", rank, df["pop_total"].astype(float)),
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
            part.rows.append(england_weighted("imd_average_rank", "IoD2019", rank, df["pop_total"].astype(float)))

    # Income, IDACI, IDAOPI: summed numerators. A numerator withheld at source (blank) is
    # counted as 0 in the sums, and its largest possible value (withheld_maximum) is carried
    # beside it, so the build can blank the LSOA and test each total at both ends.
    for ind, num_col, den_col in WITHHELD_NUMERATORS:
        sup = m19[num_col].isna()
        cap = withheld_maximum(e19[num_col])
        m = measures(m19["lsoa11_code"], ind, "IoD2019", m19[num_col].fillna(0), m19[den_col], sup)
        m["numerator_max"] = m19[num_col].fillna(np.minimum(cap, m19[den_col])).to_numpy(float)
        part.measures.append((m, lk.lsoa11_ward, "lsoa"))
        row = aggregate.england_row(ind, "IoD2019", float(e19[num_col].fillna(0).sum()), float(e19[den_col].sum()))
        row["n_suppressed"] = int(e19[num_col].isna().sum())
        row["n_units"] = len(e19)
        row["numerator_max"] = float(e19[num_col].fillna(np.minimum(cap, e19[den_col])).sum())
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
        part.measures.append((weighted(m19["lsoa11_code"], ind, "IoD2019", m19[col], w19), lk.lsoa11_ward, "lsoa"))
        part.rows.append(england_weighted(ind, "IoD2019", e19[col], e19["pop_total"].astype(float)))

    # IoD2015 (LSOA 2011), weighted by the same mid-2015 population
    i15 = sources.imd2015(data_dir).merge(f6, on="lsoa11_code", validate="1:1")
    m15 = i15[i15["lsoa11_code"].isin(lk.lsoa11_ward.index)].reset_index(drop=True)
    for df, sink in ((m15, "m"), (i15, "e")):
        in_d1 = (df["imd_decile"] == 1) * df["pop_total"]
        if sink == "m":
            part.measures.append(
                (
                    measures(df["lsoa11_code"], "imd_most_deprived_10pct", "IoD2015", in_d1, df["pop_total"]),
                    lk.lsoa11_ward,
                    "lsoa",
                )
            )
            part.measures.append(
                (
                    weighted(
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
                england_weighted("imd_average_score", "IoD2015", df["imd_score"], df["pop_total"].astype(float))
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
                (measures(u, "imd_most_deprived_10pct", "IoD2025", in_d1, df["residents"]), lk.lsoa21_ward, "lsoa21")
            )
            part.measures.append((weighted(u, "imd_average_rank", "IoD2025", rank, w), lk.lsoa21_ward, "lsoa21"))
            part.measures.append(
                (weighted(u, "imd_average_score", "IoD2025", df["imd_score"], w), lk.lsoa21_ward, "lsoa21")
            )
            for ind, col in health25.items():
                part.measures.append((weighted(u, ind, "IoD2025", df[col], w), lk.lsoa21_ward, "lsoa21"))
        else:
            part.rows.append(
                aggregate.england_row(
                    "imd_most_deprived_10pct", "IoD2025", float(in_d1.sum()), float(df["residents"].sum())
                )
            )
            part.rows.append(england_weighted("imd_average_rank", "IoD2025", rank, w))
            part.rows.append(england_weighted("imd_average_score", "IoD2025", df["imd_score"], w))
            for ind, col in health25.items():
                part.rows.append(england_weighted(ind, "IoD2025", df[col], w))
    return part


def _dwp_long(data_dir: Path, key: str, period_fn) -> pd.DataFrame:
    df = sources.stat_xplore(data_dir, key)
    labels = df["period_label"].unique()  # parse each label once, not once per row
    df["flag"] = df["period_label"].map({label: sources.provisional(label) for label in labels})
    df["period"] = df["period_label"].map({label: period_fn(label) for label in labels})
    return df


def dwp_pieces(data_dir: Path, lk: Lookups, pop: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The weights that split each DWP MSOA 2011 count between wards: ``unit_code`` (MSOA),
    ``target_code`` (ward), ``weight``, one row per MSOA x ward it overlaps.

    The pieces come from the MSOA's LSOAs on the same route as every resident figure (LSOA 2011
    -> ward best fit; an LSOA 2021 through its LSOA 2011 best fit), so the weights summed over a
    ward are that ward's LSOA-route denominator. Children in low-income families: mid-2020
    residents aged 0-17; Universal Credit: Census 2021 households.
    """
    m_pop = pop[pop["lsoa11_code"].isin(lk.lsoa11_ward.index)]
    hd = sources.household_deprivation2021(data_dir)
    mh = hd[hd["lsoa21_code"].isin(lk.lsoa21_lsoa11.index)]
    out = {}
    for ind, units, msoa, ward, weight in (
        (
            "children_low_income",
            m_pop["lsoa11_code"],
            lk.lsoa11_msoa11,
            lk.lsoa11_ward,
            m_pop["age_0_17"],
        ),
        ("universal_credit_households", mh["lsoa21_code"], lk.lsoa21_msoa11, lk.lsoa21_ward, mh["households"]),
    ):
        df = pd.DataFrame(
            {
                "unit_code": units.map(msoa).to_numpy(),
                "target_code": units.map(ward).to_numpy(),
                "weight": weight.astype(float).to_numpy(),
            }
        )
        out[ind] = df.groupby(["unit_code", "target_code"], as_index=False, sort=True)["weight"].sum()
    return out


def indicators_dwp(data_dir: Path, lk: Lookups, pop: pd.DataFrame) -> Part:
    """Children in relative low-income families (yearly) and households on UC (monthly).

    DWP publishes these by MSOA 2011, and MSOAs do not nest in wards. Each MSOA's count is
    apportioned to the wards its LSOAs fall in, in proportion to its denominator population in
    each ward (:func:`dwp_pieces`; whole numbers by the largest-remainder method, so each MSOA's
    count and the city total are kept exactly): modelled figures. The denominators are the
    LSOA-route sums. England: the sum of the English local authorities.
    """
    part = Part()
    pieces = dwp_pieces(data_dir, lk, pop)
    hd = sources.household_deprivation2021(data_dir)
    england_017 = float(pop["age_0_17"].sum())
    england_hh = float(hd["households"].sum())

    for ind, key_msoa, key_la, period_fn, eng_den, n_la in (
        ("children_low_income", "cilif_msoa", "cilif_la", sources.financial_year, england_017, "309"),
        ("universal_credit_households", "uc_msoa", "uc_la", sources.month_period, england_hh, "296"),
    ):
        ms = _dwp_long(data_dir, key_msoa, period_fn)
        ms["unit_code"] = ms["area_name"].map(lk.msoa11_code_by_name)
        if ms["unit_code"].isna().any():
            raise sources.MissingInputError(
                "DWP MSOA names not in the MSOA lookup: "
                + ", ".join(ms.loc[ms["unit_code"].isna(), "area_name"].unique())
            )
        piece = pieces[ind]
        den = piece.groupby("target_code")["weight"].sum()
        split = apportion.split_counts(ms[["unit_code", "period", "count"]], piece)
        wards = split.groupby(["period", "target_code"], sort=True)["count"]
        ward = pd.DataFrame({"numerator": wards.sum(min_count=1), "withheld": wards.apply(lambda s: s.isna().any())})
        ward = ward.reset_index()
        ward_to_ward = pd.Series(den.index, index=den.index)
        rows = [
            measures(grp["target_code"], ind, period, grp["numerator"], grp["target_code"].map(den), grp["withheld"])
            for period, grp in ward.groupby("period", sort=True)
        ]
        part.measures.append((pd.concat(rows, ignore_index=True), ward_to_ward, None))  # one roll-up, every period
        la = _dwp_long(data_dir, key_la, period_fn)
        flags = la.drop_duplicates("period").set_index("period")["flag"]
        mcr = la[la["area_name"] == CITY_NAME].set_index("period")["count"]
        for period, grp in la.groupby("period", sort=True):
            row = aggregate.england_row(ind, period, float(grp["count"].sum()), eng_den)
            row["note"] = f"Sum of the {n_la} English local authorities (derived)" + flag_note(flags.get(period))
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
