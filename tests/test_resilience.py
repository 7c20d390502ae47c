"""Resilience: with an embedded data file missing or damaged the app still starts, says which file
and what to do, and only the parts that need the file are affected; a page that fails shows a
plain message and the other pages keep working.

Each app-level test runs AppTest on a private copy of the app (``tests/appcopy.py``) with one file
broken. Every file is broken every way (missing, garbage bytes, cut short, wrong columns) at the
loader level; the app-level tests break each file by going missing and by one kind of damage and
open the pages that need it plus one that does not.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lib.core.data import LAYERS, SEED_TABLES
from tests.appcopy import break_file, isolated, make_copy
from tests.conftest import shown_tables

DATASET_FILES = (
    "profiles/indicators.csv",
    "profiles/values.csv",
    "profiles/lsoa21_values.csv",
    "profiles/registered_values.csv",
    "geodata/neighbourhoods.csv",
)
LAYER_FILES = {name: f"geodata/{name}.geojson" for name in LAYERS}
SEED_NAMES = SEED_TABLES
SEED_FILES = {name: f"profiles/seeds/{name}.csv" for name in SEED_NAMES}
DAMAGE = ("missing", "garbage", "truncated", "columns")
ALL_PAGES = ("overview", "map", "profile", "compare", "cohorts", "activity", "own_data", "methods", "present")
FIX_WORDS = ("make data", "python -m lib.pipeline", "repository")
#: Words that must never reach a user: Python's own error names and tracebacks.
LEAKS = (
    "Traceback",
    "Error:",
    "Exception",
    "UnicodeDecodeError",
    "ParserError",
    "DataSourceError",
    "KeyError",
    'File "',
)


# ------------------------------------------------------------------ fixtures and helpers


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """One copy of the app per module; each test copies it again and breaks its own copy."""
    root = tmp_path_factory.mktemp("pristine")
    make_copy(root)
    return root


@pytest.fixture
def app_root(pristine, tmp_path) -> Path:
    root = tmp_path / "app"
    shutil.copytree(pristine, root, symlinks=True)
    return root


def _texts(at) -> list[str]:
    """Every text a user can read in the run (markdown, titles, alerts, captions...)."""
    out = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "error",
        "warning",
        "info",
        "success",
        "exception",
    ):
        out += [str(e.value) for e in getattr(at, kind)]
    return out


def _assert_no_leak(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    for text in _texts(at):
        for word in LEAKS:
            assert word not in text, f"{word!r} shown to the user: {text[:300]}"


def _assert_file_message(at, relative: str) -> None:
    """A message names the file and says how to put it right, with no traceback."""
    _assert_no_leak(at)
    errors = [str(e.value) for e in at.error]
    named = [e for e in errors if relative in e]
    assert named, f"no message names {relative}: {errors}"
    assert all(w in named[0] for w in FIX_WORDS), named[0]


def _assert_works(at) -> None:
    """The page drew normally: a title, no error message, no exception."""
    _assert_no_leak(at)
    assert not at.error, [e.value for e in at.error]
    assert at.title, "the page drew no title"


def _open(app: Path, params: dict[str, str] | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(app), default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    return at


def _go(at, page: str, tab: str | None = None):
    """Switch to ``page`` (and open its view tab labelled ``tab``, for pages with lazy views)."""
    at.switch_page(f"pages/{page}.py")
    if tab:
        at.session_state[f"{page}_tab"] = tab
    at.run()
    return at


# ------------------------------------------------------------------ loaders: every file, every kind of damage


@pytest.mark.parametrize("how", DAMAGE)
@pytest.mark.parametrize("relative", [*DATASET_FILES, *LAYER_FILES.values(), *SEED_FILES.values()])
def test_loader_names_the_damaged_file(app_root, relative, how):
    from lib.core import data

    break_file(app_root, relative, how)
    with pytest.raises(data.DataFileError) as err:
        if relative in DATASET_FILES:
            data.load_dataset(app_root)
        elif relative.endswith(".geojson"):
            data.load_layer(Path(relative).stem, app_root)
        else:
            data.load_seed(Path(relative).stem, app_root)
    msg = str(err.value)
    assert relative in msg and all(w in msg for w in FIX_WORDS), msg
    assert str(app_root) not in msg, "the message shows a server path"
    assert not any(w in msg for w in LEAKS), msg


@pytest.mark.parametrize(
    "relative", ["geodata/lsoa.geojson", "geodata/lookups/msoa11_ward17_bestfit.csv", "geodata/wards2018_bestfit.csv"]
)
@pytest.mark.parametrize("how", ["missing", "garbage"])
def test_upload_lookups_name_the_damaged_file(app_root, relative, how):
    """The lookups "Your data" reads to place uploaded areas (read only when a file is uploaded)."""
    from lib.core import data
    from lib.imports import geography

    ds = data.load_dataset(app_root)
    break_file(app_root, relative, how)
    with pytest.raises(data.DataFileError, match=relative.replace(".", r"\.")):
        geography.load_geography(app_root, definition=ds.definition, values=ds.values)


def test_shipped_grouping_names_the_damaged_file(app_root, monkeypatch):
    from lib.core import data
    from lib.methods import regroup

    monkeypatch.setattr(regroup, "ROOT", app_root)
    monkeypatch.setattr(regroup, "DEFINITIONS_DIR", app_root / "geodata" / "definitions")
    break_file(app_root, "geodata/definitions/thirteen_neighbourhoods.csv", "truncated")
    with pytest.raises(data.DataFileError, match="thirteen_neighbourhoods.csv"):
        regroup.load_shipped("thirteen")


def test_the_committed_files_pass_the_checks():
    from lib.core import data

    data.load_dataset()
    for name in data.LAYERS:
        data.load_layer(name)
    for name in data.SEED_TABLES:
        data.load_seed(name)


# ------------------------------------------------------------------ the app with a broken file


@pytest.mark.parametrize("relative", DATASET_FILES)
def test_dataset_file_missing_every_page_says_so(app_root, relative):
    """Every page needs the dataset: each says which file and what to do (the navigation stays)."""
    break_file(app_root, relative, "missing")
    with isolated():
        at = _open(app_root / "app.py")
        _assert_file_message(at, relative)
        for page in ALL_PAGES[1:]:
            _assert_file_message(_go(at, page), relative)


@pytest.mark.parametrize("relative,how", [(f, h) for f in DATASET_FILES for h in DAMAGE[1:]])
def test_dataset_file_damaged_the_app_says_so(app_root, relative, how):
    break_file(app_root, relative, how)
    with isolated():
        at = _open(app_root / "app.py")
        _assert_file_message(at, relative)
        _assert_file_message(_go(at, "map"), relative)


def _map_layer(at, layer: str):
    at.radio(key="map_layer").set_value(layer)
    at.run()
    return at


def _assert_map_table(at) -> None:
    """The map page's table (its figures) is drawn even when the map is not."""
    from tests.conftest import shown_tables

    tables = shown_tables(at)
    assert tables and len(tables[0]) > 0


# (file, damage): missing, and one kind of damage per file (every kind is covered at the loader level)
LAYER_CASES = [
    ("neighbourhoods", "missing"),
    ("neighbourhoods", "columns"),
    ("wards", "missing"),
    ("wards", "garbage"),
    ("localities", "missing"),
    ("localities", "truncated"),
    ("lsoa", "missing"),
    ("lsoa", "columns"),
]


@pytest.mark.parametrize("name,how", LAYER_CASES)
def test_boundary_file_broken_only_maps_that_draw_it_say_so(app_root, name, how):
    relative = LAYER_FILES[name]
    break_file(app_root, relative, how)
    with isolated():
        at = _open(app_root / "app.py")
        _assert_works(at)  # the overview draws no boundaries
        if name == "neighbourhoods":  # every map draws them (the outline and the fit)
            _go(at, "map")
            _assert_file_message(at, relative)
            _assert_map_table(at)
            _assert_file_message(_go(at, "cohorts", tab="Map of a cohort indicator"), relative)
            if how == "missing":
                _assert_file_message(_go(at, "profile"), relative)  # the slide deck and PDF (in the export panel)
                assert at.title and at.header, "the rest of the profile is drawn"
            return
        _go(at, "map")
        if name == "lsoa":  # an indicator with LSOA figures
            at.selectbox(key="map_family").set_value("context").run()
            at.selectbox(key="map_ind").set_value("income_deprivation").run()
        _assert_works(at)  # the neighbourhood map draws no wards, localities or LSOAs
        _map_layer(at, "lsoa" if name == "lsoa" else "wards")
        _assert_file_message(at, relative)
        _assert_map_table(at)
        if name == "lsoa":
            _assert_works(_go(at, "own_data"))  # its lookups are read only when a file is uploaded


SEED_CASES = [
    ("activity_targets_2020_21", "missing"),
    ("activity_targets_2020_21", "columns"),
    ("cash_released_gbp000", "missing"),
    ("investment_gbp000", "garbage"),
    ("savings_gap_gbp000", "truncated"),
]


@pytest.mark.parametrize("name,how", SEED_CASES)
def test_seed_table_broken_only_the_page_that_uses_it_says_so(app_root, name, how):
    relative = SEED_FILES[name]
    break_file(app_root, relative, how)
    with isolated():
        at = _open(app_root / "app.py")
        _assert_works(at)
        _go(at, "activity", tab=None if name == "activity_targets_2020_21" else "The money")
        _assert_file_message(at, relative)
        if (
            name != "activity_targets_2020_21"
        ):  # one money table: the other two are still drawn, and the other views work
            assert len(at.subheader) == 3 and len(shown_tables(at)) == 2, [h.value for h in at.subheader]
            _assert_works(_go(at, "activity", tab="Targets and this neighbourhood's share"))
            _assert_works(_go(at, "activity", tab="Track your monthly activity"))
        _assert_works(_go(at, "cohorts"))


def test_unused_seed_tables_broken_nothing_changes(app_root):
    for name in ("city_headline_facts", "population_health_aspirations_2021", "risk_tiers_and_cohorts"):
        break_file(app_root, SEED_FILES[name], "missing")
    with isolated():
        at = _open(app_root / "app.py")
        _assert_works(at)
        _assert_works(_go(at, "activity"))


def test_presentation_step_without_its_file_keeps_the_navigation(app_root):
    """In presentation mode (no sidebar) a step that needs a missing file says so; next/previous stay."""
    break_file(app_root, LAYER_FILES["neighbourhoods"], "missing")
    break_file(app_root, SEED_FILES["activity_targets_2020_21"], "missing")
    with isolated():
        at = _open(app_root / "app.py", {"present": "1", "step": "map"})
        _go(at, "present")
        _assert_file_message(at, LAYER_FILES["neighbourhoods"])
        assert at.button(key="np_next") is not None
        at.query_params["step"] = "activity"
        at.run()
        _assert_file_message(at, SEED_FILES["activity_targets_2020_21"])
        assert at.button(key="np_prev") is not None


# ------------------------------------------------------------------ a failing page does not take down the others

BOOM = "raise RuntimeError('boom: secret detail')\n"


def test_control_flow_is_not_caught_by_the_page_guard():
    """app.py catches Exception around the page; st.rerun/st.stop/st.switch_page must pass through."""
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, ScriptControlException, StopException

    for exc in (ScriptControlException, RerunException, StopException):
        assert not issubclass(exc, Exception), exc


def test_a_failing_page_shows_a_plain_message_and_the_others_work(app_root):
    (app_root / "pages" / "compare.py").write_text(BOOM, encoding="utf-8")
    # st.stop() inside a page is control flow, not a failure: no message
    (app_root / "pages" / "methods.py").write_text(
        "import streamlit as st\n\nst.title('Stopped early')\nst.stop()\nst.title('never drawn')\n", encoding="utf-8"
    )
    with isolated():
        at = _open(app_root / "app.py")
        _assert_works(at)
        _go(at, "compare")
        _assert_no_leak(at)
        assert (
            len(at.error) == 1
            and "could not be drawn" in at.error[0].value
            and "other pages still work" in at.error[0].value
        )
        assert "report" in at.error[0].value
        assert not any("boom" in t or "secret" in t for t in _texts(at))
        assert at.sidebar.selectbox, "the shared frame (sidebar) is still drawn"
        _assert_works(_go(at, "overview"))  # the same session carries on normally
        _go(at, "methods")
        _assert_no_leak(at)
        assert [t.value for t in at.title] == ["Stopped early"] and not at.error
