"""Static HTML tables:
a real ``<table>`` with a caption and column headers, every cell escaped.

Every table the app shows is one of these: a plain table reads well on a projector and in print,
screen readers move through it cell by cell (the interactive data grid is a canvas they cannot
read), and the browser draws it without loading the grid's code (a third of a first page load on
a 2-core machine, see ``BENCHMARKS.md``). People who want to sort or filter download the CSV.

:func:`read_html_tables` is the inverse, for tests and for anyone who wants the figures back.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from html.parser import HTMLParser

import pandas as pd

from lib.render.style import style

#: Styles for :func:`html_table`, scoped to its wrapper class. Dark text on white (the app's text
#: colour), numbers right-aligned in tabular figures, a visible focus ring on the scrollable region.
TABLE_CSS = style("table")

MISSING = "–"

#: A cell that reads as a number: an optional sign or "<", a currency sign, digits with thousands
#: commas and decimals, an optional % or unit-free suffix. Columns of only these are right-aligned.
NUMBER_TEXT = re.compile(r"^[<>≤≥~+\-−]?\s?£?\d[\d,]*(\.\d+)?\s?%?$")


def format_number(value: float | int) -> str:
    """A number as people read it: up to 3 decimals with trailing zeros dropped, and thousands
    commas from 10,000 (so years and 4-digit codes stay as they are)."""
    if isinstance(value, (int,)) or (isinstance(value, float) and value.is_integer()):
        v = int(value)
        return f"{v:,}" if abs(v) >= 10_000 else str(v)
    text = f"{value:,.3f}" if abs(value) >= 10_000 else f"{value:.3f}"
    return text.rstrip("0").rstrip(".")


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _cell(value: object) -> str:
    if _missing(value):
        return MISSING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float)) and math.isfinite(value):  # bools were handled above
        return html.escape(format_number(value))
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return _cell(value.item())
    return html.escape(str(value), quote=True)


def numeric_columns(df: pd.DataFrame) -> tuple[str, ...]:
    """The columns to right-align: numeric dtypes, and text columns whose every filled cell
    reads as a number (:data:`NUMBER_TEXT`, e.g. "12.5%", "<5", "45,210")."""
    out = []
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s):
            continue
        if pd.api.types.is_numeric_dtype(s):
            out.append(str(col))
            continue
        filled = [str(v).strip() for v in s if not _missing(v) and str(v).strip() not in ("", MISSING)]
        if filled and all(NUMBER_TEXT.match(v) for v in filled):
            out.append(str(col))
    return tuple(out)


def highlight_mark(label: str) -> str:
    """The words that mark a highlighted row, e.g. " (selected)": shown and read aloud, so the
    highlight is never by colour alone (escaped)."""
    return f' <span class="np-mark">({html.escape(label)})</span>'


def row_start(highlighted: bool) -> str:
    """A table row's opening tag: with the highlight class (:data:`TABLE_CSS`) when ``highlighted``."""
    return '<tr class="np-selected">' if highlighted else "<tr>"


def html_table(
    df: pd.DataFrame,
    caption: str,
    numeric: tuple[str, ...] | None = None,
    row_header: str | None = None,
    max_height: int | None = None,
    highlight: Sequence[bool] | None = None,
    highlight_label: str = "selected",
) -> str:
    """``df`` as an accessible HTML table (with :data:`TABLE_CSS`).

    ``caption`` names the table (also the scrollable region's accessible name); ``numeric``
    columns are right-aligned (``None``: found by :func:`numeric_columns`); ``row_header`` is the
    column whose cells name their row (marked ``<th scope="row">``); ``max_height`` (pixels)
    makes a long table scroll inside its region, under a header that stays in view. Every
    header and cell is HTML-escaped; numbers are shown by :func:`format_number`; missing values
    show as "–". Rows where ``highlight`` (one flag per row) is true stand out (tinted, bold, a
    bar at their start) and their header cell (the first cell without a row header) ends in
    ``highlight_label`` in brackets (:func:`highlight_mark`).
    """
    flags = None if highlight is None else [bool(flag) for flag in highlight]  # by position, whatever a Series' index
    if flags is not None and len(flags) != len(df):
        raise ValueError(f"highlight has {len(flags)} flags for {len(df)} rows")
    cols = [str(c) for c in df.columns]
    num = set(numeric_columns(df) if numeric is None else (str(c) for c in numeric))

    def cls(col: str) -> str:
        return ' class="num"' if col in num else ""

    head = "".join(f'<th scope="col"{cls(c)}>{html.escape(c)}</th>' for c in cols)
    rows = []
    marked_col = str(row_header) if row_header is not None and str(row_header) in cols else (cols[0] if cols else None)
    for i, values in enumerate(df.itertuples(index=False, name=None)):
        marked = flags is not None and flags[i]
        cells = []
        for col, value in zip(cols, values):
            text = _cell(value) + (highlight_mark(highlight_label) if marked and col == marked_col else "")
            if row_header is not None and col == str(row_header):
                cells.append(f'<th scope="row">{text}</th>')
            else:
                cells.append(f"<td{cls(col)}>{text}</td>")
        rows.append(row_start(marked) + "".join(cells) + "</tr>")
    label = html.escape(caption, quote=True)
    scroll = f' np-scroll" style="max-height: {int(max_height)}px; overflow-y: auto;' if max_height else ""
    return (
        f'{TABLE_CSS}<div class="np-table{scroll}" role="region" aria-label="{label}" tabindex="0">'
        f"<table><caption>{label}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


class _TableReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "table":
            self.tables.append({"caption": "", "header": [], "rows": []})
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th", "caption"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag == "caption" and self._cell is not None and self.tables:
            self.tables[-1]["caption"] = "".join(self._cell).strip()
            self._cell = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            (self.tables[-1]["header"] if self._in_head else self.tables[-1]["rows"]).append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def read_html_tables(text: str) -> list[pd.DataFrame]:
    """Every table in ``text`` as a DataFrame of strings (columns from its (last) header row, the
    one above the cells where a table groups its columns; the caption in ``df.attrs["caption"]``)."""
    reader = _TableReader()
    reader.feed(text)
    out = []
    for t in reader.tables:
        header = t["header"][-1] if t["header"] else None  # the last header row names the columns
        df = pd.DataFrame(t["rows"], columns=header)
        df.attrs["caption"] = t["caption"]
        out.append(df)
    return out
