"""Orchestrate a full rebuild: geography, indicators, values, seed tables."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from lib.core.contract import validate_indicators, validate_values
from lib.core.data import LSOA21_AREA_TYPE, LSOA21_VALUES_FILE, REGISTERED_VALUES_FILE, VALUES_FILE
from lib.core.definitions import read_definition
from lib.core.practices import read_practices
from lib.pipeline import build, catalogue, geography, registered, seeds, sources

ROOT = Path(__file__).resolve().parents[2]
DEFINITION = Path("geodata") / "neighbourhoods.csv"
PRACTICES = Path("geodata") / "practices.csv"


def known_wards(data_dir: Path) -> list[str]:
    """The ward codes in the ward boundary file (the set a definition must cover)."""
    wards = gpd.read_file(sources.path(data_dir, "wards17"))
    return sorted(wards["area_code"])


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """Write a CSV deterministically: UTF-8, ``\\n`` line ends, numbers via :func:`build.format_number`."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(build.format_number)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path


def practice_assignment(
    data_dir: Path, out_dir: Path, definition: pd.DataFrame, path: Path | None = None
) -> pd.DataFrame:
    """The practice -> neighbourhood assignment (``geodata/practices.csv``), validated against the
    sources' Manchester practices and the definition's neighbourhoods. When there is none yet,
    the draft (:func:`lib.pipeline.registered.draft_assignment`) is written there first."""
    path = path or out_dir / PRACTICES
    if not path.exists():
        print(f"No practice assignment at {path}: writing the draft from the PCN names (review its judgements).")
        write_csv(registered.draft_assignment(data_dir), path)
    known = registered.practice_lists(data_dir)["practice_code"]
    return read_practices(path, definition["neighbourhood_code"].unique(), known)


def build_all(
    data_dir: Path, out_dir: Path, definition_path: Path | None = None, practices_path: Path | None = None
) -> list[Path]:
    """Rebuild ``geodata/`` and ``profiles/`` under ``out_dir`` from ``data_dir``.

    Raises ``DefinitionError`` for a bad definition, ``FileNotFoundError`` for a missing input,
    and ``ValueError`` if an output breaks the data contract (nothing is written in that case
    for the tables that failed).
    """
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    definition_path = definition_path or out_dir / DEFINITION
    definition = read_definition(definition_path, known_wards(data_dir))
    layers = geography.build_geography(data_dir, definition)
    indicators = catalogue.indicators_table(catalogue.activity_target_entries(seeds.activity_targets(data_dir)))
    practices = practice_assignment(data_dir, out_dir, definition, practices_path)
    values, _notes = build.build_values(data_dir, definition, indicators, practices)
    present = set(values["indicator_id"])
    indicators = indicators[indicators["indicator_id"].isin(present)].reset_index(drop=True)
    problems = validate_indicators(indicators) + validate_values(values, indicators)
    if problems:
        raise ValueError("The built dataset breaks the contract:\n- " + "\n- ".join(map(str, problems)))

    written = geography.write_geography(layers, out_dir / "geodata")
    if definition_path.resolve() != (out_dir / DEFINITION).resolve():
        written.append(write_csv(definition, out_dir / DEFINITION))
    if practices_path is not None and practices_path.resolve() != (out_dir / PRACTICES).resolve():
        written.append(write_csv(practices, out_dir / PRACTICES))
    written.append(write_csv(indicators, out_dir / "profiles" / "indicators.csv"))
    registered_ids = set(indicators.loc[indicators["population"] == "registered", "indicator_id"])
    is_registered = values["indicator_id"].isin(registered_ids)
    is_lsoa21 = values["area_type"] == LSOA21_AREA_TYPE  # their own file: values.csv stays under 2 MB
    written.append(write_csv(values[~is_registered & ~is_lsoa21], out_dir / VALUES_FILE))
    written.append(write_csv(values[~is_registered & is_lsoa21], out_dir / LSOA21_VALUES_FILE))
    written.append(write_csv(values[is_registered], out_dir / REGISTERED_VALUES_FILE))
    for name, table in seeds.build_seed_tables(data_dir).items():
        written.append(write_csv(table, out_dir / "profiles" / "seeds" / f"{name}.csv"))
    return written
