"""What every part of the build shares: the lookups from small areas to wards, and the measures
(count over denominator, or a weighted mean) a part returns for roll-up, or its ready city rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lib.core.definitions import CITY_CODE, CITY_NAME, ENGLAND_CODE
from lib.methods import aggregate
from lib.pipeline import sources


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


def measures(unit: pd.Series, ind: str, period: str, num, den, suppressed=None) -> pd.DataFrame:
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


def weighted(unit: pd.Series, ind: str, period: str, value: pd.Series, weight: pd.Series) -> pd.DataFrame:
    ok = value.notna() & weight.notna()
    return measures(unit[ok], ind, period, (value * weight)[ok], weight[ok])


def england_weighted(ind: str, period: str, value: pd.Series, weight: pd.Series) -> dict:
    ok = value.notna() & weight.notna()
    return aggregate.england_row(ind, period, float((value * weight)[ok].sum()), float(weight[ok].sum()))


def city_row(ind: str, period: str, num: float, den: float, value: float = np.nan, note: str = "") -> dict:
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
