"""Presentation mode in a real browser: no chrome, keys move through the steps and the URL
follows, every step is its own URL; screenshots of every step at 1920 x 1080 (projector)."""

from __future__ import annotations

import re

import pytest

from lib.views.present import STEPS, step_label
from tests.e2e.conftest import assert_no_exception, screenshot, wait_ready, watch_reruns

FIRST, SECOND = STEPS[0].step_id, STEPS[1].step_id


def _open(page, app_url: str, step: str, nbhd: str = "C3") -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{app_url}/present?present=1&nbhd={nbhd}&step={step}")
    wait_ready(page, timeout=60_000)
    page.wait_for_selector("h1", timeout=30_000)


def _step_of(url: str) -> str | None:
    m = re.search(r"[?&]step=([^&]+)", url)
    return m.group(1) if m else None


def _wait_step(page, step: str) -> None:
    page.wait_for_function("s => new URL(location.href).searchParams.get('step') === s", arg=step, timeout=30_000)
    wait_ready(page, timeout=60_000)
    page.get_by_text(step_label(step)).first.wait_for(timeout=30_000)


def test_presentation_hides_the_chrome(offline_page, app_url):
    _open(offline_page, app_url, FIRST)
    assert_no_exception(offline_page)
    for testid in ("stSidebar", "stHeader", "stToolbar", "stSidebarCollapsedControl", "stSidebarNav"):
        loc = offline_page.locator(f'[data-testid="{testid}"]')
        assert loc.count() == 0 or not loc.first.is_visible(), f"{testid} is visible in presentation mode"
    # large type: body text at least 24 px
    size = offline_page.evaluate(
        """() => parseFloat(getComputedStyle(document.querySelector('[data-testid="stMain"] [data-testid="stMarkdown"] [data-testid="stMarkdownContainer"] p')).fontSize)"""
    )
    assert size >= 24, size
    assert offline_page.get_by_text(step_label(FIRST)).count() >= 1


def test_keys_move_through_the_steps_and_the_url_follows(offline_page, app_url):
    _open(offline_page, app_url, FIRST)
    offline_page.locator("h1").first.click()  # focus the page (not the map's iframe)
    offline_page.keyboard.press("ArrowRight")
    _wait_step(offline_page, SECOND)
    assert offline_page.locator("h1").first.inner_text().endswith(STEPS[1].title.lower())
    offline_page.keyboard.press("ArrowLeft")
    _wait_step(offline_page, FIRST)
    # presentation clickers send PageDown / PageUp
    offline_page.keyboard.press("PageDown")
    _wait_step(offline_page, SECOND)
    offline_page.keyboard.press("PageUp")
    _wait_step(offline_page, FIRST)
    assert _step_of(offline_page.url) == FIRST
    assert "nbhd=C3" in offline_page.url and "present=1" in offline_page.url
    assert_no_exception(offline_page)


def test_buttons_move_through_the_steps(offline_page, app_url):
    reruns = watch_reruns(offline_page)
    _open(offline_page, app_url, FIRST)
    reruns.clear()
    offline_page.get_by_role("button", name=re.compile("Next")).first.click()
    _wait_step(offline_page, SECOND)
    offline_page.get_by_role("button", name=re.compile("Previous")).first.click()
    _wait_step(offline_page, FIRST)
    # issue 19 (click to drawn): Next and Previous rerun only the step (a fragment), not the app
    assert len(reruns) >= 2 and all(reruns), f"a step button reran the whole app: {reruns}"


@pytest.mark.parametrize("i", range(len(STEPS)))
def test_each_step_is_its_own_url(offline_page, app_url, i):
    step = STEPS[i]
    _open(offline_page, app_url, step.step_id)
    offline_page.get_by_text(step_label(step.step_id)).first.wait_for(timeout=30_000)
    if step.step_id == "map":
        offline_page.frame_locator("iframe").first.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
    offline_page.wait_for_function(  # every chart has drawn
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].every(c => c.querySelector('canvas, svg'))""",
        timeout=30_000,
    )
    offline_page.wait_for_timeout(1000)
    assert_no_exception(offline_page)
    assert _step_of(offline_page.url) == step.step_id
    screenshot(offline_page, f"present_{i + 1}_{step.step_id}")
    # nothing wider than the projector
    overflow = offline_page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow


def test_invalid_step_shows_the_first_with_a_notice(offline_page, app_url):
    _open(offline_page, app_url, "nonsense")
    offline_page.get_by_text(step_label(FIRST)).first.wait_for(timeout=30_000)
    assert offline_page.get_by_text("There is no presentation step").count() >= 1


def test_present_link_on_the_profile_opens_presentation(offline_page, app_url):
    offline_page.goto(f"{app_url}/profile?nbhd=S2")
    wait_ready(offline_page, timeout=60_000)
    offline_page.locator('[data-testid="stMain"]').get_by_role("link", name=re.compile("Present")).first.click()
    offline_page.wait_for_function("() => new URL(location.href).searchParams.get('present') === '1'", timeout=30_000)
    wait_ready(offline_page, timeout=60_000)
    assert "nbhd=S2" in offline_page.url
    assert (
        offline_page.locator('[data-testid="stSidebar"]').count() == 0
        or not offline_page.locator('[data-testid="stSidebar"]').first.is_visible()
    )
    offline_page.get_by_role("link", name=re.compile("Exit presentation")).click()
    offline_page.wait_for_function("() => location.pathname.endsWith('/profile')", timeout=30_000)
    wait_ready(offline_page, timeout=60_000)
    assert offline_page.locator('[data-testid="stSidebar"]').first.is_visible()


def test_a_download_button_delivers_a_file(offline_page, app_url):
    offline_page.goto(f"{app_url}/profile?nbhd=C3&view=table")
    wait_ready(offline_page, timeout=60_000)
    with offline_page.expect_download(timeout=30_000) as info:
        offline_page.locator('[data-testid="stDownloadButton"] button').filter(
            has_text="Download this table (CSV)"
        ).first.click()
    path = info.value.path()
    text = open(path, encoding="utf-8").read()
    header = text.splitlines()[0].split(",")
    assert header[:3] == ["indicator_id", "indicator", "period"]  # analysis-ready (lib.exports.downloads)
    assert {"value", "lower_95", "upper_998", "count", "status", "population", "source"} <= set(header)
