"""Resilience in a real browser: a server on a copy of the app with one page that fails and one
boundary file missing. The failing page and the map say so in plain words, the sidebar navigation
still works, and no exception box or traceback is shown (the details go to the server log)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.appcopy import break_file, make_copy
from tests.e2e.conftest import assert_no_exception, screenshot, start_server, stop_server, wait_ready

BOOM = "from pages.shared import app_frame\n\napp_frame.frame_state()\nraise RuntimeError('boom: secret detail')\n"


@pytest.fixture(scope="module")
def broken_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("broken_app")
    make_copy(root)
    (root / "pages" / "compare.py").write_text(BOOM, encoding="utf-8")
    break_file(root, "geodata/neighbourhoods.geojson", "missing")
    proc, url = start_server(root / "app.py", cwd=root)
    try:
        yield proc, url
    finally:
        stop_server(proc)


def _no_details(page) -> None:
    assert_no_exception(page)
    body = page.locator("body").inner_text()
    for word in ("Traceback", "boom", "secret detail", "RuntimeError", "DataFileError"):
        assert word not in body, f"{word!r} is shown to the user"


def test_failing_page_and_missing_file_leave_the_rest_working(page, broken_app):
    proc, url = broken_app
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{url}/compare")  # a deep link straight to the failing page, on a fresh server
    wait_ready(page)
    alert = page.locator('[data-testid="stAlert"]', has_text="could not be drawn")
    alert.first.wait_for(timeout=20_000)
    assert "other pages still work" in alert.first.inner_text()
    _no_details(page)
    screenshot(page, "resilience_failing_page")

    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.locator("a", has_text="Overview").first.click()
    page.get_by_text("Manchester's 12 neighbourhoods").first.wait_for(timeout=20_000)
    wait_ready(page)
    _no_details(page)
    assert page.locator('[data-testid="stAlert"]').count() == 0

    nav.locator("a", has_text="Map").first.click()
    page.get_by_text("geodata/neighbourhoods.geojson").first.wait_for(timeout=20_000)
    wait_ready(page)
    _no_details(page)
    message = page.locator('[data-testid="stAlert"]', has_text="neighbourhoods.geojson").first.inner_text()
    assert "make data" in message and "repository" in message
    assert page.get_by_role("region", name="the figures for each area").count() == 1, (
        "the map page's table is still drawn"
    )
    screenshot(page, "resilience_missing_boundaries")

    log = Path(proc.log_path).read_text(errors="replace")
    assert "boom: secret detail" in log and "Traceback" in log, "the failure is logged on the server"
