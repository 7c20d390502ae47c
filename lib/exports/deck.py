"""Exports: chart and map images (PNG, SVG), a neighbourhood slide deck (PowerPoint) and a
one-page neighbourhood profile (PDF).

Pure functions (no Streamlit). Every image carries its title and a footer saying where its
numbers come from: source, period, status (REAL / DERIVED / MODELLED ESTIMATE), the date the
figures were accessed and the link back to the exact view in the app. Rendering is offline:
Vega-Lite specs are drawn by ``vl_convert``; the map is drawn from the same GeoJSON and fill
colours as the interactive map (:func:`lib.views.map.map_features`), since a Leaflet map cannot be
rasterised on the server.
"""

from __future__ import annotations

import copy
import html
import datetime as dt
import io
import os
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import altair as alt
import geopandas as gpd
import pandas as pd
import vl_convert as vlc

from lib.render import charts
from lib.views import cohorts
from lib.views import map as mapview
from lib.views import present as present_mode
from lib.views import profile
from lib.core.data import Dataset
from lib.core.selection import BENCHMARKS, CONFIDENCE
from lib.methods.indicators import area_comparison_table, meta, neighbourhood_order
from lib.render.format import COMPARISON_STYLE, STATUS_BADGE, comparison_label, format_value

#: Environment variable holding the app's public address (used in "link back to the view" lines).
PUBLIC_URL_ENV = "NP_PUBLIC_URL"
DEFAULT_BASE_URL = "http://localhost:8501"
EXPORT_WIDTH = 900
FOOTER_CHARS = 110
FOOTER_FONT = 12
FOOTER_LINE = 16
MAP_ATTRIBUTION = "Contains National Statistics and OS data © Crown copyright and database right 2017–2024"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
APP_NAME = "Neighbourhood Profiles"


# --------------------------------------------------------------------------- links and footers


def base_url(default: str = DEFAULT_BASE_URL) -> str:
    """The app's public address: ``$NP_PUBLIC_URL`` if set, else ``default``."""
    return (os.environ.get(PUBLIC_URL_ENV) or default).rstrip("/")


def view_url(base: str | None, page: str, params: Mapping[str, str]) -> str:
    """The link back to an exact view, e.g. ``http://host/profile?nbhd=N1&bench=england&level=95``.

    ``base`` ``None`` means :func:`base_url`; ``page`` is the page's url path (``profile``, ``map``...).
    Empty parameters are left out; order is kept.
    """
    root = (base or base_url()).rstrip("/")
    query = urlencode({k: str(v) for k, v in params.items() if v not in (None, "")})
    return f"{root}/{page.strip('/')}" + (f"?{query}" if query else "")


def accessed_line(day: dt.date | None = None) -> str:
    """``'Accessed on 2026-11-22'``."""
    return f"Accessed on {(day or dt.date.today()).isoformat()}"


def status_words(statuses: Sequence[str]) -> str:
    """Statuses as their badges, e.g. ``'DERIVED, MODELLED ESTIMATE'`` (distinct, in a fixed order)."""
    present = [s for s in STATUS_BADGE if s in set(statuses)]
    others = sorted({s for s in statuses if s not in STATUS_BADGE})
    return ", ".join([STATUS_BADGE[s] for s in present] + others)


def footer_lines(source: str, period: str, status: str | Sequence[str], url: str, licence: str | None = None,
                 method: str | None = None, day: dt.date | None = None, width: int = FOOTER_CHARS) -> list[str]:
    """The footer under an exported image or slide, wrapped to lines of at most ``width`` characters.

    Says: source (and licence), period, status, the method (if given), the accessed date and the link
    back to the view. ``status`` is a status word (``real``...) or several.
    """
    st = status_words([status] if isinstance(status, str) else list(status))
    src = f"Source: {source}" + (f" ({licence})" if licence else "")
    parts = [src, f"Period: {period} · Status: {st} · {accessed_line(day)}"]
    if method:
        parts.append(f"Method: {method}")
    parts.append(f"View: {url}")
    return [line for p in parts for line in wrap(p, width)]


def wrap(text: str, width: int = FOOTER_CHARS) -> list[str]:
    """Wrap text into lines of at most ``width`` characters (long URLs are split, not dropped)."""
    return textwrap.wrap(str(text), width=width, break_long_words=True, break_on_hyphens=False) or [""]


def meta_footer(m: Mapping, period: str, url: str, day: dt.date | None = None, method: bool = False) -> list[str]:
    """:func:`footer_lines` from one indicator's catalogue row."""
    return footer_lines(str(m["source"]), period, str(m["status"]), url, licence=str(m.get("licence") or "") or None,
                        method=str(m["method_note"]) if method else None, day=day)


# --------------------------------------------------------------------------- chart images


def _fix_width(spec: Any, width: int) -> Any:
    """Replace every ``"container"`` width in a Vega-Lite dict (recursively) by ``width``."""
    if isinstance(spec, dict):
        return {k: (width if k == "width" and v == "container" else _fix_width(v, width)) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_fix_width(v, width) for v in spec]
    return spec


def for_export(chart: alt.TopLevelMixin | dict, width: int = EXPORT_WIDTH) -> dict:
    """A chart as a Vega-Lite dict with a fixed width (``width="container"`` has no meaning off screen)."""
    spec = chart if isinstance(chart, dict) else chart.to_dict()
    spec = _fix_width(copy.deepcopy(spec), width)
    if spec.get("width") == "container":
        spec["width"] = width
    return spec


def with_footer(chart: alt.TopLevelMixin | dict, title: str, footer: Sequence[str], subtitle: str | Sequence[str] | None = None,
                width: int = EXPORT_WIDTH) -> dict:
    """Wrap a chart (altair or Vega-Lite dict) with a title above and footer lines below.

    Returns a Vega-Lite ``vconcat`` dict: the chart (width fixed at ``width``) and a text block
    with one mark per footer line (lines longer than :data:`FOOTER_CHARS` are wrapped). The
    chart's own configuration (fonts, legend) is kept. Render with :func:`chart_png` or
    :func:`chart_svg`.
    """
    spec = for_export(chart, width)
    config = spec.pop("config", {})
    datasets = spec.pop("datasets", {})
    schema = spec.pop("$schema", "https://vega.github.io/schema/vega-lite/v5.json")
    title_params: dict[str, Any] = {"text": wrap(title, 90), "anchor": "start", "frame": "bounds", "fontSize": 20,
                                    "fontWeight": "bold", "offset": 12}
    if subtitle:
        title_params["subtitle"] = [subtitle] if isinstance(subtitle, str) else list(subtitle)
        title_params["subtitleFontSize"] = 14
    if title:
        spec["title"] = title_params
    lines = [line for f in footer for line in wrap(f)]
    footer_title = {"text": lines, "orient": "bottom", "anchor": "start", "frame": "bounds", "fontSize": FOOTER_FONT,
                    "fontWeight": "normal", "color": "#333333", "lineHeight": FOOTER_LINE, "offset": 18, "limit": 0}
    out = {"$schema": schema, "title": footer_title, "vconcat": [spec], "config": config, "background": "white", "padding": 16}
    if datasets:
        out["datasets"] = datasets
    return out


def _spec(chart: alt.TopLevelMixin | dict, width: int = EXPORT_WIDTH) -> dict:
    return for_export(chart, width)


def chart_png(chart: alt.TopLevelMixin | dict, scale: float = 2, width: int = EXPORT_WIDTH) -> bytes:
    """A PNG of a chart (altair or Vega-Lite dict), ``scale`` × its CSS pixel size."""
    return vlc.vegalite_to_png(_spec(chart, width), scale=scale)


def chart_svg(chart: alt.TopLevelMixin | dict, width: int = EXPORT_WIDTH) -> str:
    """An SVG of a chart (text kept as text)."""
    return vlc.vegalite_to_svg(_spec(chart, width))


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels of a PNG, read from its header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


# --------------------------------------------------------------------------- static map


def map_chart(features: Mapping, legend_items: Sequence[tuple[str, str, str]], title: str, legend_title: str = "",
              colour_mode: str = "comparison", outlines: Sequence[Mapping] = (), labels: Mapping | None = None,
              attribution: str = MAP_ATTRIBUTION, width: int = 480, height: int = 620) -> dict:
    """A static map as a Vega-Lite dict: the features of :func:`lib.views.map.map_features` filled with
    their own ``fill`` colours (so colours match the interactive map exactly), the selected
    neighbourhood outlined thickly, code labels (with the comparison symbol) at label points, a
    legend (swatch with symbol, and words) and the attribution. Mercator, fitted to the features.

    ``outlines`` are FeatureCollections drawn unfilled on top (e.g. neighbourhoods over wards);
    ``labels`` (a FeatureCollection) labels its features' codes instead of the areas' own codes.
    """
    feats = [{"type": "Feature", "geometry": _d3_winding(f["geometry"]),
              "properties": {k: f["properties"].get(k) for k in ("code", "name", "fill", "comparison", "value", "selected")}}
             for f in features["features"]]
    projection = {"type": "mercator"}
    shapes = {
        "data": {"values": feats},
        "mark": {"type": "geoshape", "stroke": "#4D4D4D", "strokeWidth": 0.8},
        "encoding": {"fill": {"field": "properties.fill", "type": "nominal", "scale": None},
                     "tooltip": [{"field": "properties.name", "type": "nominal", "title": "Area"}]},
        "projection": projection,
    }
    layers: list[dict] = [shapes]
    for geo in outlines:
        layers.append({"data": {"values": [{"type": "Feature", "geometry": _d3_winding(f["geometry"]), "properties": {}} for f in geo["features"]]},
                       "mark": {"type": "geoshape", "filled": False, "stroke": "#1A1A1A", "strokeWidth": 2}, "projection": projection})
    selected = [f for f in feats if f["properties"].get("selected")]
    if selected:
        layers.append({"data": {"values": selected}, "mark": {"type": "geoshape", "filled": False, "stroke": "#000000", "strokeWidth": 4.5},
                       "projection": projection})
    rows = []
    source = labels["features"] if labels is not None else features["features"]
    for f in source:
        p = f["properties"]
        if p.get("label_lat") is None:
            continue
        symbol = ""
        if labels is None and colour_mode == "comparison" and p.get("value") is not None:
            symbol = COMPARISON_STYLE.get(p.get("comparison", "not_compared"), COMPARISON_STYLE["not_compared"])[0]
        rows.append({"lon": p["label_lng"], "lat": p["label_lat"], "text": f"{html.unescape(str(p['code']))} {symbol}".strip()})
    if rows:
        enc = {"longitude": {"field": "lon", "type": "quantitative"}, "latitude": {"field": "lat", "type": "quantitative"},
               "text": {"field": "text", "type": "nominal"}}
        layers.append({"data": {"values": rows}, "mark": {"type": "text", "fontSize": 15, "fontWeight": "bold", "color": "#111111"},
                       "encoding": enc, "projection": projection})
    the_map = {"layer": layers, "width": width, "height": height, "view": {"stroke": None}}
    legend_rows = [{"i": i, "fill": fill, "symbol": symbol, "text": text,
                    "ink": "#FFFFFF" if mapview._luminance(fill) < 0.35 else "#000000"} for i, (fill, symbol, text) in enumerate(legend_items)]
    y = {"field": "i", "type": "ordinal", "axis": None}
    legend = {
        "title": {"text": legend_title or "Key", "anchor": "start", "fontSize": 15, "fontWeight": "bold"},
        "data": {"values": legend_rows},
        "layer": [
            {"mark": {"type": "square", "size": 520, "stroke": "#333333", "strokeWidth": 1, "opacity": 1},
             "encoding": {"x": {"value": 14}, "y": y, "fill": {"field": "fill", "type": "nominal", "scale": None}}},
            {"mark": {"type": "text", "fontSize": 13, "fontWeight": "bold"},
             "encoding": {"x": {"value": 14}, "y": y, "text": {"field": "symbol", "type": "nominal"}, "color": {"field": "ink", "type": "nominal", "scale": None}}},
            {"mark": {"type": "text", "align": "left", "fontSize": 15, "limit": 250},
             "encoding": {"x": {"value": 36}, "y": y, "text": {"field": "text", "type": "nominal"}}},
        ],
        "width": 260, "height": {"step": 34}, "view": {"stroke": None},
    }
    attribution_block = {
        "data": {"values": [{"i": i, "t": t} for i, t in enumerate(wrap(attribution, 40))]},
        "mark": {"type": "text", "align": "left", "fontSize": 11, "color": "#444444"},
        "encoding": {"x": {"value": 0}, "y": {"field": "i", "type": "ordinal", "axis": None}, "text": {"field": "t", "type": "nominal"}},
        "width": 260, "height": {"step": 15}, "view": {"stroke": None},
    }
    side = {"vconcat": [legend, attribution_block], "spacing": 24}
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "hconcat": [the_map, side], "spacing": 10,
            "title": {"text": wrap(title, 80), "anchor": "start", "fontSize": 18}, "background": "white",
            "config": {"view": {"stroke": None}}}


def _d3_winding(geometry: Mapping) -> dict:
    """A polygon geometry with clockwise exterior rings, as d3 (Vega) expects; GeoJSON's
    right-hand rule is the reverse, and d3 would fill the whole globe instead of the area."""
    from shapely.geometry import MultiPolygon, Polygon, mapping, shape
    from shapely.geometry.polygon import orient

    g = shape(geometry)
    if isinstance(g, Polygon):
        g = orient(g, sign=-1.0)
    elif isinstance(g, MultiPolygon):
        g = MultiPolygon([orient(p, sign=-1.0) for p in g.geoms])
    return dict(mapping(g))


def neighbourhood_map(ds: Dataset, layer: Mapping | gpd.GeoDataFrame, indicator_id: str, period: str | None = None,
                      bench: str = "england", level: str = "95", selected: str | None = None,
                      colour_mode: str | None = None) -> tuple[dict, dict, list]:
    """The static map of one indicator over the 12 neighbourhoods: (map spec, features, legend items)."""
    geo = mapview.layer_geojson(layer) if isinstance(layer, gpd.GeoDataFrame) else layer
    m = meta(ds.indicators, indicator_id)
    period = period or _latest_nbhd_period(ds, indicator_id)
    table = area_comparison_table(ds.values, ds.indicators, indicator_id, period, "neighbourhood", bench, level)
    table = mapview.sort_areas(table, neighbourhood_order(ds.definition))
    mode = colour_mode or ("comparison" if m["ci_method"] != "none" else "quartile")
    feats = mapview.map_features(geo, table, m, mode, bench, level, "neighbourhood", selected=selected)
    legend = mapview.legend_items(mode, table, m, bench, "neighbourhood")
    bench_name = BENCHMARKS[mapview.effective_benchmark(bench, "neighbourhood")]
    legend_title = {"comparison": f"Compared with {bench_name}", "quartile": "Quartile (1 = lowest)", "continuous": m["short_name"]}[mode]
    status = f" ({STATUS_BADGE['modelled']})" if m["status"] == "modelled" else ""
    spec = map_chart(feats, legend, f"{m['name']}{status}, {period}", legend_title, mode)
    return spec, feats, legend


def _latest_nbhd_period(ds: Dataset, indicator_id: str) -> str:
    v = ds.values
    sel = (v["indicator_id"] == indicator_id) & (v["area_type"] == "neighbourhood")
    return sorted(v.loc[sel, "period"].astype(str).unique())[-1]


# --------------------------------------------------------------------------- the neighbourhood story


def _frame_params(nbhd: str, bench: str, level: str) -> dict[str, str]:
    return {"nbhd": nbhd, "bench": bench, "level": level}


def _sources(ds: Dataset, ids: Sequence[str]) -> tuple[str, list[str]]:
    """(joined distinct sources, statuses) of some indicators."""
    rows = ds.indicators.set_index("indicator_id").loc[list(dict.fromkeys(ids))]
    parts: list[str] = []
    for s in rows["source"]:
        for p in str(s).split(";"):
            p = p.strip()
            if p and p not in parts:
                parts.append(p)
    return "; ".join(parts), list(rows["status"])


def _period_span(periods: Sequence[str]) -> str:
    ps = list(dict.fromkeys(str(p) for p in periods))
    return ", ".join(ps) if len(ps) <= 4 else f"{', '.join(ps[:4])} and others (latest of each indicator)"


class Story:
    """Everything a neighbourhood's deck and PDF show, computed once."""

    def __init__(self, ds: Dataset, nbhd: str, bench: str, level: str, base: str | None, layers: Mapping[str, Any],
                 day: dt.date | None = None) -> None:
        self.ds, self.nbhd, self.bench, self.level = ds, nbhd, bench, level
        self.base = (base or base_url()).rstrip("/")
        self.day = day or dt.date.today()
        d = ds.definition.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")
        self.name = str(d.loc[nbhd, "neighbourhood_name"])
        self.locality = str(d.loc[nbhd, "locality_name"])
        self.bench_name = BENCHMARKS[bench]
        self.level_label = CONFIDENCE[level]
        self.table = profile.profile_table(ds, nbhd, level=level, bench=bench)
        self.summary = profile.board_summary(ds, nbhd, bench=bench, level=level)
        self.spine = charts.spine_data(self.table)
        # the same indicator the presentation leads with (one rule, in lib.views.present)
        self.key = present_mode.key_indicator(ds, nbhd, level=level, table=self.table)
        self.key_meta = meta(ds.indicators, self.key)
        self.key_period = _latest_nbhd_period(ds, self.key)
        self.layers = layers
        self.frame = _frame_params(nbhd, bench, level)

    def url(self, page: str, **extra: str) -> str:
        return view_url(self.base, page, {**self.frame, **extra})

    def footer(self, ids: Sequence[str], url: str, period: str | None = None) -> list[str]:
        source, statuses = _sources(self.ds, ids)
        if period is None:
            period = _period_span(self.table.set_index("indicator_id").reindex(list(ids))["period"].dropna())
        return footer_lines(source, period, statuses, url, day=self.day)

    # -- charts
    def spine_spec(self, width: int = 1100, tested_only: bool = False) -> dict:
        """The spine chart; ``tested_only`` keeps the indicators with a significance test, so the
        chart is short enough to read on a slide (the full list is in the PDF and the app)."""
        url = self.url("profile")
        spine = self.spine
        if tested_only:
            tested = set(self.table.loc[self.table["ci_method"] != "none", "indicator_id"])
            spine = spine[spine["indicator_id"].isin(tested)] if spine["indicator_id"].isin(tested).any() else spine
        chart = charts.spine_chart(spine, area_name=self.name, bench_name=self.bench_name)
        return with_footer(chart, f"{self.nbhd} · {self.name}: how it compares with England"
                           + (" (indicators tested for significance)" if tested_only else ""),
                           self.footer(list(spine["indicator_id"]), url),
                           subtitle=f"Dot: {self.name}, compared with {self.bench_name} at {self.level_label} confidence. "
                                    "Better is always to the right.", width=width)

    def map_spec(self) -> dict:
        url = self.url("map", ind=self.key, period=self.key_period, layer="neighbourhoods", colour="comparison")
        spec, _, _ = neighbourhood_map(self.ds, self.layers["neighbourhoods"], self.key, self.key_period, self.bench, self.level,
                                       selected=self.nbhd)
        footer = meta_footer(self.key_meta, self.key_period, url, day=self.day) + [MAP_ATTRIBUTION + "."]
        spec = dict(spec)
        title = spec.pop("title")
        return {"$schema": spec.pop("$schema"), "title": title, "vconcat": [spec, _text_block(footer, 900)], "spacing": 14,
                "background": "white", "padding": 16, "config": {"view": {"stroke": None}}}

    def compare_spec(self, width: int = 1000) -> dict:
        m = self.key_meta
        names = dict(zip(self.ds.definition["neighbourhood_code"], self.ds.definition["neighbourhood_name"]))
        t = area_comparison_table(self.ds.values, self.ds.indicators, self.key, self.key_period, "neighbourhood", self.bench, self.level)
        bars = charts.comparison_bar_data(t, m, names, level=self.level)
        chart = charts.comparison_bars(bars, m, float(t["england"].iloc[0]), float(t["manchester"].iloc[0]), self.bench_name, self.level_label,
                                       selected=self.nbhd)
        url = self.url("compare", family=str(m["family"]), ind=self.key, period=self.key_period)
        return with_footer(chart, f"{m['name']}, {self.key_period}: the 12 neighbourhoods",
                           meta_footer(m, self.key_period, url, day=self.day),
                           subtitle=f"Bars with {self.level_label} confidence intervals, compared with {self.bench_name}. "
                                    f"{charts.SELECTED_MARK} marks {self.nbhd} {self.name}.", width=width)

    # -- tables
    def cohort_rows(self, limit: int = 7) -> pd.DataFrame:
        frames = []
        for c in cohorts.COHORTS:
            ct = cohorts.cohort_table(self.ds, c.cohort_id, self.nbhd, self.bench, self.level)
            ct = ct[ct["neighbourhood_level"]].copy()
            ct["cohort"] = c.label.split(" (")[0]
            frames.append(ct)
        ct = pd.concat(frames, ignore_index=True).drop_duplicates("indicator_id").head(limit)
        out = []
        for r in ct.to_dict("records"):
            m = meta(self.ds.indicators, r["indicator_id"])
            val = format_value(r["value"], m)
            if r["status"] == "modelled":
                val += " (expected)"
            out.append({"Cohort": r["cohort"], "Indicator": r["short_name"], self.nbhd: val,
                        "Manchester": format_value(r["manchester"], m), "England": format_value(r["england"], m),
                        f"vs {self.bench_name}": comparison_label(r["comparison"]), "Status": STATUS_BADGE.get(r["status"], r["status"]),
                        "_id": r["indicator_id"], "_period": r["period"]})
        return pd.DataFrame(out)

    def activity_rows(self) -> pd.DataFrame:
        v = self.ds.values
        ids = [i for i in self.ds.indicators["indicator_id"] if str(i).startswith("target_")]
        rows = []
        for i in ids:
            m = meta(self.ds.indicators, i)
            mine = v[(v["indicator_id"] == i) & (v["area_type"] == "neighbourhood") & (v["area_code"] == self.nbhd)]
            city = v[(v["indicator_id"] == i) & (v["area_type"] == "city")]
            if mine.empty:
                continue
            unit = str(m["unit"]).split("(")[-1].rstrip(")") if "(" in str(m["unit"]) else str(m["unit"])
            rows.append({"Target (2020/21)": str(m["short_name"]).replace("Target share: ", ""),
                         "City reduction (published)": format_value(float(city["value"].iloc[0]), m) if len(city) else "–",
                         f"{self.nbhd} share (MODELLED)": format_value(float(mine["value"].iloc[0]), m),
                         "Unit as published": unit, "_id": i, "_period": str(mine["period"].iloc[0])})
        return pd.DataFrame(rows)

    def key_table(self, limit: int = 14) -> pd.DataFrame:
        """Compact table of the tested indicators (then the rest), for the PDF."""
        t = self.table.copy()
        t["_tested"] = (t["ci_method"] != "none").astype(int)
        t = t[~t["indicator_id"].str.startswith("target_")]
        t = t.sort_values("_tested", ascending=False, kind="stable").head(limit)
        rows = []
        for r in t.to_dict("records"):
            m = meta(self.ds.indicators, r["indicator_id"])
            rows.append({"Indicator": r["short_name"], "Period": str(r["period"]), self.nbhd: format_value(r["value"], m),
                         "Manchester": format_value(r["manchester"], m), "England": format_value(r["england"], m),
                         f"vs {self.bench_name}": comparison_label(r["vs_bench"]),
                         "Status": STATUS_BADGE.get(r["status"], r["status"])})
        return pd.DataFrame(rows)


def _text_block(lines: Sequence[str], width: int, font: int = FOOTER_FONT) -> dict:
    lines = [line for f in lines for line in wrap(f)]
    return {"data": {"values": [{"i": i, "line": line} for i, line in enumerate(lines)]},
            "mark": {"type": "text", "align": "left", "fontSize": font, "color": "#333333"},
            "encoding": {"x": {"value": 0}, "y": {"field": "i", "type": "ordinal", "axis": None}, "text": {"field": "line", "type": "nominal"}},
            "width": width, "height": {"step": FOOTER_LINE}, "view": {"stroke": None}}


# --------------------------------------------------------------------------- PowerPoint

SLIDE_TITLES = ("title", "Board summary", "Map", "How it compares with England", "Compare the 12", "Risk cohorts",
                "Activity shift", "Sources and methods")


def neighbourhood_deck(ds: Dataset, nbhd: str, bench: str = "england", level: str = "95", base_url: str | None = None,
                       layers: Mapping[str, Any] | None = None, day: dt.date | None = None) -> bytes:
    """A 16:9 PowerPoint deck for one neighbourhood (8 slides): title, board summary, map, spine
    chart, compare, risk cohorts, activity shift (MODELLED) and sources and methods. Every slide
    has a footer with its sources, period, status, accessed date and the link back to the view.

    ``layers`` maps ``"neighbourhoods"`` to the boundary layer (GeoJSON dict or GeoDataFrame).
    """
    from pptx import Presentation
    from pptx.util import Inches

    layers = layers or {}
    s = Story(ds, nbhd, bench, level, base_url, layers, day)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]
    title_text = f"{nbhd} · {s.name}"
    profile_ids = list(s.table["indicator_id"])
    tested = list(s.table.loc[s.table["ci_method"] != "none", "indicator_id"])

    # 1. title
    slide = prs.slides.add_slide(blank)
    _text(slide, title_text, Inches(0.8), Inches(2.0), Inches(11.7), Inches(1.4), size=44, bold=True)
    _text(slide, f"{s.locality} locality, Manchester", Inches(0.8), Inches(3.4), Inches(11.7), Inches(0.7), size=28)
    _text(slide, f"{APP_NAME} · {s.day.strftime('%-d %B %Y')} · compared with {s.bench_name} at {s.level_label} confidence",
          Inches(0.8), Inches(4.2), Inches(11.7), Inches(0.7), size=20, colour="444444")
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
    _title(slide, f"How it compares with England: {s.nbhd}")
    _picture(slide, chart_png(s.spine_spec(tested_only=True), scale=2), Inches(0.5), Inches(1.15), Inches(12.3), Inches(4.85))
    _footer(slide, prs, s.footer(list(s.spine["indicator_id"]), s.url("profile")))

    # 5. compare
    slide = prs.slides.add_slide(blank)
    _title(slide, f"Compare the 12: {m['short_name']}")
    cmp_url = s.url("compare", family=str(m["family"]), ind=s.key, period=s.key_period)
    _picture(slide, chart_png(s.compare_spec(), scale=2), Inches(0.5), Inches(1.15), Inches(12.3), Inches(4.85))
    _footer(slide, prs, meta_footer(m, s.key_period, cmp_url, day=s.day))

    # 6. cohorts
    slide = prs.slides.add_slide(blank)
    _title(slide, f"Risk cohorts: {s.name}")
    rows = s.cohort_rows()
    _table(slide, rows.drop(columns=["_id", "_period"]), Inches(0.5), Inches(1.2), Inches(12.3), size=14, widths=(3.0, 2.6, 1.1, 1.5, 1.1, 1.7, 1.3))
    _footer(slide, prs, s.footer(list(rows["_id"]), s.url("cohorts"), period=_period_span(rows["_period"])))

    # 7. activity
    slide = prs.slides.add_slide(blank)
    _title(slide, f"Activity shift: {s.nbhd} target shares (modelled)")
    act = s.activity_rows()
    _table(slide, act.drop(columns=["_id", "_period"]), Inches(0.5), Inches(1.15), Inches(12.3), size=14, row_height=0.36)
    _footer(slide, prs, footer_lines(_sources(ds, list(act["_id"]))[0], "2020/21", "modelled", s.url("activity", method="population"),
                                     day=s.day) + wrap("Method: city target split by resident population (ONS mid-2020), largest-remainder rounding. MODELLED ESTIMATE, not a published neighbourhood target."))

    # 8. sources and methods
    slide = prs.slides.add_slide(blank)
    _title(slide, "Sources and methods")
    src_rows = _source_rows(ds, profile_ids)
    _table(slide, src_rows, Inches(0.5), Inches(1.1), Inches(12.3), size=11, row_height=0.26, widths=(8.6, 2.7, 1.0))
    methods = ("Comparisons: significantly better / similar / worse at the stated confidence (Fingertips rule, Wilson or Byar intervals); "
               "estimates and whole-population figures are not tested. Neighbourhoods are best-fit groups of 2004–2018 council wards. "
               "REAL: published figure. DERIVED: computed from published figures. MODELLED ESTIMATE: an estimate, not an observation.")
    _text(slide, methods, Inches(0.5), Inches(5.45), Inches(12.3), Inches(0.7), size=11, colour="333333")
    _footer(slide, prs, s.footer(profile_ids, s.url("methods")))

    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _source_rows(ds: Dataset, ids: Sequence[str]) -> pd.DataFrame:
    """Distinct sources of some indicators with their indicators' statuses and count."""
    ind = ds.indicators.set_index("indicator_id").loc[list(dict.fromkeys(ids))]
    rows: dict[str, dict] = {}
    for i, r in ind.iterrows():
        for p in str(r["source"]).split(";"):
            p = p.strip()
            if not p:
                continue
            e = rows.setdefault(p, {"statuses": [], "n": 0})
            e["statuses"].append(r["status"])
            e["n"] += 1
    return pd.DataFrame([{"Source": k, "Status of indicators using it": status_words(v["statuses"]), "Indicators": str(v["n"])}
                         for k, v in rows.items()])


def _rgb(hex6: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex6)


def _text(slide, text: str, left, top, width, height, size: int = 18, bold: bool = False, colour: str = "111111"):
    from pptx.util import Pt

    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    p = tf.paragraphs[0]
    run = p.add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, _rgb(colour)
    return box


def _title(slide, text: str):
    from pptx.util import Inches

    box = _text(slide, text, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.8), size=30, bold=True)
    box.name = "Title"
    return box


def _bullets(slide, items: Sequence[str], left, top, width, height, size: int = 20):
    from pptx.util import Pt

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
    from pptx.util import Emu, Inches, Pt

    top = Inches(6.2)
    box = slide.shapes.add_textbox(Inches(0.5), top, prs.slide_width - Inches(1.0), Emu(prs.slide_height - top - Inches(0.1)))
    box.name = "Footer"
    tf = box.text_frame
    tf.word_wrap = True
    for k, line in enumerate(_merge_lines(lines, 150)):
        p = tf.paragraphs[0] if k == 0 else tf.add_paragraph()
        run = p.add_run()
        run.text = line
        run.font.size = Pt(10)
        run.font.color.rgb = _rgb("333333")
        if line.startswith("View: "):
            run.hyperlink.address = line[len("View: "):]
    return box


def _merge_lines(lines: Sequence[str], width: int | None) -> list[str]:
    """Re-join wrapped footer lines into paragraphs (Source / Period / Method / View) and wrap at ``width``."""
    paras: list[str] = []
    for line in lines:
        if not paras or line.split(":", 1)[0] in ("Source", "Period", "Method", "View") or line.startswith("Contains"):
            paras.append(line)
        else:
            paras[-1] += ("" if paras[-1].startswith("View: ") else " ") + line
    if width is None:
        return paras
    out: list[str] = []
    for p in paras:
        out.extend([p] if p.startswith("View: ") else wrap(p, width))
    return out


def _picture(slide, png: bytes, left, top, max_w, max_h):
    w, h = png_size(png)
    scale = min(max_w / w, max_h / h)
    pw, ph = int(w * scale), int(h * scale)
    return slide.shapes.add_picture(io.BytesIO(png), left + int((max_w - pw) / 2), top, pw, ph)


def _table(slide, df: pd.DataFrame, left, top, width, size: int = 16, row_height: float = 0.42,
           widths: Sequence[float] | None = None):
    from pptx.util import Inches

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
    from pptx.util import Pt

    cell.text = ""
    p = cell.text_frame.paragraphs[0]
    run = p.add_run()
    run.text = text
    run.font.size, run.font.bold = Pt(size), bold
    cell.margin_top = cell.margin_bottom = Pt(2)


# --------------------------------------------------------------------------- PDF


def neighbourhood_pdf(ds: Dataset, nbhd: str, bench: str = "england", level: str = "95", base_url: str | None = None,
                      layers: Mapping[str, Any] | None = None, day: dt.date | None = None) -> bytes:
    """A one-page A4 portrait PDF profile of a neighbourhood: title, board summary, the spine
    chart, a compact table of key indicators (comparison as symbol and word) and a footer with
    sources, statuses, accessed date and the link back to the view."""
    from fpdf import FPDF

    s = Story(ds, nbhd, bench, level, base_url, layers or {}, day)
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
    foot = _merge_lines(s.footer(shown_ids, s.url("profile")), None)
    pdf.set_font(font, "", 7)
    foot_lines = sum(len(pdf.multi_cell(W, 3.2, txt(p), dry_run=True, output="LINES")) for p in foot)
    footer_top = pdf.h - 8 - 3.2 * foot_lines
    pdf.set_font(font, "B", 18)
    pdf.cell(W, 9, txt(f"{nbhd} · {s.name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 10)
    pdf.multi_cell(W, 5, txt(f"{s.locality} locality, Manchester · {APP_NAME} · {s.day.isoformat()} · compared with {s.bench_name} at "
                             f"{s.level_label} confidence"), new_x="LMARGIN", new_y="NEXT", align="L")
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
        link = para[len("View: "):] if para.startswith("View: ") else ""
        pdf.multi_cell(W, 3.2, txt(para), new_x="LMARGIN", new_y="NEXT", align="L", link=link)
    return bytes(pdf.output())
