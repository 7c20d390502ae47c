"""Shared fixtures: paths, CSV reading, and ONE rebuild of the dataset per test session.

The raw inputs live outside the repo (``$NP_DATA``, else ``<repo>/../shared/data``). Tests that
need them skip with a message saying where they looked; tests of the committed dataset run
without them.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ["NP_DATA"]) if os.environ.get("NP_DATA") else REPO.parent / "shared" / "data"
DEFINITION_CSV = REPO / "geodata" / "neighbourhoods.csv"
#: A file every build needs; its absence means "no raw data here".
DATA_MARKER = Path("geo") / "manchester_wards_dec2017_wd17.geojson"

# Tests never touch the workspace of the checkout (data/workspace/): unless a test run names one,
# the whole run (and every server it starts) uses a throw-away SQLite file. Tests of saved data
# set their own NP_DATABASE_URL.
if not os.environ.get("NP_DATABASE_URL"):
    import tempfile

    os.environ["NP_DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='np-tests-')}/workspace.sqlite"


def read_profile_csv(path: Path) -> pd.DataFrame:
    """Read a dataset CSV the way users should: only an empty cell is missing (so "NA" stays text)."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def data_dir_or_skip() -> Path:
    if not (DATA / DATA_MARKER).exists():
        pytest.skip(
            f"raw input data not found at {DATA} (looked for {DATA_MARKER}); "
            "set NP_DATA to the shared data folder to run the pipeline tests"
        )
    return DATA


@dataclass(frozen=True)
class RebuiltDataset:
    """The output of one ``build_all`` run into a temporary project folder."""

    root: Path
    written: tuple[Path, ...]
    seconds: float


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return data_dir_or_skip()


@pytest.fixture(scope="session")
def rebuilt_dataset(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> RebuiltDataset:
    """Run the whole pipeline once into a temp dir (with the committed definition) and share it."""
    from lib.pipeline.run import build_all

    root = tmp_path_factory.mktemp("rebuilt")
    (root / "geodata").mkdir()
    shutil.copyfile(DEFINITION_CSV, root / "geodata" / "neighbourhoods.csv")
    start = time.perf_counter()
    written = build_all(data_dir, root)
    return RebuiltDataset(root=root, written=tuple(written), seconds=time.perf_counter() - start)


#: The ``[auth]`` secrets of team mode for AppTest (``at.secrets = {"auth": TEAM_AUTH}``, with
#: ``at.user`` set by the test): no identity provider is reached.
TEAM_AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-secret-for-tests",
    "client_id": "np-test",
    "client_secret": "np-test-secret",
    "server_metadata_url": "http://localhost:1/.well-known/openid-configuration",
}


def open_page(page: str, params: dict[str, str] | None = None, timeout: float = 120):
    """Run the app with URL parameters, then switch to ``page`` (AppTest), asserting no exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=timeout)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page != "pages/overview.py":
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# Read-only views of the committed dataset, loaded once per test module.
@pytest.fixture(scope="module")
def ds():
    from lib.core import data

    return data.load_dataset(REPO)


def read_all_values(root: Path = REPO) -> pd.DataFrame:
    """Both committed values files (residents' and registered patients'), as one table."""
    return pd.concat(
        [read_profile_csv(root / "profiles" / f) for f in ("values.csv", "lsoa21_values.csv", "registered_values.csv")],
        ignore_index=True,
    )


def _resident_ids() -> set[str]:
    ind = read_profile_csv(REPO / "profiles" / "indicators.csv")
    return set(ind.loc[ind["population"] == "residents", "indicator_id"])


@pytest.fixture(scope="module")
def values_csv() -> pd.DataFrame:
    """The committed values.csv rows of the residents' indicators (what the resident views read;
    the registered-patient rows are tested in test_registered)."""
    v = read_profile_csv(REPO / "profiles" / "values.csv")
    return v[v["indicator_id"].isin(_resident_ids())].reset_index(drop=True)


@pytest.fixture(scope="module")
def indicators_csv() -> pd.DataFrame:
    """The committed indicators.csv rows of the residents' indicators."""
    ind = read_profile_csv(REPO / "profiles" / "indicators.csv")
    return ind[ind["population"] == "residents"].reset_index(drop=True)


def shown_tables(at) -> list[pd.DataFrame]:
    """Every table a page drew: the interactive grids (``st.dataframe``) and the static HTML
    tables (``widgets.show_table``), read back into DataFrames."""
    from lib.render.tables import read_html_tables

    return [f.value for f in at.dataframe] + [t for h in at.html for t in read_html_tables(h.value)]
