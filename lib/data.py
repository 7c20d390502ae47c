"""Loaders for the embedded dataset (``geodata/``, ``profiles/``) used by the app.

Pure functions (no Streamlit): the app wraps them in its caches. A missing or corrupt file
raises :class:`DataFileError` with a message a user can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from lib.contract import INDICATOR_COLUMNS, VALUE_COLUMNS
from lib.definitions import DEFINITION_COLUMNS, DefinitionError, validate_definition

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("neighbourhoods", "wards", "localities", "lsoa")
SEED_TABLES = (
    "activity_targets_2020_21",
    "cash_released_gbp000",
    "investment_gbp000",
    "savings_gap_gbp000",
    "city_headline_facts",
    "population_health_aspirations_2021",
    "risk_tiers_and_cohorts",
)


class DataFileError(RuntimeError):
    """An embedded data file is missing or unreadable."""


@dataclass(frozen=True)
class Dataset:
    """The embedded dataset as DataFrames."""

    indicators: pd.DataFrame
    values: pd.DataFrame
    definition: pd.DataFrame


def _read_csv(path: Path, required: list[str]) -> pd.DataFrame:
    if not path.exists():
        raise DataFileError(f"The data file {path.name} is missing from {path.parent}. Rebuild it with `python -m lib.pipeline` or restore it from the repository.")
    try:
        df = pd.read_csv(path, keep_default_na=False, na_values=[""], encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataFileError(f"The data file {path.name} could not be read ({exc.__class__.__name__}). Restore it from the repository or rebuild it with `python -m lib.pipeline`.") from exc
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataFileError(f"The data file {path.name} lacks column(s) {', '.join(missing)}. Restore it from the repository or rebuild it.")
    return df


def _plain_strings(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its string columns (and column labels) as Python objects, not Arrow strings."""
    cols = [c for c in df.columns if isinstance(df[c].dtype, pd.StringDtype)]
    out = df.astype({c: object for c in cols}) if cols else df
    out.columns = pd.Index(list(out.columns), dtype=object)
    return out


def load_dataset(root: Path = ROOT) -> Dataset:
    """Read ``profiles/indicators.csv``, ``profiles/values.csv`` and ``geodata/neighbourhoods.csv``."""
    indicators = _read_csv(root / "profiles" / "indicators.csv", INDICATOR_COLUMNS)
    values = _read_csv(root / "profiles" / "values.csv", VALUE_COLUMNS)
    for col in ("period", "area_code", "area_name", "parent_code", "note", "indicator_id", "area_type"):
        values[col] = values[col].astype("object")
    for col in ("numerator", "denominator", "value", "lower_95", "upper_95", "lower_998", "upper_998"):
        values[col] = pd.to_numeric(values[col], errors="coerce").astype(float)
    indicators["multiplier"] = pd.to_numeric(indicators["multiplier"], errors="coerce")
    # Plain Python strings: these small frames are filtered and looked up many times per page,
    # which pandas does several times faster on object columns than on Arrow-backed strings.
    indicators = _plain_strings(indicators)
    values = _plain_strings(values)
    try:
        definition = validate_definition(_read_csv(root / "geodata" / "neighbourhoods.csv", DEFINITION_COLUMNS))
    except DefinitionError as exc:
        raise DataFileError(str(exc)) from exc
    return Dataset(indicators=indicators, values=values, definition=definition)


def load_layer(name: str, root: Path = ROOT) -> gpd.GeoDataFrame:
    """Read one boundary layer (``neighbourhoods``, ``wards``, ``localities`` or ``lsoa``)."""
    if name not in LAYERS:
        raise ValueError(f"Unknown layer {name!r}; choose one of {', '.join(LAYERS)}")
    path = root / "geodata" / f"{name}.geojson"
    if not path.exists():
        raise DataFileError(f"The boundary file {path.name} is missing. Rebuild it with `python -m lib.pipeline`.")
    try:
        return gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for corrupt files
        raise DataFileError(f"The boundary file {path.name} could not be read. Restore it from the repository or rebuild it.") from exc


def load_seed(name: str, root: Path = ROOT) -> pd.DataFrame:
    """Read one seed table from ``profiles/seeds/``."""
    if name not in SEED_TABLES:
        raise ValueError(f"Unknown seed table {name!r}")
    return _read_csv(root / "profiles" / "seeds" / f"{name}.csv", [])


def file_bytes(relative: str, root: Path = ROOT) -> bytes:
    """Raw bytes of an embedded file, for downloads (only files under geodata/ or profiles/)."""
    p = (root / relative).resolve()
    if not (p.is_relative_to((root / "geodata").resolve()) or p.is_relative_to((root / "profiles").resolve())):
        raise ValueError("Only embedded data files can be downloaded")
    if not p.exists():
        raise DataFileError(f"{relative} is missing")
    return p.read_bytes()
