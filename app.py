"""Neighbourhood Profiles: the router and the shared frame.

Run with ``streamlit run app.py``. Pages live in ``pages/`` and call ``lib/``; this file only
declares the pages, draws the shared frame (title, neighbourhood and benchmark selection that
follow the user across pages, data-status key, attribution) and runs the chosen page.

Presentation mode (``?present=1``, or the ``/present`` page): no navigation, no sidebar; the frame
keeps its selections from the URL. ``?present=1`` on another page opens the matching step.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.logger import get_logger

from lib.views import present as present_mode
from lib.web import assets, serving

LOG = get_logger(__name__)

# A local favicon: a Material icon here (or a page's icon, used when none is set) makes the
# browser fetch an SVG from Google's font servers, which fails offline.
FAVICON = Path(__file__).parent / "static" / "favicon.png"
PRESENT_PAGE = "present"


def main() -> None:
    """Declare the pages, draw the shared frame and run the selected page."""
    from pages.shared import (
        app_frame,
    )  # here, not at the top: serving imports this file before Streamlit's runtime exists

    presenting = st.query_params.get("present") == "1"
    st.set_page_config(
        page_title="Neighbourhood Profiles: Manchester",
        page_icon=str(FAVICON),
        layout="wide",
        initial_sidebar_state="collapsed" if presenting else "auto",
    )
    pages = [
        st.Page(
            "pages/overview.py",
            title="Overview",
            icon=":material/dashboard:",
            default=True,
            url_path=serving.DEFAULT_PAGE_PATH,
        ),
        st.Page("pages/map.py", title="Map", icon=":material/map:", url_path="map"),
        st.Page(
            "pages/profile.py", title="Neighbourhood profile", icon=":material/person_pin_circle:", url_path="profile"
        ),
        st.Page("pages/compare.py", title="Compare areas", icon=":material/bar_chart:", url_path="compare"),
        st.Page("pages/cohorts.py", title="Risk cohorts", icon=":material/groups:", url_path="cohorts"),
        st.Page("pages/activity.py", title="Activity shift", icon=":material/trending_down:", url_path="activity"),
        st.Page("pages/own_data.py", title="Your data", icon=":material/upload_file:", url_path="own_data"),
        st.Page("pages/methods.py", title="Data and methods", icon=":material/menu_book:", url_path="methods"),
        st.Page("pages/present.py", title="Present", icon=":material/slideshow:", url_path=PRESENT_PAGE),
    ]
    page = st.navigation(pages, position="hidden" if presenting else "sidebar")
    if page.url_path == PRESENT_PAGE and not presenting:
        st.query_params["present"] = "1"  # the presentation page is always in presentation mode
        st.rerun()
    # A failing page must not take the app down: the navigation above is already drawn
    # (app_frame.page_guard; the pages' fragments carry the same guard).
    with app_frame.page_guard(page.url_path):
        ok = app_frame.frame(show_sidebar=not presenting)
        if not ok:
            return
        if presenting and page.url_path != PRESENT_PAGE:
            # the step in the link (the presentation page checks it), else the one matching this page
            step = st.query_params.get("step") or next(
                (s for s, p in present_mode.STEP_PAGE.items() if p == page.url_path), present_mode.STEP_IDS[0]
            )
            st.switch_page(pages[-1], query_params={**st.session_state["frame_values"], "present": "1", "step": step})
        page.run()


if __name__ == "__main__":
    main()
else:
    # ``streamlit run app.py`` imports this file to find this ASGI app, and serves it: Streamlit
    # plus middleware that tells each page where the server is (lib/web/serving.py). Each session runs the file as a script (``__main__``, above).
    # Leaflet for the offline map, copied from its PyPI package into static/ when missing or of
    # another version (one small file read when present). Without it only the maps fail: say so.
    try:
        assets.install_leaflet()
    except (assets.LeafletMissing, OSError) as exc:
        LOG.error("The maps cannot be drawn: %s", exc)
    serving.load_and_freeze()  # the pages' libraries, loaded once and kept out of garbage collection
    app = st.App(__file__, middleware=serving.middleware(st.get_option("server.baseUrlPath")))
