"""The Map page in a real browser with the network blocked: polygons drawn from local Leaflet,
click-to-select, and links that reopen a view.

Needs the Leaflet assets: run ``make setup`` (``python -m lib.web.assets`` copies it from the xstatic-leaflet package) first (CI does).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.conftest import ARTIFACTS, REPO, assert_no_exception, screenshot, wait_ready, watch_reruns

MAP_IFRAME = 'iframe[title*="streamlit_folium"]'

pytestmark = pytest.mark.skipif(
    not (REPO / "static" / "vendor" / "leaflet" / "leaflet.js").exists(),
    reason="Leaflet assets missing: run `make setup` (python -m lib.web.assets) before the browser tests",
)


def _open_map(page, url: str, polygons: int | None = 12):
    page.goto(url)
    wait_ready(page)
    frame = page.frame_locator(MAP_IFRAME)
    paths = frame.locator("path.leaflet-interactive")
    paths.first.wait_for(state="attached", timeout=30_000)
    if polygons is not None:
        page.wait_for_function(
            """([sel, n]) => { const f = document.querySelector(sel); const d = f && f.contentDocument;
                   return d && d.querySelectorAll('path.leaflet-interactive').length === n; }""",
            arg=[MAP_IFRAME, polygons],
            timeout=30_000,
        )
    return frame


def _map_screenshot(page, name: str) -> None:
    """The map itself (the full-page screenshot stops at the viewport: Streamlit scrolls inside)."""
    ARTIFACTS.mkdir(exist_ok=True)
    iframe = page.locator(MAP_IFRAME)
    iframe.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    iframe.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _selected_nbhd(page) -> str:
    """The neighbourhood in force, as the sidebar shows it ("N1 · ...")."""
    return (
        page.locator('[data-testid="stSidebar"] [data-testid="stMarkdown"]', has_text="compared with")
        .first.inner_text()
        .split("\n")[0]
    )


def test_map_draws_offline_and_click_selects(offline_page, app_url):
    page = offline_page
    frame = _open_map(page, f"{app_url}/map")
    assert_no_exception(page)
    assert frame.locator("path.leaflet-interactive").count() == 12
    assert frame.locator(".np-legend").inner_text().startswith("Compared with")
    assert "Crown copyright" in frame.locator(".leaflet-control-attribution").inner_text()
    needed = [u for u in page.blocked_requests if re.search(r"\.(js|css)(\?|$)", u) or "leaflet" in u]
    assert not needed, f"map assets requested off-box: {needed}"
    assert "N1" in _selected_nbhd(page)
    screenshot(page, "map_neighbourhoods")
    _map_screenshot(page, "map_neighbourhoods_map")

    # Click inside South neighbourhood S2 at its label point (a point inside the polygon), with
    # the real mouse, after scrolling the map into view (coordinates are taken after the scroll).
    iframe = page.locator(MAP_IFRAME)
    iframe.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    inner = iframe.element_handle().content_frame()
    point = inner.evaluate(
        """() => { let out = null;
             window.map.eachLayer(l => { if (l.feature && l.feature.properties.code === 'S2') {
                 const p = l.feature.properties;
                 out = window.map.latLngToContainerPoint([p.label_lat, p.label_lng]); } });
             const r = document.querySelector('.leaflet-container').getBoundingClientRect();
             return out && {x: out.x + r.left, y: out.y + r.top}; }"""
    )
    assert point, "feature S2 not found on the map"
    box = iframe.bounding_box()
    page.mouse.click(box["x"] + point["x"] + 6, box["y"] + point["y"] + 14)
    page.wait_for_function("() => new URLSearchParams(location.search).get('nbhd') === 'S2'", timeout=15_000)
    wait_ready(page)
    assert "S2" in _selected_nbhd(page)
    assert page.get_by_text(re.compile(r"Selected:.*S2")).count() >= 1
    assert parse_qs(urlparse(page.url).query)["nbhd"] == ["S2"]
    assert_no_exception(page)


def test_link_reopens_view(offline_page, app_url):
    page = offline_page
    frame = _open_map(
        page, f"{app_url}/map?ind=imd_average_score&period=IoD2015&colour=quartile&layer=wards&nbhd=C2", polygons=32
    )
    assert_no_exception(page)
    assert "Quartile" in frame.locator(".np-legend").inner_text()
    main = page.locator('[data-testid="stMain"]')
    assert (
        "Deprivation and context"
        in main.locator('[data-testid="stSelectbox"] input[role="combobox"]').nth(0).input_value()
    )
    assert "IoD2015" in main.locator('[data-testid="stSelectbox"] input[role="combobox"]').nth(2).input_value()
    assert main.get_by_role("radio", name="Wards").is_checked()
    assert main.get_by_role("radio", name=re.compile("Quartile")).is_checked()
    assert "C2" in _selected_nbhd(page)
    q = parse_qs(urlparse(page.url).query)
    assert q["ind"] == ["imd_average_score"] and q["layer"] == ["wards"] and q["colour"] == ["quartile"]
    assert not [u for u in page.blocked_requests if re.search(r"\.(js|css)(\?|$)", u)]
    screenshot(page, "map_wards_quartile")
    _map_screenshot(page, "map_wards_quartile_map")


@pytest.mark.parametrize("nbhd", ["C2", "S3"])
def test_the_profile_maps_the_neighbourhoods_own_wards_offline(offline_page, app_url, nbhd):
    """The profile's "Its wards" view maps exactly the neighbourhood's wards (per the definition),
    named on the map, coloured as the table below compares them, with no network."""
    from lib.core import data

    definition = data.load_dataset().definition
    wards = definition[definition["neighbourhood_code"] == nbhd]
    page = offline_page
    frame = _open_map(page, f"{app_url}/profile?nbhd={nbhd}&view=wards&ind=children_low_income", polygons=len(wards))
    assert_no_exception(page)
    labels = frame.locator(".np-label").all_inner_texts()
    assert sorted(labels) == sorted(wards["ward_name"])
    legend = frame.locator(".np-legend").inner_text()
    table = page.locator(".np-table").last.inner_text()
    for word in ("Better than England", "Similar to England", "Worse than England"):
        assert (word in legend) == (word in table), word  # the key names exactly the comparisons the table has
    _map_screenshot(page, f"profile_wards_{nbhd}")


def _main_scroll(page) -> float:
    """How far the page's main area (Streamlit scrolls inside it, not the window) is scrolled."""
    return page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]'); return (m ? m.scrollTop : 0) + window.scrollY; }"
    )


def test_one_click_on_a_map_partly_in_view_selects_without_scrolling(page, app_url):
    """Issue 19: in a 1600×1000 window the map of /map?nbhd=S3 is only partly in view; a click on an
    area used to focus the map's container with a plain focus() (Leaflet's keyboard handler), which
    scrolled the page by ~130 px mid-click, so the click selected nothing. One click must select."""
    page.set_viewport_size({"width": 1600, "height": 1000})
    _open_map(page, f"{app_url}/map?nbhd=S3")
    page.wait_for_timeout(500)
    iframe = page.locator(MAP_IFRAME)
    box = iframe.bounding_box()
    assert box["y"] + box["height"] > 1000 > box["y"], f"the map should be only partly in view: {box}"
    inner = iframe.element_handle().content_frame()
    points = inner.evaluate(
        """() => { const out = {};
             window.map.eachLayer(l => { if (l.feature && l.feature.properties.label_lat != null) {
                 const p = l.feature.properties;
                 out[p.code] = window.map.latLngToContainerPoint([p.label_lat, p.label_lng]); } });
             return out; }"""
    )
    # An area other than S3 whose point is on screen (the real mouse can only click what is in view).
    code, point = next((c, p) for c, p in sorted(points.items()) if c != "S3" and box["y"] + p["y"] + 14 < 990)
    before = _main_scroll(page)
    page.mouse.click(box["x"] + point["x"] + 6, box["y"] + point["y"] + 14)
    page.wait_for_function("(c) => new URLSearchParams(location.search).get('nbhd') === c", arg=code, timeout=15_000)
    wait_ready(page)
    assert _main_scroll(page) == before, "the click scrolled the page"
    assert code in _selected_nbhd(page)


def _label_texts(page, cls: str) -> list[str]:
    """The texts of the map's labels of class ``cls`` that are drawn (not hidden)."""
    return page.evaluate(
        """([sel, cls]) => { const d = document.querySelector(sel).contentDocument;
             return [...d.querySelectorAll('.' + cls)].filter(e => e.offsetParent !== null)
                 .map(e => e.textContent); }""",
        [MAP_IFRAME, cls],
    )


def test_wards_zoom_to_the_selected_neighbourhood_and_carry_names_and_symbols(offline_page, app_url):
    """Issue 19: on the ward detail the map opens on the selected neighbourhood (its boundary fills
    the view, a choice shows the whole city again) and every ward is labelled with its name and the
    symbol of its comparison, so the map never speaks by colour alone."""
    from lib.core import data
    from lib.methods.indicators import area_comparison_table
    from lib.render.format import COMPARISON_STYLE

    ds = data.load_dataset()
    table = area_comparison_table(ds.values, ds.indicators, "disability", "Census 2021", "ward", "england")
    want = {f"{r.area_name} {COMPARISON_STYLE[r.comparison][0]}" for r in table.itertuples()}
    page = offline_page
    _open_map(page, f"{app_url}/map?ind=disability&period=Census+2021&layer=wards&nbhd=C2", polygons=32)
    assert_no_exception(page)
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    inner = page.locator(MAP_IFRAME).element_handle().content_frame()
    c2 = data.load_layer("neighbourhoods").to_crs(4326).set_index("code").loc["C2", "geometry"].bounds
    view = inner.evaluate(
        "() => { const b = window.map.getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth(), window.map.getZoom()]; }"
    )
    west, south, east, north, zoomed = view
    assert west <= c2[0] and south <= c2[1] and east >= c2[2] and north >= c2[3], "C2 is not all in view"
    assert (north - south) < 2 * (c2[3] - c2[1]) or (east - west) < 2 * (c2[2] - c2[0]), "not zoomed to C2"
    shown = set(_label_texts(page, "np-label-name"))
    c2_wards = set(ds.definition.loc[ds.definition["neighbourhood_code"] == "C2", "ward_name"])
    assert shown and shown <= want  # every drawn ward label is its name and its own symbol
    assert {t.rsplit(" ", 1)[0] for t in shown} >= c2_wards  # C2's own wards are all named
    _map_screenshot(page, "map_wards_zoomed_C2")

    page.get_by_role("radio", name="The whole city").check(force=True)
    page.wait_for_function("() => new URLSearchParams(location.search).get('zoom') === 'city'", timeout=15_000)
    wait_ready(page)
    page.wait_for_function(
        """(sel) => { const f = document.querySelector(sel); const w = f && f.contentWindow;
             return w && w.map && w.map.getZoom() < 12; }""",
        arg=MAP_IFRAME,
        timeout=30_000,
    )
    assert not _label_texts(page, "np-label-name")  # names would overlap over the whole city...
    symbols = _label_texts(page, "np-label-coarse")
    assert sorted(symbols) == sorted(t.rsplit(" ", 1)[1] for t in want)  # ...so each ward shows its symbol
    assert_no_exception(page)


def test_a_new_indicator_recolours_the_areas_inside_the_same_map_frame(offline_page, app_url):
    """Issue 19 (click to drawn): changing the indicator swaps the areas, labels and legend inside the
    map's frame instead of rebuilding the frame and reloading Leaflet (which took 300+ ms of ~400)."""
    page = offline_page
    _open_map(page, f"{app_url}/map")
    read = """(sel) => { const f = document.querySelector(sel); const w = f.contentWindow;
        const props = []; w.map.eachLayer(l => { if (l.feature) props.push(l.feature.properties.tooltip); });
        return {mark: w.__sameFrame || null, legend: w.document.querySelectorAll('.np-legend').length,
                legendText: (w.document.querySelector('.np-legend') || {}).innerText || '',
                labels: w.document.querySelectorAll('.leaflet-marker-icon').length, props: props.sort().join('|'),
                name: w.map.getContainer().getAttribute('aria-label')}; }"""
    page.evaluate("(sel) => { document.querySelector(sel).contentWindow.__sameFrame = 'kept'; }", MAP_IFRAME)
    before = page.evaluate(read, MAP_IFRAME)
    assert before["mark"] == "kept" and before["legend"] == 1 and before["labels"] >= 12
    box = page.get_by_role("combobox", name="Indicator").first
    box.click()
    page.get_by_role("listbox").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    wait_ready(page)
    page.wait_for_function(
        "([sel, old]) => { const w = document.querySelector(sel).contentWindow; const p = [];"
        " w.map.eachLayer(l => { if (l.feature) p.push(l.feature.properties.tooltip); }); return p.sort().join('|') !== old; }",
        arg=[MAP_IFRAME, before["props"]],
        timeout=30_000,
    )
    after = page.evaluate(read, MAP_IFRAME)
    assert after["mark"] == "kept", "the map's frame was rebuilt"
    assert after["legend"] == 1, "the old legend was left behind"
    assert after["labels"] == before["labels"], "labels were left behind or lost"
    assert after["name"] != before["name"] and after["name"].startswith("Map of")
    assert len(after["props"].split("|")) == len(before["props"].split("|")) == 12
    assert_no_exception(page)


def test_a_new_indicator_reruns_only_the_map_and_an_area_click_the_whole_app(offline_page, app_url):
    """Issue 19 (click to drawn): the Map page's own selections rerun only the page below the frame
    (a fragment), not the router and the sidebar; a click on an area, which changes the shared
    neighbourhood, still reruns everything (the sidebar shows the new one)."""
    page = offline_page
    reruns = watch_reruns(page)
    _open_map(page, f"{app_url}/map")
    reruns.clear()
    box = page.get_by_role("combobox", name="Indicator").first
    box.click()
    page.get_by_role("listbox").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).has('ind')", timeout=15_000)
    wait_ready(page)
    assert reruns and all(reruns), f"changing the indicator reran the whole app: {reruns}"
    assert "N1" in _selected_nbhd(page)
