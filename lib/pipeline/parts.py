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
    #: Merged LSOA 2021s (change code M): ``lsoa21_code, lsoa11_code, share`` for each of their
    #: LSOA 2011 predecessors, ``share`` = the predecessor's mid-2020 population / the pair's.
    lsoa21_split: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["lsoa21_code", "lsoa11_code", "share"])
    )
    #: LSOA 2021 names ("Manchester 032F"), by code (from the ONS LSOA 2011 -> 2021 lookup).
    lsoa21_name: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))

    @property
    def lsoa21_ward(self) -> pd.Series:
        return self.lsoa21_lsoa11.map(self.lsoa11_ward)

    @property
    def lsoa21_msoa11(self) -> pd.Series:
        return self.lsoa21_lsoa11.map(self.lsoa11_msoa11)

    def split_merged(self, m: pd.DataFrame, unit_to_ward: pd.Series, weighted: bool) -> tuple[pd.DataFrame, pd.Series]:
        """Measures of LSOA 2021 units with each merged LSOA 2021 split between its LSOA 2011
        predecessors (:attr:`lsoa21_split`), and the lookup extended to those predecessors' wards.

        Counts are split into whole numbers that add back exactly (the larger share rounds, the
        other takes the rest). For a weighted mean (``weighted``: numerator = value x weight) the
        weight is split that way and the numerator in proportion, so each part keeps the value.
        Frames without a merged LSOA 2021 come back unchanged."""
        sp = self.lsoa21_split
        hit = m["unit_code"].isin(sp["lsoa21_code"]).to_numpy()
        if not hit.any():
            return m, unit_to_ward
        rows = []
        for _, r in m[hit].iterrows():
            parts = sp[sp["lsoa21_code"] == r["unit_code"]].sort_values(
                ["share", "lsoa11_code"], ascending=[False, True]
            )
            den = _whole_split(r["denominator"], parts["share"].to_numpy(float))
            if weighted:
                with np.errstate(divide="ignore", invalid="ignore"):
                    num = (
                        r["numerator"] * den / r["denominator"] if r["denominator"] else r["numerator"] * parts["share"]
                    )
            else:
                num = _whole_split(r["numerator"], parts["share"].to_numpy(float))
            for k, code in enumerate(parts["lsoa11_code"]):
                rows.append(
                    {**r.to_dict(), "unit_code": code, "numerator": float(num[k]), "denominator": float(den[k])}
                )
        out = pd.concat([m[~hit], pd.DataFrame(rows, columns=m.columns)], ignore_index=True)
        extra = self.lsoa11_ward.reindex(sp["lsoa11_code"].unique())
        lookup = pd.concat([unit_to_ward, extra[~extra.index.isin(unit_to_ward.index)]])
        return out, lookup


def _whole_split(x: float, shares: np.ndarray) -> np.ndarray:
    """``x`` split by ``shares`` (largest first): whole numbers adding back to ``x`` when it is
    whole (every part but the last rounded, the last the rest), else the exact products."""
    if pd.isna(x):
        return np.full(len(shares), np.nan)
    x = float(x)
    if x != int(x):
        return x * shares
    head = np.round(x * shares[:-1])
    return np.append(head, x - head.sum())


def load_lookups(data_dir: Path, pop2020: pd.DataFrame) -> Lookups:
    """Read the ONS best-fit lookups and resolve LSOA 2021 merges.

    A merged LSOA 2021 (change code M) has two LSOA 2011 parents, which may lie in different
    wards (E01034128 "Manchester 032F" = E01005282 in Rusholme, C4, + E01005283 in Levenshulme,
    C3). Its figures are split between the parents in proportion to their mid-2020 populations
    (:attr:`Lookups.lsoa21_split`, applied by :meth:`Lookups.split_merged`); ``lsoa21_lsoa11``
    keeps the larger parent for lookups that need one code. Splits (S) map to their single
    parent; unchanged (U) LSOAs map to themselves.
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
    ward = lw.set_index("LSOA11CD")["WD17CD"]
    split = merged.assign(share=merged["parent_pop"] / merged.groupby("lsoa21_code")["parent_pop"].transform("sum"))
    for code, grp in split.groupby("lsoa21_code"):
        parts = ", ".join(f"{c} ({ward.get(c, '?')}, {sh:.1%})" for c, sh in zip(grp["lsoa11_code"], grp["share"]))
        notes.append(f"LSOA 2021 {code} merges {parts}; split between them by mid-2020 population")
    first = l21.drop_duplicates("lsoa21_code")
    return Lookups(
        lsoa11_ward=lw.set_index("LSOA11CD")["WD17CD"],
        lsoa11_name=lw.set_index("LSOA11CD")["LSOA11NM"],
        msoa11_ward=mw.set_index("MSOA11CD")["WD17CD"],
        msoa11_code_by_name=mw.set_index("MSOA11NM")["MSOA11CD"],
        lsoa21_lsoa11=first.set_index("lsoa21_code")["lsoa11_code"],
        lsoa11_msoa11=oa.drop_duplicates("lsoa11cd").set_index("lsoa11cd")["msoa11cd"],
        notes=notes,
        lsoa21_split=split[["lsoa21_code", "lsoa11_code", "share"]].reset_index(drop=True),
        lsoa21_name=first.set_index("lsoa21_code")["lsoa21_name"],
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
