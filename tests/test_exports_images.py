"""Export images read back: charts (PNG, SVG) with their footer, and the static map."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from lib.core import data
from lib.core.selection import Selection
from lib.exports import images, static_map
from lib.exports.footer import footer_lines
from lib.methods.indicators import area_comparison_table, meta, neighbourhood_order
from lib.render import maps
from lib.render import spine as spines
from lib.views import map as mapview
from lib.views import profile


@pytest.fixture(scope="module")
def layers():
    return {"neighbourhoods": maps.layer_geojson(data.load_layer("neighbourhoods"))}


def test_chart_png_and_svg(ds):
    table = profile.profile_table(ds, Selection("C1"))
    chart = spines.spine_chart(spines.spine_data(table), area_name="Ardwick and Longsight")
    footer = footer_lines("ONS", "2021", "real", "http://localhost:8501/profile?nbhd=C1")
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
    table = area_comparison_table(
        ds.values, ds.indicators, "disability", "Census 2021", "neighbourhood", "england", "95"
    )
    table = mapview.sort_areas(table, neighbourhood_order(ds.definition))
    feats = mapview.map_features(
        layers["neighbourhoods"], table, m, "comparison", "england", "95", "neighbourhood", selected="N1"
    )
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
