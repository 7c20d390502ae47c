"""The neighbourhood definition: which ward belongs to which neighbourhood and locality.

The definition is data, not code: ``geodata/neighbourhoods.csv`` has one row per ward and the
columns in :data:`DEFINITION_COLUMNS`. A user with another grouping (the later 13-neighbourhood
model, primary care networks, ...) edits that CSV and rebuilds with ``python -m lib.pipeline``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

DEFINITION_COLUMNS: list[str] = [
    "ward_code",
    "ward_name",
    "neighbourhood_code",
    "neighbourhood_name",
    "locality_code",
    "locality_name",
]

CITY_CODE = "E08000003"
CITY_NAME = "Manchester"
ENGLAND_CODE = "E92000001"
ENGLAND_NAME = "England"

#: Localities of the 12/3/1 model, in display order.
LOCALITIES: dict[str, str] = {"NORTH": "North", "CENTRAL": "Central", "SOUTH": "South"}

_WARD_CODE = re.compile(r"^E05\d{6}$")
_AREA_CODE = re.compile(r"^[A-Za-z0-9_]{1,20}$")


class DefinitionError(ValueError):
    """The neighbourhood definition CSV is not usable; the message says what to fix."""


def validate_definition(df: pd.DataFrame, known_wards: Iterable[str] | None = None) -> pd.DataFrame:
    """Check a ward -> neighbourhood -> locality table and return a clean copy.

    Rules: all :data:`DEFINITION_COLUMNS` present and non-blank; ward codes look like ONS
    ward codes (``E05`` + 6 digits); every ward appears exactly once; when ``known_wards`` is
    given, the wards are exactly that set (none missing, none unknown); each neighbourhood
    has one name and one locality; each locality one name. Codes are short identifiers
    (letters, digits, underscore).

    Raises :class:`DefinitionError` listing every problem found, with the row numbers as a
    spreadsheet user sees them (header = row 1).
    """
    problems: list[str] = []
    missing = [c for c in DEFINITION_COLUMNS if c not in df.columns]
    if missing:
        raise DefinitionError(
            "The neighbourhood definition is missing column(s) "
            + ", ".join(missing)
            + ". It needs exactly: "
            + ", ".join(DEFINITION_COLUMNS)
            + "."
        )
    out = df.copy()
    for col in DEFINITION_COLUMNS:
        out[col] = out[col].astype("string").str.strip()
    for col in DEFINITION_COLUMNS:
        blank = out.index[out[col].isna() | (out[col] == "")]
        if len(blank):
            problems.append(f"blank {col} in row(s) {row_numbers(blank)}")
    bad_ward = out.index[~out["ward_code"].fillna("").str.match(_WARD_CODE)]
    if len(bad_ward):
        problems.append(
            f"ward_code is not an ONS ward code (E05 followed by 6 digits) in row(s) {row_numbers(bad_ward)}"
        )
    for col in ("neighbourhood_code", "locality_code"):
        bad = out.index[~out[col].fillna("").str.match(_AREA_CODE)]
        if len(bad):
            problems.append(
                f"{col} must be a short code of letters, digits or _ (e.g. N1, NORTH) in row(s) {row_numbers(bad)}"
            )
    dup = out["ward_code"].duplicated(keep=False) & out["ward_code"].notna()
    if dup.any():
        for code, idx in out[dup].groupby("ward_code").groups.items():
            problems.append(
                f"ward {code} appears more than once (rows {row_numbers(idx)}); each ward belongs to one neighbourhood"
            )
    if known_wards is not None:
        known = set(known_wards)
        present = set(out["ward_code"].dropna())
        unknown = sorted(present - known)
        absent = sorted(known - present)
        if unknown:
            problems.append("unknown ward code(s) not in the ward boundaries: " + ", ".join(unknown))
        if absent:
            problems.append(
                "ward(s) missing from the definition (every ward must be assigned once): " + ", ".join(absent)
            )
    for key, cols in (
        ("neighbourhood_code", ["neighbourhood_name", "locality_code"]),
        ("locality_code", ["locality_name"]),
    ):
        for col in cols:
            n = out.dropna(subset=[key]).groupby(key)[col].nunique()
            for code in n[n > 1].index:
                problems.append(
                    f"{key} {code} has more than one {col}: "
                    + ", ".join(sorted(out.loc[out[key] == code, col].dropna().unique()))
                )
    if problems:
        raise DefinitionError("The neighbourhood definition has problems:\n- " + "\n- ".join(problems))
    return out.sort_values(["locality_code", "neighbourhood_code", "ward_code"], key=_order_key).reset_index(drop=True)


def read_definition(path: str | Path, known_wards: Iterable[str] | None = None) -> pd.DataFrame:
    """Read and validate a definition CSV (see :func:`validate_definition`)."""
    df = read_text_table(path, DefinitionError, "neighbourhood definition", DEFINITION_COLUMNS)
    return validate_definition(df, known_wards)


def read_text_table(path: str | Path, error: type[ValueError], what: str, columns: Iterable[str]) -> pd.DataFrame:
    """An editable CSV (the definition, the practice assignment) as text, blanks as missing;
    ``error`` saying what to do when it is absent or not a readable UTF-8 CSV."""
    path = Path(path)
    if not path.exists():
        raise error(f"No {what} at {path}. Create it with the columns {', '.join(columns)}.")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise error(f"{path} is not a readable UTF-8 CSV file: {exc}") from exc


def locality_order(code: str) -> int:
    """Display order of a locality code (North, Central, South, then others)."""
    order = list(LOCALITIES)
    return order.index(code) if code in order else len(order)


def _order_key(s: pd.Series) -> pd.Series:
    if s.name == "locality_code":
        return s.map(locality_order)
    return s


def row_numbers(index: Iterable[int]) -> str:
    """Row numbers as a spreadsheet user sees them (the header is row 1), the first 20."""
    rows = [str(int(i) + 2) for i in index]
    return ", ".join(rows[:20]) + (f" and {len(rows) - 20} more" if len(rows) > 20 else "")


def definition_from_source(source: pd.DataFrame) -> pd.DataFrame:
    """Convert the project's compiled source table (``geo/neighbourhoods_wards2004-2018.csv``,
    columns ``neighbourhood_id, neighbourhood_name, locality, ward_code, ward_name, evidence``)
    into the definition contract. The ``evidence`` column is kept as an extra, optional column.
    """
    loc_codes = {name: code for code, name in LOCALITIES.items()}
    out = pd.DataFrame(
        {
            "ward_code": source["ward_code"],
            "ward_name": source["ward_name"],
            "neighbourhood_code": source["neighbourhood_id"],
            "neighbourhood_name": source["neighbourhood_name"],
            "locality_code": source["locality"].map(loc_codes),
            "locality_name": source["locality"],
        }
    )
    if "evidence" in source.columns:
        out["evidence"] = source["evidence"]
    return validate_definition(out)
