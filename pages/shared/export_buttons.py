"""Export buttons: chart and map images, the slide deck and the PDF, with their footers (bytes
are made only when a button is clicked).

Streamlit code shared by the pages (``pages/shared/``); all logic lives in ``lib/``.
"""

from __future__ import annotations

import contextlib

import pandas as pd
import streamlit as st

from lib.core.selection import Selection
from lib.exports import deck, images, pdf, static_map
from lib.exports import footer as footers
from lib.exports.story import ActivitySplit
from pages.shared.app_frame import frame_state
from pages.shared.session_data import dataset, layer, lens_dataset, needs_data


def app_address(page: str = "") -> str:
    """The app's address for links back to a view, from the request this page run answers
    (:func:`lib.exports.footer.request_base_url`: ``$NP_PUBLIC_URL`` if set, else the browser's
    address, else the request's headers). Call it in the page's run (``st.context`` is not there
    when a download button's function runs)."""
    paths = {page}
    with contextlib.suppress(Exception):  # the pages' url paths, to take the page's own off the address
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        paths |= {str(p.get("url_pathname") or "") for p in ctx.pages_manager.get_pages().values()}
    try:
        url, headers = st.context.url, dict(st.context.headers)
    except Exception:  # no request (a bare script run): the default address
        url, headers = None, {}
    return footers.request_base_url(url, headers, paths, st.get_option("server.baseUrlPath") or "")


def export_footer(meta: dict, period: str, page: str, params: dict[str, str] | None = None) -> list[str]:
    """Footer lines for an exported image: source, period, status, accessed date and the link back
    to this exact view (the shared frame plus ``params``)."""
    url = footers.view_url(app_address(page), page, {**frame_state().params(), **(params or {})})
    return footers.meta_footer(meta, period, url)


def export_chart_buttons(
    chart, name: str, title: str, footer, key: str, subtitle: str | None = None, width: int = 900
) -> None:
    """PNG and SVG downloads of a chart (altair or Vega-Lite dict, or a function making one when a
    button is clicked: for a chart the page does not draw) with its title and footer lines (a list,
    or a function making it when a button is clicked), rendered only when clicked.

    A function given here runs when the button is clicked, outside the page's run: it must not
    read ``st.session_state`` (or anything built from it, such as :func:`dataset`); give it the
    values it needs (``tests/e2e/test_exports_browser.py`` downloads both images)."""

    def spec() -> dict:
        return images.with_footer(
            chart() if callable(chart) else chart,
            title,
            footer() if callable(footer) else footer,
            subtitle=subtitle,
            width=width,
        )

    # In a popover: the buttons are drawn when it is opened, so the page itself opens faster.
    with st.popover("Download image", icon=":material/image:"):
        st.download_button(
            "Image (PNG)",
            lambda: images.chart_png(spec(), scale=2),
            file_name=f"{name}.png",
            mime="image/png",
            key=f"png_{key}",
            on_click="ignore",
            icon=":material/image:",
        )
        st.download_button(
            "Image (SVG)",
            lambda: images.chart_svg(spec()).encode("utf-8"),
            file_name=f"{name}.svg",
            mime="image/svg+xml",
            key=f"svg_{key}",
            on_click="ignore",
            icon=":material/image:",
        )


def export_neighbourhood_buttons(sel: Selection, activity: ActivitySplit | None = None) -> None:
    """The neighbourhood's slide deck (PowerPoint) and one-page PDF profile, made when clicked.
    ``activity``: the activity-shift shares as the page split them (presentation mode's one
    weighting), for the deck's activity slide."""
    with needs_data():  # without the boundary file, the deck and PDF say so; the page goes on
        layers = {"neighbourhoods": layer("neighbourhoods")}
        # Read now, in the page's run: the files are made when clicked, outside it, where the session's
        # own data, grouping and disclosure threshold cannot be read.
        ds = dataset()
        base = app_address("profile")
        c1, c2 = st.columns(2)
        c1.download_button(
            "Slide deck (PowerPoint)",
            lambda: deck.neighbourhood_deck(ds, sel, base, layers, activity=activity),
            file_name=f"neighbourhood_{sel.nbhd}.pptx",
            key="dl_deck",
            on_click="ignore",
            type="primary",
            mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
            icon=":material/slideshow:",
        )
        c2.download_button(
            "One-page profile (PDF)",
            lambda: pdf.neighbourhood_pdf(ds, sel, base, layers),
            file_name=f"neighbourhood_{sel.nbhd}.pdf",
            mime="application/pdf",
            key="dl_pdf",
            on_click="ignore",
            icon=":material/picture_as_pdf:",
        )


def export_sources_footer(
    indicator_ids: list[str],
    page: str,
    params: dict[str, str] | None = None,
    status: str | None = None,
    source: str | None = None,
    period: str | None = None,
    method: str | None = None,
) -> list[str]:
    """Footer lines for an image built from several indicators (their distinct sources and statuses,
    or the ``source``/``status``/``period`` given)."""
    ds = lens_dataset(frame_state().population)
    known = [i for i in dict.fromkeys(indicator_ids) if i in set(ds.indicators["indicator_id"])]
    src, statuses = footers.sources(ds, known) if known else ("", [])
    if period is None:
        v = ds.values[ds.values["indicator_id"].isin(known) & (ds.values["area_type"] == "neighbourhood")]
        period = footers.period_span(sorted(v.groupby("indicator_id")["period"].max().astype(str).unique()))
    url = footers.view_url(app_address(page), page, {**frame_state().params(), **(params or {})})
    return footers.footer_lines(source or src, period, status or statuses, url, method=method)


def export_profile_footer(
    table: pd.DataFrame, spine: pd.DataFrame, page: str, params: dict[str, str] | None = None
) -> list[str]:
    """Footer lines for the profile's spine chart: the sources of every indicator in ``spine``
    (:func:`lib.render.spine.spine_data` of the profile ``table``), and the table's periods."""
    return export_sources_footer(
        list(spine["indicator_id"]), page, params, period=", ".join(dict.fromkeys(table["period"].astype(str)))
    )


def export_map_buttons(
    features: dict,
    legend: list,
    title: str,
    legend_title: str,
    colour_mode: str,
    footer: list[str],
    name: str,
    key: str,
    outlines: list | None = None,
    labels: dict | None = None,
) -> None:
    """PNG and SVG of a static map drawn from the same features and colours as the interactive map
    (its chart is built only when a button is clicked)."""

    def spec() -> dict:
        return static_map.map_chart(
            features, legend, title, legend_title, colour_mode, outlines=outlines or [], labels=labels
        )

    export_chart_buttons(spec, name, "", footer + [footers.MAP_ATTRIBUTION + "."], key=key)
