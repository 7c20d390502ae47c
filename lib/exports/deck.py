"""A neighbourhood's slide deck (PowerPoint, 16:9, eight slides), laid out from its
:class:`lib.exports.story.Story`.

Slides are built from blank layouts with text boxes, pictures and tables placed by hand, so the
deck looks the same in PowerPoint, Keynote and LibreOffice and does not depend on a template.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from lib.core.data import Dataset
from lib.core.selection import BENCHMARK_PHRASES, Selection
from lib.core.wording import neighbourhood_count
from lib.exports.footer import (
    footer_lines,
    footer_paragraphs,
    meta_footer,
    period_span,
    sources,
    wrap,
)
from lib.exports.images import chart_png, png_size
from lib.exports.story import APP_NAME, ActivitySplit, Story, source_rows

#: What each slide is about, in order (the first is the neighbourhood's name).
SLIDE_TITLES = (
    "title",
    "Board summary",
    "Map",
    "How it compares with England",
    "Compare the 12",
    "Risk cohorts",
    "Activity shift",
    "Sources and methods",
)


def neighbourhood_deck(
    ds: Dataset,
    sel: Selection,
    base_url: str | None = None,
    layers: Mapping[str, Any] | None = None,
    day: dt.date | None = None,
    activity: ActivitySplit | None = None,
) -> bytes:
    """A 16:9 PowerPoint deck for one neighbourhood (8 slides): title, board summary, map, spine
    chart, compare, risk cohorts, activity shift (MODELLED) and sources and methods. Every slide
    has a footer with its sources, period, status, accessed date and the link back to the view.

    ``sel`` is the neighbourhood, benchmark and confidence level; ``base_url`` the app's address for
    the links (``None``: :func:`lib.exports.footer.base_url`); ``layers`` maps ``"neighbourhoods"`` to
    the boundary layer (GeoJSON dict or GeoDataFrame). ``activity``: the activity-shift shares
    as the presentation split them (one weighting for every estimate); without it, each target
    follows its own driver, as on the Activity shift page.
    """
    s = Story(ds, sel, base_url, layers or {}, day, activity=activity)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]
    title_text = f"{s.nbhd} · {s.name}"
    profile_ids = list(s.table["indicator_id"])
    tested = list(s.table.loc[s.table["ci_method"] != "none", "indicator_id"])

    # 1. title
    slide = prs.slides.add_slide(blank)
    _text(slide, title_text, Inches(0.8), Inches(2.0), Inches(11.7), Inches(1.4), size=44, bold=True)
    _text(slide, f"{s.locality} locality, Manchester", Inches(0.8), Inches(3.4), Inches(11.7), Inches(0.7), size=28)
    _text(
        slide,
        f"{APP_NAME} · {s.day.strftime('%-d %B %Y')} · compared with {s.bench_name} at {s.level_label} confidence",
        Inches(0.8),
        Inches(4.2),
        Inches(11.7),
        Inches(0.7),
        size=20,
        colour="444444",
    )
    _footer(slide, prs, s.footer(profile_ids, s.url("profile")))

    # 2. board summary
    slide = prs.slides.add_slide(blank)
    _title(slide, f"Board summary: {s.name}")
    _bullets(slide, s.summary, Inches(0.7), Inches(1.2), Inches(11.9), Inches(4.8), size=17)
    _footer(slide, prs, s.footer(tested or profile_ids, s.url("profile")))

    # 3. map
    slide = prs.slides.add_slide(blank)
    m = s.key_meta
    _title(slide, f"Map: {m['short_name']}, {s.key_period}")
    map_url = s.url("map", ind=s.key, period=s.key_period, layer="neighbourhoods", colour="comparison")
    _picture(slide, chart_png(s.map_spec(), scale=2), Inches(0.5), Inches(1.15), Inches(12.3), Inches(4.85))
    _footer(slide, prs, meta_footer(m, s.key_period, map_url, day=s.day))

    # 4. spine chart
    slide = prs.slides.add_slide(blank)
    _title(slide, f"How it compares with {BENCHMARK_PHRASES[s.bench]}: {s.nbhd}")
    _picture(
        slide, chart_png(s.spine_spec(tested_only=True), scale=2), Inches(0.5), Inches(1.15), Inches(12.3), Inches(4.85)
    )
    _footer(slide, prs, s.footer(list(s.spine["indicator_id"]), s.url("profile")))

    # 5. compare
    slide = prs.slides.add_slide(blank)
    _title(slide, f"Compare the {neighbourhood_count(s.ds.definition)}: {m['short_name']}")
    cmp_url = s.url("compare", family=str(m["family"]), ind=s.key, period=s.key_period)
    _picture(slide, chart_png(s.compare_spec(), scale=2), Inches(0.5), Inches(1.15), Inches(12.3), Inches(4.85))
    _footer(slide, prs, meta_footer(m, s.key_period, cmp_url, day=s.day))

    # 6. cohorts
    slide = prs.slides.add_slide(blank)
    _title(slide, f"Risk cohorts: {s.name}")
    rows = s.cohort_rows()
    _table(
        slide,
        rows.drop(columns=["_id", "_period"]),
        Inches(0.5),
        Inches(1.2),
        Inches(12.3),
        size=14,
        widths=(3.0, 2.6, 1.1, 1.5, 1.1, 1.7, 1.3),
    )
    _footer(slide, prs, s.footer(list(rows["_id"]), s.url("cohorts"), period=period_span(rows["_period"])))

    # 7. activity
    slide = prs.slides.add_slide(blank)
    _title(slide, f"Activity shift: {s.nbhd} target shares (modelled)")
    act = s.activity_rows()
    method = activity.method if activity else "driver"
    how = (
        activity.words
        if activity
        else "each city target split by its own driver (e.g. children aged 0 to 15 for school readiness, residents aged 75+ for care packages; see the Activity shift page)"
    )
    _table(
        slide, act.drop(columns=["_id", "_period"]), Inches(0.5), Inches(1.15), Inches(12.3), size=14, row_height=0.36
    )
    _footer(
        slide,
        prs,
        footer_lines(
            sources(ds, list(act["_id"]))[0], "2020/21", "modelled", s.url("activity", method=method), day=s.day
        )
        + wrap(
            f"Method: {how.rstrip('.')}, largest-remainder rounding. MODELLED ESTIMATE, not a published neighbourhood target."
        ),
    )

    # 8. sources and methods
    slide = prs.slides.add_slide(blank)
    _title(slide, "Sources and methods")
    src_rows = source_rows(ds, profile_ids)
    _table(slide, src_rows, Inches(0.5), Inches(1.1), Inches(12.3), size=11, row_height=0.26, widths=(8.6, 2.7, 1.0))
    methods = (
        "Comparisons: significantly better / similar / worse at the stated confidence (Fingertips rule, Wilson or Byar intervals); "
        "estimates and whole-population figures are not tested. Neighbourhoods are best-fit groups of 2004–2018 council wards. "
        "REAL: published figure. DERIVED: computed from published figures. MODELLED ESTIMATE: an estimate, not an observation."
    )
    _text(slide, methods, Inches(0.5), Inches(5.45), Inches(12.3), Inches(0.7), size=11, colour="333333")
    _footer(slide, prs, s.footer(profile_ids, s.url("methods")))

    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _rgb(hex6: str) -> RGBColor:
    return RGBColor.from_string(hex6)


def _text(slide, text: str, left, top, width, height, size: int = 18, bold: bool = False, colour: str = "111111"):
    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    p = tf.paragraphs[0]
    run = p.add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, _rgb(colour)
    return box


def _title(slide, text: str):
    box = _text(slide, text, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.8), size=30, bold=True)
    box.name = "Title"
    return box


def _bullets(slide, items: Sequence[str], left, top, width, height, size: int = 20):
    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    for k, item in enumerate(items):
        p = tf.paragraphs[0] if k == 0 else tf.add_paragraph()
        p.space_after = Pt(8)
        run = p.add_run()
        run.text = f"•  {item}"
        run.font.size = Pt(size)
    return box


def _footer(slide, prs, lines: Sequence[str]):
    top = Inches(6.2)
    box = slide.shapes.add_textbox(
        Inches(0.5), top, prs.slide_width - Inches(1.0), Emu(prs.slide_height - top - Inches(0.1))
    )
    box.name = "Footer"
    tf = box.text_frame
    tf.word_wrap = True
    for k, line in enumerate(footer_paragraphs(lines, 150)):
        p = tf.paragraphs[0] if k == 0 else tf.add_paragraph()
        run = p.add_run()
        run.text = line
        run.font.size = Pt(10)
        run.font.color.rgb = _rgb("333333")
        if line.startswith("View: "):
            run.hyperlink.address = line[len("View: ") :]
    return box


def _picture(slide, png: bytes, left, top, max_w, max_h):
    w, h = png_size(png)
    scale = min(max_w / w, max_h / h)
    pw, ph = int(w * scale), int(h * scale)
    return slide.shapes.add_picture(io.BytesIO(png), left + int((max_w - pw) / 2), top, pw, ph)


def _table(
    slide,
    df: pd.DataFrame,
    left,
    top,
    width,
    size: int = 16,
    row_height: float = 0.42,
    widths: Sequence[float] | None = None,
):
    n_rows, n_cols = len(df) + 1, len(df.columns)
    shape = slide.shapes.add_table(n_rows, n_cols, left, top, width, Inches(row_height * n_rows))
    table = shape.table
    if widths:
        for j, w in enumerate(widths):
            table.columns[j].width = Inches(w)
    for j, col in enumerate(df.columns):
        _cell(table.cell(0, j), str(col), size, bold=True)
    for i, row in enumerate(df.itertuples(index=False), start=1):
        for j, val in enumerate(row):
            _cell(table.cell(i, j), str(val), size)
    for i in range(n_rows):
        table.rows[i].height = Inches(row_height)
    return shape


def _cell(cell, text: str, size: int, bold: bool = False):
    cell.text = ""
    p = cell.text_frame.paragraphs[0]
    run = p.add_run()
    run.text = text
    run.font.size, run.font.bold = Pt(size), bold
    cell.margin_top = cell.margin_bottom = Pt(2)
