"""The board's tartan rug and the profile's spine in a real browser: the rug on a 390 px phone
(the page keeps its width, the rug scrolls in its own region with its indicator names staying in
view, text of at least 12 px), and the spine column's share of its table at 1280 and 1920 px."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, assert_no_exception, page_url, screenshot, wait_ready

RUG = '.np-rug[role="region"]'


def test_rug_on_a_phone_scrolls_in_its_own_region_with_sticky_names(offline_page, app_url):
    page = offline_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page_url(app_url, "compare") + "?view=rug")
    wait_ready(page, timeout=60_000)
    region = page.locator(RUG).first
    region.wait_for(timeout=30_000)
    assert_no_exception(page)
    page_width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert page_width[0] <= page_width[1], f"the page scrolls sideways on a phone: {page_width}"
    box = region.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 0.5, box
    sizes = region.evaluate("(r) => [r.scrollWidth, r.clientWidth]")
    assert sizes[0] > sizes[1], "the rug is wider than a phone: it should scroll inside its region"
    # the smallest text in the rug
    smallest = region.evaluate(
        "(r) => Math.min(...[...r.querySelectorAll('th, td, caption, span, b')].filter(e => e.innerText.trim())"
        ".map(e => parseFloat(getComputedStyle(e).fontSize)))"
    )
    assert smallest >= 12, f"rug text of {smallest}px"
    first_header = region.locator("tbody th").first
    before = first_header.bounding_box()["x"]
    cell = region.locator("tbody td").last
    cell_before = cell.bounding_box()["x"]
    region.evaluate("(r) => { r.scrollLeft = 600; }")
    page.wait_for_timeout(200)
    assert region.evaluate("(r) => r.scrollLeft") > 0
    assert first_header.bounding_box()["x"] == pytest.approx(before, abs=1), "the indicator names scroll away"
    assert cell.bounding_box()["x"] < cell_before - 100, "the cells did not scroll"
    region.scroll_into_view_if_needed()
    region.screenshot(path=str(ARTIFACTS / "rug_phone_region.png"))


def test_rug_switch_shows_the_untested_rows(offline_page, app_url):
    page = offline_page
    page.goto(page_url(app_url, "compare") + "?view=rug")
    wait_ready(page, timeout=60_000)
    region = page.locator(RUG).first
    rows_before = region.locator("tbody tr").count()
    page.get_by_test_id("stCheckbox").get_by_text("Show estimates and untested indicators").click()
    wait_ready(page)
    page.wait_for_function(
        "(n) => document.querySelector('.np-rug tbody').children.length > n", arg=rows_before, timeout=20_000
    )
    assert "Dementia: expected (modelled)" in page.locator(RUG).first.inner_text()
    assert_no_exception(page)


@pytest.mark.parametrize("width", [1280, 1920])
def test_spine_column_gets_at_least_a_third_of_its_table(offline_page, app_url, width):
    page = offline_page
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(page_url(app_url, "profile") + "?nbhd=C3")
    wait_ready(page, timeout=60_000)
    table = page.locator(".np-spine table").first
    table.wait_for(timeout=30_000)
    cell = page.locator(".np-spine td.np-spine-cell").first
    t, c = table.bounding_box(), cell.bounding_box()
    assert c["width"] >= 0.35 * t["width"], f"spine cell {c['width']:.0f}px of a {t['width']:.0f}px table"
    img = cell.locator("img")
    assert img.bounding_box()["width"] >= 0.9 * c["width"] - 20, "the picture does not fill its cell"
    # the table fits its region (no sideways scroll at desktop widths)
    region = page.locator(".np-spine").first
    assert region.evaluate("(r) => r.scrollWidth <= r.clientWidth + 1")
    assert_no_exception(page)
    screenshot(page, f"spine_{width}")
