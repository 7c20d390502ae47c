"""Streamlit pieces every page uses: cached data, the shared frame, downloads, keys and captions.

This is not a page (the router in ``app.py`` lists the pages). It is the only Streamlit code
besides the pages themselves; all logic lives in ``lib/``.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import streamlit as st

from lib import data, urlstate
from lib.indicators import BENCHMARKS, CONFIDENCE, neighbourhood_order
from lib.present import COMPARISON_STYLE, STATUS_BADGE, status_sentence

ATTRIBUTION = (
    "Contains National Statistics and OS data © Crown copyright and database right 2017–2024. "
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0."
)
DEFINITION_CAVEAT = (
    "Neighbourhoods are built from the 2004–2018 council wards: a best-fit approximation of each "
    "team's footprint (the teams also work from GP-registered lists). Neighbourhood-to-ward "
    "assignment compiled by the project from MHCC neighbourhood profiles (Dec 2019); wards inferred."
)
FRAME_KEYS = ("nbhd", "bench", "level")


@st.cache_data(show_spinner=False)
def dataset() -> data.Dataset:
    """The embedded dataset (cached; a hit returns a copy)."""
    return data.load_dataset()


@st.cache_resource(show_spinner=False)
def layer(name: str) -> gpd.GeoDataFrame:
    """A boundary layer (cached as a shared read-only resource: never mutate it)."""
    return data.load_layer(name)


@st.cache_data(show_spinner=False)
def seed(name: str) -> pd.DataFrame:
    """A seed table from ``profiles/seeds``."""
    return data.load_seed(name)


def neighbourhood_names() -> dict[str, str]:
    """Neighbourhood code -> name, in display order."""
    d = dataset().definition
    names = d.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")["neighbourhood_name"]
    return {code: names[code] for code in neighbourhood_order(d)}


def frame() -> bool:
    """Draw the shared frame. Returns False (after explaining) if the data cannot be loaded."""
    try:
        dataset()
    except data.DataFileError as exc:
        st.error(f"The app cannot load its data. {exc}")
        return False
    names = neighbourhood_names()
    if "frame_values" not in st.session_state:
        choices = {"nbhd": list(names), "bench": list(BENCHMARKS), "level": list(CONFIDENCE)}
        defaults = {"nbhd": next(iter(names)), "bench": "england", "level": "95"}
        state = urlstate.parse(dict(st.query_params), choices, defaults)
        st.session_state["frame_values"] = {k: state.values[k] for k in FRAME_KEYS}
        st.session_state["frame_notices"] = state.notices
    _restore_widgets(st.session_state["frame_values"], prefix="")
    with st.sidebar:
        st.markdown("### Neighbourhood Profiles\nManchester's 12 integrated neighbourhoods")
        st.selectbox("Neighbourhood", list(names), format_func=lambda c: f"{c} · {names[c]}", key="nbhd")
        st.selectbox("Compare with", list(BENCHMARKS), format_func=BENCHMARKS.get, key="bench",
                     help="Rest of Manchester is the city without the neighbourhood, which removes the part–whole overlap.")
        st.radio("Confidence level", list(CONFIDENCE), format_func=CONFIDENCE.get, key="level", horizontal=True,
                 help="99.8% is stricter: fewer differences count as significant.")
        with st.expander("What the labels mean"):
            st.markdown(comparison_key_markdown())
            st.markdown("\n".join(f"- **{STATUS_BADGE[s]}**: {status_sentence(s)}" for s in STATUS_BADGE))
        st.caption(DEFINITION_CAVEAT)
        st.caption(ATTRIBUTION)
    st.session_state["frame_values"] = {k: st.session_state[k] for k in FRAME_KEYS}
    write_url(st.session_state["frame_values"])
    for notice in st.session_state.pop("frame_notices", []):
        st.warning(notice, icon=":material/link_off:")
    return True


def frame_state() -> dict[str, str]:
    """The shared selections: ``nbhd``, ``bench`` and ``level``."""
    if "frame_values" not in st.session_state:
        _route_through_app()
    return dict(st.session_state["frame_values"])


def _route_through_app() -> None:
    """Rerun through ``app.py`` when a page ran without it.

    On the first run of a fresh server opened on a deep link (e.g. ``/map``), Streamlit's legacy
    router for a ``pages/`` folder runs the page script alone, before ``app.py`` has had a chance
    to call ``st.navigation`` (which switches that router off). Switch it off and rerun, so the
    shared frame is drawn and the same page runs inside it.
    """
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()


def page_state(choices: dict[str, list[str]], defaults: dict[str, str], prefix: str) -> dict[str, str]:
    """A page's own selections, read from the URL on the first visit (invalid ones fall back
    to defaults with a notice) and remembered across pages afterwards.

    Widgets on the page use the keys ``<prefix>_<param>``; call :func:`keep` after them.
    """
    store = f"{prefix}__values"
    if store not in st.session_state:
        state = urlstate.parse(dict(st.query_params), choices, defaults)
        st.session_state[store] = {k: state.values[k] for k in choices}
        for notice in state.notices:
            if "not one this app understands" not in notice:
                st.warning(notice, icon=":material/link_off:")
    values = {k: (v if v in choices[k] else defaults[k]) for k, v in st.session_state[store].items()}
    _restore_widgets(values, prefix=f"{prefix}_")
    return values


def keep(prefix: str, values: dict[str, str]) -> None:
    """Remember a page's selections (across pages) and put them in the URL."""
    st.session_state[f"{prefix}__values"] = dict(values)
    write_url(values)


def _restore_widgets(values: dict[str, str], prefix: str) -> None:
    # Streamlit drops a widget's key when the widget is not drawn in a run (e.g. on another
    # page); restore it from the remembered selections so the widget keeps its value.
    for key, value in values.items():
        if f"{prefix}{key}" not in st.session_state:
            st.session_state[f"{prefix}{key}"] = value


def write_url(values: dict[str, str]) -> None:
    """Put a page's state into the query string (with the shared frame's)."""
    for key, value in urlstate.to_params(values).items():
        st.query_params[key] = value


def comparison_key_markdown() -> str:
    """The comparison key as markdown (symbol + word, colour is never the only cue)."""
    order = ("better", "similar", "worse", "higher", "lower", "not_compared")
    expl = {
        "better": "significantly better than the benchmark",
        "similar": "not significantly different",
        "worse": "significantly worse than the benchmark",
        "higher": "significantly higher (no judgement of better or worse)",
        "lower": "significantly lower (no judgement)",
        "not_compared": "no test: an estimate, a population figure, or no benchmark",
    }
    return "\n".join(f"- {COMPARISON_STYLE[w][0]} **{COMPARISON_STYLE[w][3]}**: {expl[w]}" for w in order)


def download_csv(df: pd.DataFrame, filename: str, label: str = "Download this table (CSV)", key: str | None = None) -> None:
    """A CSV download of exactly the table shown."""
    st.download_button(label, df.to_csv(index=False).encode("utf-8"), file_name=filename, mime="text/csv",
                       key=key or f"dl_{filename}", icon=":material/download:")


def source_caption(meta: dict, period: str) -> None:
    """Source, period, status and method under a chart or table."""
    st.caption(
        f"**{STATUS_BADGE.get(meta['status'], meta['status'])}** · Source: {meta['source']} ({meta['licence']}) · "
        f"Period: {period} · Method: {meta['method_note']}"
    )


def accessed_on() -> str:
    """Today's date for 'accessed on' lines."""
    return dt.date.today().isoformat()
