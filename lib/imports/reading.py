"""Reading an uploaded CSV's bytes into rows, with messages a person can act on.

Both uploads (your own indicator data, :mod:`lib.imports.indicator_file`, and monthly activity,
:mod:`lib.imports.activity_file`) meet the same ways a file goes wrong before it is even a table:
an Excel workbook or an image saved under a ``.csv`` name, UTF-16 or Windows "ANSI" text, binary
data. :func:`decode_utf8` recognises them once and raises :class:`NotText` saying which; each reader
words the message for its own page (the two pages give slightly different advice). Row lists in
messages are written by :func:`rows_text`, the same way on both pages.

The rest is the indicator file's reading: its size and row limits, :func:`parse` (header, rows,
ragged rows, unclosed quotes, wrong separators) and :class:`ImportFileError`, whose message says
the file was not loaded and nothing loaded before has changed.

Pure functions, no Streamlit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from typing import NoReturn

import pandas as pd

#: Limits of an uploaded indicator file (``.streamlit/config.toml``'s maxUploadSize agrees).
MAX_BYTES = 20_000_000
MAX_ROWS = 500_000
#: Rows (or codes) named in one message before "and N more".
MAX_ROWS_NAMED = 10

#: The first bytes of files that are not text, and what the user should be told they are.
NOT_CSV_SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a zip file or an Excel workbook (.xlsx)",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
}

Fail = Callable[[str], NoReturn]


class ImportFileError(ValueError):
    """A file that cannot be used. ``problems`` holds one plain sentence per problem."""

    def __init__(self, filename: str, problems: list[str]):
        self.filename = filename
        self.problems = problems
        head = f"“{filename}” was not loaded (nothing you loaded before has changed)."
        super().__init__(head + "\n" + "\n".join(f"- {p}" for p in problems))


class NotText(ValueError):
    """The bytes are not UTF-8 text. ``kind`` is ``"signature"`` (``what`` says what the file looks
    like), ``"utf16"``, ``"binary"`` or ``"encoding"`` (``line`` is the row of the first bad byte)."""

    def __init__(self, kind: str, what: str = "", line: int = 0):
        self.kind, self.what, self.line = kind, what, line
        super().__init__(kind)


def decode_utf8(raw: bytes) -> str:
    """The text of an uploaded file (a UTF-8 byte-order mark is dropped), or :class:`NotText`."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for magic, what in NOT_CSV_SIGNATURES.items():
        if raw.startswith(magic):
            raise NotText("signature", what=what)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise NotText("utf16")
    if b"\x00" in raw[:4096]:
        raise NotText("binary")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotText("encoding", line=raw[: exc.start].count(b"\n") + 1) from None


def rows_text(rows: Iterable[int], limit: int = MAX_ROWS_NAMED) -> str:
    """``'rows 3, 5 and 9'``; beyond ``limit`` rows, ``'rows 1, 2, … and 12 more'``."""
    rows = sorted(set(int(r) for r in rows))
    word = "row" if len(rows) == 1 else "rows"
    if len(rows) <= limit:
        shown = [str(r) for r in rows]
        return f"{word} " + (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0])
    return f"{word} " + ", ".join(str(r) for r in rows[:limit]) + f" and {len(rows) - limit} more"


def list_text(items: Iterable[str], limit: int = MAX_ROWS_NAMED) -> str:
    """Distinct items joined by commas, at most ``limit``, then "and N more"."""
    items = list(dict.fromkeys(str(i) for i in items))
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


def to_number(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Numbers from text; returns (numbers, bad mask, percent-sign mask). Thousands commas allowed."""
    t = s.fillna("").astype(str).str.strip()
    pct = t.str.endswith("%")
    clean = t.str.replace(",", "", regex=False).str.rstrip("%").str.strip()
    num = pd.to_numeric(clean.where(clean != "", None), errors="coerce")
    bad = (clean != "") & num.isna()
    return num.astype(float), bad | pct, pct


# ---------------------------------------------------------------- an indicator file's bytes into rows


def check_size(raw: bytes | None, max_bytes: int, fail: Fail) -> None:
    """An empty file, or one over ``max_bytes``, goes no further."""
    if raw is None or len(raw.strip()) == 0:
        fail("The file is empty. Upload a CSV with a header row and one row per indicator, period and area.")
    if len(raw) > max_bytes:
        fail(
            f"The file is too large ({len(raw) / 1e6:.1f} MB); the limit is {max_bytes / 1e6:.0f} MB. Upload "
            "fewer indicators or periods at a time, or for a Fingertips export choose Manchester's wards only."
        )


def decode(raw: bytes, fail: Fail) -> str:
    """The text of an indicator file, or the reason it is not a CSV (a web page, JSON, a workbook …)."""
    try:
        text = decode_utf8(raw)
    except NotText as exc:
        fail(_not_text_message(exc))
    start = text.lstrip()[:200].lower()
    if start.startswith(("<!doctype", "<html", "<?xml", "<table")):
        fail(
            "This file is not a CSV: it is a web page or XML. If you saved it from a website, download the "
            "CSV instead (on Fingertips: Download → 'Export table as CSV file' / all data)."
        )
    if start.startswith(("{", "[")):
        fail("This file is not a CSV: it looks like JSON. Upload a comma-separated file with one header row.")
    return text


def _not_text_message(exc: NotText) -> str:
    if exc.kind == "signature":
        return (
            f"This file is not a CSV: it looks like {exc.what}. Open it in Excel and use Save As → "
            "'CSV UTF-8 (comma delimited)', then upload the .csv file."
        )
    if exc.kind == "utf16":
        return (
            "The file is in UTF-16 encoding, not UTF-8. In Excel use Save As → 'CSV UTF-8 (comma delimited)' "
            "and upload that file."
        )
    if exc.kind == "binary":
        return (
            "This file is not a CSV: it contains binary data. Save your data as 'CSV UTF-8 (comma delimited)' "
            "and upload that."
        )
    return (
        f"The file is not in UTF-8 encoding (the first character that is not UTF-8 is on row {exc.line}; "
        "it is probably a Windows 'ANSI' file). In Excel use Save As → 'CSV UTF-8 (comma delimited)'; "
        "in other tools choose the UTF-8 encoding."
    )


def parse(text: str, fail: Fail, max_rows: int) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the data rows, each with its row number as a spreadsheet shows it. Blank rows
    and comment lines (``#``) before the header are skipped."""
    header, header_row, rows, ragged = _read_records(text, fail, max_rows)
    _check_header(header, header_row, fail)
    if ragged:
        fail(
            f"{rows_text(ragged).capitalize()} {'has' if len(ragged) == 1 else 'have'} a different number of cells "
            f"from the header ({len(header)}). "
            "A value with a comma in it must be in quotation marks; remove stray commas or extra cells."
        )
    dups = sorted({h for h in header if h and header.count(h) > 1})
    if dups:
        fail(
            f"The header (row {header_row}) repeats column(s) {', '.join(dups)}. Give each column one name and "
            "remove the copy."
        )
    if not rows:
        fail(
            f"The file has a header (row {header_row}) but no data rows. Add one row per indicator, period and "
            "area, then upload again."
        )
    return header, rows


def _read_records(
    text: str, fail: Fail, max_rows: int
) -> tuple[list[str], int, list[tuple[int, list[str]]], list[int]]:
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    header_row = 0
    rows: list[tuple[int, list[str]]] = []
    ragged: list[int] = []
    try:
        prev = 0
        for rec in reader:
            line, start, prev = reader.line_num, prev + 1, reader.line_num
            if not rec or all(not c.strip() for c in rec):
                continue
            if header is None:
                if rec[0].lstrip().startswith("#"):
                    continue
                header, header_row = [h.strip() for h in rec], line
                continue
            if any("\n" in c for c in rec):
                fail(
                    f"Row {start} has a quotation mark that is never closed, so the rest of the file is read as one "
                    "cell. Remove the stray \" or close it, then save the file again as 'CSV UTF-8 (comma delimited)'."
                )
            if len(rec) != len(header):
                ragged.append(line)
            rows.append((line, rec))
            if len(rows) > max_rows:
                fail(
                    f"The file has more than {max_rows:,} data rows, the limit. Upload fewer indicators, periods "
                    "or areas at a time (for a Fingertips export, download the data for Manchester's wards only)."
                )
    except csv.Error as exc:
        fail(
            f"The file could not be read as CSV near row {reader.line_num} ({exc}). Check for an unclosed "
            "quotation mark, then save it again as 'CSV UTF-8 (comma delimited)'."
        )
    if header is None:
        fail(
            "The file has no header row and no data (only blank lines or comments). Upload a CSV with a header "
            "row and one row per indicator, period and area."
        )
    return header, header_row, rows, ragged


def _check_header(header: list[str], header_row: int, fail: Fail) -> None:
    """A one-column header means the file is not comma-separated: say what separates it, if anything."""
    if len(header) != 1:
        return
    h = header[0]
    for delim, word in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
        if delim in h:
            fail(
                f"The columns are separated by {word}, not commas (row {header_row}). Save the file as "
                "'CSV UTF-8 (comma delimited)' and upload it again."
            )
    fail(
        f"This does not look like a CSV: the header (row {header_row}) has a single column and no commas. "
        "Expected columns such as indicator_id, period, area_code, numerator, denominator separated by commas."
    )
