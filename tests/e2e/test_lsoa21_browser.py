"""Bad health on the Map's LSOA 2021 small areas, in a real browser: the layer draws all 295 areas
offline, and a click on one selects the neighbourhood it is placed in."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import REPO, assert_no_exception, wait_ready
from tests.e2e.test_map_browser import MAP_IFRAME, _map_screenshot, _selected_nbhd

pytestmark = pytest.mark.skipif(
    not (REPO / "static" / "vendor" / "leaflet" / "leaflet.js").exists(),
    reason="Leaflet assets missing: run `make setup` (python -m lib.web.assets) before the browser tests",
)


def test_bad_health_draws_the_lsoa21_areas_and_a_click_selects_their_neighbourhood(offline_page, app_url):
    page = offline_page
    page.goto(f"{app_url}/map?family=outcome&ind=bad_health&layer=lsoa21&colour=comparison&nbhd=N1")
    wait_ready(page)
    assert_no_exception(page)
    assert page.get_by_text("instead").count() == 0
    frame = page.frame_locator(MAP_IFRAME)
    page.wait_for_function(
        """([sel]) => { const f = document.querySelector(sel); const d = f && f.contentDocument;
               return d && d.querySelectorAll('path.leaflet-interactive').length >= 295; }""",
        arg=[MAP_IFRAME],
        timeout=30_000,
    )
    _map_screenshot(page, "bad_health_lsoa21")
    layer = json.loads((REPO / "geodata" / "lsoa21.geojson").read_text(encoding="utf-8"))
    s3 = next(f for f in layer["features"] if f["properties"]["neighbourhood_code"] == "S3")
    target = frame.locator("path.leaflet-interactive").nth(
        [f["properties"]["code"] for f in layer["features"]].index(s3["properties"]["code"])
    )
    target.click(force=True)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stMarkdown"]')]
               .some(e => e.innerText.startsWith('S3'))""",
        timeout=30_000,
    )
    assert _selected_nbhd(page).startswith("S3")
