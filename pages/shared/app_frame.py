"""The shared frame every page is drawn in: the sidebar (the selection in force, the control to
change it, the labels key), and the selection and page state kept in the URL.

Streamlit code shared by the pages (``pages/shared/``); all logic lives in ``lib/``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator

import streamlit as st
from streamlit.logger import get_logger

from lib.core import data
from lib.core.selection import BENCHMARKS, CONFIDENCE, LENSES, Selection
from lib.render.format import COMPARISON_STYLE, STATUS_BADGE, md_text, status_sentence
from lib.web import urlstate
from pages.shared import session_data, signin
from pages.shared.session_data import dataset, neighbourhood_names

LOG = get_logger(__name__)
PAGE_FAILED = (
    "This page could not be drawn because of an error in the app. The other pages still work: pick one "
    "in the sidebar. Please report this (which page, and what you did) to the team that runs the app."
)

ATTRIBUTION = (
    "Contains National Statistics and OS data © Crown copyright and database right 2017–2024. "
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0."
)


DEFINITION_CAVEAT = (
    "Neighbourhoods are built from the 2004–2018 council wards: a best-fit approximation of each "
    "team's footprint (the teams also work from GP-registered lists). Neighbourhood-to-ward "
    "assignment compiled by the project from MHCC neighbourhood profiles (Dec 2019); wards inferred."
)


FRAME_KEYS = ("nbhd", "bench", "level", "population")


def frame(show_sidebar: bool = True) -> bool:
    """Draw the shared frame. Returns False (after explaining) if the data cannot be loaded.

    With ``show_sidebar=False`` (presentation mode) the selections are still read from the URL
    and kept, but no sidebar widgets are drawn."""
    try:
        dataset()
    except data.DataFileError as exc:
        st.error(f"The app cannot load its data. {exc}")
        return False
    names = neighbourhood_names()
    if "frame_values" not in st.session_state:
        choices = {
            "nbhd": list(names),
            "bench": list(BENCHMARKS),
            "level": list(CONFIDENCE),
            "population": list(LENSES),
        }
        defaults = {"nbhd": next(iter(names)), "bench": "england", "level": "95", "population": "residents"}
        state = urlstate.parse(dict(st.query_params), choices, defaults)
        st.session_state["frame_values"] = {k: state.values[k] for k in FRAME_KEYS}
        st.session_state["frame_notices"] = state.notices
    _restore_widgets(st.session_state["frame_values"], prefix="")
    if show_sidebar:
        _sidebar(names)
    st.session_state["frame_values"] = {k: st.session_state[k] for k in FRAME_KEYS}
    write_url(Selection(**st.session_state["frame_values"]).params())
    if st.session_state["population"] == "residents" and "population" in st.query_params:
        del st.query_params["population"]  # the default lens: links stay as they were
    for notice in st.session_state.pop("frame_notices", []):
        st.warning(md_text(notice), icon=":material/link_off:")  # it quotes the link's text
    return True


def _sidebar(names: dict[str, str]) -> None:
    with st.sidebar:
        st.markdown(f"### Neighbourhood Profiles\nManchester's {len(names)} integrated neighbourhoods")
        signin.sidebar()  # who is signed in, Sign in / Sign out (team mode only)
        # The choice in force, always in view; the controls that change it in a popover, drawn
        # only when opened (a select box costs every page about a fifth of a bare page's load).
        nbhd = st.session_state["nbhd"]
        st.markdown(
            selection_markdown(
                nbhd, names[nbhd], st.session_state["bench"], st.session_state["level"], st.session_state["population"]
            )
        )
        with st.popover("Change neighbourhood or comparison", icon=":material/tune:", width="stretch"):
            st.selectbox("Neighbourhood", list(names), format_func=lambda c: f"{c} · {names[c]}", key="nbhd")
            st.radio(
                "Population",
                list(LENSES),
                format_func=LENSES.get,
                key="population",
                help=(
                    "Residents: people who live in the neighbourhood's wards. Registered patients: patients of "
                    "the neighbourhood's GP practices, wherever they live (GP registers and list sizes)."
                ),
            )
            st.radio(
                "Compare with",
                list(BENCHMARKS),
                format_func=BENCHMARKS.get,
                key="bench",
                help="Rest of Manchester is the city without the neighbourhood, which removes the part–whole overlap.",
            )
            st.radio(
                "Confidence level",
                list(CONFIDENCE),
                format_func=CONFIDENCE.get,
                key="level",
                horizontal=True,
                help="99.8% is stricter: fewer differences count as significant.",
            )
        present_link("map", label="Present this neighbourhood", widgets=True)
        # A popover, not an expander: its text is drawn only when opened, so every page opens faster.
        with st.popover("What the labels mean", icon=":material/help:"):
            st.markdown(comparison_key_markdown())
            st.markdown("\n".join(f"- **{STATUS_BADGE[s]}**: {status_sentence(s)}" for s in STATUS_BADGE))
            st.caption(DEFINITION_CAVEAT)
        st.caption(ATTRIBUTION)


def selection_markdown(nbhd: str, name: str, bench: str, level: str, population: str = "residents") -> str:
    """The shared selection in words (markdown), as the sidebar shows it; the code and name (which may
    be the user's, from an uploaded grouping) shown literally."""
    return (
        f"**{md_text(nbhd)} · {md_text(name)}**  \n{LENSES[population]}, compared with {BENCHMARKS[bench]}, "
        f"{CONFIDENCE[level]} confidence"
    )


def frame_state() -> Selection:
    """The shared selection: the neighbourhood, its benchmark and the confidence level."""
    if "frame_values" not in st.session_state:
        _route_through_app()
    return Selection(**st.session_state["frame_values"])


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
                st.warning(md_text(notice), icon=":material/link_off:")  # it quotes the link's text
    values = {k: (v if v in choices[k] else defaults[k]) for k, v in st.session_state[store].items()}
    _restore_widgets(values, prefix=f"{prefix}_")
    return values


def residents_only(sel: Selection, why: str) -> None:
    """In the registered lens, say that this page's figures describe residents, and why."""
    if sel.registered:
        st.info(f"This page describes residents, not registered patients: {why}", icon=":material/home:")


def valid_choice(key: str, options: list[str]) -> None:
    """Keep a widget's remembered value among its options (it falls back to the first): the
    options change with the population lens, and a value from the other lens is not one of them."""
    if options and st.session_state.get(key) not in options:
        st.session_state[key] = options[0]


def view_tabs(prefix: str, views: dict[str, str], current: str) -> tuple[str, dict]:
    """Tabs for the parts of a long page, run lazily: only the open tab's part is computed and
    drawn, so the page opens fast and every part is one click away. ``views`` maps a view id (kept
    in the URL as ``view``, via :func:`page_state` and :func:`keep`) to its tab label; ``current``
    is the view to open. Returns the open view's id and each view's tab container."""
    ids, labels = list(views), list(views.values())
    key = f"{prefix}_tab"
    if st.session_state.get(key) not in labels:
        st.session_state[key] = views.get(current, labels[0])
    tabs = st.tabs(labels, key=key, on_change="rerun")
    open_id = next((i for i, t in zip(ids, tabs) if t.open), ids[0])
    return open_id, dict(zip(ids, tabs))


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
    """Put a page's state into the query string (with the shared frame's): only the parameters
    that changed, in one update. Each change to ``st.query_params`` sends the browser a message
    that rewrites its address (a key at a time, that was eight messages on every Map run)."""
    changed = {k: v for k, v in urlstate.to_params(values).items() if st.query_params.get(k) != v}
    if changed:
        st.query_params.update(changed)


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


def present_link(step: str = "map", label: str = "Present", widgets: bool = False) -> None:
    """A link to presentation mode for the selected neighbourhood (from ``step``); ``widgets``:
    take the selections from the sidebar widgets of this run (inside the frame)."""
    from lib.views.present import step_url_params

    sel = Selection(**{k: st.session_state[k] for k in FRAME_KEYS}) if widgets else frame_state()
    st.page_link(
        "pages/present.py",
        label=label,
        icon=":material/slideshow:",
        query_params=step_url_params(sel, step),
        help="Full screen, large type, step by step: for a projector.",
    )


@contextlib.contextmanager
def page_guard(page: str) -> Iterator[None]:
    """A failing page must not take the app down: a missing or damaged embedded file says which and
    what to do; any other error shows :data:`PAGE_FAILED` (the details go to the server log only).
    Streamlit's st.rerun / st.stop / st.switch_page raise a BaseException, not an Exception, so they
    pass through (tests/test_resilience.py checks this stays true)."""
    try:
        yield
    except data.DataFileError as exc:
        LOG.warning("Page %s: %s", page, exc)
        session_data.data_file_error(exc)
    except Exception:
        LOG.exception("Page %s failed", page)
        st.error(PAGE_FAILED, icon=":material/error:")


def page_fragment(body: Callable[[], None]) -> Callable[[], None]:
    """``body`` (a page's part below the frame) as an ``st.fragment``, so its own widgets rerun only
    it, with :func:`page_guard` inside: Streamlit handles an error in a fragment itself, so the
    guard around the page in ``app.py`` does not see it."""

    @st.fragment
    @functools.wraps(body)
    def run() -> None:
        with page_guard(body.__module__):
            body()

    return run
