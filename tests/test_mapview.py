"""lib/views/map.py: features, colours, escaping, local assets and payload size."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from lib.core import data
from lib.methods.indicators import area_comparison_table, meta, periods
from lib.render import maps
from lib.render.format import COMPARISON_STYLE, NO_DATA_COLOUR, QUARTILE_COLOURS
from lib.views import map as mapview

EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def nbhd_geo():
    return maps.layer_geojson(data.load_layer("neighbourhoods"))


@pytest.fixture(scope="module")
def ward_geo():
    return maps.layer_geojson(data.load_layer("wards"))


@pytest.fixture(scope="module")
def table(ds):
    return area_comparison_table(ds.values, ds.indicators, "disability", periods(ds.values, "disability")[-1])


@pytest.fixture(scope="module")
def m(ds):
    return meta(ds.indicators, "disability")


def test_twelve_features_coloured_by_comparison_word(nbhd_geo, table, m):
    fc = mapview.map_features(nbhd_geo, table, m, "comparison")
    assert len(fc["features"]) == 12
    words = dict(zip(table["area_code"], table["comparison"]))
    for f in fc["features"]:
        p = f["properties"]
        assert p["fill"] == COMPARISON_STYLE[words[p["code"]]][1]
        assert p["comparison"] == words[p["code"]]


def test_every_comparison_word_has_its_colour(nbhd_geo, table, m):
    words = list(COMPARISON_STYLE)
    forced = table.assign(comparison=[words[i % len(words)] for i in range(len(table))])
    fc = mapview.map_features(nbhd_geo, forced, m, "comparison")
    by_code = dict(zip(forced["area_code"], forced["comparison"]))
    for f in fc["features"]:
        assert f["properties"]["fill"] == COMPARISON_STYLE[by_code[f["properties"]["code"]]][1]
    legend = mapview.legend_items("comparison", forced, m)
    assert [sym for _, sym, _ in legend] == [
        COMPARISON_STYLE[w][0] for w in ("better", "similar", "worse", "higher", "lower", "not_compared")
    ]
    assert all(text for _, _, text in legend)  # always a word, never colour alone


def test_quartile_colours(nbhd_geo, table, m):
    fc = mapview.map_features(nbhd_geo, table, m, "quartile")
    q = dict(zip(table["area_code"], table["quartile"]))
    for f in fc["features"]:
        assert f["properties"]["fill"] == QUARTILE_COLOURS[int(q[f["properties"]["code"]])]
    assert {int(x) for x in q.values()} == {1, 2, 3, 4}
    assert len(mapview.legend_items("quartile", table, m)) == 4


def luminance(c: str) -> float:
    return maps.luminance(c)


def test_continuous_scale_is_monotone():
    colours = [maps.continuous_colour(v, 0.0, 100.0) for v in range(0, 101)]
    lum = [luminance(c) for c in colours]
    assert all(a >= b for a, b in zip(lum, lum[1:])), "darker must mean higher"
    assert colours[0] == maps.CONTINUOUS_STOPS[0] and colours[-1] == maps.CONTINUOUS_STOPS[-1]
    assert maps.continuous_colour(float("nan"), 0, 1) == NO_DATA_COLOUR


def test_continuous_features_and_legend(nbhd_geo, table, m):
    fc = mapview.map_features(nbhd_geo, table, m, "continuous")
    pairs = sorted((f["properties"]["value"], luminance(f["properties"]["fill"])) for f in fc["features"])
    assert all(a[1] >= b[1] for a, b in zip(pairs, pairs[1:]))
    items = mapview.legend_items("continuous", table, m)
    assert items[0][2].startswith("Highest") and items[1][2].startswith("Lowest")


def test_missing_area_is_grey(nbhd_geo, table, m):
    fc = mapview.map_features(nbhd_geo, table.iloc[1:], m, "comparison")
    missing = [f for f in fc["features"] if f["properties"]["code"] == table.iloc[0]["area_code"]][0]
    assert missing["properties"]["fill"] == NO_DATA_COLOUR
    assert "No data" in maps.legend_text(mapview.legend_items("comparison", table.iloc[:0], m))


def test_tooltip_fields_and_escaping(nbhd_geo, table, m):
    evil = table.copy()
    evil.loc[0, "area_name"] = EVIL
    fc = mapview.map_features(nbhd_geo, evil, {**m, "short_name": EVIL}, "comparison", level="95")
    p = [f for f in fc["features"] if f["properties"]["code"] == evil.loc[0, "area_code"]][0]["properties"]
    tip = p["tooltip"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in tip
    assert "<img" not in tip and "<img" not in p["name"]
    for needle in ("95% CI", "Count:", "DERIVED", "than England"):
        assert needle in tip
    fmap = maps.build_map(fc, EVIL, [("#000000", "<b>", EVIL)])
    page = fmap.get_root().render()
    assert "<img" not in page


TEMPLATE = "{{ 7*7 }} {{ lipsum.__globals__.os.getcwd() }} {% if 1 %}IF{% endif %} {# hidden #}"


def test_jinja_tags_in_data_are_not_evaluated_when_the_map_renders(nbhd_geo, table, m):
    """branca compiles each rendered folium script as a Jinja template again: a name holding
    ``{{ ... }}`` was evaluated on the server (``{{ 7*7 }}`` gave 49; Jinja's globals reach ``os``).
    Area names, ward and locality names (outline layers), indicator names, units and the legend
    must all reach the page as text."""
    import html
    import os

    evil = table.copy()
    evil["area_name"] = [f"{TEMPLATE} #{k}" for k in range(len(evil))]
    geo = {
        **nbhd_geo,
        "features": [{**f, "properties": {**f["properties"], "name": TEMPLATE}} for f in nbhd_geo["features"]],
    }
    meta_evil = {**m, "short_name": TEMPLATE, "name": TEMPLATE, "unit": TEMPLATE}
    for mode in ("comparison", "continuous"):
        fc = mapview.map_features(geo, evil, meta_evil, mode, level="95")
        before = repr(fc)
        fmap = maps.build_map(
            fc,
            TEMPLATE,
            mapview.legend_items(mode, evil, meta_evil) + [("#000000", "x", TEMPLATE)],
            mode,
            outlines=[(geo, 2, "#000000")],
            labels=geo,
            selected_outline=geo,
        )
        page = fmap.get_root().render()
        assert repr(fc) == before, "build_map must not change the caller's features"
        assert os.getcwd() not in page
        # every copy of the text is still there, braces as entities (JSON-escaped & in the script)
        shown = html.unescape(page.replace("\\u0026", "&"))
        assert shown.count(TEMPLATE) >= len(evil) * 2 + 2, shown.count(TEMPLATE)


def test_jinja_safe_keeps_numbers_geometry_and_plain_text():
    obj = {"a": "x{y}", "b": [1, 2.5, None, ("{", "z")], "geometry": {"type": "Point", "coordinates": [1.0, 2.0]}}
    out = maps.jinja_safe(obj)
    assert out == {"a": "x&#123;y&#125;", "b": [1, 2.5, None, ("&#123;", "z")], "geometry": obj["geometry"]}
    assert obj["a"] == "x{y}"
    assert maps.jinja_safe("Ancoats, Clayton and Bradford") == "Ancoats, Clayton and Bradford"


def test_map_uses_only_local_assets(nbhd_geo, table, m):
    fc = mapview.map_features(nbhd_geo, table, m, "comparison", selected="N1")
    fmap = maps.build_map(fc, "Compared with England", mapview.legend_items("comparison", table, m))
    urls = maps.map_script_urls(fmap)
    assert urls and all(u.startswith("/app/static/") for u in urls), urls
    page = fmap.get_root().render()
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', page)
    assert "Crown copyright" in page
    for attr in ("default_js", "default_css"):
        assert all(u.startswith("/app/static/") for _, u in getattr(fmap, attr))


def test_map_allows_zoom_and_has_an_accessible_name(nbhd_geo, table, m):
    """folium's viewport tag (user-scalable=no) is replaced; the map and its frame get a name."""
    fc = mapview.map_features(nbhd_geo, table, m, "comparison", selected="N1")
    fmap = maps.build_map(fc, "Compared with England", mapview.legend_items("comparison", table, m), name="Map of X")
    fmap.render()  # streamlit-folium renders the map before it reads the header
    header = fmap.get_root().header.render()
    assert re.findall(r'<meta name="viewport"[^>]*>', header) == [maps.VIEWPORT_TAG]
    page = fmap.get_root().render()
    assert "user-scalable=no" not in page and "maximum-scale" not in page
    assert '"Map of X. Arrow keys pan' in page and 'setAttribute("aria-label", name)' in page
    assert 'window.frameElement.setAttribute("aria-label", name)' in page


def test_payload_small(nbhd_geo, ward_geo, table, m):
    assert maps.payload_bytes(nbhd_geo) + maps.payload_bytes(ward_geo) < 150_000
    fc = mapview.map_features(nbhd_geo, table, m, "comparison")
    assert maps.payload_bytes(fc) < 60_000


def test_table_rows_match_map(nbhd_geo, table, m):
    rows = mapview.table_rows(table, m, "rest", "99.8", "neighbourhood")
    assert len(rows) == 12
    assert list(rows.columns) == [
        "Area",
        "Code",
        "Value",
        "99.8% CI",
        "Count",
        "Compared with Rest of Manchester",
        "Quartile",
        "Status",
    ]
    ward_rows = mapview.table_rows(table, m, "rest", "95", "ward")
    assert "Compared with Manchester" in ward_rows.columns  # no 'rest of city' for wards


def test_layer_fallback_and_order():
    assert mapview.layer_for(["neighbourhood", "ward"], "lsoa") == "wards"
    assert mapview.layer_for(["neighbourhood", "ward", "lsoa"], "lsoa") == "lsoa"
    assert mapview.layer_for(["neighbourhood"], "wards") == "neighbourhoods"
    t = pd.DataFrame({"area_code": ["S1", "N1", "C1"], "area_name": ["s", "n", "c"]})
    assert list(mapview.sort_areas(t, ["N1", "C1", "S1"])["area_code"]) == ["N1", "C1", "S1"]


def test_ward_features_know_their_neighbourhood(ward_geo):
    assert len(ward_geo["features"]) == 32
    assert all(f["properties"]["nbhd"] for f in ward_geo["features"])


def test_hidden_counts_say_too_few_to_show_in_table_and_tooltip():
    import numpy as np
    import pandas as pd

    from lib.core.disclosure import TOO_FEW

    row = {
        "area_name": "Somewhere",
        "area_code": "E05000001",
        "value": np.nan,
        "numerator": np.nan,
        "lower_95": np.nan,
        "upper_95": np.nan,
        "comparison": "not_compared",
        "quartile": np.nan,
        "note": TOO_FEW,
    }
    shown = {
        "area_name": "Elsewhere",
        "area_code": "E05000002",
        "value": 12.0,
        "numerator": 30.0,
        "lower_95": 9.0,
        "upper_95": 15.0,
        "comparison": "similar",
        "quartile": 1.0,
        "note": np.nan,
    }
    meta = {"unit": "% of residents", "value_type": "proportion", "status": "derived", "short_name": "Test"}
    table = mapview.table_rows(pd.DataFrame([row, shown]), meta, "england", "95")
    assert list(table["Count"]) == [TOO_FEW, "30"]
    assert f"Count: {TOO_FEW}" in mapview.tooltip_html(row, meta, "England")
    assert "Count: 30" in mapview.tooltip_html(shown, meta, "England")


def test_streamlit_folium_sends_the_same_map_without_its_first_render(monkeypatch, nbhd_geo, ward_geo, table, m):
    """The pages call st_folium with render=False (pages/shared/: interactive_map): st_folium
    then skips a whole-figure render whose result it discards. The component must receive the
    same script, header, HTML, links and key either way (element ids are random per build)."""
    import streamlit_folium

    sent: list[dict] = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: sent.append(kw))

    def send(render: bool) -> dict:
        fc = mapview.map_features(ward_geo, table, m, "comparison")
        fmap = maps.build_map(
            fc,
            "Compared with England",
            mapview.legend_items("comparison", table, m),
            outlines=[(nbhd_geo, 2, "#1A1A1A")],
            labels=nbhd_geo,
            fit=nbhd_geo,
            name="Map of X",
        )
        streamlit_folium.st_folium(fmap, key="k", returned_objects=["last_active_drawing"], render=render)
        kw = {k: v for k, v in sent.pop().items() if k != "on_change"}
        return {k: re.sub(r"[0-9a-f]{32}", "ID", v) if isinstance(v, str) else v for k, v in kw.items()}

    full, lean = send(True), send(False)
    assert "GeoJson" in full["script"] or "geoJson" in full["script"]
    assert set(full) == set(lean)
    for k in full:
        assert lean[k] == full[k], k


@pytest.mark.parametrize("order", [None, ["N2", "C1", "S3"], "reversed"])
def test_sort_areas_puts_the_given_codes_first_then_the_rest_by_name(ds, order):
    ward_table = area_comparison_table(
        ds.values, ds.indicators, "disability", periods(ds.values, "disability")[-1], area_type="ward"
    )
    ward_table.loc[ward_table.index[:2], "area_name"] = None  # a missing name goes last, as pandas sorts it
    if order == "reversed":
        order = list(reversed(ward_table["area_code"]))[:5]
    rank = {c: i for i, c in enumerate(order or [])}
    expected = (
        ward_table.assign(_k=ward_table["area_code"].map(lambda c: rank.get(c, len(rank))))
        .sort_values(["_k", "area_name"], kind="stable")
        .drop(columns="_k")
        .reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(mapview.sort_areas(ward_table, order), expected)


def test_the_areas_in_a_neighbourhood_are_its_wards_in_the_definition(ds, ward_geo, nbhd_geo):
    """in_neighbourhood (from the boundaries' properties) agrees with the neighbourhood definition
    (an independent source: the editable ward list) for every neighbourhood; unknown codes are out."""
    wards = list(ds.definition["ward_code"]) + ["E05999999"]
    for code, group in ds.definition.groupby("neighbourhood_code"):
        flags = mapview.in_neighbourhood(ward_geo, wards, code)
        assert {w for w, f in zip(wards, flags) if f} == set(group["ward_code"])
        assert mapview.in_neighbourhood(nbhd_geo, [code, "N99"], code) == [True, False]


def test_name_labels_write_each_areas_name_at_its_label_point(ward_geo, m):
    """name_labels: one label per feature, its text the area's name (not its code), at the
    feature's own label point; build_map writes those names on the map."""
    some = mapview.select_features(ward_geo, [f["properties"]["code"] for f in ward_geo["features"][:3]])
    labels = mapview.name_labels(some)
    assert [f["properties"]["code"] for f in labels["features"]] == [f["properties"]["name"] for f in some["features"]]
    assert [(f["properties"]["label_lat"], f["properties"]["label_lng"]) for f in labels["features"]] == [
        (f["properties"]["label_lat"], f["properties"]["label_lng"]) for f in some["features"]
    ]
    features = mapview.map_features(some, pd.DataFrame({"area_code": [], "value": []}), m, area_type="ward")
    with_names = maps.build_map(features, "Key", [], labels=labels).get_root().render()
    without = maps.build_map(features, "Key", [], labels=False).get_root().render()
    assert all(
        with_names.count(f["properties"]["name"]) > without.count(f["properties"]["name"]) for f in some["features"]
    )


def test_the_map_page_carries_the_map_style_sheet_once(nbhd_geo, table, m):
    from lib.render.style import style

    fc = mapview.map_features(nbhd_geo, table, m, "comparison", selected="N1")
    page = maps.build_map(fc, "Compared with England", mapview.legend_items("comparison", table, m)).get_root().render()
    assert page.count(style("map")) == 1 and "this.style" not in page


def test_the_key_title_says_what_the_colours_mean(m):
    assert mapview.legend_title("comparison", m, "rest") == "Compared with Rest of Manchester"
    assert mapview.legend_title("comparison", m, "rest", "ward") == "Compared with Manchester"  # wards: no 'rest'
    assert mapview.legend_title("quartile", m) == "Quartile (1 = lowest)"
    assert mapview.legend_title("continuous", m) == m["short_name"]


def test_the_neighbourhood_map_is_the_features_key_and_map_of_the_selection(nbhd_geo, table, m):
    from lib.core.selection import Selection

    sel = Selection("N2", "city", "99.8")
    drawn = mapview.neighbourhood_map(nbhd_geo, table, m, sel, name="Map of x")
    assert drawn.features == mapview.map_features(nbhd_geo, table, m, "comparison", "city", "99.8", selected="N2")
    assert drawn.legend == mapview.legend_items("comparison", table, m, "city")
    assert drawn.legend_title == "Compared with Manchester"
    page = drawn.fmap.get_root().render()
    assert "Compared with Manchester" in page and "Map of x" in page


def _labels_in(page: str) -> list[list]:
    """The labels a rendered map draws: the JSON list its script iterates over."""
    import json

    found = re.search(r"var labels = (\[\[[^\n]*?\]\]);", page)
    return json.loads(found.group(1)) if found else []


def test_wards_are_labelled_with_their_names_and_the_symbol_of_their_comparison(ds, ward_geo, m):
    """Issue 19: wards are never told apart by colour alone: each ward's label is its name and the
    symbol of its comparison, recomputed here from the ward's CI and England's value."""
    period = periods(ds.values, "disability")[-1]
    mi = meta(ds.indicators, "disability")
    assert mi["ci_method"] == "wilson"  # a tested indicator: wards better, similar and worse
    table = area_comparison_table(ds.values, ds.indicators, "disability", period, "ward", "england")
    features = mapview.map_features(ward_geo, table, mi, "comparison", area_type="ward")
    page = maps.build_map(features, "Key", [], labels=False, area_labels="name").get_root().render()
    named = {text for _, _, text, cls in (row for row in _labels_in(page) if len(row) == 4) if "name" in cls}
    eng = ds.values[
        (ds.values["indicator_id"] == "disability")
        & (ds.values["period"] == period)
        & (ds.values["area_type"] == "england")
    ]["value"].iloc[0]
    worse_when_higher = mi["polarity"] == "lower_is_better"
    expected = set()
    for r in table.itertuples():
        if pd.isna(r.value):
            expected.add(f"{r.area_name} –")
            continue
        if r.lower_95 <= eng <= r.upper_95:
            symbol = "●"
        else:
            higher = r.lower_95 > eng
            symbol = "▼" if higher == worse_when_higher else "▲"
        expected.add(f"{r.area_name} {symbol}")
    import html as html_lib

    assert {html_lib.unescape(t) for t in named} == expected
    assert len(named) == len(ward_geo["features"]) == 32
    assert {t[-1] for t in named} >= {"▲", "●", "▼"}


def test_small_areas_carry_symbols_and_area_labels_show_only_zoomed_in(ds, m):
    """LSOAs are labelled by symbol alone (one per area with a figure); area labels are hidden below
    the zoom where they are legible, and a map without area labels sets no such zoom."""
    lsoa = maps.layer_geojson(data.load_layer("lsoa"))
    period = periods(ds.values, "disability")[-1]
    table = area_comparison_table(ds.values, ds.indicators, "disability", period, "lsoa", "city")
    features = mapview.map_features(lsoa, table, m, "comparison", area_type="lsoa")
    page = maps.build_map(features, "Key", [], labels=False, area_labels="symbol").get_root().render()
    symbols = [row[2] for row in _labels_in(page) if len(row) == 4]
    words = table.set_index("area_code")["comparison"]
    want = sorted(
        COMPARISON_STYLE[words[f["properties"]["code"]]][0] if f["properties"]["value"] is not None else "–"
        for f in features["features"]
    )
    assert sorted(symbols) == want and len(symbols) == len(lsoa["features"])
    assert f"var fine = {maps.FINE_ZOOM['symbol']};" in page
    plain = maps.build_map(features, "Key", [], labels=False).get_root().render()
    assert "var fine = null;" in plain and not [row for row in _labels_in(plain) if len(row) == 4]


def test_area_symbol_follows_the_colour_mode():
    assert maps.area_symbol({"value": 1.0, "comparison": "worse"}, "comparison") == "▼"
    assert maps.area_symbol({"value": 1.0, "quartile": 3}, "quartile") == "3"
    assert maps.area_symbol({"value": None, "comparison": "worse"}, "comparison") == "–"
    assert maps.area_symbol({"value": 1.0}, "continuous") == ""


def test_the_map_zooms_to_the_selected_neighbourhood_on_the_detailed_layers(nbhd_geo, ward_geo, table, m):
    """map_extent: the selected neighbourhood on wards with zoom "nbhd", the city otherwise; the map
    fits exactly that boundary's extent."""
    one = mapview.map_extent(nbhd_geo, "S3", "nbhd", detail=True)
    assert [f["properties"]["code"] for f in one["features"]] == ["S3"]
    assert mapview.map_extent(nbhd_geo, "S3", "city", detail=True) is nbhd_geo
    assert mapview.map_extent(nbhd_geo, "S3", "nbhd", detail=False) is nbhd_geo
    assert mapview.map_extent(nbhd_geo, "XX", "nbhd", detail=True) is nbhd_geo
    s3 = data.load_layer("neighbourhoods").to_crs(4326).set_index("code").loc["S3", "geometry"].bounds
    fmap = maps.build_map(mapview.map_features(ward_geo, table, m, area_type="ward"), "Key", [], fit=one)
    (south, west), (north, east) = maps.bounds(one)
    assert (west, south, east, north) == pytest.approx(s3, abs=1e-4)
    assert f"[[{south}, {west}], [{north}, {east}]]" in fmap.get_root().render()


@pytest.mark.parametrize(
    "text", ["", "\n", "a\n", "a\r\nb\n\n", "var x = {a: {b: 1}};", "x {{ 7*7 }}", "{% if 1 %}y{% endif %}", "{# c #}"]
)
def test_an_element_text_renders_as_jinja_would_render_it(text):
    """branca's Element(text) compiles text as a template; maps.element_template keeps a text without
    Jinja syntax as it is: it must render to exactly what Jinja makes of it (newlines included)."""
    from jinja2 import Template

    assert maps.element_template(text).render(this=None, kwargs={}) == Template(text).render(this=None, kwargs={})


def test_a_map_renders_the_same_with_and_without_compiling_its_scripts(monkeypatch, nbhd_geo, ward_geo, table, m):
    """The whole page of a map (areas, outlines, labels, legend), rendered with every element's text
    compiled by Jinja (branca's own way) and with maps.element_template: the same HTML."""
    import itertools

    import branca.element
    from jinja2 import Template

    def page() -> str:  # the same map each time: element ids from a counter, not at random
        ids = itertools.count()
        monkeypatch.setattr(branca.element.Element, "_generate_id", classmethod(lambda cls: f"{next(ids):032x}"))
        fc = mapview.map_features(nbhd_geo, table, m, "comparison", level="95")
        fmap = maps.build_map(
            fc,
            "Compared with England",
            mapview.legend_items("comparison", table, m),
            outlines=[(ward_geo, 1, "#555555")],
            labels=nbhd_geo,
            selected_outline=nbhd_geo,
        )
        return fmap.get_root().render()

    assert branca.element.Template is maps.element_template
    kept = page()
    monkeypatch.setattr(branca.element, "Template", Template)
    compiled = page()
    assert kept == compiled and len(kept) > 10_000
