"""Presentation mode's CSS (static, no data in it), used by the presentation page.

Streamlit code shared by the pages (``pages/shared/``); all logic lives in ``lib/``.
"""

from __future__ import annotations

import streamlit as st

#: Static CSS for presentation mode (no data in it): hide the Streamlit chrome and the sidebar,
#: large dark type on white for a 1920 x 1080 projector, and hide the clicker-key buttons.
PRESENT_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="collapsedControl"],
[data-testid="stHeader"], header.stAppHeader, [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], [data-testid="stMainMenu"], #MainMenu, footer { display: none !important; }
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] { background: #FFFFFF !important; color: #000000 !important; }
[data-testid="stMainBlockContainer"], .block-container { padding: 1.2rem 2.5rem 2rem 2.5rem !important; max-width: 100% !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 26px !important; line-height: 1.4 !important; color: #000000 !important; }
[data-testid="stMarkdownContainer"] li { margin-bottom: 0.45em; }
h1 { font-size: 46px !important; line-height: 1.15 !important; color: #000000 !important; padding: 0.2rem 0 0.4rem 0 !important; }
h2, h3 { font-size: 32px !important; color: #000000 !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { font-size: 18px !important; color: #1A1A1A !important; opacity: 1 !important; line-height: 1.35 !important; }
.stButton button, [data-testid="stPageLink"] a { min-height: 52px; border: 2px solid #000000 !important; }
.stButton button p, [data-testid="stPageLink"] a p, [data-testid="stPageLink"] a span { font-size: 22px !important; font-weight: 600; color: #000000 !important; }
.stButton button[kind="primary"] p { color: #FFFFFF !important; }
[data-testid="stTable"] table td, [data-testid="stTable"] table th { font-size: 21px !important; color: #000000 !important; padding: 6px 10px !important; }
[data-testid="stMetricValue"] { font-size: 44px !important; color: #000000 !important; }
[data-testid="stMetricLabel"] p { font-size: 22px !important; color: #000000 !important; }
[data-testid="stAlert"] p { font-size: 22px !important; }
.st-key-np_clicker { display: none !important; }
</style>"""


def present_css() -> None:
    """Hide the chrome and enlarge the type (static CSS only; never data)."""
    st.html(PRESENT_CSS)
