"""Presentation mode: the guided sequence of views for one neighbourhood, its URLs, the key
indicator it shows, and projector-sized chart and map styling.

Pure (no Streamlit). The page ``pages/present.py`` draws each step from ``lib``.

Each step is its own shareable URL: ``/present?present=1&step=<id>&nbhd=<code>&bench=..&level=..``.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from lib.core.data import Dataset
from lib.core.selection import Selection
from lib.methods import apportion
from lib.render.format import STATUS_BADGE, md_text
from lib.render.style import style
from lib.views import profile_summary, risk_pyramid
from lib.views.profile import profile_table


@dataclass(frozen=True)
class Step:
    """One step of the presentation."""

    step_id: str
    title: str
    shows: str


#: The guided sequence, in order.
STEPS: tuple[Step, ...] = (
    Step(
        "map",
        "Where it is",
        "Overview map: all the neighbourhoods coloured by comparison with the benchmark on the key indicator, this one outlined.",
    ),
    Step(
        "profile",
        "Board summary",
        "Three to five plain-English sentences and the spine chart of every indicator against England.",
    ),
    Step(
        "compare",
        "How it compares",
        "All the neighbourhoods on the key indicator: bars with 95% intervals and the England and Manchester lines.",
    ),
    Step("cohorts", "Risk cohorts", "The modelled risk pyramid and the key cohort figures."),
    Step("activity", "Activity shift", "This neighbourhood's modelled share of the city's 2020/21 target reductions."),
)
STEP_IDS: tuple[str, ...] = tuple(s.step_id for s in STEPS)
#: The normal page each step comes from (the "Exit presentation" and "?present=1" mapping).
STEP_PAGE: dict[str, str] = {
    "map": "map",
    "profile": "profile",
    "compare": "compare",
    "cohorts": "cohorts",
    "activity": "activity",
}
#: Keyboard shortcuts of the navigation buttons (Streamlit ``st.button(shortcut=...)``).
NEXT_KEY, PREV_KEY = "ArrowRight", "ArrowLeft"
#: Presentation clickers send PageDown / PageUp.
CLICKER_NEXT_KEY, CLICKER_PREV_KEY = "PageDown", "PageUp"

#: Chart text sizes on a projector (px, at 1920 x 1080).
LABEL_SIZE, TITLE_SIZE, MARK_TEXT_MIN = 20, 22, 18


def step(step_id: str) -> Step:
    """A step by id (KeyError if unknown)."""
    return STEPS[STEP_IDS.index(step_id)]


def step_index(step_id: str) -> int:
    """The 0-based position of a step; unknown ids count as the first step."""
    return STEP_IDS.index(step_id) if step_id in STEP_IDS else 0


def next_step(step_id: str) -> str:
    """The step after ``step_id`` (the last step stays where it is)."""
    return STEP_IDS[min(step_index(step_id) + 1, len(STEP_IDS) - 1)]


def prev_step(step_id: str) -> str:
    """The step before ``step_id`` (the first step stays where it is)."""
    return STEP_IDS[max(step_index(step_id) - 1, 0)]


def step_url_params(sel: Selection, step_id: str) -> dict[str, str]:
    """The query parameters of one step's URL (``present=1`` first)."""
    if step_id not in STEP_IDS:
        raise KeyError(step_id)
    return {"present": "1", "step": step_id, **sel.params()}


def step_label(step_id: str) -> str:
    """``'Step 2 of 5: Board summary'``."""
    return f"Step {step_index(step_id) + 1} of {len(STEPS)}: {step(step_id).title}"


def key_indicator(ds: Dataset, nbhd: str, level: str = "95", table: pd.DataFrame | None = None) -> str:
    """The most notable indicator for the neighbourhood, shown on the map and compare steps.

    Rule (deterministic): among indicators with a confidence interval (so a significance test)
    and an England value, take those significantly **worse** than England at ``level``, else
    those significantly **better**, else all of them; pick the largest Fingertips-scaled
    distance from England, ``|value - England| / spread`` (``spread`` = the largest distance of
    the 12 neighbourhoods and Manchester from England, as on the spine chart), so indicators in
    different units compare fairly. Ties go to the indicator id first in alphabetical order.
    Falls back to ``children_low_income`` if nothing qualifies.
    """
    t = profile_table(ds, Selection(nbhd, "england", level)) if table is None else table
    t = t[(t["ci_method"] != "none") & t["england"].notna() & t["value"].notna()].copy()
    if t.empty:
        return "children_low_income"
    t["distance"] = [
        abs(v - e) / s if s and not math.isnan(s) else 0.0 for v, e, s in zip(t["value"], t["england"], t["spread"])
    ]
    for word in ("worse", "better"):
        pick = t[t["vs_england"] == word]
        if len(pick):
            t = pick
            break
    t = t.sort_values(["distance", "indicator_id"], ascending=[False, True], kind="stable")
    return str(t["indicator_id"].iloc[0])


def _bump_fonts(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in list(node.items()):
            if key == "fontSize" and isinstance(value, (int, float)):
                node[key] = max(MARK_TEXT_MIN, round(value * 1.5))
            elif key == "size" and node.get("type") == "point" and isinstance(value, (int, float)):
                node[key] = value * 2
            elif key == "strokeWidth" and isinstance(value, (int, float)):
                node[key] = max(value * 1.5, 2)
            elif key in ("labelLimit", "titleLimit") and isinstance(value, (int, float)):
                node[key] = max(value, 760)
            else:
                _bump_fonts(value)
    elif isinstance(node, list):
        for item in node:
            _bump_fonts(item)


def projector_spec(spec: dict, height_scale: float = 1.35) -> dict:
    """A Vega-Lite spec (``chart.to_dict()``) restyled for a projector: axis, legend, title and
    mark text at least 18-22 px, thicker rules and bigger points, taller plots; dark text on white.

    Returns a new dict (the input is not changed)."""
    out = copy.deepcopy(spec)
    _bump_fonts({k: v for k, v in out.items() if k not in ("datasets", "data")})

    def taller(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("height"), (int, float)):
                node["height"] = int(node["height"] * height_scale)
            for k, v in node.items():
                if k not in ("datasets", "data", "config"):
                    taller(v)
        elif isinstance(node, list):
            for item in node:
                taller(item)

    taller(out)
    cfg = out.setdefault("config", {})
    text = {"labelColor": "#000000", "titleColor": "#000000"}
    cfg["axis"] = {
        **cfg.get("axis", {}),
        "labelFontSize": LABEL_SIZE,
        "titleFontSize": TITLE_SIZE,
        "domainColor": "#000000",
        "tickColor": "#000000",
        "domainWidth": 1.5,
        **text,
    }
    cfg["legend"] = {
        **cfg.get("legend", {}),
        "labelFontSize": LABEL_SIZE,
        "titleFontSize": TITLE_SIZE,
        "symbolSize": 260,
        **text,
    }
    cfg["title"] = {**cfg.get("title", {}), "fontSize": TITLE_SIZE + 4, "color": "#000000"}
    cfg["text"] = {**cfg.get("text", {}), "fontSize": MARK_TEXT_MIN, "color": "#000000"}
    cfg["background"] = "#FFFFFF"
    return out


def widen_x(spec: dict, domain_max: float) -> dict:
    """Extend the x scale of every layer to ``domain_max`` (room for bar-end labels); in place."""
    for layer in spec.get("layer", [spec]):
        x = layer.get("encoding", {}).get("x")
        if isinstance(x, dict) and x.get("type") == "quantitative":
            x.setdefault("scale", {})["domainMax"] = domain_max
    return spec


#: Static CSS for the folium map on a projector (legend, labels, tooltips bigger). No data in it.
MAP_CSS = style("projector_map")


def enlarge_map(fmap: Any) -> Any:
    """Add :data:`MAP_CSS` to a folium map from :func:`lib.render.maps.build_map` (in place; returns it)."""
    from branca.element import Element

    fmap.get_root().header.add_child(Element(MAP_CSS), name="np_projector_css")
    return fmap


# --------------------------------------------------------------------------- one weighting for every estimate

#: The weightings the presentation can split the city's figures by (``method`` in the URL): the
#: risk pyramid's tiers and the activity-shift targets are both split by the one chosen, so every
#: apportioned figure on the slides rests on the same weights. Plain names, as each step says them.
WEIGHTINGS: dict[str, str] = {
    "need": "need index (population × illness and disability ratio, relative to England)",
    "population": "population (residents, each person counted once)",
}
DEFAULT_WEIGHTING = "need"


def weighting(raw: object) -> str:
    """The weighting asked for in the URL (``method=``), or the default (the need index)."""
    return raw if isinstance(raw, str) and raw in WEIGHTINGS else DEFAULT_WEIGHTING


def weights(ds: Dataset, method: str) -> pd.Series:
    """Neighbourhood code -> weight for ``method``: the risk pyramid's own weights
    (:func:`lib.views.risk_pyramid.need_index`, or residents), in display order."""
    if method == "need":
        return risk_pyramid.need_index(ds).astype(float)
    if method == "population":
        return risk_pyramid.population(ds).astype(float)
    raise ValueError(f"unknown weighting {method!r}: expected one of {', '.join(WEIGHTINGS)}")


def weighting_sentence(method: str) -> str:
    """What each step with estimates says about them (markdown)."""
    return f"Every estimate in this presentation is split from the city's figures by **{WEIGHTINGS[method]}**."


def pyramid_and_shares(ds: Dataset, targets: pd.DataFrame, method: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The risk pyramid and the activity-target shares, both split by the same weights
    (:func:`weights`), by the largest-remainder method: (pyramid, shares)."""
    w = weights(ds, method)
    pyr = risk_pyramid.pyramid(ds, method)
    words = risk_pyramid.method_text(ds, method)
    shares = apportion.target_shares(targets, {str(k): float(v) for k, v in w.items()}, method, words)
    return pyr, shares


#: The presentation is laid out for a 1920 x 1080 screen and scaled to the screen in the browser
#: (``lib/render/styles/present.css``), so charts are drawn at a fixed width in those pixels: the
#: width of the page's content (1920 less the margins) and of its two column layouts.
CHART_WIDTH: dict[str, int] = {"full": 1820, "wide": 1050, "narrow": 690}


def cap_height(spec: dict, max_height: int) -> dict:
    """Limit a chart's height (legend and axes included) to ``max_height`` pixels, e.g. a spine
    chart of 21 GP registers on a 1080-pixel slide; in place, returns it. A chart made shorter
    keeps every row's label (Vega would otherwise drop every other one where rows are close)."""
    if isinstance(spec.get("height"), (int, float)) and spec["height"] > max_height:
        spec["height"] = int(max_height)
        cfg = spec.setdefault("config", {})
        cfg["axisY"] = {**cfg.get("axisY", {}), "labelOverlap": False}
    return spec


def summary_for_slide(sentences: list[str]) -> tuple[list[str], str]:
    """The board summary on a slide: its findings as bullets, and its sentence on which figures
    are estimates (if any) as a footnote, so the findings keep the slide's large type and the
    step still fits the screen: (bullets, footnote or "")."""
    lead = profile_summary.ESTIMATES_LEAD
    return [s for s in sentences if not s.startswith(lead)], " ".join(s for s in sentences if s.startswith(lead))


def status_summary(table: pd.DataFrame) -> str:
    """Every indicator's status on a slide, grouped: ``'all 10 DERIVED (IoD2019, Census 2021)'``,
    or each status with the indicators that have it (``table``: rows with ``status``,
    ``short_name`` and ``period``)."""
    groups = list(dict.fromkeys(table["status"].astype(str)))

    def periods(rows: pd.DataFrame) -> str:
        return ", ".join(md_text(p) for p in dict.fromkeys(rows["period"].astype(str)))

    if len(groups) == 1:
        return f"all {len(table)} {md_text(STATUS_BADGE.get(groups[0], groups[0]))} ({periods(table)})"
    parts = []
    for g in groups:
        rows = table[table["status"].astype(str) == g]
        names = ", ".join(md_text(n) for n in rows["short_name"].astype(str))
        parts.append(f"{md_text(STATUS_BADGE.get(g, g))}: {names} ({periods(rows)})")
    return "; ".join(parts)
