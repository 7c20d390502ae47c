"""Every page loads in a real browser with the network blocked, with no Streamlit exception."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_no_exception, page_url, screenshot, wait_ready

PAGES = ["overview", "map", "profile", "compare", "cohorts", "activity", "own_data", "present", "methods"]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_offline(offline_page, app_url, path):
    offline_page.goto(page_url(app_url, path))
    wait_ready(offline_page)
    assert_no_exception(offline_page)
    screenshot(offline_page, f"page_{path}")
    # presentation mode hides the sidebar; every other page has the shared frame in it
    assert offline_page.locator('[data-testid="stSidebar"]').count() == (0 if path == "present" else 1)


@pytest.mark.parametrize("path", PAGES)
def test_page_makes_no_off_box_request(offline_page, app_url, path):
    """Nothing the app serves (favicon, fonts, scripts) is fetched from another host."""
    offline_page.goto(page_url(app_url, path))
    wait_ready(offline_page)
    offline_page.wait_for_timeout(1500)
    assert offline_page.blocked_requests == []


@pytest.mark.parametrize("path", ["compare", "map"])
def test_a_deep_link_connects_on_the_first_try(page, app_url, path):
    """A page opened by its own address (a bookmark, a link in a deck) finds the server at once:
    no probe of ``/<page>/_stcore/health`` (lib/serving.py), and one health check in all."""
    probes: list[str] = []
    page.on("request", lambda r: probes.append(r.url) if "_stcore/health" in r.url else None)
    page.goto(page_url(app_url, path))
    wait_ready(page)
    assert_no_exception(page)
    assert probes == [f"{app_url}/_stcore/health"]
    assert page.evaluate("window.__streamlit && window.__streamlit.BACKEND_BASE_URL") == f"{app_url}/"
