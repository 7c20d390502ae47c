"""Uploaded monthly activity: the CSV contract and its validation.

The contract (documented on the Activity shift page and in the sample file):

=====================  ========  =============================================================
column                 required  content
=====================  ========  =============================================================
``neighbourhood_code`` yes       one of the 12 codes (C1–C4, N1–N4, S1–S4; case is ignored)
``month``              yes       ``YYYY-MM`` (e.g. ``2019-04``)
``measure_id``         yes       a ``measure_id`` of the 2020/21 targets (e.g. ``ae_attendances``)
``count``              yes       a whole number ≥ 0 (activity in that month)
``population``         no        residents (> 0), if you want rates per 1,000
``data_status``        no        e.g. ``SYNTHETIC``; any row saying ``SYNTHETIC`` marks the data so
=====================  ========  =============================================================

Comma-separated, UTF-8 (a byte-order mark is fine), one header line. Lines starting with ``#``
are comments and are skipped. Other columns are ignored (and the user is told). Row numbers in
messages count every line of the file, as a spreadsheet shows them (header = row 1 when there
are no comment lines). One row per neighbourhood × month × measure.

Recognising a file that is not text, and naming rows, are shared with the indicator reader
(:mod:`lib.imports.reading`); the advice in the messages is this page's own. A file that loads
may still carry warnings: series too short for SPC or with missing months (:func:`series_warnings`).

Pure functions, no Streamlit.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.imports.reading import MAX_ROWS_NAMED, NotText, decode_utf8, rows_text

ACTIVITY_COLUMNS = ("neighbourhood_code", "month", "measure_id", "count")
OPTIONAL_COLUMNS = ("population", "data_status")
MAX_BYTES = 5_000_000
MAX_ROWS = 100_000
#: Monthly points an SPC chart needs; shorter series are loaded but get no chart.
MIN_SPC_POINTS = 12
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_SAVE_AS = "Save your data as 'CSV UTF-8 (comma delimited)' and upload that."
_CHECKS = (
    "fields",
    "code",
    "measure",
    "month",
    "count_blank",
    "count_text",
    "count_negative",
    "count_fraction",
    "population",
)


class ActivityUploadError(ValueError):
    """An upload that cannot be used. ``problems`` lists one plain sentence per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class ActivityData:
    """A validated upload: ``frame`` has ``neighbourhood_code, month, measure_id, count,
    population`` (NaN when not given), sorted; ``synthetic`` is True when any row says SYNTHETIC."""

    frame: pd.DataFrame
    synthetic: bool
    warnings: list[str] = field(default_factory=list)
    name: str = ""


def _refuse(message: str):
    raise ActivityUploadError([message])


def _decode(raw: bytes) -> str:
    try:
        return decode_utf8(raw)
    except NotText as exc:
        if exc.kind == "signature":
            _refuse(f"This file is not a CSV: it looks like {exc.what}. {_SAVE_AS}")
        if exc.kind == "utf16":
            _refuse(
                "The file is in UTF-16 encoding, not UTF-8. In Excel use Save As → 'CSV UTF-8 (comma delimited)' and upload that file."
            )
        if exc.kind == "binary":
            _refuse(f"This file is not a CSV: it contains binary data. {_SAVE_AS}")
        _refuse(
            f"The file is not in UTF-8 encoding (the first character that is not UTF-8 is on row {exc.line}). "
            "In Excel use Save As → 'CSV UTF-8 (comma delimited)'; in other tools choose the UTF-8 encoding."
        )


def read_activity_csv(
    raw: bytes,
    known_codes: Iterable[str],
    known_measures: Iterable[str],
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    name: str = "",
) -> ActivityData:
    """Validate and read an uploaded activity CSV. Raises :class:`ActivityUploadError` naming the
    problem rows (at most ten per problem, then "and N more")."""
    known_codes = list(known_codes)
    known_measures = list(known_measures)
    if raw is None or len(raw.strip()) == 0:
        _refuse("The file is empty. Upload a CSV with a header line and one row per neighbourhood, month and measure.")
    if len(raw) > max_bytes:
        _refuse(
            f"The file is too large ({len(raw) / 1e6:.1f} MB); the limit is {max_bytes / 1e6:.0f} MB. Upload fewer months or measures at a time."
        )
    header, data_lines, warnings = _header_and_rows(_decode(raw), max_rows)
    records, bad = _read_rows(data_lines, header, known_codes, known_measures)
    problems = _row_problems(bad, len(header), known_codes, known_measures)
    df = pd.DataFrame(
        records, columns=["row", "neighbourhood_code", "month", "measure_id", "count", "population", "data_status"]
    )
    problems.extend(_duplicates(df))
    if problems:
        raise ActivityUploadError(problems)
    synthetic = bool((df["data_status"].str.upper() == "SYNTHETIC").any())
    frame = (
        df.drop(columns=["row", "data_status"])
        .sort_values(["neighbourhood_code", "measure_id", "month"])
        .reset_index(drop=True)
    )
    frame["count"] = frame["count"].astype("int64")
    frame["population"] = frame["population"].astype(float)
    warnings.extend(series_warnings(frame))
    return ActivityData(frame=frame, synthetic=synthetic, warnings=warnings, name=name)


def _header_and_rows(text: str, max_rows: int) -> tuple[list[str], list[tuple[int, str]], list[str]]:
    """The lower-cased header, the data lines with their row numbers, and a warning for ignored columns."""
    lines = text.splitlines()
    body = [(i + 1, line) for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    if not body:
        _refuse("The file has no header or data rows (only comments or blank lines).")
    header_row, header_line = body[0]
    data_lines = body[1:]
    if len(data_lines) > max_rows:
        _refuse(
            f"The file has too many rows ({len(data_lines):,}); the limit is {max_rows:,}. Upload fewer months or measures at a time."
        )
    if "," not in header_line:
        for delim, word in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if delim in header_line:
                _refuse(
                    f"The columns are separated by {word}, not commas (row {header_row}). Save the file as 'CSV UTF-8 (comma delimited)'."
                )
        _refuse(
            f"This does not look like a CSV: the header (row {header_row}) has a single column and no commas. "
            f"Expected the columns {', '.join(ACTIVITY_COLUMNS)} separated by commas."
        )
    header = [h.strip().lower() for h in next(csv.reader([header_line]))]
    missing = [c for c in ACTIVITY_COLUMNS if c not in header]
    if missing:
        found = ", ".join(h or "(blank)" for h in header)
        _refuse(
            f"Missing column(s): {', '.join(missing)}. The header (row {header_row}) has: {found}. "
            f"Required: {', '.join(ACTIVITY_COLUMNS)}; optional: {', '.join(OPTIONAL_COLUMNS)}."
        )
    dupe_cols = sorted({h for h in header if header.count(h) > 1 and h})
    if dupe_cols:
        _refuse(
            f"The header (row {header_row}) repeats the column(s) {', '.join(dupe_cols)}; each column must appear once."
        )
    warnings: list[str] = []
    ignored = [h for h in header if h not in ACTIVITY_COLUMNS + OPTIONAL_COLUMNS]
    if ignored:
        warnings.append(f"Ignored column(s) not in the contract: {', '.join(ignored)}.")
    if not data_lines:
        _refuse("The file has a header but no data rows.")
    return header, data_lines, warnings


def _read_rows(
    data_lines: list[tuple[int, str]], header: list[str], known_codes: list[str], known_measures: list[str]
) -> tuple[list[tuple], dict]:
    """The good rows as records, and for each check the rows that fail it (plus the bad codes and measures)."""
    col = {h: header.index(h) for h in header}
    codes_ok = {c.upper(): c for c in known_codes}
    measures_ok = set(known_measures)
    bad: dict = {k: [] for k in _CHECKS} | {"codes": {}, "measures": {}}
    records = []
    for row, line in data_lines:
        cells = next(csv.reader([line]))
        if len(cells) != len(header):
            bad["fields"].append(row)
            continue
        cell = {h: cells[i].strip() for h, i in col.items()}
        failed = _cell_checks(cell, codes_ok, measures_ok)
        for check in failed:
            bad[check].append(row)
        if "code" in failed:
            bad["codes"][cell["neighbourhood_code"] or "(blank)"] = None
        if "measure" in failed:
            bad["measures"][cell["measure_id"] or "(blank)"] = None
        if not failed:
            pop = _number(cell["population"]) if cell.get("population", "") != "" else np.nan
            records.append(
                (
                    row,
                    codes_ok[cell["neighbourhood_code"].upper()],
                    cell["month"],
                    cell["measure_id"].lower(),
                    int(_number(cell["count"])),
                    pop,
                    cell.get("data_status", ""),
                )
            )
    return records, bad


def _cell_checks(cell: dict[str, str], codes_ok: dict[str, str], measures_ok: set[str]) -> list[str]:
    """The checks one row fails (names from ``_CHECKS``)."""
    failed = []
    if cell["neighbourhood_code"].upper() not in codes_ok:
        failed.append("code")
    if cell["measure_id"].lower() not in measures_ok:
        failed.append("measure")
    if not _MONTH.match(cell["month"]):
        failed.append("month")
    count = _number(cell["count"])
    if cell["count"] == "":
        failed.append("count_blank")
    elif count is None:
        failed.append("count_text")
    elif count < 0:
        failed.append("count_negative")
    elif count != int(count):
        failed.append("count_fraction")
    if "population" in cell and cell["population"] != "":
        p = _number(cell["population"])
        if p is None or p <= 0:
            failed.append("population")
    return failed


def _row_problems(bad: dict, n_columns: int, known_codes: list[str], known_measures: list[str]) -> list[str]:
    words = {
        "fields": f"Wrong number of values (the header has {n_columns} columns) on {{rows}}.",
        "code": f"Unknown neighbourhood code(s) {', '.join(list(bad['codes'])[:MAX_ROWS_NAMED])} on {{rows}}. "
        f"Valid codes: {', '.join(sorted(known_codes))}.",
        "measure": f"Unknown measure id(s) {', '.join(list(bad['measures'])[:MAX_ROWS_NAMED])} on {{rows}}. "
        f"Valid measure ids: {', '.join(known_measures)}.",
        "month": "Month not in the form YYYY-MM (e.g. 2019-04) on {rows}.",
        "count_blank": "Count is blank on {rows}; enter 0 if there was no activity.",
        "count_text": "Count is not a number on {rows}; use digits only (no commas, spaces or text).",
        "count_negative": "Count is negative on {rows}; counts must be 0 or more.",
        "count_fraction": "Count is not a whole number on {rows}; counts of activity must be whole numbers.",
        "population": "Population is not a number greater than 0 on {rows}; leave it blank if unknown.",
    }
    return [words[k].replace("{rows}", rows_text(bad[k])) for k in _CHECKS if bad[k]]


def _duplicates(df: pd.DataFrame) -> list[str]:
    dupes = df[df.duplicated(["neighbourhood_code", "month", "measure_id"], keep=False)]
    if dupes.empty:
        return []
    keys = dupes.groupby(["neighbourhood_code", "month", "measure_id"])["row"].apply(list)
    examples = "; ".join(f"{c} {m} {ms} ({rows_text(r)})" for (c, m, ms), r in list(keys.items())[:3])
    return [
        f"Duplicate rows for the same neighbourhood, month and measure on {rows_text(sorted(dupes['row']))}: "
        f"{examples}. Keep one row for each."
    ]


def _number(text: str) -> float | None:
    try:
        v = float(text)
    except ValueError:
        return None
    return v if np.isfinite(v) else None


def series_warnings(frame: pd.DataFrame) -> list[str]:
    """Series too short for SPC (fewer than 12 months) or with missing months."""
    out = []
    short, gaps = [], []
    for (code, measure), g in frame.groupby(["neighbourhood_code", "measure_id"]):
        if len(g) < MIN_SPC_POINTS:
            short.append(f"{code} {measure} ({len(g)})")
        months = pd.PeriodIndex(g["month"], freq="M")
        if len(months) and (months.max() - months.min()).n + 1 != len(months):
            gaps.append(f"{code} {measure}")
    if short:
        out.append(
            f"SPC needs at least {MIN_SPC_POINTS} monthly points; these series have fewer, so they get no SPC chart (their monthly counts are still in the table): "
            + ", ".join(short[:MAX_ROWS_NAMED])
            + (f" and {len(short) - MAX_ROWS_NAMED} more" if len(short) > MAX_ROWS_NAMED else "")
            + "."
        )
    if gaps:
        out.append(
            "Some months are missing (the chart joins the months it has): "
            + ", ".join(gaps[:MAX_ROWS_NAMED])
            + (f" and {len(gaps) - MAX_ROWS_NAMED} more" if len(gaps) > MAX_ROWS_NAMED else "")
            + "."
        )
    return out


def accept_upload(
    current: ActivityData | None,
    raw: bytes,
    known_codes: Iterable[str],
    known_measures: Iterable[str],
    name: str = "",
    **limits,
) -> tuple[ActivityData | None, str | None]:
    """Read an upload; on success return ``(new data, None)``, on failure keep ``current`` and
    return ``(current, message)``, so data already loaded stay as they were."""
    try:
        return read_activity_csv(raw, known_codes, known_measures, name=name, **limits), None
    except ActivityUploadError as exc:
        return current, str(exc)


def contract_table() -> pd.DataFrame:
    """The upload contract as a table for the page."""
    return pd.DataFrame(
        [
            ("neighbourhood_code", "yes", "One of the 12 codes, e.g. N1 (case ignored)"),
            ("month", "yes", "YYYY-MM, e.g. 2019-04"),
            ("measure_id", "yes", "A measure id of the 2020/21 targets, e.g. ae_attendances"),
            ("count", "yes", "Activity that month: a whole number, 0 or more"),
            ("population", "no", "Residents (> 0), for rates per 1,000; may be blank"),
            ("data_status", "no", "e.g. SYNTHETIC; a file with SYNTHETIC rows is flagged as synthetic"),
        ],
        columns=["column", "required", "content"],
    )


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")
