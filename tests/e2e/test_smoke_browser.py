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
    no probe of ``/<page>/_stcore/health`` (lib/web/serving.py), and one health check in all."""
    probes: list[str] = []
    page.on("request", lambda r: probes.append(r.url) if "_stcore/health" in r.url else None)
    page.goto(page_url(app_url, path))
    wait_ready(page)
    assert_no_exception(page)
    assert probes == [f"{app_url}/_stcore/health"]
    assert page.evaluate("window.__streamlit && window.__streamlit.BACKEND_BASE_URL") == f"{app_url}/"


def test_the_shared_choice_is_shown_and_changed_in_its_popover(offline_page, app_url):
    """The sidebar shows the neighbourhood and comparison in force; the popover changes them, by
    keyboard too (Enter opens it, Tab reaches each control), and the page, the words and the URL follow."""
    page = offline_page
    page.goto(page_url(app_url, "profile") + "?nbhd=N2&bench=city")
    wait_ready(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    shown = sidebar.locator('[data-testid="stMarkdown"]', has_text="compared with").first
    assert shown.inner_text().startswith("N2 · ") and "compared with Manchester, 95% confidence" in shown.inner_text()
    assert sidebar.locator('[data-testid="stSelectbox"]').count() == 0  # drawn only when opened
    button = sidebar.locator('[data-testid="stPopover"] button', has_text="Change neighbourhood or comparison")
    button.focus()
    page.keyboard.press("Enter")
    box = page.locator('[data-testid="stPopoverBody"] [data-testid="stSelectbox"]')
    box.wait_for(timeout=15_000)
    where = "() => { const a = document.activeElement, w = a && a.closest('[data-testid]'); return w ? w.getAttribute('data-testid') : null; }"
    page.wait_for_function(
        f"({where})() === 'stSelectbox'", timeout=15_000
    )  # focus moved into the popover (lib/web/serving.py)
    page.locator('[data-testid="stPopoverBody"] [data-testid="stRadio"]').nth(2).wait_for(timeout=15_000)  # all drawn
    page.wait_for_timeout(300)
    reached = []
    for _ in range(4):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(where))
    assert reached.count("stRadioOption") >= 2 or reached.count("stRadio") >= 2, (
        reached
    )  # then the radio groups (population, benchmark, level) and their help
    # by mouse: (re)open it and choose S3 by typing part of its name
    if not box.is_visible():
        button.click()
        box.wait_for(timeout=15_000)
    box.click()
    page.keyboard.type("S3")
    page.keyboard.press("Enter")
    wait_ready(page)
    page.wait_for_function("() => new URLSearchParams(location.search).get('nbhd') === 'S3'", timeout=15_000)
    assert shown.inner_text().startswith("S3 · ")
    assert page.locator('[data-testid="stHeading"]').first.inner_text().startswith("S3 · ")
    assert_no_exception(page)
