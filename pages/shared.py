"""Streamlit pieces every page uses: cached data, the shared frame, downloads, keys and captions.

This is not a page (the router in ``app.py`` lists the pages). It is the only Streamlit code
besides the pages themselves; all logic lives in ``lib/``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence

from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from lib.render import charts
from lib.core import data
from lib.core import disclosure
from lib.views import own_data
from lib.views import profile
from lib.methods import regroup
from lib.render import tables
from lib.web import urlstate
from lib.core.selection import BENCHMARKS, CONFIDENCE
from lib.methods.indicators import neighbourhood_order
from lib.render.format import COMPARISON_STYLE, STATUS_BADGE, csv_bytes, md_text, source_text, status_sentence

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


#: Session keys of the "Your data" page (pages/own_data.py): loaded imports, the chosen grouping
#: (None = the 12 neighbourhoods) and the disclosure threshold the user asked for.
USER_DATA_KEY = "own_data_loaded"
GROUPING_KEY = "own_data_grouping"
THRESHOLD_KEY = "own_data_threshold"


@st.cache_resource(show_spinner=False)
def _embedded() -> data.Dataset:
    return data.load_dataset()


def embedded() -> data.Dataset:
    """The embedded dataset exactly as committed (read once per server; each call returns fresh
    copies of the frames). Pages use :func:`dataset`, which adds the user's data, their grouping
    and disclosure control."""
    return _copy(_embedded())


def _copy(ds: data.Dataset) -> data.Dataset:
    # Shallow copies are safe under pandas' copy-on-write (the default from pandas 3): a page that
    # changes its copy gets its own data, and the shared frames never change.
    return data.Dataset(indicators=ds.indicators.copy(deep=False), values=ds.values.copy(deep=False),
                        definition=ds.definition.copy(deep=False))


@st.cache_resource(show_spinner=False, max_entries=16)
def _base(grouping_csv: str | None, threshold: int) -> tuple[data.Dataset, tuple[str, ...]]:
    """The embedded dataset regrouped (if a grouping is chosen) and suppressed (kept per grouping
    and threshold, shared read-only by all sessions: it holds no user data; callers copy it)."""
    ds = _embedded()
    values, definition, dropped = ds.values, ds.definition, ()
    if grouping_csv is not None:
        definition = _grouping_frame(grouping_csv)
        r = regroup.regroup(values, ds.indicators, definition, note="Rebuilt from ward figures for the chosen grouping")
        values, dropped = r.values, tuple(r.not_regrouped)
    values = disclosure.suppress(values, ds.indicators, threshold)
    indicators = ds.indicators.assign(user_data=False)
    return data.Dataset(indicators=indicators, values=values, definition=definition), dropped


def _grouping_frame(grouping_csv: str) -> pd.DataFrame:
    import io

    return pd.read_csv(io.StringIO(grouping_csv), dtype=str, keep_default_na=False, na_values=[""])


def grouping_csv() -> str | None:
    """The chosen grouping as CSV text (None for the 12 neighbourhoods)."""
    g = st.session_state.get(GROUPING_KEY)
    return g["csv"] if g else None


def threshold() -> int:
    """The disclosure threshold in force (never below the deployment's, ``NP_SUPPRESS_BELOW``)."""
    return disclosure.effective_threshold(st.session_state.get(THRESHOLD_KEY))


def not_regrouped() -> tuple[str, ...]:
    """Indicators whose neighbourhood figures cannot be rebuilt for the chosen grouping."""
    gcsv = grouping_csv()
    return _base(gcsv, threshold())[1] if gcsv is not None else ()


def dataset() -> data.Dataset:
    """What every page sees: the embedded data plus the user's own data (marked "(your data)"),
    rebuilt for the chosen neighbourhood grouping, with small counts hidden (``lib.core.disclosure``).

    The embedded part is cached across sessions; the user's part is combined once per change and
    kept in the session. Each call returns fresh copies of the frames.
    """
    gcsv, t = grouping_csv(), threshold()
    base, _ = _base(gcsv, t)
    loaded = st.session_state.get(USER_DATA_KEY) or []
    if not loaded:
        return _copy(base)
    key = (tuple((d.name, tuple(d.indicator_ids), id(d)) for d in loaded), hash(gcsv), t)
    cached = st.session_state.get("_own_data_merged")
    if not cached or cached[0] != key:
        ui, uv = own_data.combined(loaded)
        if gcsv is not None:
            uv = regroup.regroup(uv, ui, base.definition, note="Rebuilt from ward figures for the chosen grouping").values
        uv = disclosure.suppress(uv, ui, t)
        merged = data.Dataset(
            indicators=pd.concat([base.indicators, ui], ignore_index=True),
            values=pd.concat([base.values, uv.reindex(columns=base.values.columns)], ignore_index=True),
            definition=base.definition,
        )
        st.session_state["_own_data_merged"] = (key, merged)
        cached = st.session_state["_own_data_merged"]
    return _copy(cached[1])


def shared_cache_key() -> tuple | None:
    """A key for results computed from :func:`dataset` that every session can share: the
    grouping and threshold in use. None when this session has its own data loaded (then results
    are computed for the session alone, never shared)."""
    if st.session_state.get(USER_DATA_KEY):
        return None
    return (hash(grouping_csv()), threshold())


def _lib_function(module: str, name: str):
    """A ``lib`` function by module and name: the shared caches below are keyed by these strings
    (stable across reruns), not by the function object."""
    import importlib

    return getattr(importlib.import_module(module), name)


@st.cache_data(show_spinner=False, max_entries=2048)
def _computed(key: tuple, module: str, name: str, args: tuple, kwargs: dict, _ds: data.Dataset):
    return _lib_function(module, name)(_ds, *args, **kwargs)


def computed(fn, ds: data.Dataset, *args, **kwargs):
    """``fn(ds, *args, **kwargs)`` for a ``lib`` function of the dataset from :func:`dataset`,
    computed once per grouping, threshold and arguments and shared by every session (each gets a
    copy); computed for the session alone when it has its own data (never shared)."""
    key = shared_cache_key()
    if key is None:
        return fn(ds, *args, **kwargs)
    return _computed(key, fn.__module__, fn.__qualname__, args, kwargs, ds)


def profile_table(ds: data.Dataset, nbhd: str, level: str, bench: str) -> pd.DataFrame:
    """:func:`lib.views.profile.profile_table`, shared across sessions where the data are shared. The
    12 are computed together (:func:`lib.views.profile.profile_tables_by_benchmark`), so moving between
    neighbourhoods costs a slice, not a new set of comparisons."""
    return profile_parts(ds, nbhd, level, bench)[0]


def _parts(ds: data.Dataset, tables: dict[str, pd.DataFrame], nbhd: str, level: str, bench: str) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    table = tables[nbhd]
    return table, profile.board_summary(ds, nbhd, bench=bench, level=level, table=table), charts.spine_data(table)


@st.cache_resource(show_spinner=False, max_entries=16)
def _tables_by_benchmark(key: tuple, level: str, _ds: data.Dataset) -> dict[str, dict[str, pd.DataFrame]]:
    # One object shared, never copied (36 small tables: copying them on each use would cost more
    # than slicing one): only _parts reads it, and what it returns is copied by _profile_parts.
    return profile.profile_tables_by_benchmark(_ds, level=level)


@st.cache_data(show_spinner=False, max_entries=256)
def _profile_parts(key: tuple, nbhd: str, level: str, bench: str, _ds: data.Dataset) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    return _parts(_ds, _tables_by_benchmark(key, level, _ds)[bench], nbhd, level, bench)


def profile_parts(ds: data.Dataset, nbhd: str, level: str, bench: str) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    """One neighbourhood's profile table, board summary (:func:`lib.views.profile.board_summary`) and
    spine-chart rows (:func:`lib.render.charts.spine_data`), computed once per neighbourhood, benchmark
    and level and shared across sessions where the data are shared (each call gets copies; the
    cache is keyed by those strings, so a repeat visit costs no hashing of tables). The tables
    for all three benchmarks come from one set of comparisons per level, so changing the
    benchmark makes no new comparison."""
    key = shared_cache_key()
    if key is None:
        return _parts(ds, profile.profile_tables(ds, level=level, bench=bench), nbhd, level, bench)
    return _profile_parts(key, nbhd, level, bench, ds)


def tartan_data(ds: data.Dataset, bench: str, level: str, order: list[str]) -> pd.DataFrame:
    """:func:`lib.render.charts.tartan_data`, shared across sessions where the data are shared."""
    return computed(charts.tartan_data, ds, bench, level, order=list(order))


@st.cache_data(show_spinner=False, max_entries=512)
def _pure(module: str, name: str, args: tuple, kwargs: dict):
    return _lib_function(module, name)(*args, **kwargs)


def pure(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` for a pure ``lib`` function of small, hashable inputs (frames,
    dicts, strings), computed once per distinct input and shared across sessions."""
    return _pure(fn.__module__, fn.__qualname__, args, kwargs)


@st.cache_data(show_spinner=False, max_entries=512)
def _chart_spec(module: str, name: str, args: tuple, kwargs: dict) -> dict:
    # Not validated against the Vega-Lite schema here (half the cost): the builders' specs are
    # validated in the unit tests (tests/test_charts.py).
    return _lib_function(module, name)(*args, **kwargs).to_dict(validate=False)


def chart_spec(build, *args, **kwargs) -> dict:
    """The Vega-Lite spec of ``build(*args, **kwargs)`` (a ``lib`` chart builder): built once per
    distinct input and shared across sessions (building an altair chart costs tens of
    milliseconds; the spec depends only on the inputs, so sharing it reveals nothing)."""
    return _chart_spec(build.__module__, build.__qualname__, args, kwargs)


def show_chart(spec: dict, alt_text: str, container=None) -> None:
    """Draw a chart spec full width, with ``alt_text`` as its accessible description."""
    (container or st).vega_lite_chart(spec, width="stretch", alt=alt_text)


#: ``show_table``'s default row header: the table's first column.
FIRST_COLUMN = "\x00first column"


def show_table(df: pd.DataFrame, caption: str, numeric: tuple[str, ...] | None = None, row_header: str | None = FIRST_COLUMN,
               max_height: int | None = None, container=None, highlight: Sequence[bool] | None = None,
               highlight_label: str = "selected") -> None:
    """A table as a static accessible HTML table (:func:`lib.render.tables.html_table`: caption, column
    and row headers, every cell escaped, number columns right-aligned). The row header is the
    first column unless ``row_header`` names another (or is ``None``); ``max_height`` (pixels)
    scrolls a long table inside its own region; rows flagged in ``highlight`` stand out and say
    ``highlight_label`` (e.g. the selected neighbourhood)."""
    header = (str(df.columns[0]) if len(df.columns) else None) if row_header == FIRST_COLUMN else row_header
    (container or st).html(tables.html_table(df, caption, numeric=numeric, row_header=header, max_height=max_height,
                                             highlight=highlight, highlight_label=highlight_label))


def dataset_file_bytes(relative: str) -> bytes:
    """An embedded file for download, with disclosure control: ``profiles/values.csv`` is served
    as :func:`dataset` holds it (small counts hidden, the chosen grouping, the user's data);
    ``geodata/neighbourhoods.csv`` as the grouping in use; other files as committed. Files built
    from :func:`dataset` may hold the user's text: formula-like cells are neutralised
    (:func:`lib.render.format.csv_bytes`)."""
    if relative == "profiles/values.csv":
        return csv_bytes(dataset().values)
    if relative == "profiles/indicators.csv":
        ind = dataset().indicators
        return csv_bytes(ind[[c for c in ind.columns if c != "user_data"]])
    if relative == "geodata/neighbourhoods.csv" and grouping_csv() is not None:
        return csv_bytes(dataset().definition)
    return data.file_bytes(relative)


@st.cache_resource(show_spinner=False)
def _embedded_layer(name: str) -> gpd.GeoDataFrame:
    return data.load_layer(name)


@st.cache_resource(show_spinner=False, max_entries=8)
def _grouped_layers(grouping_csv: str) -> dict[str, gpd.GeoDataFrame]:
    return regroup.dissolve_layers(_embedded_layer("wards"), _grouping_frame(grouping_csv))


def layer(name: str) -> gpd.GeoDataFrame:
    """A boundary layer (a shared read-only resource: never mutate it). With another grouping
    chosen, the neighbourhood and locality layers are dissolved from the wards for it."""
    gcsv = grouping_csv()
    if gcsv is not None and name in ("neighbourhoods", "localities", "wards"):
        return _grouped_layers(gcsv)[name]
    return _embedded_layer(name)


@st.cache_resource(show_spinner=False, max_entries=32)
def _geojson(name: str, grouping_csv: str | None) -> dict:
    from lib.views import map as mapview

    return mapview.layer_geojson(layer(name))


def geojson(name: str) -> dict:
    """A boundary layer as compact GeoJSON for the map, for the chosen grouping (read-only)."""
    return _geojson(name, grouping_csv())


@st.cache_data(show_spinner=False)
def seed(name: str) -> pd.DataFrame:
    """A seed table from ``profiles/seeds``."""
    return data.load_seed(name)


def data_file_error(exc: data.DataFileError) -> None:
    """Say, where the file was needed, which embedded file is missing or damaged and what to do
    (the message of :class:`lib.core.data.DataFileError` is written for users)."""
    st.error(f"{exc}\n\nThe rest of the app still works where it does not need this file.", icon=":material/error:")


@contextlib.contextmanager
def needs_data() -> Iterator[None]:
    """Draw a part of a page that needs an embedded file: if the file is missing or damaged, the
    part stops with :func:`data_file_error` in its place and the page goes on after the block."""
    try:
        yield
    except data.DataFileError as exc:
        data_file_error(exc)


def neighbourhood_names() -> dict[str, str]:
    """Neighbourhood code -> name, in display order (for the grouping in use)."""
    return dict(_neighbourhood_names(grouping_csv(), threshold()))


@st.cache_data(show_spinner=False, max_entries=16)
def _neighbourhood_names(grouping_csv: str | None, threshold: int) -> tuple[tuple[str, str], ...]:
    d = _base(grouping_csv, threshold)[0].definition
    names = d.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")["neighbourhood_name"]
    return tuple((code, str(names[code])) for code in neighbourhood_order(d))


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
        choices = {"nbhd": list(names), "bench": list(BENCHMARKS), "level": list(CONFIDENCE)}
        defaults = {"nbhd": next(iter(names)), "bench": "england", "level": "95"}
        state = urlstate.parse(dict(st.query_params), choices, defaults)
        st.session_state["frame_values"] = {k: state.values[k] for k in FRAME_KEYS}
        st.session_state["frame_notices"] = state.notices
    _restore_widgets(st.session_state["frame_values"], prefix="")
    if show_sidebar:
        _sidebar(names)
    st.session_state["frame_values"] = {k: st.session_state[k] for k in FRAME_KEYS}
    write_url(st.session_state["frame_values"])
    for notice in st.session_state.pop("frame_notices", []):
        st.warning(md_text(notice), icon=":material/link_off:")  # it quotes the link's text
    return True


def _sidebar(names: dict[str, str]) -> None:
    with st.sidebar:
        st.markdown("### Neighbourhood Profiles\nManchester's 12 integrated neighbourhoods")
        # The choice in force, always in view; the controls that change it in a popover, drawn
        # only when opened (a select box costs every page about a fifth of a bare page's load).
        nbhd = st.session_state["nbhd"]
        st.markdown(selection_markdown(nbhd, names[nbhd], st.session_state["bench"], st.session_state["level"]))
        with st.popover("Change neighbourhood or comparison", icon=":material/tune:", width="stretch"):
            st.selectbox("Neighbourhood", list(names), format_func=lambda c: f"{c} · {names[c]}", key="nbhd")
            st.radio("Compare with", list(BENCHMARKS), format_func=BENCHMARKS.get, key="bench",
                     help="Rest of Manchester is the city without the neighbourhood, which removes the part–whole overlap.")
            st.radio("Confidence level", list(CONFIDENCE), format_func=CONFIDENCE.get, key="level", horizontal=True,
                     help="99.8% is stricter: fewer differences count as significant.")
        present_link("map", label="Present this neighbourhood", widgets=True)
        # A popover, not an expander: its text is drawn only when opened, so every page opens faster.
        with st.popover("What the labels mean", icon=":material/help:"):
            st.markdown(comparison_key_markdown())
            st.markdown("\n".join(f"- **{STATUS_BADGE[s]}**: {status_sentence(s)}" for s in STATUS_BADGE))
            st.caption(DEFINITION_CAVEAT)
        st.caption(ATTRIBUTION)


def selection_markdown(nbhd: str, name: str, bench: str, level: str) -> str:
    """The shared selection in words (markdown), as the sidebar shows it; the code and name (which may
    be the user's, from an uploaded grouping) shown literally."""
    return f"**{md_text(nbhd)} · {md_text(name)}**  \ncompared with {BENCHMARKS[bench]}, {CONFIDENCE[level]} confidence"


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
                st.warning(md_text(notice), icon=":material/link_off:")  # it quotes the link's text
    values = {k: (v if v in choices[k] else defaults[k]) for k, v in st.session_state[store].items()}
    _restore_widgets(values, prefix=f"{prefix}_")
    return values


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


def download_csv(df: pd.DataFrame, filename: str, label: str = "Download this table (CSV)", key: str | None = None) -> None:
    """A CSV download of the table shown (text that a spreadsheet would run as a formula gets a
    leading apostrophe: :func:`lib.render.format.csv_bytes`)."""
    # The bytes are made when the button is clicked, not on every run.
    st.download_button(label, lambda: csv_bytes(df), file_name=filename, mime="text/csv", on_click="ignore",
                       key=key or f"dl_{filename}", icon=":material/download:")


def source_caption(meta: dict, period: str) -> None:
    """Source, period, status and method under a chart or table."""
    st.caption(source_text(meta, period))


def figures_table(df: pd.DataFrame, caption: str, meta: dict, period: str, filename: str, key: str | None = None,
                  **table: Any) -> None:
    """A table of an indicator's figures as every page gives one: the table (:func:`show_table`,
    with ``table`` passed on), its source line (:func:`source_caption`) and its CSV download
    (:func:`download_csv`; a "/" in ``filename``, as in a period like 2021/22, becomes "-")."""
    show_table(df, caption, **table)
    source_caption(meta, period)
    download_csv(df, filename.replace("/", "-"), key=key)


def sources_expander(sources: str) -> None:
    """An expander with the source, period, status and method of each indicator shown
    (``sources``: :func:`lib.render.format.sources_markdown`)."""
    with st.expander("Source, period, status and method of each indicator"):
        st.markdown(sources)


def accessed_on() -> str:
    """Today's date for 'accessed on' lines."""
    return dt.date.today().isoformat()


# --- presentation (presentation mode: static CSS and the "Present" link; see pages/present.py)

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


def present_link(step: str = "map", label: str = "Present", widgets: bool = False) -> None:
    """A link to presentation mode for the selected neighbourhood (from ``step``); ``widgets``:
    take the selections from the sidebar widgets of this run (inside the frame)."""
    from lib.views.present import step_url_params

    f = {k: st.session_state[k] for k in FRAME_KEYS} if widgets else frame_state()
    st.page_link("pages/present.py", label=label, icon=":material/slideshow:",
                 query_params=step_url_params(f["nbhd"], step, f["bench"], f["level"]),
                 help="Full screen, large type, step by step: for a projector.")


# --- exports (images, slide deck and PDF; bytes are made only when a button is clicked)


def export_footer(meta: dict, period: str, page: str, params: dict[str, str] | None = None) -> list[str]:
    """Footer lines for an exported image: source, period, status, accessed date and the link back
    to this exact view (the shared frame plus ``params``)."""
    from lib.exports import deck as exports

    url = exports.view_url(None, page, {**frame_state(), **(params or {})})
    return exports.meta_footer(meta, period, url)


def export_chart_buttons(chart, name: str, title: str, footer, key: str, subtitle: str | None = None,
                         width: int = 900) -> None:
    """PNG and SVG downloads of a chart (altair or Vega-Lite dict, or a function making one when a
    button is clicked: for a chart the page does not draw) with its title and footer lines (a list,
    or a function making it when a button is clicked), rendered only when clicked.

    A function given here runs when the button is clicked, outside the page's run: it must not
    read ``st.session_state`` (or anything built from it, such as :func:`dataset`); give it the
    values it needs (``tests/e2e/test_exports_browser.py`` downloads both images)."""
    from lib.exports import deck as exports

    def spec() -> dict:
        return exports.with_footer(chart() if callable(chart) else chart, title, footer() if callable(footer) else footer,
                                   subtitle=subtitle, width=width)

    # In a popover: the buttons are drawn when it is opened, so the page itself opens faster.
    with st.popover("Download image", icon=":material/image:"):
        st.download_button("Image (PNG)", lambda: exports.chart_png(spec(), scale=2), file_name=f"{name}.png", mime="image/png",
                           key=f"png_{key}", on_click="ignore", icon=":material/image:")
        st.download_button("Image (SVG)", lambda: exports.chart_svg(spec()).encode("utf-8"), file_name=f"{name}.svg",
                           mime="image/svg+xml", key=f"svg_{key}", on_click="ignore", icon=":material/image:")


def export_neighbourhood_buttons(nbhd: str, bench: str, level: str) -> None:
    """The neighbourhood's slide deck (PowerPoint) and one-page PDF profile, made when clicked."""
    from lib.exports import deck as exports

    layers = {"neighbourhoods": layer("neighbourhoods")}
    # Read now, in the page's run: the files are made when clicked, outside it, where the session's
    # own data, grouping and disclosure threshold cannot be read.
    ds = dataset()
    c1, c2 = st.columns(2)
    c1.download_button("Slide deck (PowerPoint)", lambda: exports.neighbourhood_deck(ds, nbhd, bench, level, None, layers),
                       file_name=f"neighbourhood_{nbhd}.pptx", key="dl_deck", on_click="ignore", type="primary",
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation", icon=":material/slideshow:")
    c2.download_button("One-page profile (PDF)", lambda: exports.neighbourhood_pdf(ds, nbhd, bench, level, None, layers),
                       file_name=f"neighbourhood_{nbhd}.pdf", mime="application/pdf", key="dl_pdf", on_click="ignore",
                       icon=":material/picture_as_pdf:")


def export_sources_footer(indicator_ids: list[str], page: str, params: dict[str, str] | None = None, status: str | None = None,
                          source: str | None = None, period: str | None = None, method: str | None = None) -> list[str]:
    """Footer lines for an image built from several indicators (their distinct sources and statuses,
    or the ``source``/``status``/``period`` given)."""
    from lib.exports import deck as exports

    ds = dataset()
    known = [i for i in dict.fromkeys(indicator_ids) if i in set(ds.indicators["indicator_id"])]
    src, statuses = exports._sources(ds, known) if known else ("", [])
    if period is None:
        v = ds.values[ds.values["indicator_id"].isin(known) & (ds.values["area_type"] == "neighbourhood")]
        period = exports._period_span(sorted(v.groupby("indicator_id")["period"].max().astype(str).unique()))
    url = exports.view_url(None, page, {**frame_state(), **(params or {})})
    return exports.footer_lines(source or src, period, status or statuses, url, method=method)


def export_profile_footer(table: pd.DataFrame, spine: pd.DataFrame, page: str, params: dict[str, str] | None = None) -> list[str]:
    """Footer lines for the profile's spine chart: the sources of every indicator in ``spine``
    (:func:`lib.render.charts.spine_data` of the profile ``table``), and the table's periods."""
    return export_sources_footer(list(spine["indicator_id"]), page, params,
                                 period=", ".join(dict.fromkeys(table["period"].astype(str))))


def interactive_map(fmap, key: str, height: int, returned_objects: list[str], on_change=None):
    """Draw a folium map with streamlit-folium at the container's width; returns what it returns.

    ``render=False``: otherwise ``st_folium`` renders the whole figure, discards the result and
    renders the map again; the second pass alone gives the same component arguments
    (``tests/test_mapview.py`` compares them) at about two-thirds of the cost of each map run."""
    from streamlit_folium import st_folium

    return st_folium(fmap, key=key, height=height, use_container_width=True, returned_objects=returned_objects,
                     on_change=on_change, render=False)


def export_map_buttons(features: dict, legend: list, title: str, legend_title: str, colour_mode: str, footer: list[str], name: str,
                       key: str, outlines: list | None = None, labels: dict | None = None) -> None:
    """PNG and SVG of a static map drawn from the same features and colours as the interactive map
    (its chart is built only when a button is clicked)."""
    from lib.exports import deck as exports

    def spec() -> dict:
        return exports.map_chart(features, legend, title, legend_title, colour_mode, outlines=outlines or [], labels=labels)

    export_chart_buttons(spec, name, "", footer + [exports.MAP_ATTRIBUTION + "."], key=key)
