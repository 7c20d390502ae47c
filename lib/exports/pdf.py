"""A neighbourhood's one-page profile (PDF, A4 portrait), laid out from its
:class:`lib.exports.story.Story`.

One page, always: the footer is measured first and the spine chart shrinks to the room left
above the key-indicator table. DejaVu Sans is used when installed, for the comparison symbols
(▲ ● ▼) and typographic punctuation; the built-in Helvetica has neither, so they are replaced.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fpdf import FPDF

from lib.core.data import Dataset
from lib.core.selection import Selection
from lib.exports.footer import footer_paragraphs
from lib.exports.images import chart_png, png_size
from lib.exports.story import APP_NAME, Story

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def neighbourhood_pdf(
    ds: Dataset,
    sel: Selection,
    base_url: str | None = None,
    layers: Mapping[str, Any] | None = None,
    day: dt.date | None = None,
) -> bytes:
    """A one-page A4 portrait PDF profile of a neighbourhood: title, board summary, the spine
    chart, a compact table of key indicators (comparison as symbol and word) and a footer with
    sources, statuses, accessed date and the link back to the view.

    ``sel``, ``base_url`` and ``layers`` as for :func:`lib.exports.deck.neighbourhood_deck`."""
    s = Story(ds, sel, base_url, layers or {}, day)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(12, 10, 12)
    pdf.add_page()
    font = "Helvetica"
    if (FONT_DIR / "DejaVuSans.ttf").exists():
        pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        font = "DejaVu"

    def txt(t: str) -> str:
        if font == "DejaVu":
            return t
        for sym in ("▲", "●", "▼", "○", "◆"):
            t = t.replace(sym, "")
        return t.replace("·", "-").replace("–", "-").replace("−", "-").replace("’", "'").strip()

    W = pdf.w - 24
    shown_ids = [i for i in s.table["indicator_id"] if not str(i).startswith("target_")]
    foot = footer_paragraphs(s.footer(shown_ids, s.url("profile")), None)
    pdf.set_font(font, "", 7)
    foot_lines = sum(len(pdf.multi_cell(W, 3.2, txt(p), dry_run=True, output="LINES")) for p in foot)
    footer_top = pdf.h - 8 - 3.2 * foot_lines
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
    pdf.ln(1)
    png = chart_png(s.spine_spec(width=900), scale=2)
    w, h = png_size(png)
    img_w = W
    img_h = img_w * h / w
    table = s.key_table()
    row_h = 4.4
    table_h = row_h * (len(table) + 1)
    room = footer_top - pdf.get_y() - table_h - 4
    if img_h > room:
        img_h = room
        img_w = img_h * w / h
    pdf.image(io.BytesIO(png), x=12 + (W - img_w) / 2, y=pdf.get_y(), w=img_w, h=img_h)
    pdf.set_y(pdf.get_y() + img_h + 2)
    widths = [52, 20, 20, 22, 20, 35, 17]
    scale_w = W / sum(widths)
    widths = [x * scale_w for x in widths]
    pdf.set_font(font, "B", 7.5)
    pdf.set_fill_color(230, 230, 230)
    for col, cw in zip(table.columns, widths):
        pdf.cell(cw, row_h, txt(str(col)), border=1, fill=True)
    pdf.ln(row_h)
    pdf.set_font(font, "", 7.5)
    for row in table.itertuples(index=False):
        for val, cw in zip(row, widths):
            t = txt(str(val))
            while pdf.get_string_width(t) > cw - 1.5 and len(t) > 4:
                t = t[:-2] + "…" if font == "DejaVu" else t[:-2]
            pdf.cell(cw, row_h, t, border=1)
        pdf.ln(row_h)
    pdf.set_y(footer_top)
    pdf.set_font(font, "", 7)
    pdf.set_text_color(60, 60, 60)
    for para in foot:
        link = para[len("View: ") :] if para.startswith("View: ") else ""
        pdf.multi_cell(W, 3.2, txt(para), new_x="LMARGIN", new_y="NEXT", align="L", link=link)
    return bytes(pdf.output())
