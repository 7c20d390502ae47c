"""A neighbourhood's PDF profile (A4 portrait), laid out from its :class:`lib.exports.story.Story`.

Page one holds the title, the board summary and the spine table: every indicator (the tested ones
first, the activity-shift targets left out) as a row of text, at 7.5 pt, with its spine drawn
beside it (the 12 neighbourhoods' range as a grey band, England as the black centre line,
Manchester as a grey diamond, the neighbourhood as its comparison's marker; better to the right).
Rows that do not fit continue on a second page under the same headings; the footer (sources,
statuses, accessed date, the link back) closes the last page. Text is text, not a picture, so it is
never shrunk below 7 pt. DejaVu Sans is used when installed, for the comparison symbols (▲ ● ▼)
and typographic punctuation; the built-in Helvetica has neither, so they are replaced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fpdf import FPDF

from lib.core.data import Dataset
from lib.core.selection import Selection
from lib.exports.footer import footer_paragraphs
from lib.exports.story import APP_NAME, Story
from lib.render.charts import BAND_GREY, CITY_COLOUR, COMPARISON_SHAPES
from lib.render.format import COMPARISON_STYLE

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
#: The table's text size (points): never smaller than 7.
TABLE_PT = 7.5
FOOTER_PT = 7.0
#: A table line's height (mm); a row is as many lines as its longest cell wraps to, plus padding.
LINE_H = 3.4
ROW_PAD = 1.4
#: Column widths (mm, scaled to the page): indicator, period, the neighbourhood, Manchester,
#: England, the comparison, status, and the spine.
COLUMN_MM = (37, 15, 15, 20, 19, 22, 18, 40)
#: The status column's words (the catalogue's badge, short enough for the column).
STATUS_WORDS = {"MODELLED ESTIMATE": "MODELLED"}
MARGIN = 12
BOTTOM = 10


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def draw_spine(pdf: FPDF, row: Mapping[str, Any], x: float, y: float, w: float, h: float) -> None:
    """One row's spine in the box (x, y, w, h), mm: scaled values -1.05..1.05 across the box,
    England (0) in the middle (as :func:`lib.render.chart_tables.spine_svg`)."""
    pad = 2.0
    mid = y + h / 2

    def at(v: float) -> float:
        return x + w / 2 + float(v) / 1.05 * (w / 2 - pad)

    lo, hi = at(row["band_lo"]), at(row["band_hi"])
    pdf.set_fill_color(*_rgb(BAND_GREY))
    pdf.rect(lo, mid - 1.6, max(hi - lo, 0.3), 3.2, style="F")
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.4)
    pdf.line(x + w / 2, y + 0.4, x + w / 2, y + h - 0.4)
    cx, d = at(row["scaled_city"]), 1.4
    pdf.set_fill_color(*_rgb(CITY_COLOUR))
    pdf.set_draw_color(255, 255, 255)
    pdf.set_line_width(0.15)
    pdf.polygon([(cx, mid - d), (cx + d, mid), (cx, mid + d), (cx - d, mid)], style="DF")
    word = str(row["comparison"])
    nx, r = at(row["scaled"]), 1.6
    pdf.set_fill_color(*_rgb(COMPARISON_STYLE.get(word, COMPARISON_STYLE["not_compared"])[1]))
    pdf.set_draw_color(0, 0, 0)
    shape = COMPARISON_SHAPES.get(word, "square")
    if shape == "triangle-up":
        pdf.polygon([(nx, mid - r), (nx - r, mid + r * 0.8), (nx + r, mid + r * 0.8)], style="DF")
    elif shape == "triangle-down":
        pdf.polygon([(nx, mid + r), (nx - r, mid - r * 0.8), (nx + r, mid - r * 0.8)], style="DF")
    elif shape == "circle":
        pdf.circle(nx, mid, r * 0.85, style="DF")
    else:
        pdf.rect(nx - r * 0.8, mid - r * 0.8, r * 1.6, r * 1.6, style="DF")


def neighbourhood_pdf(
    ds: Dataset,
    sel: Selection,
    base_url: str | None = None,
    layers: Mapping[str, Any] | None = None,
    day: dt.date | None = None,
) -> bytes:
    """An A4 portrait PDF profile of a neighbourhood: title, board summary, the spine table (every
    indicator's figures as text with its spine beside it; comparison as symbol and word) over as
    many pages as it needs (two at most for the 12 neighbourhoods), and a footer with sources,
    statuses, accessed date and the link back to the view.

    ``sel``, ``base_url`` and ``layers`` as for :func:`lib.exports.deck.neighbourhood_deck`."""
    s = Story(ds, sel, base_url, layers or {}, day)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, 10, MARGIN)
    pdf.c_margin = 0.5  # the table's cells pad themselves (ROW_PAD, 0.6 mm each side)
    pdf.add_page()
    font = "Helvetica"
    if (FONT_DIR / "DejaVuSans.ttf").exists():
        pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        font = "DejaVu"

    def txt(t: str) -> str:
        if font == "DejaVu":
            return t
        for sym in ("▲", "●", "▼", "○", "◆", "←", "→"):
            t = t.replace(sym, "")
        return t.replace("·", "-").replace("–", "-").replace("−", "-").replace("’", "'").strip()

    W = pdf.w - 2 * MARGIN
    table = s.key_table()
    shown_ids = list(table["_id"])
    foot = footer_paragraphs(s.footer(shown_ids, s.url("profile")), None)
    pdf.set_font(font, "", FOOTER_PT)
    foot_lines = sum(len(pdf.multi_cell(W, 3.2, txt(p), dry_run=True, output="LINES")) for p in foot)
    footer_h = 3.2 * foot_lines + 2
    page_bottom = pdf.h - BOTTOM

    pdf.set_font(font, "B", 18)
    pdf.cell(W, 9, txt(f"{s.nbhd} · {s.name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 10)
    pdf.multi_cell(
        W,
        5,
        txt(
            f"{s.locality} locality, Manchester · {APP_NAME} · {s.day.isoformat()} · compared with {s.bench_name} at "
            f"{s.level_label} confidence"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
    )
    pdf.ln(2)
    pdf.set_font(font, "", 9)
    for sentence in s.summary:
        pdf.multi_cell(W, 4.2, txt(f"• {sentence}"), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(1.5)
    pdf.set_font(font, "B", 11)
    pdf.cell(W, 6, txt(f"How {s.name} compares: every indicator"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", TABLE_PT)
    pdf.multi_cell(
        W,
        3.6,
        txt(
            f"Spine: the black line is England, the grey band the range of the 12 neighbourhoods, the grey diamond "
            f"Manchester; the marker is {s.name}, coloured and shaped by its comparison with {s.bench_name} "
            "(▲ better, ● similar, ▼ worse, ■ not compared). Better is always to the right. Tested indicators first."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
    )
    pdf.ln(1)

    widths = [x * W / sum(COLUMN_MM) for x in COLUMN_MM]
    headings = [*map(str, [c for c in table.columns if c != "_id"]), "Worse ← England → Better"]
    spine = s.spine.set_index("indicator_id")

    def lines(text: str, cw: float) -> list[str]:
        return pdf.multi_cell(cw - 1.2, LINE_H, text, dry_run=True, output="LINES") or [""]

    def row_height(texts: list[str], bold: bool = False) -> float:
        pdf.set_font(font, "B" if bold else "", TABLE_PT)
        return max(len(lines(t, cw)) for t, cw in zip(texts, widths)) * LINE_H + ROW_PAD

    def draw_row(texts: list[str], h: float, bold: bool = False, fill: bool = False) -> tuple[float, float]:
        """The row's cells (text wrapped in its column, a border round each); returns where the
        spine's cell starts."""
        pdf.set_font(font, "B" if bold else "", TABLE_PT)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.2)
        pdf.set_fill_color(230, 230, 230)
        x0, y0 = pdf.get_x(), pdf.get_y()
        x = x0
        for t, cw in zip(texts, widths):
            pdf.rect(x, y0, cw, h, style="DF" if fill else "D")
            pdf.set_xy(x + 0.6, y0 + ROW_PAD / 2)
            pdf.multi_cell(cw - 1.2, LINE_H, t, align="L")
            x += cw
        if len(texts) < len(widths):
            pdf.rect(x, y0, widths[-1], h, style="DF" if fill else "D")
        pdf.set_xy(x0, y0 + h)
        return x, y0

    def header_row() -> None:
        texts = [txt(c) for c in headings]
        draw_row(texts, row_height(texts, bold=True), bold=True, fill=True)

    header_row()
    body = [
        [
            txt(STATUS_WORDS.get(str(v), str(v)) if k == "Status" else str(v))
            for k, v in zip(table.columns, row)
            if k != "_id"
        ]
        for row in table.itertuples(index=False)
    ]
    for i, texts in enumerate(body):
        h = row_height(texts)
        last = i == len(body) - 1
        if pdf.get_y() + h > page_bottom - (footer_h if last else 0):
            pdf.add_page()
            pdf.set_font(font, "B", 10)
            pdf.cell(W, 6, txt(f"{s.nbhd} · {s.name}: every indicator (continued)"), new_x="LMARGIN", new_y="NEXT")
            header_row()
        x, y = draw_row(texts, h)
        ind = table["_id"].iloc[i]
        if ind in spine.index:
            draw_spine(pdf, spine.loc[ind].to_dict(), x, y, widths[-1], h)
    if pdf.get_y() + footer_h > page_bottom:
        pdf.add_page()
    pdf.set_y(page_bottom - footer_h + 2)
    pdf.set_font(font, "", FOOTER_PT)
    pdf.set_text_color(60, 60, 60)
    for para in foot:
        link = para[len("View: ") :] if para.startswith("View: ") else ""
        pdf.multi_cell(W, 3.2, txt(para), new_x="LMARGIN", new_y="NEXT", align="L", link=link)
    return bytes(pdf.output())
