"""LSOA 2021 small-area rows (area type ``lsoa21``) for the indicators built from LSOA 2021.

The ward, neighbourhood and locality totals of an LSOA 2021 indicator split a merged LSOA 2021
between its LSOA 2011 predecessors (:meth:`lib.pipeline.parts.Lookups.split_merged`). The LSOA 2021
row itself is the whole published figure, unsplit: its parent (``parent_code``, and its ward on the
``lsoa21`` map layer) is the ward holding most of its residents, which is its LSOA 2011 best fit
(:attr:`lib.pipeline.parts.Lookups.lsoa21_ward`: the predecessor with the larger mid-2020 population).
A merged LSOA whose predecessors lie in different wards says so in its note: its figures are shared
between those wards (and, for E01034128, two neighbourhoods) in the totals, so the LSOA 2021 rows of a
ward add up to the ward's total only with those shares.
"""

from __future__ import annotations

import pandas as pd

from lib.methods import aggregate
from lib.pipeline.parts import Lookups

AREA_TYPE = "lsoa21"


def straddle_notes(lk: Lookups, definition: pd.DataFrame) -> dict[str, str]:
    """LSOA 2021 code -> the note of a merged LSOA 2021 whose predecessors lie in different wards."""
    ward_name = definition.set_index("ward_code")["ward_name"]
    nbhd = definition.set_index("ward_code")["neighbourhood_code"]
    notes = {}
    for code, grp in lk.lsoa21_split.groupby("lsoa21_code", sort=True):
        grp = grp.sort_values(["share", "lsoa11_code"], ascending=[False, True])
        wards = [lk.lsoa11_ward.get(c) for c in grp["lsoa11_code"]]
        if len(set(wards)) < 2:
            continue
        where = " and ".join(
            f"{ward_name.get(w, w)} ({nbhd.get(w, '?')}, {sh:.0%} of its mid-2020 residents)"
            for w, sh in zip(wards, grp["share"])
        )
        nbhds = sorted({nbhd.get(w) for w in wards})
        shared = f"two neighbourhoods ({' and '.join(nbhds)})" if len(nbhds) > 1 else "two wards"
        notes[code] = (
            f"Merged LSOA 2021 (two LSOA 2011s joined) straddling {where}; mapped in {ward_name.get(wards[0])}, "
            f"where most of its residents live, but its figures are shared between {shared} in the totals"
        )
    return notes


def unit_rows(measures: pd.DataFrame, lk: Lookups, definition: pd.DataFrame) -> pd.DataFrame:
    """The LSOA 2021 rows of one measures frame (Manchester LSOA 2021 units, unsplit), in the shape
    :func:`lib.methods.aggregate.roll_up` returns, plus ``note`` for a merged LSOA that straddles wards."""
    rolled = aggregate.roll_up(measures, lk.lsoa21_ward, definition, unit_type=AREA_TYPE, unit_names=lk.lsoa21_name)
    rows = rolled[rolled["area_type"] == AREA_TYPE].reset_index(drop=True)
    notes = straddle_notes(lk, definition)
    rows["note"] = rows["area_code"].map(notes)
    return rows
