"""The static map: the interactive map's areas and colours drawn as a picture.

A Leaflet map cannot be rasterised on the server, so the image is drawn from the same GeoJSON
and fill colours as the interactive map (:func:`lib.views.map.map_features`) as a Vega-Lite
geoshape chart, with its key and the boundaries' attribution beside it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import geopandas as gpd
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.polygon import orient

from lib.core.data import Dataset
from lib.exports.footer import MAP_ATTRIBUTION, wrap
from lib.methods.indicators import area_comparison_table, meta, neighbourhood_order
from lib.render import maps
from lib.render.format import COMPARISON_STYLE, STATUS_BADGE
from lib.views import map as mapview


def map_chart(
    features: Mapping,
    legend_items: Sequence[tuple[str, str, str]],
    title: str,
    legend_title: str = "",
    colour_mode: str = "comparison",
    outlines: Sequence[Mapping] = (),
    labels: Mapping | None = None,
    attribution: str = MAP_ATTRIBUTION,
    width: int = 480,
    height: int = 620,
) -> dict:
    """A static map as a Vega-Lite dict: the features of :func:`lib.views.map.map_features` filled with
    their own ``fill`` colours (so colours match the interactive map exactly), the selected
    neighbourhood outlined thickly, code labels (with the comparison symbol) at label points, a
    legend (swatch with symbol, and words) and the attribution. Mercator, fitted to the features.

    ``outlines`` are FeatureCollections drawn unfilled on top (e.g. neighbourhoods over wards);
    ``labels`` (a FeatureCollection) labels its features' codes instead of the areas' own codes.
    """
    feats = [
        {
            "type": "Feature",
            "geometry": _d3_winding(f["geometry"]),
            "properties": {
                k: f["properties"].get(k) for k in ("code", "name", "fill", "comparison", "value", "selected")
            },
        }
        for f in features["features"]
    ]
    projection = {"type": "mercator"}
    shapes = {
        "data": {"values": feats},
        "mark": {"type": "geoshape", "stroke": "#4D4D4D", "strokeWidth": 0.8},
        "encoding": {
            "fill": {"field": "properties.fill", "type": "nominal", "scale": None},
            "tooltip": [{"field": "properties.name", "type": "nominal", "title": "Area"}],
        },
        "projection": projection,
    }
    layers: list[dict] = [shapes]
    for geo in outlines:
        layers.append(
            {
                "data": {
                    "values": [
                        {"type": "Feature", "geometry": _d3_winding(f["geometry"]), "properties": {}}
                        for f in geo["features"]
                    ]
                },
                "mark": {"type": "geoshape", "filled": False, "stroke": "#1A1A1A", "strokeWidth": 2},
                "projection": projection,
            }
        )
    selected = [f for f in feats if f["properties"].get("selected")]
    if selected:
        layers.append(
            {
                "data": {"values": selected},
                "mark": {"type": "geoshape", "filled": False, "stroke": "#000000", "strokeWidth": 4.5},
                "projection": projection,
            }
        )
    rows = []
    source = labels["features"] if labels is not None else features["features"]
    for f in source:
        p = f["properties"]
        if p.get("label_lat") is None:
            continue
        symbol = ""
        if labels is None and colour_mode == "comparison" and p.get("value") is not None:
            symbol = COMPARISON_STYLE.get(p.get("comparison", "not_compared"), COMPARISON_STYLE["not_compared"])[0]
        rows.append(
            {"lon": p["label_lng"], "lat": p["label_lat"], "text": f"{html.unescape(str(p['code']))} {symbol}".strip()}
        )
    if rows:
        enc = {
            "longitude": {"field": "lon", "type": "quantitative"},
            "latitude": {"field": "lat", "type": "quantitative"},
            "text": {"field": "text", "type": "nominal"},
        }
        layers.append(
            {
                "data": {"values": rows},
                "mark": {"type": "text", "fontSize": 15, "fontWeight": "bold", "color": "#111111"},
                "encoding": enc,
                "projection": projection,
            }
        )
    the_map = {"layer": layers, "width": width, "height": height, "view": {"stroke": None}}
    legend_rows = [
        {
            "i": i,
            "fill": fill,
            "symbol": symbol,
            "text": text,
            "ink": "#FFFFFF" if maps.luminance(fill) < 0.35 else "#000000",
        }
        for i, (fill, symbol, text) in enumerate(legend_items)
    ]
    y = {"field": "i", "type": "ordinal", "axis": None}
    legend = {
        "title": {"text": legend_title or "Key", "anchor": "start", "fontSize": 15, "fontWeight": "bold"},
        "data": {"values": legend_rows},
        "layer": [
            {
                "mark": {"type": "square", "size": 520, "stroke": "#333333", "strokeWidth": 1, "opacity": 1},
                "encoding": {"x": {"value": 14}, "y": y, "fill": {"field": "fill", "type": "nominal", "scale": None}},
            },
            {
                "mark": {"type": "text", "fontSize": 13, "fontWeight": "bold"},
                "encoding": {
                    "x": {"value": 14},
                    "y": y,
                    "text": {"field": "symbol", "type": "nominal"},
                    "color": {"field": "ink", "type": "nominal", "scale": None},
                },
            },
            {
                "mark": {"type": "text", "align": "left", "fontSize": 15, "limit": 250},
                "encoding": {"x": {"value": 36}, "y": y, "text": {"field": "text", "type": "nominal"}},
            },
        ],
        "width": 260,
        "height": {"step": 34},
        "view": {"stroke": None},
    }
    attribution_block = {
        "data": {"values": [{"i": i, "t": t} for i, t in enumerate(wrap(attribution, 40))]},
        "mark": {"type": "text", "align": "left", "fontSize": 11, "color": "#444444"},
        "encoding": {
            "x": {"value": 0},
            "y": {"field": "i", "type": "ordinal", "axis": None},
            "text": {"field": "t", "type": "nominal"},
        },
        "width": 260,
        "height": {"step": 15},
        "view": {"stroke": None},
    }
    side = {"vconcat": [legend, attribution_block], "spacing": 24}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "hconcat": [the_map, side],
        "spacing": 10,
        "title": {"text": wrap(title, 80), "anchor": "start", "fontSize": 18},
        "background": "white",
        "config": {"view": {"stroke": None}},
    }


def _d3_winding(geometry: Mapping) -> dict:
    """A polygon geometry with clockwise exterior rings, as d3 (Vega) expects; GeoJSON's
    right-hand rule is the reverse, and d3 would fill the whole globe instead of the area."""
    g = shape(geometry)
    if isinstance(g, Polygon):
        g = orient(g, sign=-1.0)
    elif isinstance(g, MultiPolygon):
        g = MultiPolygon([orient(p, sign=-1.0) for p in g.geoms])
    return dict(mapping(g))


def neighbourhood_map(
    ds: Dataset,
    layer: Mapping | gpd.GeoDataFrame,
    indicator_id: str,
    period: str | None = None,
    bench: str = "england",
    level: str = "95",
    selected: str | None = None,
    colour_mode: str | None = None,
) -> tuple[dict, dict, list]:
    """The static map of one indicator over the 12 neighbourhoods: (map spec, features, legend items)."""
    geo = maps.layer_geojson(layer) if isinstance(layer, gpd.GeoDataFrame) else layer
    m = meta(ds.indicators, indicator_id)
    period = period or latest_neighbourhood_period(ds, indicator_id)
    table = area_comparison_table(ds.values, ds.indicators, indicator_id, period, "neighbourhood", bench, level)
    table = mapview.sort_areas(table, neighbourhood_order(ds.definition))
    mode = colour_mode or ("comparison" if m["ci_method"] != "none" else "quartile")
    feats = mapview.map_features(
        geo, table, m, mode, bench, level, "neighbourhood", selected=selected, threshold=ds.threshold
    )
    legend = mapview.legend_items(mode, table, m, bench, "neighbourhood")
    legend_title = mapview.legend_title(mode, m, bench)
    status = f" ({STATUS_BADGE['modelled']})" if m["status"] == "modelled" else ""
    spec = map_chart(feats, legend, f"{m['name']}{status}, {period}", legend_title, mode)
    return spec, feats, legend


def latest_neighbourhood_period(ds: Dataset, indicator_id: str) -> str:
    """The latest period an indicator has neighbourhood figures for (the latest period of all may be
    for wards or the city only)."""
    v = ds.values
    sel = (v["indicator_id"] == indicator_id) & (v["area_type"] == "neighbourhood")
    return sorted(v.loc[sel, "period"].astype(str).unique())[-1]
