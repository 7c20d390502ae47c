"""Where each MSOA (2011) belongs: a best fit to one neighbourhood and one of its wards.

MSOAs do not nest in wards or neighbourhoods. Each MSOA is assigned by the residents of its LSOAs
(ONS mid-2020 estimates; each LSOA 2011 placed in a ward by the ONS LSOA -> ward best-fit lookup and
in a neighbourhood by the definition): first to the **neighbourhood** holding most of its residents,
then to the ward of that neighbourhood holding most of them (ties: the lower code). The shares say
how good the fit is; the ONS MSOA -> ward best-fit lookup is kept beside it for comparison.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lib.pipeline import sources

METHOD = (
    "Each MSOA is assigned to the neighbourhood holding most of its residents (ONS mid-2020 estimates of its "
    "LSOAs, each LSOA placed in a ward by the ONS LSOA 2011 to ward best-fit lookup), and within it to the ward "
    "holding most of them."
)


def best_fit(data_dir: Path, definition: pd.DataFrame) -> pd.DataFrame:
    """One row per Manchester MSOA 2011, sorted by code.

    Columns: ``msoa11_code, msoa11_name`` (ONS), ``hcl_name`` (House of Commons Library name),
    ``ward_code, neighbourhood_code, locality_code`` (the best fit), ``share_neighbourhood`` and
    ``share_ward`` (the fraction of the MSOA's mid-2020 residents living there), ``residents`` and
    ``ons_ward_code`` (the ONS MSOA -> ward best-fit lookup's ward).
    """
    oa = pd.read_csv(sources.path(data_dir, "oa11"), dtype=str)
    lsoa_msoa = oa.drop_duplicates("lsoa11cd").set_index("lsoa11cd")["msoa11cd"]
    lw = pd.read_csv(sources.path(data_dir, "lsoa11_wd17"), dtype=str).drop_duplicates("LSOA11CD")
    pop = sources.population2020(data_dir).set_index("lsoa11_code")["total"]
    d = definition.set_index("ward_code")
    lsoa = pd.DataFrame({"lsoa11_code": lw["LSOA11CD"].to_numpy(), "ward_code": lw["WD17CD"].to_numpy()})
    lsoa["msoa11_code"] = lsoa["lsoa11_code"].map(lsoa_msoa)
    lsoa["neighbourhood_code"] = lsoa["ward_code"].map(d["neighbourhood_code"])
    lsoa["residents"] = lsoa["lsoa11_code"].map(pop).astype(float)
    missing = lsoa.loc[lsoa[["msoa11_code", "neighbourhood_code", "residents"]].isna().any(axis=1), "lsoa11_code"]
    if len(missing):
        raise ValueError("LSOA(s) without an MSOA, a neighbourhood or a population: " + ", ".join(missing))
    total = lsoa.groupby("msoa11_code")["residents"].sum()
    by_nbhd = lsoa.groupby(["msoa11_code", "neighbourhood_code"], as_index=False)["residents"].sum()
    by_nbhd = by_nbhd.sort_values(["msoa11_code", "residents", "neighbourhood_code"], ascending=[True, False, True])
    nbhd = by_nbhd.drop_duplicates("msoa11_code").set_index("msoa11_code")
    by_ward = lsoa.groupby(["msoa11_code", "neighbourhood_code", "ward_code"], as_index=False)["residents"].sum()
    by_ward = by_ward[
        by_ward["neighbourhood_code"].to_numpy() == by_ward["msoa11_code"].map(nbhd["neighbourhood_code"])
    ]
    by_ward = by_ward.sort_values(["msoa11_code", "residents", "ward_code"], ascending=[True, False, True])
    ward = by_ward.drop_duplicates("msoa11_code").set_index("msoa11_code")
    names = pd.read_csv(sources.path(data_dir, "msoa_names"), dtype=str).set_index("msoa11cd")
    ons = pd.read_csv(sources.path(data_dir, "msoa11_wd17"), dtype=str).set_index("MSOA11CD")["WD17CD"]
    codes = sorted(total.index)
    out = pd.DataFrame(
        {
            "msoa11_code": codes,
            "msoa11_name": names["msoa11nm"].reindex(codes).to_numpy(),
            "hcl_name": names["msoa11hclnm"].reindex(codes).to_numpy(),
            "ward_code": ward["ward_code"].reindex(codes).to_numpy(),
            "neighbourhood_code": nbhd["neighbourhood_code"].reindex(codes).to_numpy(),
            "share_neighbourhood": (nbhd["residents"] / total).reindex(codes).to_numpy(),
            "share_ward": (ward["residents"] / total).reindex(codes).to_numpy(),
            "residents": total.reindex(codes).to_numpy(),
            "ons_ward_code": ons.reindex(codes).to_numpy(),
        }
    )
    out["locality_code"] = out["ward_code"].map(d["locality_code"])
    return out


def display_name(row: pd.Series | dict) -> str:
    """``'Boothroyden & Higher Blackley (Manchester 001)'``: the Library's name and the ONS name."""
    hcl, ons = row.get("hcl_name"), row.get("msoa11_name")
    if isinstance(hcl, str) and hcl.strip():
        return f"{hcl} ({ons})"
    return str(ons)
