"""The benchmark's WebSocket client (bench/protocol.py) drives the real app as a browser would:
opening a page, choosing in a widget and moving page all run the script without an exception,
and the choice reaches the page (so the load benchmark measures real interactions)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from bench.protocol import Session


def test_protocol_client_opens_chooses_and_moves(app_url):
    async def run() -> None:
        async with Session(app_url) as s:
            r = await s.open("map", "nbhd=C2")
            assert not r.exceptions and r.bytes > 10_000
            # the URL is written once for the frame and once for the page, not a key at a time
            assert len(r.urls) == 2, r.urls
            assert {"nbhd=C2", "bench=england", "ind=disability", "layer=neighbourhoods"} <= set(r.urls[-1].split("&"))
            assert {"Neighbourhood", "Compare with", "Indicator", "Detail"} <= set(s.widgets)
            assert any(t.startswith("**Selected:** C2") for t in r.texts)
            nb = s.widgets["Neighbourhood"]
            r = await s.choose("Neighbourhood", next(o for o in nb.options if o.startswith("S3")))
            assert not r.exceptions
            assert any(t.startswith("**Selected:** S3") for t in r.texts), [t[:40] for t in r.texts]
            assert len(r.urls) == 1 and "nbhd=S3" in r.urls[0].split("&") and "ind=disability" in r.urls[0], r.urls
            r = await s.go("profile")
            assert not r.exceptions and "Compare with" in s.widgets
            assert any(
                "Dot" in t or "black line is **England**" in t for t in r.texts
            )  # the profile's spine chart part
            r = await s.choose("Compare with", "Rest of Manchester")
            assert not r.exceptions
            assert any("the rest of Manchester" in t for t in r.texts)
            r = await s.go("overview")
            assert not r.exceptions and "Indicator" in s.widgets
            with_bad = await s.choose("Indicator")
            assert not with_bad.exceptions

    # In a thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def test_the_bare_pages_serve_and_the_reference_draws_the_maps_map(page, tmp_path):
    """The benchmark's bare page shows its one line, and its reference page (bare page plus the Map
    page's map, ``bench.run.BARE_MAP_PAGE``) draws the 12 neighbourhoods in the map component with
    the offline Leaflet, so the reference row measures a real map."""
    from bench.run import write_bare_map_page
    from tests.e2e.conftest import start_server, stop_server, wait_ready

    script = write_bare_map_page(tmp_path)
    for name, draws_map in (("bare.py", False), (script.name, True)):
        proc, url = start_server(tmp_path / name, cwd=tmp_path)
        try:
            page.goto(url)
            wait_ready(page, timeout=60_000)
            assert page.get_by_text("Hello").count() == 1
            assert page.locator('[data-testid="stException"]').count() == 0
            frames = page.locator('iframe[title*="streamlit_folium"]')
            if draws_map:
                inside = page.frame_locator('iframe[title*="streamlit_folium"]').first
                inside.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
                assert inside.locator("path.leaflet-interactive").count() >= 12
                assert inside.locator("text=N1").count() >= 1  # the neighbourhood labels
            else:
                assert frames.count() == 0
        finally:
            stop_server(proc)


def test_the_floor_reference_is_the_app_with_a_map_page_of_only_its_required_parts(page, tmp_path):
    """The benchmark's floor reference (``bench.run.MAP_FLOOR_PAGE``) runs in the app's own frame
    (the sidebar and its selection are there) and draws the map of the 12 neighbourhoods, its key
    and its table alternative, with none of the Map page's controls: so its row measures the least
    a Map page can cost."""
    from bench.run import write_map_floor_app
    from tests.e2e.conftest import page_url, start_server, stop_server, wait_ready

    script = write_map_floor_app(tmp_path / "floor")
    proc, url = start_server(script, cwd=script.parent)
    try:
        for _ in range(
            2
        ):  # the first visit to a fresh server reruns through app.py (pages/shared/: _route_through_app)
            page.goto(page_url(url, "map"))
            wait_ready(page, timeout=60_000)
        inside = page.frame_locator('iframe[title*="streamlit_folium"]').first
        inside.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stSidebar"]').get_by_text("Change neighbourhood or comparison").count() == 1
        assert inside.locator("path.leaflet-interactive").count() >= 12
        assert page.get_by_text("Key:").count() == 1
        assert page.locator("table tbody tr").count() == 12  # the table alternative: a row per neighbourhood
        assert page.locator('[data-testid="stSelectbox"], [data-testid="stRadio"]').count() == 0
    finally:
        stop_server(proc)
