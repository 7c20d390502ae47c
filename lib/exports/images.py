"""Chart images (PNG, SVG) with their title and footer, drawn offline.

A chart on screen is ``width="container"``, which has no meaning off screen: the export fixes its
width, puts the title above and the footer (:mod:`lib.exports.footer`) below, and renders the
Vega-Lite spec with ``vl_convert`` (no browser, no network).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import altair as alt
import vl_convert as vlc

from lib.exports.footer import wrap

EXPORT_WIDTH = 900
FOOTER_FONT = 12
FOOTER_LINE = 16


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


def with_footer(
    chart: alt.TopLevelMixin | dict,
    title: str,
    footer: Sequence[str],
    subtitle: str | Sequence[str] | None = None,
    width: int = EXPORT_WIDTH,
) -> dict:
    """Wrap a chart (altair or Vega-Lite dict) with a title above and footer lines below.

    Returns a Vega-Lite ``vconcat`` dict: the chart (width fixed at ``width``) and a text block
    with one mark per footer line (lines longer than :data:`lib.exports.footer.FOOTER_CHARS` are
    wrapped). The chart's own configuration (fonts, legend) is kept. Render with :func:`chart_png`
    or :func:`chart_svg`.
    """
    spec = for_export(chart, width)
    config = spec.pop("config", {})
    datasets = spec.pop("datasets", {})
    schema = spec.pop("$schema", "https://vega.github.io/schema/vega-lite/v5.json")
    title_params: dict[str, Any] = {
        "text": wrap(title, 90),
        "anchor": "start",
        "frame": "bounds",
        "fontSize": 20,
        "fontWeight": "bold",
        "offset": 12,
    }
    if subtitle:
        title_params["subtitle"] = [subtitle] if isinstance(subtitle, str) else list(subtitle)
        title_params["subtitleFontSize"] = 14
    if title:
        spec["title"] = title_params
    lines = [line for f in footer for line in wrap(f)]
    footer_title = {
        "text": lines,
        "orient": "bottom",
        "anchor": "start",
        "frame": "bounds",
        "fontSize": FOOTER_FONT,
        "fontWeight": "normal",
        "color": "#333333",
        "lineHeight": FOOTER_LINE,
        "offset": 18,
        "limit": 0,
    }
    out = {
        "$schema": schema,
        "title": footer_title,
        "vconcat": [spec],
        "config": config,
        "background": "white",
        "padding": 16,
    }
    if datasets:
        out["datasets"] = datasets
    return out


def text_block(lines: Sequence[str], width: int, font: int = FOOTER_FONT) -> dict:
    """Footer lines as a Vega-Lite text view, one mark per (wrapped) line: to stack under a chart
    that already has a title of its own (a map), where :func:`with_footer` cannot put them."""
    lines = [line for f in lines for line in wrap(f)]
    return {
        "data": {"values": [{"i": i, "line": line} for i, line in enumerate(lines)]},
        "mark": {"type": "text", "align": "left", "fontSize": font, "color": "#333333"},
        "encoding": {
            "x": {"value": 0},
            "y": {"field": "i", "type": "ordinal", "axis": None},
            "text": {"field": "line", "type": "nominal"},
        },
        "width": width,
        "height": {"step": FOOTER_LINE},
        "view": {"stroke": None},
    }


def chart_png(chart: alt.TopLevelMixin | dict, scale: float = 2, width: int = EXPORT_WIDTH) -> bytes:
    """A PNG of a chart (altair or Vega-Lite dict), ``scale`` × its CSS pixel size."""
    return vlc.vegalite_to_png(for_export(chart, width), scale=scale)


def chart_svg(chart: alt.TopLevelMixin | dict, width: int = EXPORT_WIDTH) -> str:
    """An SVG of a chart (text kept as text)."""
    return vlc.vegalite_to_svg(for_export(chart, width))


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels of a PNG, read from its header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
