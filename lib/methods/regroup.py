"""Another ward → neighbourhood grouping, rebuilt at run time from the ward figures.

Every indicator with figures for all wards of the grouping is rebuilt by the same engine
(:mod:`lib.methods.aggregate`): summed indicators by summing the wards' numerators and denominators,
population-weighted means (``score``/``ratio``, whose ward ``denominator`` holds the weight) by
summing value × weight and the weights; then values, intervals and comparisons are recomputed.
Ward and LSOA rows stay (ward rows get their new parent); Manchester and England rows stay as
published. Indicators with neighbourhood figures but no complete ward figures (e.g. targets
apportioned straight to the 12 neighbourhoods, or your data on the May-2018 wards) cannot be
regrouped: their neighbourhood and locality rows are left out, and the caller is told which.

A grouping may be written on the 2004–2018 wards (used as is) or on the May-2018 wards
(E05011350–E05011381): the latter is converted to the 2004–2018 wards by best fit: each
2004–2018 ward goes to the group holding most of its 2011 LSOAs (ONS best-fit LSOA → ward
lookups for both ward sets). That conversion is approximate and the caller says so.

Pure functions, no Streamlit.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from lib.core.contract import VALUE_COLUMNS
from lib.core.definitions import DEFINITION_COLUMNS, DefinitionError, validate_definition
from lib.methods import aggregate

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS_DIR = ROOT / "geodata" / "definitions"
#: Groupings shipped with the app: key -> (label, file under geodata/definitions, description).
SHIPPED = {
    "thirteen": (
        "13 neighbourhoods (City Centre separate)",
        "thirteen_neighbourhoods.csv",
        "The 12-neighbourhood model with the City Centre ward taken out of N4 as its own neighbourhood (CC), "
        "as in the council's later 13-neighbourhood model. Wards as in the 12-neighbourhood definition.",
    ),
}


@dataclass(frozen=True)
class Regrouped:
    values: pd.DataFrame
    definition: pd.DataFrame
    not_regrouped: list[str] = field(default_factory=list)


def load_shipped(key: str, known_wards=None) -> pd.DataFrame:
    """A grouping shipped in ``geodata/definitions/``, validated."""
    from lib.core import data  # a missing or damaged file raises data.DataFileError naming it

    label, fname, _ = SHIPPED[key]
    df = data.load_csv((DEFINITIONS_DIR / fname).relative_to(ROOT).as_posix(), DEFINITION_COLUMNS, ROOT, dtype=str)
    return validate_definition(df, known_wards)


def read_grouping(
    raw: bytes,
    filename: str,
    ward_names: pd.Series,
    lsoa_to_ward: pd.Series | None = None,
    lsoa_to_ward2018: pd.Series | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Read an uploaded grouping CSV. Returns (definition on the 2004–2018 wards, notes).

    Raises :class:`DefinitionError` with a message naming the file and what to fix.
    """
    if not raw or not raw.strip():
        raise DefinitionError(f"“{filename}” is empty. Upload a CSV with the columns {', '.join(DEFINITION_COLUMNS)}.")
    try:
        text = raw.decode("utf-8-sig")
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    except UnicodeDecodeError:
        raise DefinitionError(f"“{filename}” is not UTF-8 text. Save it as 'CSV UTF-8 (comma delimited)'.") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DefinitionError(
            f"“{filename}” could not be read as CSV ({exc}). Save it as 'CSV UTF-8 (comma delimited)'."
        ) from None
    notes: list[str] = []
    known_wards = list(ward_names.index)
    codes = set(df.get("ward_code", pd.Series(dtype=str)).dropna().str.strip())
    if (
        codes
        and all(c.startswith("E0501") for c in codes)
        and lsoa_to_ward is not None
        and lsoa_to_ward2018 is not None
    ):
        df = validate_definition(df)  # checks its own shape on the 2018 wards
        df = from_wards2018(df, lsoa_to_ward, lsoa_to_ward2018)
        df["ward_name"] = df["ward_code"].map(ward_names)
        notes.append(
            "Your grouping is written on the May-2018 wards: it was converted to the 2004–2018 wards by best "
            "fit (each old ward goes to the group holding most of its LSOAs), so it is approximate."
        )
    try:
        out = validate_definition(df, known_wards)
    except DefinitionError as exc:
        raise DefinitionError(f"“{filename}”: {exc}") from None
    return out, notes


def from_wards2018(def2018: pd.DataFrame, lsoa_to_ward: pd.Series, lsoa_to_ward2018: pd.Series) -> pd.DataFrame:
    """Convert a grouping on the May-2018 wards to the 2004–2018 wards by LSOA majority
    (``ward_name`` comes back as the code: the caller fills in names)."""
    lk = pd.DataFrame({"ward_code": lsoa_to_ward, "ward2018": lsoa_to_ward2018.reindex(lsoa_to_ward.index)}).dropna()
    g = def2018.set_index("ward_code")
    lk["group"] = lk["ward2018"].map(g["neighbourhood_code"])
    best = lk.dropna(subset=["group"]).groupby("ward_code")["group"].agg(lambda s: s.value_counts().index[0])
    meta = g.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")
    out = pd.DataFrame({"ward_code": best.index, "neighbourhood_code": best.to_numpy()})
    out["neighbourhood_name"] = out["neighbourhood_code"].map(meta["neighbourhood_name"])
    out["locality_code"] = out["neighbourhood_code"].map(meta["locality_code"])
    out["locality_name"] = out["neighbourhood_code"].map(meta["locality_name"])
    out["ward_name"] = out["ward_code"]
    return out[DEFINITION_COLUMNS]


def regroup(values: pd.DataFrame, indicators: pd.DataFrame, definition: pd.DataFrame, note: str = "") -> Regrouped:
    """Rebuild neighbourhood and locality rows of ``values`` for ``definition``."""
    meta = indicators.set_index("indicator_id")
    wards = set(definition["ward_code"])
    parent = definition.set_index("ward_code")["neighbourhood_code"]
    is_ward = (values["area_type"] == "ward") & values["area_code"].isin(wards)
    ward_rows = values[is_ward]
    counts = ward_rows.groupby(["indicator_id", "period"])["area_code"].nunique()
    complete = counts[counts == len(wards)].reset_index()[["indicator_id", "period"]]
    key = pd.MultiIndex.from_frame(values[["indicator_id", "period"]])
    ok = key.isin(pd.MultiIndex.from_frame(complete)) if len(complete) else np.zeros(len(values), bool)
    upper = values["area_type"].isin(["neighbourhood", "locality"]).to_numpy()
    dropped = sorted(set(values.loc[upper & ~ok, "indicator_id"]))
    kept = values.loc[~upper].copy()
    # ward rows: new parents
    sel = (kept["area_type"] == "ward") & kept["area_code"].isin(wards)
    kept.loc[sel, "parent_code"] = kept.loc[sel, "area_code"].map(parent)
    # wards of another ward set (e.g. your data on the May-2018 wards) have no place in this grouping
    other_wards = (kept["area_type"] == "ward") & ~kept["area_code"].isin(wards)
    kept = kept.loc[~other_wards]
    if not len(complete):
        return Regrouped(kept.reset_index(drop=True), definition, dropped)
    w = ward_rows.merge(complete, on=["indicator_id", "period"])
    vt = w["indicator_id"].map(meta["value_type"])
    num = pd.to_numeric(w["numerator"], errors="coerce")
    den = pd.to_numeric(w["denominator"], errors="coerce")
    val = pd.to_numeric(w["value"], errors="coerce")
    wm = vt.isin(aggregate.WEIGHTED_MEAN)
    num = num.where(~wm, val * den)
    cnt = vt.isin(aggregate.SUM_ONLY) & num.isna()
    num = num.where(~cnt, val)
    measures = pd.DataFrame(
        {
            "unit_code": w["area_code"],
            "indicator_id": w["indicator_id"],
            "period": w["period"],
            "numerator": num,
            "denominator": den,
            "suppressed": w["note"].fillna("").astype(str).str.contains("withheld", regex=False),
        }
    )
    rolled = aggregate.roll_up(measures, pd.Series(sorted(wards), index=sorted(wards)), definition)
    rolled = rolled[rolled["area_type"].isin(["neighbourhood", "locality"])]
    new = aggregate.compute_values(rolled, indicators)
    new["note"] = note or None
    new = new.reindex(columns=VALUE_COLUMNS)
    # comparisons: against the existing Manchester and England rows
    ids = set(complete["indicator_id"])
    bench = kept[kept["indicator_id"].isin(ids) & kept["area_type"].isin(["city", "england"])]
    both = aggregate.add_comparisons(pd.concat([new, bench], ignore_index=True), indicators)
    new[["vs_england", "vs_city"]] = both.iloc[: len(new)][["vs_england", "vs_city"]].to_numpy()
    out = pd.concat([kept, new], ignore_index=True)
    return Regrouped(out, definition, dropped)


def dissolve_layers(wards: gpd.GeoDataFrame, definition: pd.DataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Ward, neighbourhood and locality layers for a grouping (neighbourhoods dissolved from wards)."""
    d = definition.set_index("ward_code")
    w = wards[wards["code"].isin(d.index)].copy()
    w["neighbourhood_code"] = w["code"].map(d["neighbourhood_code"])
    w["locality_code"] = w["code"].map(d["locality_code"])
    n = w.dissolve(by="neighbourhood_code", as_index=False)[["neighbourhood_code", "geometry"]]
    nmeta = definition.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")
    n = n.rename(columns={"neighbourhood_code": "code"})
    n["name"] = n["code"].map(nmeta["neighbourhood_name"])
    n["locality_code"] = n["code"].map(nmeta["locality_code"])
    n["ward_codes"] = n["code"].map(
        definition.groupby("neighbourhood_code")["ward_code"].agg(lambda s: ";".join(sorted(s)))
    )
    loc = w.dissolve(by="locality_code", as_index=False)[["locality_code", "geometry"]].rename(
        columns={"locality_code": "code"}
    )
    lmeta = definition.drop_duplicates("locality_code").set_index("locality_code")
    loc["name"] = loc["code"].map(lmeta["locality_name"])
    return {
        "wards": w,
        "neighbourhoods": gpd.GeoDataFrame(n, geometry="geometry", crs=wards.crs),
        "localities": gpd.GeoDataFrame(loc, geometry="geometry", crs=wards.crs),
    }
