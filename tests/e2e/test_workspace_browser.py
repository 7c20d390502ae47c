"""The workspace in a real browser: with NP_DATABASE_URL naming a fresh SQLite file, and again a
fresh PostgreSQL database, a file saved on Your data is there after the server process restarts, in
a new browser context (a new session), from a link (``/compare?ind=<its id>``); a bad file loaded
after it changes nothing that was saved."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.workspace.store import Store
from tests.e2e.conftest import REPO, assert_no_exception, screenshot, start_server, stop_server, wait_ready
from tests.servers import postgres

WARDS = sorted(pd.read_csv(REPO / "geodata" / "neighbourhoods.csv")["ward_code"])
FILE = (
    "indicator_id,period,area_code,indicator_name,numerator,denominator\n"
    + "".join(f"saved_check,2021,{c},SYNTHETIC saved check,{20 + k},{900 + k}\n" for k, c in enumerate(WARDS))
).encode()

pytestmark = pytest.mark.skipif(
    not (REPO / "static" / "vendor" / "leaflet" / "leaflet.js").exists(),
    reason="Leaflet assets missing: run `make setup` (python -m lib.web.assets) before the browser tests",
)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh workspace database: a SQLite file, or a throw-away PostgreSQL server (Debian's)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'workspace.sqlite'}"
        return
    if not postgres.available():
        pytest.skip("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin: apt-get install postgresql")
    with postgres.PostgresServer() as pg:
        yield pg.url


def _saved_state(url: str) -> tuple:
    store = Store(url)
    try:
        return tuple((i.kind, i.key, i.version) for i in store.current()), len(store.audit())
    finally:
        store.dispose()


def _save_on_your_data(ctx, app_url: str, raw: bytes):
    """A page of ``ctx`` on Your data that chose *Save it in the workspace* and loaded ``raw`` as
    saved_check.csv (what happens next is the caller's to wait for)."""
    page = ctx.new_page()
    page.goto(f"{app_url}/own_data")
    wait_ready(page)
    page.locator('[data-testid="stRadio"]').filter(has_text="Where should it go?").get_by_text(
        "Save it in the workspace", exact=False
    ).first.click()
    wait_ready(page)
    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]').first
    uploader.set_input_files(files=[{"name": "saved_check.csv", "mimeType": "text/csv", "buffer": raw}])
    return page


def test_a_saved_file_survives_a_restart_and_opens_from_a_link(browser, database_url, monkeypatch):
    url = database_url
    monkeypatch.setenv("NP_DATABASE_URL", url)
    proc, app_url = start_server(REPO / "app.py")
    try:
        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        page = _save_on_your_data(ctx, app_url, FILE)
        page.get_by_text("in the workspace (version 1)", exact=False).first.wait_for(timeout=60_000)
        wait_ready(page)
        assert_no_exception(page)
        screenshot(page, "workspace_saved")
        ctx.close()
    finally:
        stop_server(proc)

    store = Store(url)
    [item] = store.current()
    ind_id = item.meta["indicator_ids"][0]
    store.dispose()

    proc, app_url = start_server(REPO / "app.py")  # a new server process: nothing in memory
    try:
        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        page = ctx.new_page()
        page.goto(f"{app_url}/compare?ind={ind_id}")
        wait_ready(page, timeout=60_000)
        main = page.locator('[data-testid="stMain"]')
        main.get_by_text("SYNTHETIC saved check (your data)", exact=False).first.wait_for(timeout=60_000)
        assert_no_exception(page)
        assert "saved in the workspace by this computer" in main.inner_text()
        screenshot(page, "workspace_after_restart_compare")
        ctx.close()
    finally:
        stop_server(proc)

    # a bad file, saved after it, changes nothing that was saved (and the page says so)
    before = _saved_state(url)
    proc, app_url = start_server(REPO / "app.py")
    try:
        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        bad = b"indicator_id,period,area_code,numerator\nsaved_check,2021,NOT_AN_AREA,-5\n"
        page = _save_on_your_data(ctx, app_url, bad)
        page.locator('[data-testid="stAlert"]').filter(has_text="saved_check.csv").first.wait_for(timeout=60_000)
        wait_ready(page)
        assert_no_exception(page)
        assert page.get_by_text("in the workspace (version 2)", exact=False).count() == 0
        ctx.close()
    finally:
        stop_server(proc)
    assert _saved_state(url) == before
