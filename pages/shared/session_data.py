"""The session's dataset: the embedded data, the chosen neighbourhood grouping, the disclosure
threshold in force and the user's own data, combined once per change; boundary layers and seeds.

The user's own data are what is saved in the workspace (``pages/shared/workspace.py``: indicator
files, grouping, practice assignment, threshold, activity) and what this session loaded without
saving, which overrides the saved data for a quick look (a saved threshold is a floor: a session
may only make it stricter).

Streamlit code shared by the pages (``pages/shared/``); all logic lives in ``lib/``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import geopandas as gpd
import pandas as pd
import streamlit as st

from lib.core import data, disclosure
from lib.methods import practice_groups, regroup
from lib.methods.indicators import neighbourhood_order
from lib.render.format import csv_bytes
from lib.views import own_data
from pages.shared import workspace

#: Session keys of the "Your data" page (pages/own_data.py): loaded imports, the chosen grouping
#: (None = the 12 neighbourhoods) and the disclosure threshold the user asked for.
USER_DATA_KEY = "own_data_loaded"


GROUPING_KEY = "own_data_grouping"


THRESHOLD_KEY = "own_data_threshold"


#: The practice assignment uploaded on Your data (None = ``geodata/practices.csv``): its label and CSV text.
PRACTICES_KEY = "own_data_practices"


@st.cache_resource(show_spinner=False)
def _committed() -> data.Dataset:
    """Both lenses, read once per server."""
    return data.load_dataset(population=None)


@st.cache_resource(show_spinner=False)
def _embedded() -> data.Dataset:
    return data.for_population(_committed(), "residents")


def embedded() -> data.Dataset:
    """The embedded dataset exactly as committed (read once per server; each call returns fresh
    copies of the frames). Pages use :func:`dataset`, which adds the user's data, their grouping
    and disclosure control."""
    return _copy(_embedded())


def _copy(ds: data.Dataset) -> data.Dataset:
    # Shallow copies are safe under pandas' copy-on-write (the default from pandas 3): a page that
    # changes its copy gets its own data, and the shared frames never change.
    return data.Dataset(
        indicators=ds.indicators.copy(deep=False),
        values=ds.values.copy(deep=False),
        definition=ds.definition.copy(deep=False),
        threshold=ds.threshold,
        population=ds.population,
    )


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
    return data.Dataset(indicators=indicators, values=values, definition=definition, threshold=threshold), dropped


def _grouping_frame(grouping_csv: str) -> pd.DataFrame:
    import io

    return pd.read_csv(io.StringIO(grouping_csv), dtype=str, keep_default_na=False, na_values=[""])


@st.cache_resource(show_spinner=False)
def committed_practices() -> pd.DataFrame:
    """``geodata/practices.csv`` as committed, validated (read-only: never mutate)."""
    ds = data.for_population(_committed(), "registered")
    return data.load_practices(neighbourhoods=ds.definition["neighbourhood_code"].unique())


@st.cache_resource(show_spinner=False, max_entries=8)
def _registered(threshold: int, practices_csv: str | None = None) -> tuple[data.Dataset, pd.DataFrame]:
    """The registered lens suppressed at ``threshold``, for the committed assignment or, given
    ``practices_csv`` (an uploaded assignment, already validated), rebuilt from the practice rows
    (:func:`lib.methods.practice_groups.regroup_registered`; like the groupings, kept per file
    content and shared read-only: it holds no figures of the user's)."""
    ds = data.for_population(_committed(), "registered")
    values = ds.values
    if practices_csv is None:
        practices = committed_practices()
    else:
        practices = _grouping_frame(practices_csv)
        values = practice_groups.regroup_registered(
            values, ds.indicators, practices, ds.definition, note="rebuilt for your practice assignment"
        )
    values = disclosure.suppress(values, ds.indicators, threshold)
    suppressed = data.Dataset(ds.indicators, values, ds.definition, threshold, "registered")
    return suppressed, practices


def practice_assignment() -> dict | None:
    """The practice assignment in force (``name``, ``csv``): this session's upload, else the one
    saved in the workspace, else None (``geodata/practices.csv``)."""
    return st.session_state.get(PRACTICES_KEY) or workspace.saved_practices()


def practices_csv() -> str | None:
    """The uploaded practice assignment as CSV text (None for ``geodata/practices.csv``)."""
    p = practice_assignment()
    return p["csv"] if p else None


def practice_assignment_name() -> str:
    """Where the session's practices get their neighbourhoods, in words (plain text)."""
    p = practice_assignment()
    return f"your practice assignment “{p['name']}”" if p else "geodata/practices.csv"


def registered() -> tuple[data.Dataset, pd.DataFrame]:
    """The registered-patient lens (GP practices' patients, wherever they live) with small counts
    hidden at the threshold in force, and the practice assignment in use: ``geodata/practices.csv``,
    or the one uploaded on Your data (every neighbourhood, locality and Manchester figure then
    rebuilt from the practices for it). On the 12 neighbourhoods, whatever grouping the session chose."""
    ds, practices = _registered(threshold(), practices_csv())
    return _copy(ds), practices.copy()


def grouping() -> dict | None:
    """The grouping in force (``key``, ``label``, ``notes``, ``csv``): this session's choice, else
    the one saved in the workspace, else None (the 12 neighbourhoods)."""
    return st.session_state.get(GROUPING_KEY) or workspace.saved_grouping()


def grouping_csv() -> str | None:
    """The chosen grouping as CSV text (None for the 12 neighbourhoods)."""
    g = grouping()
    return g["csv"] if g else None


def threshold() -> int:
    """The disclosure threshold in force (never below the deployment's, ``NP_SUPPRESS_BELOW``, nor
    below the one saved in the workspace: a session may only make it stricter)."""
    return max(disclosure.effective_threshold(st.session_state.get(THRESHOLD_KEY)), workspace.saved_threshold() or 0)


def activity_data():
    """The monthly activity in force: this session's upload, else the workspace's (None if neither)."""
    return st.session_state.get("activity_data") or workspace.saved_activity()


def user_data() -> list:
    """The indicator files every page shows: the workspace's saved files, and this session's own
    (which replace a saved file holding the same indicators, for this session)."""
    session = list(st.session_state.get(USER_DATA_KEY) or [])
    mine = {i for d in session for i in d.indicator_ids}
    names = {d.name for d in session}
    saved = [d for d in workspace.saved_indicators() if d.name not in names and not set(d.indicator_ids) & mine]
    return saved + session


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
    loaded = user_data()
    if not loaded:
        return _copy(base)
    key = (tuple((d.name, tuple(d.indicator_ids), id(d)) for d in loaded), hash(gcsv), t)
    cached = st.session_state.get("_own_data_merged")
    if not cached or cached[0] != key:
        ui, uv = own_data.combined(loaded)
        if gcsv is not None:
            uv = regroup.regroup(
                uv, ui, base.definition, note="Rebuilt from ward figures for the chosen grouping"
            ).values
        uv = disclosure.suppress(uv, ui, t)
        merged = data.Dataset(
            indicators=pd.concat([base.indicators, ui], ignore_index=True),
            values=pd.concat([base.values, uv.reindex(columns=base.values.columns)], ignore_index=True),
            definition=base.definition,
            threshold=t,
        )
        st.session_state["_own_data_merged"] = (key, merged)
        cached = st.session_state["_own_data_merged"]
    return _copy(cached[1])


def lens_dataset(population: str) -> data.Dataset:
    """The dataset of a population lens (``Selection.population``): :func:`dataset` for residents
    (with the user's data and grouping), the registered patients' figures (:func:`registered`)
    for ``registered``."""
    return registered()[0] if population == "registered" else dataset()


def dataset_file_bytes(relative: str) -> bytes:
    """An embedded file for download, with disclosure control: ``profiles/values.csv`` (and its LSOA
    2021 rows, ``profiles/lsoa21_values.csv``) is served as :func:`dataset` holds it (small counts hidden, the chosen grouping, the user's data);
    ``geodata/neighbourhoods.csv`` as the grouping in use; other files as committed. Files built
    from :func:`dataset` may hold the user's text: formula-like cells are neutralised
    (:func:`lib.render.format.csv_bytes`)."""
    if relative in (data.VALUES_FILE, data.LSOA21_VALUES_FILE):  # the LSOA 2021 rows are in their own file
        v = dataset().values
        is_lsoa21 = v["area_type"] == data.LSOA21_AREA_TYPE
        return csv_bytes(v[is_lsoa21 if relative == data.LSOA21_VALUES_FILE else ~is_lsoa21])
    if relative == data.REGISTERED_VALUES_FILE:
        return csv_bytes(registered()[0].values)
    if relative == "profiles/indicators.csv":
        ind = pd.concat([dataset().indicators, registered()[0].indicators], ignore_index=True)
        return csv_bytes(ind[[c for c in ind.columns if c != "user_data"]])
    if relative == "geodata/neighbourhoods.csv" and grouping_csv() is not None:
        return csv_bytes(dataset().definition)
    if relative == data.PRACTICES_FILE and practices_csv() is not None:
        return csv_bytes(registered()[1])
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
    from lib.render import maps

    return maps.layer_geojson(layer(name))


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
