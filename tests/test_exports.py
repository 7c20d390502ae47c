"""Exports open and read back: the deck, the PDF, chart and map images."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from lib.render import charts
from lib.core import data
from lib.core.selection import Selection
from lib.exports import deck, images, pdf, static_map
from lib.exports import footer as footers
from lib.views import map as mapview
from lib.views import profile
from lib.methods.indicators import area_comparison_table, meta, neighbourhood_order


@pytest.fixture(scope="module")
def layers():
    return {"neighbourhoods": mapview.layer_geojson(data.load_layer("neighbourhoods"))}


def test_view_url_and_env(monkeypatch):
    monkeypatch.delenv(footers.PUBLIC_URL_ENV, raising=False)
    assert footers.view_url(None, "profile", {"nbhd": "N1", "bench": "england"}) == "http://localhost:8501/profile?nbhd=N1&bench=england"
    monkeypatch.setenv(footers.PUBLIC_URL_ENV, "https://np.example.org/")
    assert footers.view_url(None, "map", {"ind": "idaci"}) == "https://np.example.org/map?ind=idaci"


def test_footer_lines_wrap_and_say_everything():
    lines = footers.footer_lines("A very long source " * 20, "2021/22", ["derived", "modelled"], "http://x/profile?nbhd=N1")
    assert all(len(line) <= footers.FOOTER_CHARS for line in lines)
    text = " ".join(lines)
    for word in ("Source:", "Period: 2021/22", "DERIVED, MODELLED ESTIMATE", "Accessed on", "nbhd=N1"):
        assert word in text


def test_chart_png_and_svg(ds):
    table = profile.profile_table(ds, "C1")
    chart = charts.spine_chart(charts.spine_data(table), area_name="Ardwick and Longsight")
    footer = footers.footer_lines("ONS", "2021", "real", "http://localhost:8501/profile?nbhd=C1")
    spec = images.with_footer(chart, "Spine chart title", footer)
    png = images.chart_png(spec, scale=2)
    img = Image.open(io.BytesIO(png))
    img.load()
    assert img.format == "PNG"
    assert images.png_size(png) == img.size
    plain = images.chart_png(chart, scale=2, width=700)
    assert Image.open(io.BytesIO(plain)).size[0] >= 700 * 2  # the plot is 700 wide, axis labels add to it
    svg = images.chart_svg(spec)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "Spine chart title" in svg and "Accessed on" in svg


def test_for_export_fixes_container_width():
    import altair as alt
    import pandas as pd

    chart = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_bar().encode(x="x:Q").properties(width="container")
    spec = images.for_export(chart, 640)
    assert spec["width"] == 640
    w, _ = images.png_size(images.chart_png(chart, scale=1, width=640))
    assert 640 <= w < 700


def test_static_map_matches_interactive_colours(ds, layers):
    m = meta(ds.indicators, "disability")
    table = area_comparison_table(ds.values, ds.indicators, "disability", "Census 2021", "neighbourhood", "england", "95")
    table = mapview.sort_areas(table, neighbourhood_order(ds.definition))
    feats = mapview.map_features(layers["neighbourhoods"], table, m, "comparison", "england", "95", "neighbourhood", selected="N1")
    legend = mapview.legend_items("comparison", table, m, "england", "neighbourhood")
    spec = static_map.map_chart(feats, legend, "Disability", "Compared with England")
    shapes = spec["hconcat"][0]["layer"][0]
    assert shapes["mark"]["type"] == "geoshape"
    values = shapes["data"]["values"]
    assert len(values) == 12
    assert [v["properties"]["fill"] for v in values] == [f["properties"]["fill"] for f in feats["features"]]
    assert "Crown copyright" in str(spec)
    png = images.chart_png(spec, scale=1)
    img = Image.open(io.BytesIO(png))
    assert img.size[0] > 600 and img.size[1] > 500
    # the areas are drawn, not the whole globe: many distinct colours, not one fill
    assert len(img.convert("RGB").getcolors(1_000_000)) > 5


def test_deck_reopens_with_titles_and_footers(ds, layers):
    from pptx import Presentation

    raw = deck.neighbourhood_deck(ds, Selection("N1", "england", "95"), "http://np.test", layers)
    prs = Presentation(io.BytesIO(raw))
    slides = list(prs.slides)
    assert len(slides) == 8
    titles = []
    for slide in slides:
        texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        titles.append(texts[0])
        footer = [sh for sh in slide.shapes if sh.name == "Footer"]
        assert len(footer) == 1
        ft = footer[0].text_frame.text
        assert "Source" in ft and "Accessed on" in ft and "http://np.test/" in ft and "nbhd=N1" in ft
    assert titles[0] == "N1 · Ancoats, Clayton and Bradford"
    assert titles[1].startswith("Board summary")
    assert titles[2].startswith("Map")
    assert "compares with England" in titles[3]
    assert titles[4].startswith("Compare the 12")
    assert titles[5].startswith("Risk cohorts")
    assert titles[6].startswith("Activity shift") and "modelled" in titles[6]
    assert titles[7] == "Sources and methods"
    pictures = [sh for s in slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == 3
    for pic in pictures:
        assert Image.open(io.BytesIO(pic.image.blob)).size[0] >= 1600  # high resolution


def test_pdf_is_one_page_with_the_name(ds, layers):
    from pypdf import PdfReader

    raw = pdf.neighbourhood_pdf(ds, Selection("S3", "city", "99.8"), None, layers)
    reader = PdfReader(io.BytesIO(raw))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    name = ds.definition.set_index("neighbourhood_code").loc["S3", "neighbourhood_name"]
    name = name.iloc[0] if hasattr(name, "iloc") else name
    assert name in text
    assert "Accessed on" in text and any(w in text for w in ("Worse", "Better", "Similar"))
