"""How pages draw tables, charts, downloads and source lines, the same way everywhere.

Streamlit code shared by the pages (``pages/shared/``); all logic lives in ``lib/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from lib.exports.downloads import analysis_frame, safe_filename
from lib.render import tables
from lib.render.format import csv_bytes, source_text


def show_chart(spec: dict, alt_text: str, container=None) -> None:
    """Draw a chart spec full width, with ``alt_text`` as its accessible description."""
    (container or st).vega_lite_chart(spec, width="stretch", alt=alt_text)


#: ``show_table``'s default row header: the table's first column.
FIRST_COLUMN = "\x00first column"


def show_table(
    df: pd.DataFrame,
    caption: str,
    numeric: tuple[str, ...] | None = None,
    row_header: str | None = FIRST_COLUMN,
    max_height: int | None = None,
    container=None,
    highlight: Sequence[bool] | None = None,
    highlight_label: str = "selected",
) -> None:
    """A table as a static accessible HTML table (:func:`lib.render.tables.html_table`: caption, column
    and row headers, every cell escaped, number columns right-aligned). The row header is the
    first column unless ``row_header`` names another (or is ``None``); ``max_height`` (pixels)
    scrolls a long table inside its own region; rows flagged in ``highlight`` stand out and say
    ``highlight_label`` (e.g. the selected neighbourhood)."""
    header = (str(df.columns[0]) if len(df.columns) else None) if row_header == FIRST_COLUMN else row_header
    (container or st).html(
        tables.html_table(
            df,
            caption,
            numeric=numeric,
            row_header=header,
            max_height=max_height,
            highlight=highlight,
            highlight_label=highlight_label,
        )
    )


def download_csv(
    df: pd.DataFrame | Callable[[], pd.DataFrame],
    filename: str,
    label: str = "Download this table (CSV)",
    key: str | None = None,
) -> None:
    """A CSV download of ``df`` (numbers as numbers: pass the raw rows, not the screen's formatted
    table; for indicator figures, :func:`download_figures`). Text that a spreadsheet would run as a
    formula gets a leading apostrophe (:func:`lib.render.format.csv_bytes`); the file name has no
    spaces (:func:`lib.exports.downloads.safe_filename`). ``df`` may be a function that makes the
    table, called only when the button is clicked."""
    filename = safe_filename(filename)
    # The bytes are made when the button is clicked, not on every run.
    st.download_button(
        label,
        lambda: csv_bytes(df() if callable(df) else df),
        file_name=filename,
        mime="text/csv",
        on_click="ignore",
        key=key or f"dl_{filename}",
        icon=":material/download:",
    )


def analysis_ready(shown: pd.DataFrame, ds: Any) -> Callable[[], pd.DataFrame]:
    """The analysis-ready download of the indicator figures a view displayed (``shown``: its raw
    rows, keyed by indicator, period and area), looked up in the dataset ``ds`` (its values,
    catalogue and disclosure threshold): :func:`lib.exports.downloads.analysis_frame`, made only
    when the download is clicked (pass it to :func:`download_csv` or :func:`figures_table`)."""
    return lambda: analysis_frame(shown, ds.values, ds.indicators, ds.threshold)


def download_figures(
    shown: pd.DataFrame,
    ds: Any,
    filename: str,
    key: str | None = None,
    label: str = "Download this table (CSV)",
) -> None:
    """A CSV download of :func:`analysis_ready` figures."""
    download_csv(analysis_ready(shown, ds), filename, label, key=key)


def source_caption(meta: dict, period: str) -> None:
    """Source, period, status and method under a chart or table."""
    st.caption(source_text(meta, period))


def figures_table(
    df: pd.DataFrame,
    caption: str,
    meta: dict,
    period: str,
    filename: str,
    key: str | None = None,
    download: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
    **table: Any,
) -> None:
    """A table of an indicator's figures as every page gives one: the table (:func:`show_table`,
    with ``table`` passed on), its source line (:func:`source_caption`) and its CSV download
    (:func:`download_csv`; a "/" in ``filename``, as in a period like 2021/22, becomes "-") of
    ``download``, the analysis-ready frame (:func:`lib.exports.downloads.analysis_frame`), or of
    ``df`` itself where there is none."""
    show_table(df, caption, **table)
    source_caption(meta, period)
    download_csv(df if download is None else download, filename, key=key)


def sources_expander(sources: str) -> None:
    """An expander with the source, period, status and method of each indicator shown
    (``sources``: :func:`lib.render.format.sources_markdown`)."""
    with st.expander("Source, period, status and method of each indicator"):
        st.markdown(sources)


def accessed_on() -> str:
    """Today's date for 'accessed on' lines."""
    return dt.date.today().isoformat()


def interactive_map(fmap, key: str, height: int, returned_objects: list[str], on_change=None, layers=None):
    """Draw a folium map with streamlit-folium at the container's width; returns what it returns.

    ``layers`` (a folium FeatureGroup: ``lib.render.maps.map_parts``) is drawn into the map's frame
    and swapped on the next run without rebuilding the frame, which is kept as long as ``fmap``'s
    own script is the same (a new indicator recolours the areas in place).

    ``render=False``: otherwise ``st_folium`` renders the whole figure, discards the result and
    renders the map again; the second pass alone gives the same component arguments
    (``tests/test_mapview.py`` compares them) at about two-thirds of the cost of each map run."""
    from streamlit_folium import st_folium

    return st_folium(
        fmap,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=returned_objects,
        on_change=on_change,
        render=False,
        feature_group_to_add=layers,
    )
