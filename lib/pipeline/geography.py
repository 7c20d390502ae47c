"""Boundary layers for the dashboard: wards, neighbourhoods, localities, LSOAs and MSOAs.

Inputs (read-only, under ``data_dir`` = ``../shared/data``):

* ``geo/manchester_wards_dec2017_wd17.geojson``: the 32 wards of 2004 to May 2018
  (ONS generalised clipped 20 m boundaries, EPSG:4326);
* ``geo/manchester_lsoa11.geojson``: the 282 LSOAs (2011);
* ``geo/manchester_msoa11.geojson``: the 57 MSOAs (2011), each placed in a neighbourhood and ward by
  :func:`lib.pipeline.msoa.best_fit` (residents of its LSOAs);
* ``geo/manchester_lsoa21.geojson``: the 295 LSOAs (2021), each placed in the ward of its LSOA 2011
  best fit (:attr:`lib.pipeline.parts.Lookups.lsoa21_ward`; a merged LSOA 2021 in the ward of the
  predecessor with more residents);
* ``lookups/LSOA11_WD17_LAD17_EW_LU_manchester.csv``: LSOA 2011 -> ward best fit.

The ward -> neighbourhood -> locality grouping comes from the definition table
(:func:`lib.core.definitions.read_definition`), so a different grouping only needs a new CSV.

Simplification is *coverage-preserving*: the whole ward coverage (and, separately, the
whole LSOA coverage) is simplified at once in British National Grid metres with
:meth:`geopandas.GeoSeries.simplify_coverage`, so a shared edge is simplified once and
stays shared. Coordinates are then rounded to 5 decimals of a degree (about 1 m) by plain
per-coordinate rounding, which maps a shared vertex to the same value in every polygon
that uses it, so no gaps or overlaps appear. Neighbourhoods and localities are dissolved
from the simplified, rounded wards, so all three layers share their edges exactly.

Output is deterministic: fixed column order, features sorted by code, fixed coordinate
precision, compact JSON with no timestamps, ``\\n`` line endings and a trailing newline.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon

from lib.core.definitions import CITY_CODE, DEFINITION_COLUMNS, validate_definition
from lib.pipeline import msoa, parts, sources

WARDS_FILE = Path("geo") / "manchester_wards_dec2017_wd17.geojson"
LSOA_FILE = Path("geo") / "manchester_lsoa11.geojson"
LSOA_WARD_LOOKUP = Path("lookups") / "LSOA11_WD17_LAD17_EW_LU_manchester.csv"
MSOA_FILE = Path("geo") / "manchester_msoa11.geojson"
LSOA21_FILE = Path("geo") / "manchester_lsoa21.geojson"

#: CRS of every output layer (WGS84 lon/lat, as GeoJSON / RFC 7946 expects).
OUTPUT_CRS = "EPSG:4326"
#: CRS in which simplification happens (British National Grid, metres).
WORKING_CRS = "EPSG:27700"
#: Decimal places kept in output coordinates (1e-5 degree is about 1.1 m N-S, 0.7 m E-W here).
COORD_DECIMALS = 5

#: Layer name -> property columns, in output order (``geometry`` follows).
LAYER_COLUMNS: dict[str, list[str]] = {
    "wards": ["code", "name", "neighbourhood_code", "locality_code"],
    "neighbourhoods": ["code", "name", "locality_code", "ward_codes"],
    "localities": ["code", "name", "parent_code"],
    "lsoa": ["code", "name", "ward_code", "neighbourhood_code", "locality_code"],
    "msoa": ["code", "name", "ward_code", "neighbourhood_code", "locality_code"],
    "lsoa21": ["code", "name", "ward_code", "neighbourhood_code", "locality_code"],
}

#: Layer name -> output file name, in the order they are written.
LAYER_FILES: dict[str, str] = {name: f"{name}.geojson" for name in LAYER_COLUMNS}


class GeographyError(ValueError):
    """The boundary inputs do not fit together (missing codes, broken geometry, ...)."""


def build_geography(data_dir: Path, definition: pd.DataFrame, tolerance_m: float = 20.0) -> dict[str, gpd.GeoDataFrame]:
    """Build the five boundary layers from the raw inputs and a neighbourhood definition.

    Args:
        data_dir: the shared raw data folder (holding ``geo/`` and ``lookups/``).
        definition: the ward -> neighbourhood -> locality table (the columns of
            :data:`lib.core.definitions.DEFINITION_COLUMNS`); it is validated against the wards
            in the boundary file.
        tolerance_m: simplification tolerance in metres, passed to
            :meth:`geopandas.GeoSeries.simplify_coverage`. ``0`` keeps every vertex
            (coordinates are still rounded).

    Returns:
        ``{"wards", "neighbourhoods", "localities", "lsoa", "msoa", "lsoa21"}`` -> GeoDataFrame in EPSG:4326,
        rows sorted by ``code``, columns as in :data:`LAYER_COLUMNS` plus ``geometry``.

    Raises:
        lib.core.definitions.DefinitionError: the definition does not cover exactly the 32 wards.
        GeographyError: an LSOA has no ward in the lookup, or a layer is not a clean polygon
            coverage (invalid/empty geometry, overlaps, or shared edges that do not match).
    """
    if not tolerance_m >= 0:
        raise ValueError(f"tolerance_m must be >= 0 metres, got {tolerance_m!r}")
    data_dir = Path(data_dir)
    raw_wards = read_boundaries(data_dir / WARDS_FILE)
    definition = validate_definition(definition, known_wards=raw_wards["area_code"])
    defn = definition[list(DEFINITION_COLUMNS)].astype(str)
    by_ward = defn.set_index("ward_code")

    ward_geoms = simplify_coverage_rounded(raw_wards.geometry, tolerance_m)
    wards = gpd.GeoDataFrame(
        {
            "code": raw_wards["area_code"].to_numpy(),
            "name": by_ward.loc[raw_wards["area_code"], "ward_name"].to_numpy(),
            "neighbourhood_code": by_ward.loc[raw_wards["area_code"], "neighbourhood_code"].to_numpy(),
            "locality_code": by_ward.loc[raw_wards["area_code"], "locality_code"].to_numpy(),
        },
        geometry=ward_geoms,
        crs=OUTPUT_CRS,
    )
    wards = _finish(wards, "wards")

    nb_meta = defn.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")
    nb_rows = []
    for code, group in wards.groupby("neighbourhood_code", sort=True):
        nb_rows.append(
            {
                "code": code,
                "name": nb_meta.at[code, "neighbourhood_name"],
                "locality_code": nb_meta.at[code, "locality_code"],
                "ward_codes": ";".join(sorted(group["code"])),
                "geometry": dissolve_coverage(group.geometry.to_numpy()),
            }
        )
    neighbourhoods = _finish(gpd.GeoDataFrame(nb_rows, geometry="geometry", crs=OUTPUT_CRS), "neighbourhoods")

    loc_meta = defn.drop_duplicates("locality_code").set_index("locality_code")
    loc_rows = []
    for code, group in wards.groupby("locality_code", sort=True):
        loc_rows.append(
            {
                "code": code,
                "name": loc_meta.at[code, "locality_name"],
                "parent_code": CITY_CODE,
                "geometry": dissolve_coverage(group.geometry.to_numpy()),
            }
        )
    localities = _finish(gpd.GeoDataFrame(loc_rows, geometry="geometry", crs=OUTPUT_CRS), "localities")

    raw_lsoa = read_boundaries(data_dir / LSOA_FILE)
    lookup = pd.read_csv(data_dir / LSOA_WARD_LOOKUP, dtype=str, usecols=["LSOA11CD", "WD17CD"])
    lsoa_ward = lookup.drop_duplicates("LSOA11CD").set_index("LSOA11CD")["WD17CD"]
    ward_of = raw_lsoa["area_code"].map(lsoa_ward)
    no_ward = sorted(raw_lsoa.loc[ward_of.isna(), "area_code"])
    if no_ward:
        raise GeographyError(f"LSOA(s) missing from {LSOA_WARD_LOOKUP}: " + ", ".join(no_ward))
    unknown = sorted(set(ward_of) - set(by_ward.index))
    if unknown:
        raise GeographyError(f"{LSOA_WARD_LOOKUP} maps LSOAs to ward(s) not in the definition: " + ", ".join(unknown))
    lsoa = gpd.GeoDataFrame(
        {
            "code": raw_lsoa["area_code"].to_numpy(),
            "name": raw_lsoa["area_name"].astype(str).to_numpy(),
            "ward_code": ward_of.to_numpy(),
            "neighbourhood_code": by_ward.loc[ward_of, "neighbourhood_code"].to_numpy(),
            "locality_code": by_ward.loc[ward_of, "locality_code"].to_numpy(),
        },
        geometry=simplify_coverage_rounded(raw_lsoa.geometry, tolerance_m),
        crs=OUTPUT_CRS,
    )
    lsoa = _finish(lsoa, "lsoa")

    layers = {
        "wards": wards,
        "neighbourhoods": neighbourhoods,
        "localities": localities,
        "lsoa": lsoa,
        "msoa": msoa_layer(data_dir, definition, tolerance_m),
        "lsoa21": lsoa21_layer(data_dir, definition, tolerance_m),
    }
    for name, gdf in layers.items():
        # no overlaps, and neighbours' shared edges match vertex for vertex
        if not shapely.coverage_is_valid(gdf.geometry.to_numpy()):
            raise GeographyError(f"{name}: the simplified boundaries overlap or their shared edges do not match.")
    return layers


def msoa_layer(data_dir: Path, definition: pd.DataFrame, tolerance_m: float = 20.0) -> gpd.GeoDataFrame:
    """The 57 MSOAs (2011), named "House of Commons Library name (ONS name)", each with the ward,
    neighbourhood and locality of its best fit (:func:`lib.pipeline.msoa.best_fit`)."""
    raw = read_boundaries(Path(data_dir) / MSOA_FILE)
    fit = msoa.best_fit(data_dir, definition).set_index("msoa11_code")
    unknown = sorted(set(raw["area_code"]) - set(fit.index))
    if unknown:
        raise GeographyError(f"MSOA(s) in {MSOA_FILE} with no LSOA in the lookups: " + ", ".join(unknown))
    f = fit.loc[raw["area_code"]]
    out = gpd.GeoDataFrame(
        {
            "code": raw["area_code"].to_numpy(),
            "name": [msoa.display_name(r) for r in f.to_dict("records")],
            "ward_code": f["ward_code"].to_numpy(),
            "neighbourhood_code": f["neighbourhood_code"].to_numpy(),
            "locality_code": f["locality_code"].to_numpy(),
        },
        geometry=simplify_coverage_rounded(raw.geometry, tolerance_m),
        crs=OUTPUT_CRS,
    )
    return _finish(out, "msoa")


def lsoa21_layer(data_dir: Path, definition: pd.DataFrame, tolerance_m: float = 20.0) -> gpd.GeoDataFrame:
    """The 295 LSOAs (2021), each with the ward, neighbourhood and locality holding most of its
    residents: its LSOA 2011 best fit, the figures' parent ward (:mod:`lib.pipeline.lsoa21`)."""
    data_dir = Path(data_dir)
    raw = read_boundaries(data_dir / LSOA21_FILE)
    lk = parts.load_lookups(data_dir, sources.population2020(data_dir))
    ward_of = raw["area_code"].map(lk.lsoa21_ward)
    no_ward = sorted(raw.loc[ward_of.isna(), "area_code"])
    if no_ward:
        raise GeographyError("LSOA 2021(s) with no LSOA 2011 best-fit ward: " + ", ".join(no_ward))
    by_ward = definition[list(DEFINITION_COLUMNS)].astype(str).set_index("ward_code")
    unknown = sorted(set(ward_of) - set(by_ward.index))
    if unknown:
        raise GeographyError("LSOA 2021s map to ward(s) not in the definition: " + ", ".join(unknown))
    out = gpd.GeoDataFrame(
        {
            "code": raw["area_code"].to_numpy(),
            "name": raw["area_name"].astype(str).to_numpy(),
            "ward_code": ward_of.to_numpy(),
            "neighbourhood_code": by_ward.loc[ward_of, "neighbourhood_code"].to_numpy(),
            "locality_code": by_ward.loc[ward_of, "locality_code"].to_numpy(),
        },
        geometry=simplify_coverage_rounded(raw.geometry, tolerance_m),
        crs=OUTPUT_CRS,
    )
    return _finish(out, "lsoa21")


def read_boundaries(path: Path) -> gpd.GeoDataFrame:
    """Read a boundary GeoJSON (``area_code``, ``area_name``) as EPSG:4326, sorted by code."""
    if not Path(path).exists():
        raise GeographyError(f"No boundary file at {path}.")
    gdf = gpd.read_file(path)
    missing = {"area_code", "area_name"} - set(gdf.columns)
    if missing:
        raise GeographyError(f"{path} lacks column(s) {', '.join(sorted(missing))}.")
    if gdf.crs is None:
        gdf = gdf.set_crs(OUTPUT_CRS)
    elif not gdf.crs.equals(OUTPUT_CRS):
        gdf = gdf.to_crs(OUTPUT_CRS)
    gdf["area_code"] = gdf["area_code"].astype(str)
    dup = gdf["area_code"][gdf["area_code"].duplicated()]
    if len(dup):
        raise GeographyError(f"{path} has duplicate area_code(s): {', '.join(sorted(set(dup)))}.")
    return gdf.sort_values("area_code").reset_index(drop=True)


def simplify_coverage_rounded(geoms: gpd.GeoSeries, tolerance_m: float) -> np.ndarray:
    """Simplify a polygon coverage as a whole and round it to :data:`COORD_DECIMALS`.

    Steps: reproject to :data:`WORKING_CRS`, ``simplify_coverage(tolerance_m)`` (shared
    edges simplified once, so neighbours still meet exactly), reproject to
    :data:`OUTPUT_CRS`, round every coordinate. Rounding is a pure function of each
    coordinate, so a vertex shared by two polygons lands on the same rounded point in both.
    Any geometry made invalid by rounding is repaired with ``make_valid`` and reduced to
    its polygonal parts. Returns an array of Polygon/MultiPolygon in input order.
    """
    if geoms.crs is None:
        raise GeographyError("Boundary geometries have no CRS.")
    projected = geoms.to_crs(WORKING_CRS)
    if tolerance_m > 0:
        projected = projected.simplify_coverage(tolerance_m)
    back = projected.to_crs(OUTPUT_CRS)
    rounded = round_coordinates(back.to_numpy())
    return np.array([_polygonal(g) for g in _repair(rounded)], dtype=object)


def round_coordinates(geoms: np.ndarray, decimals: int = COORD_DECIMALS) -> np.ndarray:
    """Round every x/y of every geometry to ``decimals`` places (no topology change)."""
    return shapely.transform(geoms, lambda xy: np.round(xy, decimals))


def dissolve_coverage(geoms: np.ndarray) -> Polygon | MultiPolygon:
    """Union polygons of a clean coverage into one Polygon/MultiPolygon.

    The inputs share edges exactly, so the union only removes the shared edges and adds no
    vertex; the result is re-rounded anyway (a no-op on grid points) so output coordinates
    always stay at :data:`COORD_DECIMALS`.
    """
    union = shapely.union_all(geoms)
    union = round_coordinates(np.array([union], dtype=object))
    return _polygonal(_repair(union)[0])


def to_geojson(gdf: gpd.GeoDataFrame) -> str:
    """Serialise a layer as compact, deterministic GeoJSON text ending with ``\\n``.

    Polygons are oriented as RFC 7946 asks (exterior rings counter-clockwise); features keep
    the frame's row order and property order; there is no ``id``, ``bbox`` or timestamp.
    """
    out = gdf.copy()
    out.geometry = shapely.orient_polygons(out.geometry.to_numpy(), exterior_cw=False)
    text = out.to_json(drop_id=True, separators=(",", ":"), ensure_ascii=False)
    return text + "\n"


def write_geography(layers: dict[str, gpd.GeoDataFrame], out_dir: Path) -> list[Path]:
    """Write the layers as ``<layer>.geojson`` in ``out_dir`` (created if needed).

    Byte-identical on a rebuild from the same inputs. Returns the paths written, in the
    order of :data:`LAYER_FILES`.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    missing = [name for name in LAYER_FILES if name not in layers]
    if missing:
        raise GeographyError("Missing layer(s): " + ", ".join(missing))
    written: list[Path] = []
    for name, filename in LAYER_FILES.items():
        path = out_dir / filename
        path.write_bytes(to_geojson(layers[name]).encode("utf-8"))
        written.append(path)
    return written


def geometry_report(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, dict[str, int]]:
    """Size of each layer as written: ``{layer: {"features", "vertices", "bytes"}}``.

    ``bytes`` is the length of exactly what :func:`write_geography` writes; ``vertices``
    counts coordinate pairs (closing points of rings included). A ``"total"`` entry sums them.
    """
    report: dict[str, dict[str, int]] = {}
    for name, gdf in layers.items():
        report[name] = {
            "features": int(len(gdf)),
            "vertices": int(shapely.get_num_coordinates(gdf.geometry.to_numpy()).sum()),
            "bytes": len(to_geojson(gdf).encode("utf-8")),
        }
    report["total"] = {key: sum(r[key] for r in list(report.values())) for key in ("features", "vertices", "bytes")}
    return report


def _repair(geoms: np.ndarray) -> np.ndarray:
    """``make_valid`` only the invalid geometries; valid ones pass through untouched."""
    geoms = np.asarray(geoms, dtype=object).copy()
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        geoms[bad] = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
    return geoms


def _polygonal(geom: shapely.Geometry) -> Polygon | MultiPolygon:
    """Keep only the polygon parts (drops stray lines/points); one part -> Polygon."""
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, (Polygon, MultiPolygon))]
    polys: list[Polygon] = []
    for p in parts:
        polys.extend(p.geoms if isinstance(p, MultiPolygon) else [p])
    polys = [p for p in polys if not p.is_empty]
    if not polys:
        raise GeographyError("A boundary collapsed to nothing after simplification; lower the tolerance.")
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def _finish(gdf: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """Sort by code, fix column order and dtypes, and check the geometries."""
    cols = LAYER_COLUMNS[layer]
    out = gdf.sort_values("code").reset_index(drop=True)
    out = gpd.GeoDataFrame(
        {c: out[c].astype(object).astype(str).to_numpy() for c in cols},
        geometry=out.geometry.to_numpy(),
        crs=OUTPUT_CRS,
    )
    geoms = out.geometry.to_numpy()
    bad = out.loc[~shapely.is_valid(geoms) | shapely.is_empty(geoms), "code"].tolist()
    if bad:
        raise GeographyError(f"{layer}: invalid or empty geometry for {', '.join(bad)}")
    return out
