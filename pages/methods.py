"""Data and methods: every indicator's definition, source, licence, period, status and method;
the neighbourhood definition and its caveat; downloads of the embedded dataset."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.core import data
from lib.core.contract import FAMILY_LABELS
from lib.views import methods as catalogue_view
from pages.shared import app_frame, session_data, widgets

sel = app_frame.frame_state()
ds = session_data.dataset()
# the catalogue lists both lenses: residents (as this session has them) and registered patients
registered, _practices = session_data.registered()
catalogue_indicators = pd.concat([ds.indicators, registered.indicators], ignore_index=True)
catalogue_values = pd.concat([ds.values, registered.values], ignore_index=True)

st.title("Data and methods")
st.markdown(
    "Every figure in this app is **real** (a published figure, traceable to a source row), "
    "**derived** (computed from published figures by the stated method, e.g. summed from small areas) "
    "or **modelled** (an estimate). Each indicator below says which, where it comes from and how it was built."
)

VIEWS = {
    "indicators": "Indicators",
    "details": "Each indicator in full",
    "methods": "How figures are built",
    "neighbourhoods": "The neighbourhoods",
    "downloads": "Downloads",
    "sources": "Sources and licences",
}
state = app_frame.page_state({"view": list(VIEWS)}, {"view": "indicators"}, prefix="methods")
view, tabs = app_frame.view_tabs("methods", VIEWS, state["view"])
app_frame.keep("methods", {"view": view})


def _family_choice(key: str) -> str | None:
    """The family filter: a family id, or None for all of them."""
    family = st.segmented_control(
        "Family",
        ["all", *FAMILY_LABELS],
        format_func=lambda f: "All" if f == "all" else FAMILY_LABELS[f],
        default="all",
        key=key,
    )
    return None if family in (None, "all") else family


if view == "indicators":
    with tabs["indicators"]:
        st.header("Indicators")
        table = catalogue_view.indicator_catalogue(
            catalogue_indicators, catalogue_values, _family_choice("methods_family")
        )
        widgets.show_table(
            table[catalogue_view.SUMMARY_COLUMNS], "The indicators at a glance: family, status, unit, periods and areas"
        )
        st.caption(
            "Each indicator's definition, method, caveats, source and licence are in the tab *Each indicator in full*, "
            "and in the CSV below."
        )
        widgets.download_csv(table, "indicator_catalogue.csv", "Download the whole catalogue (CSV)", key="dl_catalogue")
if view == "details":
    with tabs["details"]:
        st.header("Each indicator in full")
        table = catalogue_view.indicator_catalogue(
            catalogue_indicators, catalogue_values, _family_choice("methods_details_family")
        )
        st.html(catalogue_view.indicator_details_html(table))
if view == "methods":
    with tabs["methods"]:
        st.header("How figures are built")
        st.markdown(catalogue_view.METHODS_MARKDOWN)
if view == "neighbourhoods":
    with tabs["neighbourhoods"]:
        st.header("The neighbourhoods")
        st.markdown(app_frame.DEFINITION_CAVEAT)
        widgets.show_table(catalogue_view.definition_table(ds.definition), "The neighbourhoods and their wards")
        st.caption(
            "To use another grouping (for example the 13-neighbourhood model or primary care networks), edit "
            "`geodata/neighbourhoods.csv` (one row per ward) and rebuild with `make data`."
        )
if view == "downloads":
    with tabs["downloads"]:
        st.header("Downloads")
        st.markdown("The files this app reads. The same formats are what your own data must look like.")
        cols = st.columns(3)
        for i, (rel, label, mime) in enumerate(catalogue_view.DOWNLOADS):
            with cols[i % 3]:
                if not (data.ROOT / rel).exists():
                    st.warning(
                        f"{rel} is missing from the app's data. Restore it from the repository or rebuild it with `make data`."
                    )
                    continue
                # The bytes are made when the button is clicked (values.csv takes tens of ms to write).
                st.download_button(
                    label,
                    lambda rel=rel: session_data.dataset_file_bytes(rel),
                    file_name=rel.split("/")[-1],
                    mime=mime,
                    key=f"dl_{rel}",
                    on_click="ignore",
                    icon=":material/download:",
                )
if view == "sources":
    with tabs["sources"]:
        st.header("Sources and licences")
        st.markdown(catalogue_view.ATTRIBUTIONS_MARKDOWN)
