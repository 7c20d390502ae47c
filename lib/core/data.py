"""Loaders for the embedded dataset (``geodata/``, ``profiles/``) used by the app.

Pure functions (no Streamlit): the app wraps them in its caches. A missing or corrupt file
raises :class:`DataFileError` with a message a user can act on.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from lib.core.contract import INDICATOR_COLUMNS, VALUE_COLUMNS
from lib.core.definitions import DEFINITION_COLUMNS, DefinitionError, validate_definition
from lib.core.disclosure import configured_threshold
from lib.core.practices import PracticeAssignmentError, read_practices
from lib.core.selection import LIMIT_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
PRACTICES_FILE = "geodata/practices.csv"
#: The residents' figures and the registered patients' figures: one contract, two files (each
#: under 2 MB, and the lens a file holds is plain from its name). The residents' LSOA 2021 rows
#: (area type ``lsoa21``) have their own file, which keeps ``values.csv`` under 2 MB.
VALUES_FILE = "profiles/values.csv"
REGISTERED_VALUES_FILE = "profiles/registered_values.csv"
LSOA21_VALUES_FILE = "profiles/lsoa21_values.csv"
#: Every values file: the dataset is their rows together.
VALUE_FILES = (VALUES_FILE, LSOA21_VALUES_FILE, REGISTERED_VALUES_FILE)
#: The area type whose rows are in :data:`LSOA21_VALUES_FILE` (and not in :data:`VALUES_FILE`).
LSOA21_AREA_TYPE = "lsoa21"
LAYERS = ("neighbourhoods", "wards", "localities", "lsoa", "msoa", "lsoa21")
SEED_TABLES = (
    "activity_targets_2020_21",
    "cash_released_gbp000",
    "investment_gbp000",
    "savings_gap_gbp000",
    "city_headline_facts",
    "population_health_aspirations_2021",
    "risk_tiers_and_cohorts",
)


#: The columns each seed table must have (as committed; ``python -m lib.pipeline`` writes them).
SEED_COLUMNS: dict[str, tuple[str, ...]] = {
    "activity_targets_2020_21": (
        "measure_id",
        "measure",
        "unit_as_published",
        "activity_shift_2020_21",
        "row_type",
        "note",
        "source",
    ),
    "cash_released_gbp000": (
        "benefit_type",
        "2017/18",
        "2018/19",
        "2019/20",
        "2020/21",
        "cumulative",
        "row_type",
        "note",
        "source",
    ),
    "investment_gbp000": ("scheme", "status", "spend_2017_21", "recurrent", "row_type", "note", "source"),
    "savings_gap_gbp000": ("line", "gbp000", "row_type", "note", "source"),
    "city_headline_facts": (
        "fact_id",
        "statement",
        "value",
        "unit",
        "comparator_value",
        "comparator",
        "seed_file",
        "source",
    ),
    "population_health_aspirations_2021": (
        "outcome_id",
        "outcome",
        "aspiration_2021",
        "direction",
        "quantity",
        "unit",
        "source",
    ),
    "risk_tiers_and_cohorts": ("kind", "id", "label", "offer", "seed_file", "source"),
}
#: The properties the app reads from each boundary layer (besides the geometry).
LAYER_COLUMNS: dict[str, tuple[str, ...]] = {
    "neighbourhoods": ("code", "name", "locality_code", "ward_codes"),
    "wards": ("code", "name", "neighbourhood_code", "locality_code"),
    "localities": ("code", "name"),
    "lsoa": ("code", "name", "ward_code"),
    "msoa": ("code", "name", "ward_code"),
    "lsoa21": ("code", "name", "ward_code"),
}


class DataFileError(RuntimeError):
    """An embedded data file is missing or unreadable. The message names the file (relative to
    the app folder) and says what to do, in plain English: it is shown to users as it is."""


@dataclass(frozen=True)
class Dataset:
    """The embedded dataset as DataFrames, and the disclosure threshold in force for it (the one
    its values were suppressed at, ``lib.core.disclosure.suppress``): views show counts at it."""

    indicators: pd.DataFrame
    values: pd.DataFrame
    definition: pd.DataFrame
    threshold: int = field(default_factory=configured_threshold)
    #: Which population's indicators it holds (``lib.core.contract.POPULATIONS``), or None for all.
    population: str | None = "residents"


def for_population(ds: Dataset, population: str | None) -> Dataset:
    """``ds`` with only the indicators (and their figures) of one population: residents (built
    from wards and small areas) or registered patients (of GP practices); all when None."""
    if population is None:
        return Dataset(ds.indicators, ds.values, ds.definition, ds.threshold, None)
    keep = ds.indicators["population"].fillna("residents") == population
    ids = set(ds.indicators.loc[keep, "indicator_id"])
    indicators = ds.indicators[keep].reset_index(drop=True)
    values = ds.values[ds.values["indicator_id"].isin(ids)].reset_index(drop=True)
    return Dataset(indicators, values, ds.definition, ds.threshold, population)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def _fix(rel: str) -> str:
    return (
        f"Restore it from the repository (`git checkout -- {rel}`) or rebuild the app's data with `make data` "
        "(`python -m lib.pipeline`)."
    )


def _file_error(path: Path, root: Path, problem: str, kind: str = "data file") -> DataFileError:
    rel = _relative(path, root)
    return DataFileError(f"The {kind} {rel} {problem}. {_fix(rel)}")


def _names(cols) -> str:
    cols = list(cols)
    return ", ".join(cols[:6]) + (f" and {len(cols) - 6} more" if len(cols) > 6 else "")


def _read_bytes(path: Path, root: Path, kind: str = "data file") -> bytes:
    if not path.is_file():
        raise _file_error(path, root, "is missing", kind)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _file_error(path, root, f"could not be opened ({exc.strerror or exc.__class__.__name__})", kind) from exc
    if not raw.strip():
        raise _file_error(path, root, "is empty", kind)
    return raw


def _read_csv(path: Path, required, root: Path = ROOT, **read_kw) -> pd.DataFrame:
    """Read an embedded CSV; any problem (missing, not UTF-8 CSV, cut short, columns missing)
    raises :class:`DataFileError` naming the file and what to do."""
    raw = _read_bytes(path, root)
    if not raw.endswith(b"\n"):  # every file the pipeline writes ends with a line break
        raise _file_error(path, root, "looks cut short (its last line is incomplete)")
    kw = {"keep_default_na": False, "na_values": [""], **read_kw}
    try:
        df = pd.read_csv(io.BytesIO(raw), encoding="utf-8", **kw)
    except (UnicodeDecodeError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise _file_error(path, root, "could not be read as a UTF-8 CSV file") from exc
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise _file_error(
            path, root, f"lacks the column(s) {_names(missing)} (it may be damaged or from another version)"
        )
    if df.empty:
        raise _file_error(path, root, "has no rows")
    return df


def _plain_strings(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its string columns (and column labels) as Python objects, not Arrow strings."""
    cols = [c for c in df.columns if isinstance(df[c].dtype, pd.StringDtype)]
    out = df.astype({c: object for c in cols}) if cols else df
    out.columns = pd.Index(list(out.columns), dtype=object)
    return out


def load_csv(relative: str, required=(), root: Path = ROOT, **read_kw) -> pd.DataFrame:
    """Read another embedded CSV (e.g. ``geodata/lookups/...``): :class:`DataFileError` if
    it is missing, unreadable or lacks one of the ``required`` columns."""
    return _read_csv(root / relative, required, root, **read_kw)


def load_dataset(root: Path = ROOT, population: str | None = "residents") -> Dataset:
    """Read ``profiles/indicators.csv``, the values (:data:`VALUE_FILES`: :data:`VALUES_FILE`,
    :data:`LSOA21_VALUES_FILE` and :data:`REGISTERED_VALUES_FILE`) and ``geodata/neighbourhoods.csv``; keep the indicators of
    ``population`` (:func:`for_population`; residents unless asked)."""
    indicators = _read_csv(root / "profiles" / "indicators.csv", INDICATOR_COLUMNS, root)
    values = pd.concat([_read_csv(root / f, VALUE_COLUMNS, root) for f in VALUE_FILES], ignore_index=True)
    for col in ("period", "area_code", "area_name", "parent_code", "note", "indicator_id", "area_type"):
        values[col] = values[col].astype("object")
    for col in ("numerator", "denominator", "value", *LIMIT_COLUMNS):
        values[col] = pd.to_numeric(values[col], errors="coerce").astype(float)
    indicators["multiplier"] = pd.to_numeric(indicators["multiplier"], errors="coerce")
    # Plain Python strings: these small frames are filtered and looked up many times per page,
    # which pandas does several times faster on object columns than on Arrow-backed strings.
    indicators = _plain_strings(indicators)
    values = _plain_strings(values)
    definition_path = root / "geodata" / "neighbourhoods.csv"
    try:
        definition = validate_definition(_read_csv(definition_path, DEFINITION_COLUMNS, root))
    except DefinitionError as exc:
        raise DataFileError(
            f"The data file geodata/neighbourhoods.csv is not a valid neighbourhood definition. {exc}\n\n"
            f"{_fix('geodata/neighbourhoods.csv')}"
        ) from exc
    _check_consistent(indicators, values, definition)
    return for_population(Dataset(indicators=indicators, values=values, definition=definition), population)


def load_practices(root: Path = ROOT, neighbourhoods=None) -> pd.DataFrame:
    """``geodata/practices.csv``, validated (:func:`lib.core.practices.read_practices`); a problem
    is a :class:`DataFileError` saying what to fix."""
    path = root / PRACTICES_FILE
    if neighbourhoods is None:
        neighbourhoods = load_dataset(root).definition["neighbourhood_code"].unique()
    try:
        return read_practices(path, neighbourhoods)
    except PracticeAssignmentError as exc:
        raise DataFileError(f"{exc}\n\n{_fix(PRACTICES_FILE)}") from exc


def _check_consistent(indicators: pd.DataFrame, values: pd.DataFrame, definition: pd.DataFrame) -> None:
    """The three dataset files belong together: a file cut at a line break, or one from another
    build, shows here (every page would otherwise fail somewhere in the middle)."""
    described, with_values = set(indicators["indicator_id"].astype(str)), set(values["indicator_id"].astype(str))
    problems = []
    if with_values - described:
        problems.append(
            f"profiles/values.csv has figures for indicator(s) that profiles/indicators.csv does not describe "
            f"({_names(sorted(with_values - described))})"
        )
    if described - with_values:
        problems.append(
            f"profiles/indicators.csv describes indicator(s) with no figures in profiles/values.csv "
            f"({_names(sorted(described - with_values))})"
        )
    nbhds = set(values.loc[values["area_type"] == "neighbourhood", "area_code"].astype(str))
    if nbhds - set(definition["neighbourhood_code"]):
        problems.append(
            f"profiles/values.csv has neighbourhood(s) that geodata/neighbourhoods.csv does not define "
            f"({_names(sorted(nbhds - set(definition['neighbourhood_code'])))})"
        )
    if problems:
        raise DataFileError(
            "The app's data files do not match each other: " + "; ".join(problems) + ". Restore "
            "profiles/ and geodata/ from the repository (`git checkout -- profiles geodata`) or rebuild "
            "them with `make data` (`python -m lib.pipeline`)."
        )


def load_layer(name: str, root: Path = ROOT) -> gpd.GeoDataFrame:
    """Read one boundary layer (:data:`LAYERS`: ``neighbourhoods``, ``wards``, ``localities``, ``lsoa``
    (LSOA 2011), ``msoa`` or ``lsoa21`` (LSOA 2021))."""
    if name not in LAYERS:
        raise ValueError(f"Unknown layer {name!r}; choose one of {', '.join(LAYERS)}")
    path = root / "geodata" / f"{name}.geojson"
    raw = _read_bytes(path, root, "boundary file")
    try:
        gdf = gpd.read_file(io.BytesIO(raw))
    except Exception as exc:  # pyogrio/GDAL raise several types for files that are not GeoJSON
        raise _file_error(path, root, "could not be read as GeoJSON", "boundary file") from exc
    missing = [c for c in LAYER_COLUMNS[name] if c not in gdf.columns]
    if missing:
        raise _file_error(
            path,
            root,
            f"lacks the field(s) {_names(missing)} (it may be damaged or from another version)",
            "boundary file",
        )
    if gdf.empty or gdf.geometry.isna().all():
        raise _file_error(path, root, "has no boundaries in it", "boundary file")
    return gdf


def load_geojson(relative: str, required=(), root: Path = ROOT) -> dict:
    """An embedded GeoJSON file as a dict (``features`` with ``properties`` holding ``required``),
    :class:`DataFileError` if it is missing or unreadable."""
    path = root / relative
    raw = _read_bytes(path, root, "boundary file")
    try:
        gj = json.loads(raw.decode("utf-8"))
        props = [f["properties"] for f in gj["features"]]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise _file_error(path, root, "could not be read as GeoJSON", "boundary file") from exc
    missing = [c for c in required if not props or any(c not in p for p in props)]
    if missing:
        raise _file_error(
            path,
            root,
            f"lacks the field(s) {_names(missing)} (it may be damaged or from another version)",
            "boundary file",
        )
    return gj


def load_seed(name: str, root: Path = ROOT) -> pd.DataFrame:
    """Read one seed table from ``profiles/seeds/``."""
    if name not in SEED_TABLES:
        raise ValueError(f"Unknown seed table {name!r}")
    return _read_csv(root / "profiles" / "seeds" / f"{name}.csv", SEED_COLUMNS[name], root)


def file_bytes(relative: str, root: Path = ROOT) -> bytes:
    """Raw bytes of an embedded file, for downloads (only files under geodata/ or profiles/)."""
    p = (root / relative).resolve()
    if not (p.is_relative_to((root / "geodata").resolve()) or p.is_relative_to((root / "profiles").resolve())):
        raise ValueError("Only embedded data files can be downloaded")
    return _read_bytes(p, root.resolve(), "boundary file" if p.suffix == ".geojson" else "data file")
