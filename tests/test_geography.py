"""Tests for lib.pipeline.geography: counts, validity, size, clean coverage, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from lib.core.definitions import CITY_CODE, DefinitionError, read_definition
from lib.pipeline.geography import (
    LAYER_COLUMNS,
    LAYER_FILES,
    LSOA_FILE,
    LSOA_WARD_LOOKUP,
    WARDS_FILE,
    build_geography,
    geometry_report,
    to_geojson,
    write_geography,
)

REPO = Path(__file__).resolve().parents[1]

DATA_DIR = REPO.parent / "shared" / "data"
DEFINITION_CSV = REPO / "geodata" / "neighbourhoods.csv"
BNG = "EPSG:27700"


@pytest.fixture(scope="module")
def data_dir() -> Path:
    if not (DATA_DIR / WARDS_FILE).exists():
        pytest.skip(f"raw boundary data not found at {DATA_DIR / WARDS_FILE}; the geography tests need ../shared/data")
    return DATA_DIR


@pytest.fixture(scope="module")
def definition() -> pd.DataFrame:
    return read_definition(DEFINITION_CSV)


@pytest.fixture(scope="module")
def layers(data_dir: Path, definition: pd.DataFrame) -> dict[str, gpd.GeoDataFrame]:
    return build_geography(data_dir, definition)


@pytest.fixture(scope="module")
def raw_wards(data_dir: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(data_dir / WARDS_FILE)


def _bng(gdf: gpd.GeoDataFrame) -> np.ndarray:
    return gdf.to_crs(BNG).geometry.to_numpy()


def _pairwise_overlap_m2(geoms: np.ndarray) -> float:
    """Total area of intersection between distinct pairs (STRtree, each pair once)."""
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    if not keep.any():
        return 0.0
    return float(shapely.area(shapely.intersection(geoms[left[keep]], geoms[right[keep]])).sum())


# 1. counts and codes


def test_counts(layers: dict[str, gpd.GeoDataFrame]) -> None:
    counts = {name: len(gdf) for name, gdf in layers.items()}
    assert counts == {"wards": 32, "neighbourhoods": 12, "localities": 3, "lsoa": 282, "msoa": 57, "lsoa21": 295}


def test_codes_match_definition(layers: dict[str, gpd.GeoDataFrame], definition: pd.DataFrame) -> None:
    wards = layers["wards"].set_index("code")
    defn = definition.set_index("ward_code")
    assert sorted(wards.index) == sorted(defn.index)
    assert (wards["name"] == defn.loc[wards.index, "ward_name"]).all()
    assert (wards["neighbourhood_code"] == defn.loc[wards.index, "neighbourhood_code"]).all()
    assert (wards["locality_code"] == defn.loc[wards.index, "locality_code"]).all()

    nb = layers["neighbourhoods"]
    assert list(nb["code"]) == sorted(definition["neighbourhood_code"].unique())
    for row in nb.itertuples():
        members = sorted(definition.loc[definition["neighbourhood_code"] == row.code, "ward_code"])
        assert row.ward_codes == ";".join(members)
        assert {row.locality_code} == set(definition.loc[definition["neighbourhood_code"] == row.code, "locality_code"])

    loc = layers["localities"]
    assert list(loc["code"]) == ["CENTRAL", "NORTH", "SOUTH"]
    assert list(loc["name"]) == ["Central", "North", "South"]
    assert (loc["parent_code"] == CITY_CODE).all()


def test_every_lsoa_has_ward_and_neighbourhood(
    layers: dict[str, gpd.GeoDataFrame], data_dir: Path, definition: pd.DataFrame
) -> None:
    lsoa = layers["lsoa"]
    assert lsoa["code"].is_unique and lsoa["code"].str.match(r"^E01\d{6}$").all()
    for col in ("ward_code", "neighbourhood_code", "locality_code"):
        assert (lsoa[col].str.len() > 0).all(), col
    lookup = pd.read_csv(data_dir / LSOA_WARD_LOOKUP, dtype=str).set_index("LSOA11CD")["WD17CD"]
    assert (lsoa["ward_code"] == lookup.loc[lsoa["code"]].to_numpy()).all()
    ward_nb = definition.set_index("ward_code")["neighbourhood_code"]
    assert (lsoa["neighbourhood_code"] == ward_nb.loc[lsoa["ward_code"]].to_numpy()).all()
    assert lsoa["neighbourhood_code"].nunique() == 12


def test_columns_and_order(layers: dict[str, gpd.GeoDataFrame]) -> None:
    for name, gdf in layers.items():
        assert list(gdf.columns) == LAYER_COLUMNS[name] + ["geometry"], name
        assert list(gdf["code"]) == sorted(gdf["code"]), name


# 2. CRS and geometry validity


def test_crs_and_valid_polygons(layers: dict[str, gpd.GeoDataFrame]) -> None:
    for name, gdf in layers.items():
        assert gdf.crs is not None and gdf.crs.to_epsg() == 4326, name
        geoms = gdf.geometry.to_numpy()
        assert shapely.is_valid(geoms).all(), name
        assert not shapely.is_empty(geoms).any(), name
        assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}, name


def test_n4_is_non_contiguous(layers: dict[str, gpd.GeoDataFrame]) -> None:
    n4 = layers["neighbourhoods"].set_index("code").geometry["N4"]
    assert n4.geom_type == "MultiPolygon" and len(n4.geoms) == 2


# 3. size


def test_neighbourhoods_geojson_under_100kb(layers: dict[str, gpd.GeoDataFrame]) -> None:
    size = len(to_geojson(layers["neighbourhoods"]).encode("utf-8"))
    print(f"\nneighbourhoods.geojson: {size:,} bytes (limit 100,000)")
    assert size < 100_000


# 4. no gaps or overlaps


def test_coverages_are_clean(layers: dict[str, gpd.GeoDataFrame]) -> None:
    # shapely's coverage check: no overlaps and neighbours' shared edges match vertex for vertex
    for name, gdf in layers.items():
        assert shapely.coverage_is_valid(gdf.geometry.to_numpy()), name
        assert shapely.coverage_is_valid(_bng(gdf)), name


def test_neighbourhoods_do_not_overlap(layers: dict[str, gpd.GeoDataFrame]) -> None:
    geoms = _bng(layers["neighbourhoods"])
    assert _pairwise_overlap_m2(geoms) < 1.0
    total = shapely.area(geoms).sum()
    union = shapely.union_all(geoms).area
    assert abs(union - total) / total < 1e-4


def test_simplification_only_moves_outer_edge_a_little(
    layers: dict[str, gpd.GeoDataFrame], raw_wards: gpd.GeoDataFrame
) -> None:
    original = shapely.union_all(_bng(raw_wards))
    simplified = shapely.union_all(_bng(layers["wards"]))
    city_via_nb = shapely.union_all(_bng(layers["neighbourhoods"]))
    assert shapely.symmetric_difference(original, simplified).area < 0.01 * original.area
    assert shapely.symmetric_difference(simplified, city_via_nb).area < 1.0
    # no holes opened up inside the city
    assert shapely.get_num_interior_rings(simplified) == shapely.get_num_interior_rings(original)


def test_higher_layers_are_unions_of_wards(layers: dict[str, gpd.GeoDataFrame]) -> None:
    wards = layers["wards"]
    for layer, key in (("neighbourhoods", "neighbourhood_code"), ("localities", "locality_code")):
        for row in layers[layer].itertuples():
            members = shapely.union_all(wards.loc[wards[key] == row.code].geometry.to_numpy())
            assert row.geometry.equals(members), (layer, row.code)


def test_lsoas_do_not_overlap(layers: dict[str, gpd.GeoDataFrame]) -> None:
    geoms = _bng(layers["lsoa"])
    overlap = _pairwise_overlap_m2(geoms)
    print(f"\nLSOA pairwise overlap: {overlap:.6f} m2")
    assert overlap < 10.0


# 5. rounding


def _numbers(node: object) -> list[str]:
    if isinstance(node, list):
        return [n for item in node for n in _numbers(item)]
    return [str(node)]


def test_coordinates_have_at_most_5_decimals(layers: dict[str, gpd.GeoDataFrame]) -> None:
    for name, gdf in layers.items():
        xy = shapely.get_coordinates(gdf.geometry.to_numpy())
        assert np.array_equal(np.round(xy, 5), xy), name
        # and as written: keep the literal number text
        doc = json.loads(to_geojson(gdf), parse_float=str, parse_int=str)
        literals = [n for f in doc["features"] for n in _numbers(f["geometry"]["coordinates"])]
        too_long = [n for n in literals if "." in n and len(n.split(".")[1]) > 5 or "e" in n.lower()]
        assert not too_long, (name, too_long[:5])


# 6. determinism and file format


def test_rebuild_is_byte_identical(
    layers: dict[str, gpd.GeoDataFrame], data_dir: Path, definition: pd.DataFrame, tmp_path: Path
) -> None:
    first = write_geography(layers, tmp_path / "a")
    second = write_geography(build_geography(data_dir, definition), tmp_path / "b")
    assert [p.name for p in first] == list(LAYER_FILES.values())
    for a, b in zip(first, second, strict=True):
        data = a.read_bytes()
        assert data == b.read_bytes(), a.name
        assert data.endswith(b"}\n") and b"\r" not in data and data.count(b"\n") == 1, a.name


def test_written_files_read_back(layers: dict[str, gpd.GeoDataFrame], tmp_path: Path) -> None:
    report = geometry_report(layers)
    for path in write_geography(layers, tmp_path):
        name = path.stem
        back = gpd.read_file(path)
        assert back.crs.to_epsg() == 4326
        assert list(back.columns) == LAYER_COLUMNS[name] + ["geometry"]
        assert list(back["code"]) == list(layers[name]["code"])
        assert report[name]["bytes"] == path.stat().st_size
        assert report[name]["features"] == len(layers[name])
    print("\n" + json.dumps(report))


# 7. a definition change rebuilds


def test_definition_change_moves_a_ward(data_dir: Path, definition: pd.DataFrame) -> None:
    changed = definition.copy()
    city_centre = changed["ward_code"] == "E05000697"
    changed.loc[city_centre, "neighbourhood_code"] = "N5"
    changed.loc[city_centre, "neighbourhood_name"] = "City Centre"
    rebuilt = build_geography(data_dir, changed)
    nb = rebuilt["neighbourhoods"].set_index("code")
    assert len(nb) == 13
    assert nb.loc["N5", "ward_codes"] == "E05000697"
    assert nb.loc["N4", "ward_codes"] == "E05000709;E05000711"
    ward = rebuilt["wards"].set_index("code").geometry["E05000697"]
    assert nb.geometry["N5"].equals(ward)
    assert nb.geometry["N4"].geom_type == "Polygon"  # Miles Platting & Newton Heath + Moston touch
    assert (rebuilt["lsoa"].loc[rebuilt["lsoa"]["ward_code"] == "E05000697", "neighbourhood_code"] == "N5").all()
    assert shapely.coverage_is_valid(nb.geometry.to_numpy())


def test_definition_must_cover_all_wards(data_dir: Path, definition: pd.DataFrame) -> None:
    with pytest.raises(DefinitionError, match="E05000697"):
        build_geography(data_dir, definition[definition["ward_code"] != "E05000697"])


# 8. simplification reduces size


def test_simplification_reduces_vertices(
    layers: dict[str, gpd.GeoDataFrame], raw_wards: gpd.GeoDataFrame, data_dir: Path
) -> None:
    before = int(shapely.get_num_coordinates(raw_wards.geometry.to_numpy()).sum())
    after = int(shapely.get_num_coordinates(layers["wards"].geometry.to_numpy()).sum())
    raw_lsoa = gpd.read_file(data_dir / LSOA_FILE)
    lsoa_before = int(shapely.get_num_coordinates(raw_lsoa.geometry.to_numpy()).sum())
    lsoa_after = int(shapely.get_num_coordinates(layers["lsoa"].geometry.to_numpy()).sum())
    print(f"\nward vertices {before} -> {after}; LSOA vertices {lsoa_before} -> {lsoa_after}")
    assert after < before
    assert lsoa_after < lsoa_before
    assert len(to_geojson(layers["wards"]).encode()) < (data_dir / WARDS_FILE).stat().st_size
