"""Maps drawn with folium, offline: boundary layers as compact GeoJSON, fill colours, the legend,
and the map itself with no base tiles (pure: no Streamlit).

The map needs only Leaflet's own JavaScript and CSS, served by the app itself (copied from the
xstatic-leaflet package by ``lib.web.assets``): no CDN, no base tiles, so it works offline.
Every string handed to folium has its braces made HTML entities (:func:`jinja_safe`): branca
compiles each rendered map script as a Jinja template again, so a name holding ``{{ ... }}``
would otherwise be evaluated on the server (template injection: it can run code). Data-driven
text is escaped with :func:`html.escape` by the callers that build it (``lib.views.map``).
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import branca.element
import folium
import geopandas as gpd
from branca.element import Element, MacroElement
from jinja2 import Template

from lib.render.format import COMPARISON_STYLE, NO_DATA_COLOUR, QUARTILE_COLOURS, is_missing
from lib.render.style import style

#: Sequential, colour-blind-safe scale (ColorBrewer YlGnBu, 5 classes): light = low, dark = high.
CONTINUOUS_STOPS: tuple[str, ...] = ("#FFFFCC", "#A1DAB4", "#41B6C4", "#2C7FB8", "#253494")
#: Where the map's own assets are served (Streamlit static serving of ``static/``).
ASSET_BASE = "/app/static/vendor/leaflet"
ATTRIBUTION = "Contains National Statistics and OS data © Crown copyright and database right 2017–2024"
#: folium's viewport tag forbids zooming (``maximum-scale=1.0, user-scalable=no``), which fails
#: WCAG 1.4.4 (axe rule ``meta-viewport``); :class:`_MapFrame` swaps it for one that allows it.
_ZOOM_LOCK = re.compile(r'<meta name="viewport"[^>]*>', re.S)
VIEWPORT_TAG = '<meta name="viewport" content="width=device-width, initial-scale=1.0" />'
#: Manchester's extent (south-west, north-east) used when a layer is empty.
CITY_BOUNDS = ((53.34, -2.32), (53.55, -2.14))
COORD_DIGITS = 5  # ~1 m: plenty for boundaries simplified at 20 m
#: How the areas themselves are labelled (``build_map(area_labels=...)``) -> the label's CSS class:
#: a name with its comparison symbol (wards), or the symbol alone (small areas).
#: A map labelled by name also writes each symbol alone, shown only while the names are not (zoomed out).
LABEL_CLASSES: dict[str, str] = {
    "code": "np-label",
    "name": "np-label np-label-name",
    "symbol": "np-label np-label-symbol",
    "coarse": "np-label np-label-symbol np-label-coarse",
}
#: Area labels are drawn from this zoom up (measured: the whole city fits at 11.25 in a 620 px map,
#: one neighbourhood at 13.5 to 13.75): names of 32 wards or symbols of 282 small areas would overlap
#: below it; there the wards show their symbols alone.
FINE_ZOOM: dict[str, float] = {"name": 11.9, "symbol": 12.4}


def _round_coords(coords: Any, digits: int) -> Any:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), digits) for c in coords]
    return [_round_coords(c, digits) for c in coords]


def layer_geojson(gdf: gpd.GeoDataFrame, digits: int = COORD_DIGITS) -> dict:
    """A boundary layer as a compact GeoJSON FeatureCollection (EPSG:4326, rounded coordinates).

    Keeps ``code``, ``name`` and ``neighbourhood_code`` (a neighbourhood's own code for the
    neighbourhood layer) plus a label point inside each polygon (``label_lat``/``label_lng``).
    The result is meant to be cached and never mutated (:func:`map_features` copies what it uses).
    """
    g = gdf.to_crs(4326) if gdf.crs is not None and gdf.crs.to_epsg() != 4326 else gdf
    features = []
    for row in g.itertuples(index=False):
        geom = row.geometry.__geo_interface__
        point = row.geometry.representative_point()
        code = str(row.code)
        nbhd = str(getattr(row, "neighbourhood_code", "") or "") or (code if "ward_codes" in g.columns else "")
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": code,
                    "name": str(row.name),
                    "nbhd": nbhd,
                    "label_lat": round(point.y, digits),
                    "label_lng": round(point.x, digits),
                },
                "geometry": {"type": geom["type"], "coordinates": _round_coords(geom["coordinates"], digits)},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def payload_bytes(geojson: Mapping) -> int:
    """Size of a GeoJSON dict as compact JSON (what the browser receives, roughly)."""
    return len(json.dumps(geojson, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def bounds(geojson: Mapping) -> list[list[float]]:
    """``[[south, west], [north, east]]`` of a FeatureCollection (Manchester if empty)."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(c: Any) -> None:
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            xs.append(float(c[0]))
            ys.append(float(c[1]))
        elif isinstance(c, (list, tuple)):
            for part in c:
                walk(part)

    for f in geojson.get("features", []):
        walk(f["geometry"]["coordinates"])
    if not xs:
        return [list(CITY_BOUNDS[0]), list(CITY_BOUNDS[1])]
    return [[min(ys), min(xs)], [max(ys), max(xs)]]


def _hex_to_rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def continuous_colour(value: float | None, vmin: float, vmax: float, stops: Sequence[str] = CONTINUOUS_STOPS) -> str:
    """A colour on the sequential scale for ``value`` between ``vmin`` and ``vmax``.

    Light for low, dark for high (linear interpolation between the stops); ``NO_DATA_COLOUR``
    for a missing value; the middle of the scale when all values are equal.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_DATA_COLOUR
    t = 0.5 if vmax <= vmin else min(1.0, max(0.0, (float(value) - vmin) / (vmax - vmin)))
    pos = t * (len(stops) - 1)
    i = min(int(pos), len(stops) - 2)
    f = pos - i
    a, b = _hex_to_rgb(stops[i]), _hex_to_rgb(stops[i + 1])
    return "#{:02X}{:02X}{:02X}".format(*(round(x + (y - x) * f) for x, y in zip(a, b)))


def fill_colour(row: Mapping, colour_mode: str, vmin: float = math.nan, vmax: float = math.nan) -> str:
    """The fill of one area (a row of ``area_comparison_table``) under a colour mode."""
    if is_missing(row.get("value")):
        return NO_DATA_COLOUR
    if colour_mode == "comparison":
        return COMPARISON_STYLE.get(str(row.get("comparison")), COMPARISON_STYLE["not_compared"])[1]
    if colour_mode == "quartile":
        q = row.get("quartile")
        return NO_DATA_COLOUR if is_missing(q) else QUARTILE_COLOURS[int(q)]
    return continuous_colour(float(row["value"]), vmin, vmax)


def area_symbol(props: Mapping, colour_mode: str) -> str:
    """The symbol that says what an area's fill says (as the legend's swatches do): its comparison
    symbol (▲ ● ▼ ○), its quartile (1 to 4), or "–" for no data; none on a continuous scale."""
    if props.get("value") is None:
        return "–"
    if colour_mode == "comparison":
        return COMPARISON_STYLE.get(props.get("comparison", "not_compared"), COMPARISON_STYLE["not_compared"])[0]
    if colour_mode == "quartile":
        return "" if props.get("quartile") is None else str(int(props["quartile"]))
    return ""


#: What opens a Jinja tag: a text with none of these renders as itself.
JINJA_SYNTAX = ("{{", "{%", "{#")


class _Text:
    """A text that holds no Jinja syntax, kept as it is instead of compiled: it renders to what the
    compiled template would (Jinja's newline handling: line ends as ``\\n``, one trailing one
    dropped)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.text = text[:-1] if text.endswith("\n") else text

    def render(self, *args: Any, **kwargs: Any) -> str:
        return self.text


def element_template(source: str) -> Template | _Text:
    """The template branca gives an ``Element(source)``: compiled by Jinja only if ``source`` has
    Jinja syntax.

    branca's ``MacroElement.render`` wraps every folium element's *rendered* script in
    ``Element(...)``, which compiles it as a template again: 12–16 compiles per map (~1 ms each;
    the GeoJSON's is the size of its data), paid on every interaction with the Map page. After
    :func:`jinja_safe` the rendered scripts hold no Jinja syntax, so compiling them gives the text
    back; this keeps the text instead (and a text with syntax is compiled, as before)."""
    if any(tag in source for tag in JINJA_SYNTAX):
        return Template(source)
    return _Text(source)


branca.element.Template = element_template  # what Element(template=...) compiles with


def jinja_safe(obj: Any) -> Any:
    """A copy of ``obj`` (dicts, lists, tuples, strings, numbers) whose strings have ``{`` and
    ``}`` as the HTML entities ``&#123;`` and ``&#125;``.

    branca's ``MacroElement.render`` wraps the *rendered* script of every folium element (the
    GeoJSON data, tooltips, legend) in ``Element(...)``, which compiles it as a Jinja template:
    ``{{ 7*7 }}`` in an area or indicator name would come out as ``49``, and Jinja's globals reach
    Python's ``os`` module. With no braces left, nothing in the data can open a Jinja tag. Every
    string is shown as HTML (tooltips, legend, labels) or not shown at all (e.g. the names
    in outline layers), so the entities read as the braces they stand for.
    """
    if isinstance(obj, str):
        return obj.replace("{", "&#123;").replace("}", "&#125;")
    if isinstance(obj, Mapping):  # a GeoJSON geometry holds only its type and numbers: shared, not copied
        return {k: v if k == "geometry" else jinja_safe(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [jinja_safe(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(jinja_safe(v) for v in obj)
    return obj


def legend_text(items: Sequence[tuple[str, str, str]]) -> str:
    """The legend as one line of plain text (symbol + words; no colour needed)."""
    return " · ".join(f"{symbol} {text}" for _, symbol, text in items)


def legend_html(title: str, items: Sequence[tuple[str, str, str]], colour_mode: str = "comparison") -> str:
    """The legend drawn inside the map (escaped HTML): swatch with its symbol, and the words."""
    e = html.escape
    parts = [f"<div class='np-legend-title'>{e(title)}</div>"]
    if colour_mode == "continuous" and len(items) >= 2 and items[0][2].startswith("Highest"):
        gradient = ", ".join(CONTINUOUS_STOPS[::-1])
        parts.append(
            "<div class='np-scale'><span class='np-bar' style='background:linear-gradient(" + gradient + ")'></span>"
            f"<span class='np-scale-labels'><span>{e(items[0][2])}</span><span>{e(items[1][2])}</span></span></div>"
        )
        items = items[2:]
    for fill, symbol, text in items:
        ink = "#FFFFFF" if luminance(fill) < 0.35 else "#000000"
        parts.append(
            f"<div class='np-row'><span class='np-swatch' style='background:{e(fill)};color:{ink}'>{e(symbol)}</span>{e(text)}</div>"
        )
    return "".join(parts)


def luminance(colour: str) -> float:
    def lin(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = _hex_to_rgb(colour)
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


class _MapFrame(MacroElement):
    """What stays the same whatever the map shows: the page style, the attribution, the viewport tag
    and Leaflet's keyboard focus without scrolling the host page. (What changes with the indicator,
    the areas and :class:`_Overlay`, can then be swapped inside the same frame.)"""

    _template = Template("""
{% macro header(this, kwargs) %}
{{ this.style }}
{% endmacro %}
{% macro script(this, kwargs) %}
(function(map) {
  var box = map.getContainer();
  box.setAttribute("role", "region");
  if (map.keyboard && map.keyboard.enabled()) {
    // Leaflet focuses the map on mousedown with a plain focus(), which also scrolls the host page to
    // bring the map's frame into view: mid-click, so the click lands elsewhere and selects nothing.
    var kb = map.keyboard;
    kb.disable();
    kb._onMouseDown = function() { if (!this._focused) { this._map._container.focus({preventScroll: true}); } };
    kb.enable();
  }
  if (map.attributionControl) { map.attributionControl.setPrefix(false); map.attributionControl.addAttribution({{ this.attribution|tojson }}); }
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, attribution: str) -> None:
        super().__init__()
        self._name = "MapFrame"
        self.style = style("map")  # static CSS, single braces only: safe in the re-compiled template
        self.attribution = jinja_safe(html.escape(attribution))

    def render(self, **kwargs) -> None:
        super().render(**kwargs)
        # The map's own header (rendered before its children, so present now) carries the viewport tag.
        header, key = self.get_root().header, self._parent.get_name()
        rendered = header._children.get(key)
        if rendered is not None:
            fixed = _ZOOM_LOCK.sub(VIEWPORT_TAG, rendered.render())
            header.add_child(Element("{% raw %}" + fixed + "{% endraw %}"), name=key)


class _Overlay(MacroElement):
    """Legend, area labels and the map's accessible name, drawn by Leaflet itself (no plugins), as
    one Leaflet layer of the areas' group: added with the group and removed with it (its legend,
    labels and listeners too), so the group can be swapped for another indicator's.

    For assistive technology the map container (focusable by Leaflet: arrow keys pan, +/- zoom) is
    a named region, and the frame the map is drawn in gets the same name (Streamlit titles it after
    the component)."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function(group) {
  var name = {{ this.name|tojson }};
  var labels = {{ this.labels|tojson }};
  var fine = {{ this.fine_zoom|tojson }};
  var legendHtml = {{ this.legend|tojson }};
  var Overlay = L.Layer.extend({
    onAdd: function(map) {
      var box = map.getContainer(), self = this;
      box.setAttribute("aria-label", name);
      try { if (window.frameElement) { window.frameElement.setAttribute("aria-label", name); } } catch (e) {}
      this._legend = L.control({position: "bottomright"});
      this._legend.onAdd = function() {
        var div = L.DomUtil.create("div", "np-legend");
        div.setAttribute("role", "note");
        div.innerHTML = legendHtml;
        return div;
      };
      this._legend.addTo(map);
      this._labels = L.layerGroup().addTo(map);
      var markers = labels.map(function(l) {
        return L.marker([l[0], l[1]], {interactive: false, keyboard: false,
          icon: L.divIcon({className: l[3] || "np-label", html: "<span>" + l[2] + "</span>", iconSize: null})}).addTo(self._labels);
      });
      // Codes and names are moved clear of each other; a small area's symbol stays on its area (it is
      // drawn small, and moving it would put it on a neighbour).
      var movable = markers.filter(function(m, i) { return (labels[i][3] || "np-label").indexOf("np-label-symbol") < 0; });
      this._show = function() { box.classList.toggle("np-labels-coarse", fine !== null && map.getZoom() < fine); };
      map.on("zoomend", this._show);
      map.whenReady(this._show);
      // Labels never overlap (two label points close together, e.g. C1 and C4 in the city centre): in
      // order, each label that meets one already placed moves up or down, away from it, until it is
      // clear. Boxes come from the map's own projection and each label's size (not from the page, which
      // is mid-animation while the map zooms), so the result is the same however the map was reached.
      function declutter() {
        var placed = [], gap = 2;
        movable.forEach(function(m) {
          var el = m.getElement(), s = el && el.querySelector("span");
          if (!s || !s.offsetWidth) { return; }  // not drawn at this zoom
          s.style.position = "relative";
          var pt = map.latLngToContainerPoint(m.getLatLng()), w = s.offsetWidth, h = s.offsetHeight;
          var r = {left: pt.x - w / 2, right: pt.x + w / 2, top: pt.y - h / 2, bottom: pt.y + h / 2}, dy = 0, step = 0;
          for (var tries = 0; tries < 60; tries++) {
            var hit = null;
            for (var i = 0; i < placed.length && !hit; i++) {
              var p = placed[i];
              if (r.left < p.right + gap && r.right > p.left - gap && r.top + dy < p.bottom + gap && r.bottom + dy > p.top - gap) { hit = p; }
            }
            if (!hit) { break; }
            if (!step) { step = (r.top + r.bottom + 2 * dy >= hit.top + hit.bottom) ? 1 : -1; }
            dy = step > 0 ? hit.bottom + gap + 1 - r.top : hit.top - gap - 1 - r.bottom;
          }
          s.style.top = dy + "px";
          placed.push({left: r.left, right: r.right, top: r.top + dy, bottom: r.bottom + dy});
        });
        box.setAttribute("data-labels-placed", "1");
      }
      var queued = false;
      this._later = function() {
        if (!queued) { queued = true; requestAnimationFrame(function() { queued = false; declutter(); }); }
      };
      map.on("zoomend viewreset resize", this._later);
      map.whenReady(declutter);
      // a label's size changes when its font arrives or the page's style sheet applies: place them again
      if (window.ResizeObserver) {
        this._watch = new ResizeObserver(this._later);
        movable.forEach(function(m) { var el = m.getElement(); if (el && el.firstChild) { self._watch.observe(el.firstChild); } });
      }
      if (document.fonts && document.fonts.ready) { document.fonts.ready.then(this._later); }
      window.addEventListener("load", this._later);
    },
    onRemove: function(map) {
      map.removeControl(this._legend);
      map.removeLayer(this._labels);
      map.off("zoomend", this._show);
      map.off("zoomend viewreset resize", this._later);
      if (this._watch) { this._watch.disconnect(); }
      window.removeEventListener("load", this._later);
      map.getContainer().classList.remove("np-labels-coarse");
    }
  });
  new Overlay().addTo(group);
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(
        self,
        legend: str,
        labels: Sequence[tuple],
        name: str,
        fine_zoom: float | None = None,
    ) -> None:
        super().__init__()
        self._name = "Overlay"
        self.name = name
        self.legend = jinja_safe(legend)
        # (lat, lng, text) or (lat, lng, text, CSS class: one of LABEL_CLASSES, not data)
        self.labels = [
            [lat, lng, jinja_safe(html.escape(text)), *(LABEL_CLASSES[cls] for cls in rest[:1])]
            for lat, lng, text, *rest in labels
        ]
        self.fine_zoom = fine_zoom


def map_parts(
    features: Mapping,
    legend_title: str,
    legend: Sequence[tuple[str, str, str]],
    colour_mode: str = "comparison",
    outlines: Sequence[tuple[Mapping, float, str]] = (),
    labels: bool | Mapping = True,
    selected_outline: Mapping | None = None,
    fit: Mapping | None = None,
    asset_base: str = ASSET_BASE,
    attribution: str = ATTRIBUTION,
    height: int = 620,
    name: str | None = None,
    area_labels: str | None = None,
    marked: Mapping | None = None,
) -> tuple[folium.Map, folium.FeatureGroup]:
    """A folium map of ``features`` (from :func:`map_features`) with no base tiles.

    Only Leaflet's JS and CSS are loaded, from ``asset_base`` (served by the app). ``outlines``
    are (FeatureCollection, weight, colour) layers drawn on top, unfilled and not interactive
    (e.g. neighbourhood and locality boundaries over wards). ``labels=True`` writes each feature's
    code (and comparison symbol) at its label point (for the 12 neighbourhoods); a
    FeatureCollection instead labels its features' codes (e.g. neighbourhood codes over wards).
    ``selected_outline`` (a FeatureCollection) is drawn on top as a double black-and-white line.
    The view fits ``fit`` (a FeatureCollection; default ``features``). ``name`` is the map's
    accessible name (default: from ``legend_title``). ``area_labels`` also labels every feature
    itself, so the map never speaks by colour alone: ``"name"`` writes its name and symbol
    (:func:`area_symbol`, e.g. wards), ``"symbol"`` the symbol alone (e.g. small areas); these are
    shown only from :data:`FINE_ZOOM` up, where they are legible. ``marked`` (a FeatureCollection,
    e.g. the one ward a link selects) is drawn on top of everything as a thicker line, black
    with a dashed white line inside (unlike the selected neighbourhood's solid double line).

    Returned in two parts: the frame (the map, its style, attribution and view: the same for every
    indicator of a layer) and the group of everything the indicator decides (areas, outlines,
    labels, legend and the map's name), which :func:`build_map` adds to the frame and the Map page
    passes to ``st_folium(..., feature_group_to_add=)`` so that a new indicator swaps the group
    inside the same frame instead of rebuilding it.
    """
    # No data string may carry a Jinja tag into folium (see jinja_safe); the caller's dicts are not changed.
    features, outlines = jinja_safe(features), [(jinja_safe(geo), w, c) for geo, w, c in outlines]
    labels = jinja_safe(labels) if isinstance(labels, Mapping) else labels
    selected_outline = jinja_safe(selected_outline) if selected_outline is not None else None
    marked = jinja_safe(marked) if marked is not None else None
    m = folium.Map(
        tiles=None, zoom_control=True, control_scale=False, height=height, zoom_snap=0.25, prefer_canvas=False
    )
    m.default_js = [("leaflet", f"{asset_base}/leaflet.js")]
    m.default_css = [("leaflet_css", f"{asset_base}/leaflet.css")]
    _MapFrame(attribution).add_to(m)
    group = folium.FeatureGroup(name="np-indicator", control=False)

    def style(feature: dict) -> dict:
        p = feature["properties"]
        return {
            "fillColor": p["fill"],
            "fillOpacity": 0.9,
            "color": "#000000" if p.get("selected") else "#4D4D4D",
            "weight": 4.5 if p.get("selected") else 0.8,
            "opacity": 1,
        }

    folium.GeoJson(
        dict(features),
        name="areas",
        style_function=style,
        zoom_on_click=False,
        highlight_function=lambda f: {"weight": 4, "color": "#222222", "fillOpacity": 0.95},
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
    ).add_to(group)
    for geo, weight, colour in outlines:
        folium.GeoJson(
            dict(geo),
            interactive=False,
            zoom_on_click=False,
            style_function=lambda f, w=weight, c=colour: {"fill": False, "color": c, "weight": w, "opacity": 1},
        ).add_to(group)
    if selected_outline is not None and selected_outline.get("features"):
        for weight, colour in ((7, "#000000"), (2.5, "#FFFFFF")):
            folium.GeoJson(
                dict(selected_outline),
                interactive=False,
                zoom_on_click=False,
                style_function=lambda f, w=weight, c=colour: {"fill": False, "color": c, "weight": w, "opacity": 1},
            ).add_to(group)
    if marked is not None and marked.get("features"):
        for weight, colour, dash in ((11, "#000000", None), (5, "#FFFFFF", "12 8")):
            folium.GeoJson(
                dict(marked),
                name="marked",
                interactive=False,
                zoom_on_click=False,
                style_function=lambda f, w=weight, c=colour, d=dash: {
                    "fill": False,
                    "color": c,
                    "weight": w,
                    "opacity": 1,
                    "dashArray": d,
                },
            ).add_to(group)
    label_rows: list[tuple[float, float, str]] = []
    if isinstance(labels, Mapping):
        for f in labels["features"]:
            p = f["properties"]
            if p.get("label_lat") is not None:
                label_rows.append((p["label_lat"], p["label_lng"], str(p["code"])))
    elif labels:
        for f in features["features"]:
            p = f["properties"]
            if p.get("label_lat") is None:
                continue
            symbol = area_symbol(p, colour_mode) if colour_mode == "comparison" and p.get("value") is not None else ""
            # p["code"] is already escaped by map_features; _Overlay escapes again, so unescape first.
            label_rows.append((p["label_lat"], p["label_lng"], f"{html.unescape(p['code'])} {symbol}".strip()))
    if area_labels is not None:
        for f in features["features"]:
            p = f["properties"]
            if p.get("label_lat") is None:
                continue
            symbol = area_symbol(p, colour_mode)
            text = f"{html.unescape(str(p.get('name', '')))} {symbol}" if area_labels == "name" else symbol
            if text.strip():
                label_rows.append((p["label_lat"], p["label_lng"], text.strip(), area_labels))
            if area_labels == "name" and symbol:
                label_rows.append((p["label_lat"], p["label_lng"], symbol, "coarse"))
    name = name or f"Map of Manchester: {legend_title}"
    _Overlay(
        legend_html(legend_title, legend, colour_mode),
        label_rows,  # escapes and defuses
        jinja_safe(f"{name}. Arrow keys pan, plus and minus zoom; the same figures are in a table."),
        fine_zoom=FINE_ZOOM.get(area_labels or ""),
    ).add_to(group)
    m.fit_bounds(bounds(fit or features), padding=(8, 8))
    return m, group


def build_map(*args: Any, **kwargs: Any) -> folium.Map:
    """The whole map in one (:func:`map_parts`, its group added to its frame): for a map drawn once
    (the Overview, the presentation) and for the tests; same arguments."""
    m, group = map_parts(*args, **kwargs)
    group.add_to(m)
    return m


def map_script_urls(m: folium.Map) -> list[str]:
    """Every ``src``/``href`` of a script or stylesheet in the rendered map page."""
    import re

    page = m.get_root().render()
    return re.findall(r'<script[^>]*\bsrc="([^"]+)"', page) + re.findall(r'<link[^>]*\bhref="([^"]+)"', page)
