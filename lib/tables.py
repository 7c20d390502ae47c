"""Static HTML tables: a real ``<table>`` with a caption and column headers, every cell escaped.

Used for the short tables people read rather than sort (the 12 neighbourhoods on the overview): a
plain table reads well on a projector and in print, screen readers move through it cell by cell,
and the browser draws it without loading the interactive data grid (a quarter of a first page
load on a 2-core machine, see ``BENCHMARKS.md``). Long tables stay interactive grids.

:func:`read_html_tables` is the inverse, for tests and for anyone who wants the figures back.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pandas as pd

#: Styles for :func:`html_table`, scoped to its wrapper class. Dark text on white (the app's text
#: colour), numbers right-aligned in tabular figures, a visible focus ring on the scrollable region.
TABLE_CSS = """<style>
.np-table { overflow-x: auto; margin: 0 0 0.5rem 0; }
.np-table:focus-visible { outline: 3px solid #0B4F8A; outline-offset: 2px; }
.np-table table { border-collapse: collapse; width: 100%; font-size: 0.95rem; color: #0B0C0C; }
.np-table caption { text-align: left; font-weight: 600; padding: 0 0 0.4rem 0; color: #0B0C0C; }
.np-table th, .np-table td { text-align: left; vertical-align: top; padding: 0.35rem 0.6rem; border-bottom: 1px solid #B1B4B6; }
.np-table thead th { border-bottom: 2px solid #0B0C0C; font-weight: 600; }
.np-table td.num, .np-table th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.np-table tbody tr:nth-child(even) { background: #F3F2F1; }
</style>"""

MISSING = "–"


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    return html.escape(str(value), quote=True)


def html_table(df: pd.DataFrame, caption: str, numeric: tuple[str, ...] = (), row_header: str | None = None) -> str:
    """``df`` as an accessible HTML table (with :data:`TABLE_CSS`).

    ``caption`` names the table (also the scrollable region's accessible name); ``numeric``
    columns are right-aligned; ``row_header`` is the column whose cells name their row (marked
    ``<th scope="row">``). Every header and cell is HTML-escaped; missing values show as "–".
    """
    cols = [str(c) for c in df.columns]
    num = {str(c) for c in numeric}

    def cls(col: str) -> str:
        return ' class="num"' if col in num else ""

    head = "".join(f'<th scope="col"{cls(c)}>{html.escape(c)}</th>' for c in cols)
    rows = []
    for values in df.itertuples(index=False, name=None):
        cells = []
        for col, value in zip(cols, values):
            if row_header is not None and col == str(row_header):
                cells.append(f'<th scope="row">{_cell(value)}</th>')
            else:
                cells.append(f"<td{cls(col)}>{_cell(value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    label = html.escape(caption, quote=True)
    return (f'{TABLE_CSS}<div class="np-table" role="region" aria-label="{label}" tabindex="0">'
            f"<table><caption>{label}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


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
    """Every table in ``text`` as a DataFrame of strings (columns from its header row; the
    caption in ``df.attrs["caption"]``)."""
    reader = _TableReader()
    reader.feed(text)
    out = []
    for t in reader.tables:
        header = t["header"][0] if t["header"] else None
        df = pd.DataFrame(t["rows"], columns=header)
        df.attrs["caption"] = t["caption"]
        out.append(df)
    return out
