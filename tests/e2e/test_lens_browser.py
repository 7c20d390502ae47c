"""The population lens in a real browser: the sidebar's popover switches every page between
residents and the patients registered with each neighbourhood's GP practices, and the map, its
words and the link follow (AppTest cannot open the popover)."""

from __future__ import annotations

from tests.e2e.conftest import assert_no_exception, page_url, screenshot, wait_ready


def _choose_population(page, label: str) -> None:
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stPopover"] button', has_text="Change neighbourhood or comparison").click()
    radio = page.locator('[data-testid="stPopoverBody"] [data-testid="stRadio"]').first
    radio.wait_for(timeout=15_000)
    radio.get_by_text(label, exact=True).click()
    wait_ready(page)


def test_choosing_registered_patients_recolours_the_map_and_says_so(offline_page, app_url):
    page = offline_page
    page.goto(page_url(app_url, "map") + "?nbhd=N2")
    wait_ready(page)
    heading = page.locator('[data-testid="stHeading"]').nth(1)
    before = heading.inner_text()
    _choose_population(page, "Registered patients")
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('population') === 'registered'", timeout=15_000
    )
    page.keyboard.press("Escape")
    wait_ready(page)
    heading = page.locator('[data-testid="stHeading"]').nth(1)
    page.wait_for_function(
        "(b) => { const h = document.querySelectorAll('[data-testid=\"stHeading\"]')[1]; return h && h.innerText !== b; }",
        arg=before,
        timeout=15_000,
    )
    assert "register" in heading.inner_text().lower()  # a GP register, not a residents' indicator
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "Registered patients, compared with England" in sidebar.inner_text()
    assert "Practices have no boundary" in page.locator('[data-testid="stAlert"]').first.inner_text()
    assert page.locator("iframe").first.is_visible()  # the map is drawn
    assert_no_exception(page)
    screenshot(page, "lens_map_registered")
    # and back: the residents' map, and the link without the lens
    _choose_population(page, "Residents")
    page.wait_for_function("() => !new URLSearchParams(location.search).has('population')", timeout=15_000)
    assert "Residents, compared with England" in sidebar.inner_text()
    assert_no_exception(page)
