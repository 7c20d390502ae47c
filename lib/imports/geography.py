"""Where the areas of an uploaded file are: the lookups that place them in the 12 neighbourhoods.

An uploaded file may be at LSOA 2011 (``E01``; best-fit to 2004–2018 wards from
``geodata/lsoa.geojson``), MSOA 2011 (``E02``; ONS best-fit to wards,
``geodata/lookups/msoa11_ward17_bestfit.csv``, a rough fit), 2004–2018 wards
(``E05000687``–``E05000718``), May-2018 wards (``E05011350``–``E05011381``: each assigned wholly to
one neighbourhood by ``geodata/wards2018_bestfit.csv``, approximate) or the neighbourhood codes
themselves. :func:`classify` tells them apart by code; :func:`missing_units` names the areas of a
level a file left out (neighbourhood figures need every area).

Pure functions, no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from lib.core.definitions import CITY_CODE, ENGLAND_CODE

ROOT = Path(__file__).resolve().parents[2]

#: The levels an upload may be at, as the user reads them.
LEVEL_WORDS = {
    "lsoa": "LSOAs (2011)",
    "msoa": "MSOAs (2011)",
    "ward": "wards (2004–2018)",
    "ward2018": "wards (May 2018 onwards)",
    "neighbourhood": "neighbourhoods",
}
FINEST_FIRST = ("lsoa", "msoa", "ward", "ward2018", "neighbourhood")


@dataclass(frozen=True)
class Geography:
    """What the importer needs to place areas: the 12-neighbourhood definition and the lookups."""

    definition: pd.DataFrame
    lsoa_to_ward: pd.Series
    lsoa_names: pd.Series
    msoa_to_ward: pd.Series
    msoa_names: pd.Series
    ward2018: pd.DataFrame  # ward2018_code, ward2018_name, neighbourhood_code, confidence, note
    population: pd.DataFrame  # area_type, area_code, population (mid-2020)


def load_geography(
    root: Path = ROOT, definition: pd.DataFrame | None = None, values: pd.DataFrame | None = None
) -> Geography:
    """Read the lookups from the embedded dataset (``geodata/``, population from ``values``);
    :class:`lib.core.data.DataFileError` names a missing or damaged file."""
    from lib.core import data

    if definition is None or values is None:
        ds = data.load_dataset(root)
        definition, values = ds.definition, ds.values
    lsoa = data.load_geojson("geodata/lsoa.geojson", ["code", "ward_code", "name"], root)
    props = pd.DataFrame([f["properties"] for f in lsoa["features"]])
    msoa = data.load_csv(
        "geodata/lookups/msoa11_ward17_bestfit.csv",
        ["msoa_code", "ward_code", "msoa_name"],
        root,
        dtype=str,
        keep_default_na=True,
        na_values=None,
    )
    w18 = data.load_csv(
        "geodata/wards2018_bestfit.csv",
        ["ward2018_code", "ward2018_name", "neighbourhood_code"],
        root,
        dtype=str,
        na_values=None,
    )
    pop = values.loc[(values["indicator_id"] == "population"), ["period", "area_type", "area_code", "numerator"]]
    pop = pop.sort_values("period").drop_duplicates(["area_type", "area_code"], keep="last")
    return Geography(
        definition=definition,
        lsoa_to_ward=props.set_index("code")["ward_code"],
        lsoa_names=props.set_index("code")["name"],
        msoa_to_ward=msoa.set_index("msoa_code")["ward_code"],
        msoa_names=msoa.set_index("msoa_code")["msoa_name"],
        ward2018=w18,
        population=pop.rename(columns={"numerator": "population"})[["area_type", "area_code", "population"]],
    )


def classify(codes: pd.Series, geo: Geography) -> pd.Series:
    """The level of each area code: england, city, ward, ward2018, lsoa, msoa, neighbourhood,
    locality or unknown (case is ignored)."""
    wards = set(geo.definition["ward_code"])
    nbhds = {c.upper() for c in geo.definition["neighbourhood_code"]}
    locs = {c.upper() for c in geo.definition["locality_code"]}
    w18 = set(geo.ward2018["ward2018_code"])
    lsoa, msoa = set(geo.lsoa_to_ward.index), set(geo.msoa_to_ward.index)
    known = (
        ("ward", wards),
        ("ward2018", w18),
        ("lsoa", lsoa),
        ("msoa", msoa),
        ("neighbourhood", nbhds),
        ("locality", locs),
    )

    def one(c: str) -> str:
        u = c.upper()
        if u == ENGLAND_CODE:
            return "england"
        if u == CITY_CODE:
            return "city"
        return next((level for level, members in known if u in members), "unknown")

    return codes.map(one)


def unknown_hint(codes: pd.Series) -> str:
    """Advice for area codes that are not Manchester areas this app knows, from their prefix."""
    c = codes.astype(str).str.upper()
    if c.str.startswith("E01").any():
        return (
            " LSOA codes must be the 2011 set (Manchester's 282); LSOA 2021 codes that changed in 2021 are not "
            "accepted: convert them to 2011 codes or aggregate to wards first."
        )
    if c.str.startswith("E05").any():
        return (
            " Ward codes must be Manchester's 2004–2018 wards (E05000687–E05000718) or May-2018 wards "
            "(E05011350–E05011381); wards of other councils are not accepted here."
        )
    return (
        " Use ONS codes for Manchester's LSOAs (E01…), MSOAs (E02…) or wards (E05…), or the neighbourhood "
        "codes (N1–N4, C1–C4, S1–S4). Check for typing errors."
    )


def _units(level: str, geo: Geography) -> pd.Series:
    """All units of a level, code -> name."""
    d = geo.definition
    if level == "ward":
        return d.set_index("ward_code")["ward_name"]
    if level == "ward2018":
        return geo.ward2018.set_index("ward2018_code")["ward2018_name"]
    if level == "lsoa":
        return geo.lsoa_names
    if level == "msoa":
        return geo.msoa_names
    return d.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")["neighbourhood_name"]


def missing_units(g: pd.DataFrame, level: str, geo: Geography) -> list[str]:
    """``name (code)`` of every area of ``level`` that has no row in ``g``."""
    units = _units(level, geo)
    have = set(g.loc[g["level"] == level, "area_code"].str.upper())
    return [f"{name} ({code})" for code, name in units.items() if code.upper() not in have]


def ward2018_definition(geo: Geography) -> pd.DataFrame:
    """A definition table on the May-2018 wards (best-fit to the 12 neighbourhoods)."""
    d = geo.definition.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")
    w = geo.ward2018
    return pd.DataFrame(
        {
            "ward_code": w["ward2018_code"],
            "ward_name": w["ward2018_name"],
            "neighbourhood_code": w["neighbourhood_code"],
            "neighbourhood_name": w["neighbourhood_code"].map(d["neighbourhood_name"]),
            "locality_code": w["neighbourhood_code"].map(d["locality_code"]),
            "locality_name": w["neighbourhood_code"].map(d["locality_name"]),
        }
    )
