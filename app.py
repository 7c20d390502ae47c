"""Neighbourhood Profiles: the router and the shared frame.

Run with ``streamlit run app.py``. Pages live in ``pages/`` and call ``lib/``; this file only
declares the pages, draws the shared frame (title, neighbourhood and benchmark selection that
follow the user across pages, data-status key, attribution) and runs the chosen page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from pages import shared

# A local favicon: a Material icon here (or a page's icon, used when none is set) makes the
# browser fetch an SVG from Google's font servers, which fails offline.
FAVICON = Path(__file__).parent / "static" / "favicon.png"


def main() -> None:
    """Declare the pages, draw the shared frame and run the selected page."""
    st.set_page_config(page_title="Neighbourhood Profiles: Manchester", page_icon=str(FAVICON), layout="wide")
    pages = [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True, url_path="overview"),
        st.Page("pages/map.py", title="Map", icon=":material/map:", url_path="map"),
        st.Page("pages/profile.py", title="Neighbourhood profile", icon=":material/person_pin_circle:", url_path="profile"),
        st.Page("pages/compare.py", title="Compare areas", icon=":material/bar_chart:", url_path="compare"),
        st.Page("pages/cohorts.py", title="Risk cohorts", icon=":material/groups:", url_path="cohorts"),
        st.Page("pages/activity.py", title="Activity shift", icon=":material/trending_down:", url_path="activity"),
        st.Page("pages/methods.py", title="Data and methods", icon=":material/menu_book:", url_path="methods"),
    ]
    page = st.navigation(pages)
    ok = shared.frame()
    if ok:
        page.run()


if __name__ == "__main__":
    main()
