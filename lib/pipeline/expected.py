"""Modelled figures: expected register counts (the city's QOF 2019/20 registers spread over wards
by age structure) and the neighbourhoods' shares of the activity-shift targets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lib.core.definitions import CITY_CODE, CITY_NAME, ENGLAND_CODE
from lib.pipeline import sources
from lib.pipeline.parts import Lookups, Part, measures

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
        part.measures.append((measures(wards, ind, "2019/20", counts, np.full(len(counts), np.nan)), wards, None))
    return part


def activity_target_rows(data_dir: Path, values: pd.DataFrame, definition: pd.DataFrame) -> pd.DataFrame:
    """Modelled neighbourhood shares of the 2020/21 city targets (each line by its own driver:
    :data:`lib.methods.apportion.TARGET_DRIVERS`), with their locality sums and the city target,
    for the explorer views.

    Uses the same function as the Activity shift page's default
    (:func:`lib.methods.apportion.target_shares_by_driver`), so the numbers agree. No ward rows:
    the targets were set for the city, and a ward split would add nothing but rounding.
    """
    from lib.methods import apportion
    from lib.pipeline.seeds import activity_targets

    shares = apportion.target_shares_by_driver(activity_targets(data_dir), values)
    d = definition.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")
    rows = []
    for mid, grp in shares.groupby("measure_id", sort=True):
        ind = f"target_{mid}"
        note = f"Modelled: city target split by {grp['driver_text'].iloc[0]} (largest remainder)"
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
