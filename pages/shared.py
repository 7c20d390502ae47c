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
    if "frame_ready" not in st.session_state:
        choices = {"nbhd": list(names), "bench": list(BENCHMARKS), "level": list(CONFIDENCE)}
        defaults = {"nbhd": next(iter(names)), "bench": "england", "level": "95"}
        state = urlstate.parse(dict(st.query_params), choices, defaults)
        for key in FRAME_KEYS:
            st.session_state[key] = state.values[key]
        st.session_state["frame_notices"] = state.notices
        st.session_state["frame_ready"] = True
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
    for key in FRAME_KEYS:
        st.query_params[key] = st.session_state[key]
    for notice in st.session_state.pop("frame_notices", []):
        st.warning(notice, icon=":material/link_off:")
    return True


def frame_state() -> dict[str, str]:
    """The shared selections: ``nbhd``, ``bench`` and ``level``."""
    return {k: st.session_state[k] for k in FRAME_KEYS}


def page_state(choices: dict[str, list[str]], defaults: dict[str, str], prefix: str) -> dict[str, str]:
    """Read a page's own URL parameters once per visit, keep them in session state under
    ``<prefix>_<param>`` widget keys, and show notices for invalid ones."""
    marker = f"{prefix}__url_read"
    if not st.session_state.get(marker):
        state = urlstate.parse(dict(st.query_params), choices, defaults)
        for key, value in state.values.items():
            if key in choices:
                st.session_state[f"{prefix}_{key}"] = value
        for notice in state.notices:
            if "not one this app understands" not in notice:
                st.warning(notice, icon=":material/link_off:")
        st.session_state[marker] = True
    for key in choices:
        wkey = f"{prefix}_{key}"
        if st.session_state.get(wkey) not in choices[key]:
            st.session_state[wkey] = defaults[key]
    return {key: st.session_state[f"{prefix}_{key}"] for key in choices}


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
