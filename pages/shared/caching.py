"""One place for what is computed once and shared by every session (where the session has no
data of its own): results of lib functions of the dataset, pure results, chart specs, profiles.

Streamlit code shared by the pages (``pages/shared/``); all logic lives in ``lib/``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.core import data
from lib.core.selection import Selection
from lib.render import spine as spines
from lib.views import compare, profile, profile_summary
from pages.shared import workspace
from pages.shared.session_data import USER_DATA_KEY, grouping_csv, practices_csv, threshold


def shared_cache_key(ds: data.Dataset) -> tuple | None:
    """A key for results computed from ``ds`` (the session's dataset of one population lens) that
    every session can share: the lens, the grouping and the threshold in use. None when this
    session has its own data loaded in the residents lens (then results are computed for the
    session alone, never shared). The registered lens's key has the practice assignment in force,
    the residents' the workspace's saved items (shared by everyone allowed to see them)."""
    if ds.population == "registered":
        # the user's indicator files and grouping are residents' figures; the practice assignment is not
        return ("registered", threshold(), hash(practices_csv()))
    if st.session_state.get(USER_DATA_KEY):
        return None
    # the workspace's saved files are shared by everyone who may see them: part of the key
    return (ds.population, hash(grouping_csv()), threshold(), workspace.token())


@st.cache_data(show_spinner=False, max_entries=3072)
def _shared(key: tuple | None, name: str, args: tuple, kwargs: dict, _call):
    """The one shared cache: ``_call()`` computed once per ``key`` (the grouping and threshold,
    or None for results that do not depend on the dataset), function ``name`` (its module and
    qualified name: stable across reruns, unlike the function object) and arguments. ``_call``
    is not hashed (the leading underscore): it is the computation, identified by ``name``."""
    return _call()


def _name(fn) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def computed(fn, ds: data.Dataset, *args, **kwargs):
    """``fn(ds, *args, **kwargs)`` for a ``lib`` function of the dataset from :func:`dataset`,
    computed once per grouping, threshold and arguments and shared by every session (each gets a
    copy); computed for the session alone when it has its own data (never shared)."""
    key = shared_cache_key(ds)
    if key is None:
        return fn(ds, *args, **kwargs)
    return _shared(key, _name(fn), args, kwargs, lambda: fn(ds, *args, **kwargs))


def profile_table(ds: data.Dataset, sel: Selection) -> pd.DataFrame:
    """:func:`lib.views.profile.profile_table`, shared across sessions where the data are shared. The
    12 are computed together (:func:`lib.views.profile.profile_tables_by_benchmark`), so moving between
    neighbourhoods costs a slice, not a new set of comparisons."""
    return profile_parts(ds, sel)[0]


def _parts(
    ds: data.Dataset, tables: dict[str, pd.DataFrame], sel: Selection
) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    table = tables[sel.nbhd]
    return (
        table,
        profile_summary.board_summary(ds, sel, table=table),
        spines.spine_data(table),
    )


@st.cache_resource(show_spinner=False, max_entries=16)
def _tables_by_benchmark(key: tuple, level: str, _ds: data.Dataset) -> dict[str, dict[str, pd.DataFrame]]:
    # One object shared, never copied (36 small tables: copying them on each use would cost more
    # than slicing one): only _parts reads it, and what it returns is copied by _profile_parts.
    return profile.profile_tables_by_benchmark(_ds, level=level)


@st.cache_data(show_spinner=False, max_entries=256)
def _profile_parts(
    key: tuple, nbhd: str, level: str, bench: str, _ds: data.Dataset
) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    return _parts(_ds, _tables_by_benchmark(key, level, _ds)[bench], Selection(nbhd, bench, level))


def profile_parts(ds: data.Dataset, sel: Selection) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    """One neighbourhood's profile table, board summary (:func:`lib.views.profile_summary.board_summary`) and
    spine-chart rows (:func:`lib.render.spines.spine_data`), computed once per neighbourhood, benchmark
    and level and shared across sessions where the data are shared (each call gets copies; the
    cache is keyed by those strings, so a repeat visit costs no hashing of tables). The tables
    for all three benchmarks come from one set of comparisons per level, so changing the
    benchmark makes no new comparison."""
    key = shared_cache_key(ds)
    if key is None:
        return _parts(ds, profile.profile_tables(ds, level=sel.level, bench=sel.bench), sel)
    return _profile_parts(key, sel.nbhd, sel.level, sel.bench, ds)


def tartan_data(ds: data.Dataset, bench: str, level: str, order: list[str]) -> pd.DataFrame:
    """:func:`lib.views.compare.tartan_data`, shared across sessions where the data are shared."""
    return computed(compare.tartan_data, ds, bench, level, order=list(order))


def pure(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` for a pure ``lib`` function of small, hashable inputs (frames,
    dicts, strings), computed once per distinct input and shared across sessions."""
    return _shared(None, _name(fn), args, kwargs, lambda: fn(*args, **kwargs))


def chart_spec(build, *args, **kwargs) -> dict:
    """The Vega-Lite spec of ``build(*args, **kwargs)`` (a ``lib`` chart builder): built once per
    distinct input and shared across sessions (building an altair chart costs tens of
    milliseconds; the spec depends only on the inputs, so sharing it reveals nothing)."""
    # Not validated against the Vega-Lite schema here (half the cost): the builders' specs are
    # validated in the unit tests (tests/test_charts.py).
    return _shared(("chart spec",), _name(build), args, kwargs, lambda: build(*args, **kwargs).to_dict(validate=False))


def per_selection(ds: data.Dataset, sel: Selection, name: str, make, *args):
    """``make()``, a result for the selection ``sel`` named ``name`` (with small hashable ``args``:
    strings, numbers), computed once per selection and shared across sessions where the data are
    shared (each call gets a copy); computed for the session alone when it has its own data. For
    what a page draws from the selection's profile (:func:`profile_parts`) on every run."""
    key = shared_cache_key(ds)
    if key is None:
        return make()
    return _shared(key, name, (sel.nbhd, sel.bench, sel.level, sel.population, *args), {}, make)


def off_spine_sentences(ds: data.Dataset, sel: Selection) -> list[str]:
    """:func:`lib.views.profile.not_on_spine_sentences` of the selection's profile (why each
    indicator left off its spine is not on it), once per selection."""

    def make() -> list[str]:
        table, _, spine = profile_parts(ds, sel)
        return profile.not_on_spine_sentences(profile.not_on_spine(ds, table, spine))

    return per_selection(ds, sel, "off_spine_sentences", make)


def spine_table_html(ds: data.Dataset, sel: Selection, name: str, bench_name: str, caption: str, **kwargs) -> str:
    """:func:`lib.render.chart_tables.spine_table_html` of the selection's spine (the profile's
    spine chart as a table), once per selection and wording."""
    from lib.render import chart_tables

    def make() -> str:
        return chart_tables.spine_table_html(profile_parts(ds, sel)[2], name, bench_name, caption, **kwargs)

    return per_selection(ds, sel, "spine_table_html", make, name, bench_name, caption, *sorted(kwargs.items()))
