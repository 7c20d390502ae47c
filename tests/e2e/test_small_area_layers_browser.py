"""The Map's small-area layers in a real browser: life expectancy on the MSOAs (the only areas it
is published for, so a neighbourhoods link falls back to them) and bad health on the LSOA 2021
small areas. Each layer draws every area offline, and a click on one selects the neighbourhood it
is placed in."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import REPO, assert_no_exception, wait_ready
from tests.e2e.test_map_browser import MAP_IFRAME, _map_screenshot, _selected_nbhd

pytestmark = pytest.mark.skipif(
    not (REPO / "static" / "vendor" / "leaflet" / "leaflet.js").exists(),
    reason="Leaflet assets missing: run `make setup` (python -m lib.web.assets) before the browser tests",
)

#: (link query, geodata layer, areas drawn, the fallback notice expected, screenshot name)
LAYERS = {
    "msoa": (
        "family=outcome&ind=life_expectancy_male&layer=neighbourhoods&colour=continuous&nbhd=N1&zoom=city",
        "msoa.geojson",
        57,
        "showing middle-sized areas (MSOAs) instead",
        "life_expectancy_msoa",
    ),
    "lsoa21": (
        "family=outcome&ind=bad_health&layer=lsoa21&colour=comparison&nbhd=N1&zoom=city",
        "lsoa21.geojson",
        295,
        None,
        "bad_health_lsoa21",
    ),
}


@pytest.mark.parametrize("which", list(LAYERS))
def test_the_layer_draws_every_area_and_a_click_selects_its_neighbourhood(offline_page, app_url, which):
    query, layer_file, areas, fallback, shot = LAYERS[which]
    page = offline_page
    page.goto(f"{app_url}/map?{query}")
    wait_ready(page)
    assert_no_exception(page)
    if fallback:
        assert page.get_by_text(fallback).count() == 1
    else:
        assert page.get_by_text("instead").count() == 0
    page.wait_for_function(
        """([sel, n]) => { const f = document.querySelector(sel); const d = f && f.contentDocument;
               return d && d.querySelectorAll('path.leaflet-interactive').length >= n; }""",
        arg=[MAP_IFRAME, areas],
        timeout=30_000,
    )
    frame = page.frame_locator(MAP_IFRAME)
    _map_screenshot(page, shot)
    layer = json.loads((REPO / "geodata" / layer_file).read_text(encoding="utf-8"))
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
