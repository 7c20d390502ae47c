"""Presentation mode's CSS (static, no data in it), used by the presentation page.

Streamlit code shared by the pages (``pages/shared/``); all logic lives in ``lib/``.
"""

from __future__ import annotations

import streamlit as st

from lib.render.style import style

#: Static CSS for presentation mode (no data in it): hide the Streamlit chrome and the sidebar,
#: large dark type on white for a 1920 x 1080 projector, and hide the clicker-key buttons.
PRESENT_CSS = style("present")


def present_css() -> None:
    """Hide the chrome and enlarge the type (static CSS only; never data)."""
    st.html(PRESENT_CSS)


def show_chart(spec: dict, alt_text: str, width: int) -> None:
    """A chart at a fixed width in the presentation's 1920 x 1080 layout pixels
    (``lib.views.present.CHART_WIDTH``): the page is scaled to the screen by CSS zoom, which
    Streamlit's own container-width measure does not see (it would draw the chart too narrow)."""
    st.vega_lite_chart(
        {**spec, "width": width, "autosize": {"type": "fit", "contains": "padding"}}, width="content", alt=alt_text
    )
