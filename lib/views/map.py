"""The Map view: boundary layers merged with one indicator, coloured, and drawn with folium.

Pure functions (no Streamlit). The page caches the boundary layers as GeoJSON dicts
(:func:`layer_geojson`), merges in one indicator's figures (:func:`map_features`) and draws
them (:func:`build_map`). The map needs only Leaflet's own JavaScript and CSS, served by the
app itself (copied from the xstatic-leaflet package by ``lib.web.assets``): no CDN, no base tiles, so it works offline.

Every data-driven string that reaches the map (names, tooltips, labels, legend) is escaped
with :func:`html.escape`: folium tooltips render HTML inside an iframe that can reach the page.
And every string handed to folium has its braces made HTML entities (:func:`jinja_safe`):
branca compiles each rendered map script as a Jinja template again, so a name holding
``{{ ... }}`` would otherwise be evaluated on the server (template injection: it can run code).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from lib.core.disclosure import DEFAULT_THRESHOLD, display_count_or_reason
from lib.core.selection import BENCHMARKS, CONFIDENCE, Selection
from lib.core.selection import suffix as level_suffix
from lib.methods import stats
from lib.render.format import (
    COMPARISON_STYLE,
    NO_DATA_COLOUR,
    QUARTILE_COLOURS,
    STATUS_BADGE,
    comparison_label,
    format_count,
    format_interval,
    format_value,
    is_missing,
)
from lib.render.maps import build_map, continuous_colour, fill_colour, layer_geojson

#: Map detail: URL value -> (area_type in values.csv, plain label).
LAYERS: dict[str, tuple[str, str]] = {
    "neighbourhoods": ("neighbourhood", "Neighbourhoods"),
    "wards": ("ward", "Wards"),
    "msoa": ("msoa", "Middle-sized areas (MSOAs)"),
    "lsoa": ("lsoa", "Small areas (LSOA 2011)"),
    "lsoa21": ("lsoa21", "Small areas (LSOA 2021)"),
}
#: The two editions of the small areas (LSOA 2011 and LSOA 2021): the same level of detail, so an
#: indicator built on one edition is shown on its own when the other is asked for.
SMALL_AREA_EDITIONS = ("lsoa", "lsoa21")
#: Why the registered lens is mapped by neighbourhood only.
REGISTERED_DETAIL = (
    "Practices have no boundary, so registered patients are mapped by neighbourhood (its practices' patients "
    "together); each practice's figures are in the neighbourhood profile, under Its GP practices."
)
#: Colouring: URL value -> plain label.
COLOUR_MODES: dict[str, str] = {
    "comparison": "Comparison with benchmark",
    "quartile": "Quartile (of the areas shown)",
    "continuous": "Continuous scale",
}

#: What the map shows on a detailed layer (wards, small areas): URL value -> plain label.
ZOOMS: dict[str, str] = {"nbhd": "The selected neighbourhood", "city": "The whole city"}
#: How the areas of each detailed layer are labelled (``build_map(area_labels=...)``): ward names
#: with their symbols, the symbol alone for the middle-sized and small areas.
AREA_LABELS: dict[str, str] = {"wards": "name", "msoa": "symbol", "lsoa": "symbol", "lsoa21": "symbol"}


def map_extent(neighbourhoods: Mapping, nbhd: str, zoom: str = "nbhd", detail: bool = True) -> Mapping:
    """What the map fits (``build_map(fit=...)``): on a detailed layer with ``zoom`` "nbhd", the
    selected neighbourhood's boundary (from ``neighbourhoods``, the neighbourhood layer's GeoJSON);
    otherwise, or if it has no boundary, the whole city."""
    if detail and zoom == "nbhd":
        one = select_features(neighbourhoods, [nbhd])
        if one["features"]:
            return one
    return neighbourhoods


def effective_benchmark(bench: str, area_type: str) -> str:
    """The benchmark actually used: 'Rest of Manchester' exists only for neighbourhoods and
    localities; smaller areas are then compared with Manchester (as ``area_comparison_table`` does)."""
    if bench == "rest" and area_type not in ("neighbourhood", "locality"):
        return "city"
    return bench


def ci_label(level: str) -> str:
    """``'95% CI'`` or ``'99.8% CI'``."""
    return f"{CONFIDENCE.get(level, level + '%')} CI"


def in_neighbourhood(shapes: Mapping, codes: Sequence[str], nbhd: str) -> list[bool]:
    """For each area code in ``codes``, whether its shape in ``shapes`` (a layer's GeoJSON from
    :func:`layer_geojson`: features with ``code`` and ``nbhd`` properties) lies in neighbourhood
    ``nbhd``; an area without a shape is not in it."""
    of = {f["properties"]["code"]: f["properties"].get("nbhd") for f in shapes.get("features", [])}
    return [of.get(code) == nbhd for code in codes]


def table_rows(
    table: pd.DataFrame,
    meta: Mapping,
    bench: str = "england",
    level: str = "95",
    area_type: str = "neighbourhood",
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """The figures on the map as a plain table (the map's text alternative, and the CSV).

    Columns: Area, Code, Value, <level> CI, Count, Compared with <benchmark>, Quartile, Status.
    One row per area in ``table`` (a result of ``area_comparison_table``), in its order.
    """
    sfx = level_suffix(level)
    bench_name = BENCHMARKS.get(effective_benchmark(bench, area_type), bench)
    status = STATUS_BADGE.get(str(meta.get("status")), str(meta.get("status", "")))
    rows = []
    for r in table.to_dict("records"):
        q = r.get("quartile")
        rows.append(
            {
                "Area": str(r.get("area_name", "")),
                "Code": str(r.get("area_code", "")),
                "Value": format_value(r.get("value"), dict(meta)),
                ci_label(level): format_interval(r.get(f"lower_{sfx}"), r.get(f"upper_{sfx}"), dict(meta)),
                "Count": _count_text(r, threshold),
                f"Compared with {bench_name}": comparison_label(str(r.get("comparison", "not_compared")), bench_name),
                "Quartile": "–" if is_missing(q) else f"{int(q)}: {stats.quartile_labels[int(q)]}",
                "Status": status,
            }
        )
    columns = ["Area", "Code", "Value", ci_label(level), "Count", f"Compared with {bench_name}", "Quartile", "Status"]
    return pd.DataFrame(rows, columns=columns)


def _count_text(row: Mapping, threshold: int = DEFAULT_THRESHOLD) -> str:
    """The count as shown (at the disclosure ``threshold``); a count hidden by disclosure control
    says so rather than a dash."""
    num = None if is_missing(row.get("numerator")) else row.get("numerator")
    return display_count_or_reason(num, row.get("note"), threshold, words=True, fmt=format_count)


def tooltip_html(
    row: Mapping, meta: Mapping, bench_name: str, level: str = "95", threshold: int = DEFAULT_THRESHOLD
) -> str:
    """The tooltip of one area as HTML: every data-driven string escaped."""
    e = html.escape
    sfx = level_suffix(level)
    unit = str(meta.get("unit", ""))
    value = format_value(row.get("value"), dict(meta))
    value_text = value if is_missing(row.get("value")) or unit.startswith("%") else f"{value} {unit}"
    lines = [
        f"<b>{e(str(row.get('area_name') or row.get('name') or ''))}</b> <span style='color:#555'>{e(str(row.get('area_code') or row.get('code') or ''))}</span>",
        f"{e(str(meta.get('short_name') or meta.get('name') or ''))}: <b>{e(value_text)}</b>",
        f"{e(ci_label(level))}: {e(format_interval(row.get(f'lower_{sfx}'), row.get(f'upper_{sfx}'), dict(meta)))}",
        f"Count: {e(_count_text(row, threshold))}",
        f"{e(comparison_label(str(row.get('comparison', 'not_compared')), bench_name))}",
        f"Status: {e(STATUS_BADGE.get(str(meta.get('status')), str(meta.get('status', ''))))}",
    ]
    return "<br>".join(lines)


def map_features(
    layer: Mapping | gpd.GeoDataFrame,
    table: pd.DataFrame,
    meta: Mapping,
    colour_mode: str = "comparison",
    bench: str = "england",
    level: str = "95",
    area_type: str = "neighbourhood",
    selected: str | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> dict:
    """Merge one indicator's figures into a boundary layer: a new GeoJSON FeatureCollection.

    ``layer`` is a :func:`layer_geojson` dict (or a GeoDataFrame); ``table`` a result of
    ``area_comparison_table`` for the same area type. Each feature's properties hold ``code``,
    ``name``, ``nbhd`` (its neighbourhood, for click-to-select), ``fill``, ``comparison``,
    ``value`` (float or None), ``selected`` (in the selected neighbourhood) and ``tooltip``
    (escaped HTML). Areas without a figure are kept, in the no-data grey.
    """
    geo = layer_geojson(layer) if isinstance(layer, gpd.GeoDataFrame) else layer
    bench_name = BENCHMARKS.get(effective_benchmark(bench, area_type), bench)
    by_code = {str(r["area_code"]): r for r in table.to_dict("records")}
    vals = pd.to_numeric(table["value"], errors="coerce") if "value" in table else pd.Series(dtype=float)
    vmin, vmax = (float(vals.min()), float(vals.max())) if vals.notna().any() else (math.nan, math.nan)
    features = []
    for f in geo["features"]:
        p = f["properties"]
        row = dict(by_code.get(p["code"], {}))
        row.setdefault("area_code", p["code"])
        if not row.get("area_name") or is_missing(row.get("area_name")):
            row["area_name"] = p["name"]
        value = row.get("value")
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": html.escape(p["code"]),
                    "name": html.escape(str(row["area_name"])),
                    "nbhd": html.escape(p.get("nbhd", "")),
                    "fill": fill_colour(row, colour_mode, vmin, vmax),
                    "comparison": str(row.get("comparison", "not_compared"))
                    if not is_missing(row.get("comparison"))
                    else "not_compared",
                    "quartile": None if is_missing(row.get("quartile")) else int(row["quartile"]),
                    "value": None if is_missing(value) else float(value),
                    "selected": bool(selected) and p.get("nbhd") == selected,
                    "tooltip": tooltip_html(row, meta, bench_name, level, threshold),
                    "label_lat": p.get("label_lat"),
                    "label_lng": p.get("label_lng"),
                },
                "geometry": f["geometry"],
            }
        )
    return {"type": "FeatureCollection", "features": features}


def legend_items(
    colour_mode: str, table: pd.DataFrame, meta: Mapping, bench: str = "england", area_type: str = "neighbourhood"
) -> list[tuple[str, str, str]]:
    """The legend as (fill colour, symbol, text) rows, for the map and for the text under it.

    Comparison: only the words present (plus 'No data' if any area lacks a figure);
    quartile: the four groups with their value ranges; continuous: the minimum and maximum.
    """
    vals = pd.to_numeric(table["value"], errors="coerce") if "value" in table else pd.Series(dtype=float)
    m = dict(meta)
    items: list[tuple[str, str, str]] = []
    if colour_mode == "comparison":
        bench_name = BENCHMARKS.get(effective_benchmark(bench, area_type), bench)
        present = set(table.loc[vals.notna(), "comparison"].astype(str)) if "comparison" in table else set()
        for word in ("better", "similar", "worse", "higher", "lower", "not_compared"):
            if word in present:
                symbol, fill, _, _ = COMPARISON_STYLE[word]
                items.append((fill, symbol, comparison_label(word, bench_name).split(" ", 1)[1]))
    elif colour_mode == "quartile":
        q = pd.to_numeric(table.get("quartile", pd.Series(dtype=float)), errors="coerce")
        for k in (1, 2, 3, 4):
            sel = vals[q == k]
            rng = f"{format_value(sel.min(), m)} to {format_value(sel.max(), m)}" if sel.notna().any() else "no areas"
            items.append((QUARTILE_COLOURS[k], str(k), f"{stats.quartile_labels[k].capitalize()} ({rng})"))
    else:
        if vals.notna().any():
            vmin, vmax = float(vals.min()), float(vals.max())
            items.append((continuous_colour(vmax, vmin, vmax), "▲", f"Highest: {format_value(vmax, m)}"))
            items.append((continuous_colour(vmin, vmin, vmax), "▼", f"Lowest: {format_value(vmin, m)}"))
    if vals.isna().any() or len(table) == 0:
        items.append((NO_DATA_COLOUR, "–", "No data"))
    return items


def legend_title(colour_mode: str, meta: Mapping, bench: str = "england", area_type: str = "neighbourhood") -> str:
    """The key's title: what the colours mean."""
    if colour_mode == "comparison":
        return f"Compared with {BENCHMARKS[effective_benchmark(bench, area_type)]}"
    if colour_mode == "quartile":
        return "Quartile (1 = lowest)"
    return str(meta["short_name"])


@dataclass(frozen=True)
class NeighbourhoodMap:
    """One indicator on the map of the neighbourhoods: the map's features, its key and the map."""

    features: dict
    legend: list[tuple[str, str, str]]
    legend_title: str
    fmap: Any


def neighbourhood_map(
    shapes: Mapping,
    table: pd.DataFrame,
    meta: Mapping,
    sel: Selection,
    colour_mode: str = "comparison",
    threshold: int = DEFAULT_THRESHOLD,
    height: int = 620,
    name: str | None = None,
) -> NeighbourhoodMap:
    """The neighbourhoods coloured by ``colour_mode`` (against ``sel.bench`` at ``sel.level``), each
    labelled with its code and comparison symbol, the selected one outlined: the map the risk
    cohorts and the presentation draw (``table`` from :func:`lib.methods.indicators.area_table`)."""
    features = map_features(
        shapes, table, meta, colour_mode, sel.bench, sel.level, "neighbourhood", selected=sel.nbhd, threshold=threshold
    )
    legend = legend_items(colour_mode, table, meta, sel.bench, "neighbourhood")
    title = legend_title(colour_mode, meta, sel.bench)
    fmap = build_map(features, title, legend, colour_mode, labels=True, fit=shapes, height=height, name=name)
    return NeighbourhoodMap(features, legend, title, fmap)


def name_labels(geojson: Mapping) -> dict:
    """A FeatureCollection for :func:`build_map`'s ``labels`` that writes each feature's name, not
    its code, at its label point (e.g. ward names on a map of one neighbourhood's wards)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": None,
                "properties": {
                    "code": f["properties"]["name"],
                    "label_lat": f["properties"].get("label_lat"),
                    "label_lng": f["properties"].get("label_lng"),
                },
            }
            for f in geojson["features"]
        ],
    }


def select_features(geojson: Mapping, codes: Sequence[str]) -> dict:
    """The features of a FeatureCollection whose ``code`` is in ``codes`` (a new collection)."""
    wanted = set(codes)
    return {
        "type": "FeatureCollection",
        "features": [f for f in geojson["features"] if f["properties"]["code"] in wanted],
    }


def sort_areas(table: pd.DataFrame, order: Sequence[str] | None = None) -> pd.DataFrame:
    """Rows in display order: the given area codes first in that order, the rest by name."""
    rank = {code: i for i, code in enumerate(order or [])}
    codes, names = table["area_code"].to_numpy(object), table["area_name"].to_numpy(object)

    def key(i: int) -> tuple:
        name = names[i]
        missing = not isinstance(name, str)  # a missing name sorts last, as pandas puts it
        return rank.get(codes[i], len(rank)), missing, "" if missing else name

    return table.iloc[sorted(range(len(table)), key=key)].reset_index(drop=True)


def layer_for(available: Sequence[str], wanted: str) -> str:
    """The map detail to show: ``wanted`` if the indicator has it; for small areas, else the other
    edition of them (LSOA 2011 <-> LSOA 2021: an indicator built on LSOA 2021 keeps the 2021 areas,
    one built on LSOA 2011 the 2011 areas); else the next coarser detail that it has (small areas
    -> MSOAs -> wards -> neighbourhoods), else the next finer one (an indicator published only for
    MSOAs, such as life expectancy); neighbourhoods if it has none of them."""
    small, *others = SMALL_AREA_EDITIONS
    order = [k for k in LAYERS if k not in others]  # coarse to fine, with one small-area level
    level = small if wanted in SMALL_AREA_EDITIONS else wanted
    at = order.index(level) if level in order else 0
    editions = (
        [wanted, *(e for e in SMALL_AREA_EDITIONS if e != wanted)] if level == small else list(SMALL_AREA_EDITIONS)
    )
    for name in order[: at + 1][::-1] + order[at + 1 :]:
        for cand in editions if name == small else (name,):
            if LAYERS[cand][0] in available:
                return cand
    return "neighbourhoods"
