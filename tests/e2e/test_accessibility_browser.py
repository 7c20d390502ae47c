"""Accessibility in a real browser: axe-core on every page (and inside the map's frame), and
keyboard reachability with a visible focus on the key pages.

axe-core comes from PyPI: the ``axe-playwright-python`` package (pinned in requirements-dev.txt)
ships ``axe.min.js``, which is read from the installed package (outside ``static/``, so the app
never serves it).
A violation of impact "serious" or "critical" fails the test, except the few rule + element pairs
listed in :data:`STREAMLIT_EXCEPTIONS` (Streamlit's own frontend, not fixable from Python; also
listed in README.md, "Accessibility").
"""

from __future__ import annotations

import re
from pathlib import Path

import axe_playwright_python
import pytest

from lib.views.present import STEPS
from tests.e2e.conftest import assert_no_exception, screenshot, wait_ready

AXE = Path(axe_playwright_python.__file__).with_name("axe.min.js")
PAGES = [
    "overview",
    "overview_map",
    "map",
    "map_wards",
    "map_ward_selected",
    "map_lsoa",
    "profile",
    "profile_wards",
    "profile_wardgrid",
    "profile_practices",
    "compare",
    "compare_funnel",
    "compare_trend",
    "compare_rug",
    "cohorts",
    "cohorts_map",
    "cohorts_pyramid",
    "activity",
    "activity_shares",
    "activity_tracker",
    "own_data",
    "methods",
    "methods_details",
]
MAP_PAGES = {"overview_map", "map", "map_wards", "map_ward_selected", "map_lsoa", "cohorts_map", "profile_wards"}
#: The overview is the default page, at the app's root (where its own links point); the cohorts
#: page's map and pyramid (and the other lazy views) are views of their own, opened by their links.
URL_PATH = {
    "overview": "",
    "overview_map": "?view=map",
    "map_wards": "map?layer=wards&nbhd=C2",  # zoomed to C2: ward names and symbols drawn
    "map_ward_selected": "map?layer=wards&nbhd=S3&area=E05000715",  # a ward opened from the ward grid
    "map_lsoa": "map?layer=lsoa&nbhd=N2",  # zoomed to N2: a symbol on each small area
    "profile_wards": "profile?view=wards",
    "profile_wardgrid": "profile?view=wardgrid&nbhd=S3",  # which ward drives it: the ward x indicator grid
    "profile_practices": "profile?view=practices",
    "compare_funnel": "compare?view=funnel",
    "compare_trend": "compare?view=trend&ind=children_low_income",  # 8 years: the faint neighbourhoods, the trend test
    "compare_rug": "compare?view=rug",  # the board's tartan rug (an HTML table)
    "cohorts_map": "cohorts?view=map",
    "cohorts_pyramid": "cohorts?view=pyramid",
    "methods_details": "methods?view=details",
    "activity_shares": "activity?view=shares",
    "activity_tracker": "activity?view=tracker",
}
MAP_IFRAME = 'iframe[title*="streamlit_folium"]'
BLOCKING = ("serious", "critical")

#: (axe rule id, a string in the failing element's selector) that come from Streamlit's own
#: frontend and cannot be fixed from Python. Each with its reason; keep README.md in step.
#: None is needed with Streamlit 1.67 today (the minor/moderate ones it has are not blocking:
#: see README.md); add a pair here only with a comment saying why it cannot be fixed.
STREAMLIT_EXCEPTIONS: set[tuple[str, str]] = set()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's source, from the installed axe-playwright-python package."""
    if not AXE.exists():
        pytest.fail(f"axe-core missing at {AXE}: run `make setup-dev` (pip install -r requirements-dev.txt)")
    return AXE.read_text(encoding="utf-8")


def _open(page, url: str, map_frame: bool = False) -> None:
    page.goto(url)
    wait_ready(page, timeout=60_000)
    if map_frame:
        page.frame_locator(MAP_IFRAME).first.locator("path.leaflet-interactive").first.wait_for(
            state="attached", timeout=30_000
        )
    page.wait_for_timeout(800)  # let late layout (charts, grids) settle
    assert_no_exception(page)


def _open_expanders(page) -> None:
    """Open every visible expander, so what is folded away is checked too."""
    for summary in page.locator('[data-testid="stExpander"] summary').all():
        if summary.is_visible():
            summary.click()
    page.wait_for_timeout(500)


def axe_version(axe_source: str) -> str:
    """The version the installed axe-core names in its licence header (``/*! axe v4.12.1``)."""
    match = re.match(r"/\*! axe v(\S+)", axe_source)
    assert match, "axe.min.js does not start with its version header: has axe-playwright-python changed?"
    return match.group(1)


def run_axe(page, axe_source: str) -> dict:
    """axe-core on the page and every frame in it (each frame gets its own copy of axe, and the
    top frame's run collects their results, as axe does for iframes)."""
    for frame in page.frames:
        if frame.is_detached():
            continue
        try:
            frame.evaluate(axe_source)
        except Exception:  # a frame that went away meanwhile; axe marks unreached frames
            pass
    return page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations'], iframes: true, frameWaitTime: 30000});
            const slim = v => ({id: v.id, impact: v.impact, help: v.help,
                                nodes: v.nodes.map(n => ({target: n.target.flat(Infinity).join(' >>> '), html: n.html.slice(0, 200),
                                                          summary: (n.failureSummary || '').slice(0, 300)}))});
            return {version: axe.version, violations: r.violations.map(slim),
                    incomplete: r.incomplete.map(v => v.id), passes: r.passes.map(v => v.id)};
        }"""
    )


def blocking(result: dict) -> list[str]:
    """Serious and critical violations, minus the listed Streamlit ones, one line per element."""
    out = []
    for v in result["violations"]:
        if v["impact"] not in BLOCKING:
            continue
        for n in v["nodes"]:
            if any(rule == v["id"] and where in n["target"] for rule, where in STREAMLIT_EXCEPTIONS):
                continue
            out.append(
                f"{v['id']} ({v['impact']}): {v['help']}\n    at {n['target']}\n    {n['html']}\n    {n['summary']}"
            )
    return out


def _check(page, axe_source: str, name: str, map_frame: bool) -> None:
    result = run_axe(page, axe_source)
    assert result["version"] == axe_version(axe_source)
    assert len(result["passes"]) > 10, "axe checked almost nothing: is the page empty?"
    if map_frame:
        # the map's frame was reached and checked (axe reports 'frame-tested' when it was not)
        assert "frame-tested" not in result["incomplete"], "axe could not check inside the map's frame"
    problems = blocking(result)
    if problems:
        screenshot(page, f"a11y_{name}")
    assert not problems, f"{len(problems)} serious/critical accessibility problem(s) on {name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_problem(offline_page, app_url, axe_source, path):
    _open(offline_page, f"{app_url}/{URL_PATH.get(path, path)}", map_frame=path in MAP_PAGES)
    _open_expanders(offline_page)
    _check(offline_page, axe_source, path, map_frame=path in MAP_PAGES)


@pytest.mark.parametrize("label", ["Change neighbourhood or comparison", "What the labels mean"])
def test_axe_finds_no_serious_problem_in_the_sidebar_popovers(offline_page, app_url, axe_source, label):
    """The shared choice and the labels key are drawn only when their popover opens: check them open."""
    page = offline_page
    _open(page, f"{app_url}/profile")
    page.locator('[data-testid="stSidebar"] [data-testid="stPopover"] button', has_text=label).click()
    page.locator('[data-testid="stPopoverBody"]').first.wait_for(timeout=15_000)
    page.wait_for_timeout(500)
    _check(page, axe_source, "popover_" + label.split()[0].lower(), map_frame=False)


@pytest.mark.parametrize(
    "path,label",
    [("compare", "Download image"), ("profile", "Export: slide deck and PDF profile"), ("map", "Download image")],
)
def test_axe_finds_no_serious_problem_in_the_page_popovers(offline_page, app_url, axe_source, path, label):
    """The download buttons of a chart image, and the deck and PDF, are drawn only when their
    popover opens: check them open."""
    page = offline_page
    _open(page, f"{app_url}/{path}", map_frame=path in MAP_PAGES)
    page.locator('[data-testid="stMain"] [data-testid="stPopover"] button', has_text=label).first.click()
    body = page.locator('[data-testid="stPopoverBody"]').first
    body.wait_for(timeout=15_000)
    body.get_by_role("button").first.wait_for(timeout=15_000)  # its buttons are drawn
    page.wait_for_timeout(500)
    _check(page, axe_source, f"popover_{path}", map_frame=path in MAP_PAGES)


@pytest.mark.parametrize("step", [s.step_id for s in STEPS])
def test_axe_finds_no_serious_problem_in_presentation(offline_page, app_url, axe_source, step):
    offline_page.set_viewport_size({"width": 1920, "height": 1080})
    _open(offline_page, f"{app_url}/present?present=1&nbhd=C3&step={step}", map_frame=step == "map")
    _check(offline_page, axe_source, f"present_{step}", map_frame=step == "map")


def test_axe_check_can_fail(offline_page, app_url, axe_source):
    """The check is not vacuous: an image without a text alternative, on the page and inside the
    map's frame, is reported (axe 'image-alt', critical) and fails :func:`blocking`."""
    page = offline_page
    _open(page, f"{app_url}/map", map_frame=True)
    script = "() => { const i = document.createElement('img'); i.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw='; i.id = 'np-no-alt'; document.body.appendChild(i); }"
    page.evaluate(script)
    page.frame_locator(MAP_IFRAME).first.locator("body").evaluate(
        "b => { const i = document.createElement('img'); i.id = 'np-no-alt-in-map'; b.appendChild(i); }"
    )
    problems = blocking(run_axe(page, axe_source))
    assert any(p.startswith("image-alt") and "#np-no-alt" in p and ">>>" not in p.split("\n")[1] for p in problems), (
        problems
    )
    assert any(p.startswith("image-alt") and ">>> #np-no-alt-in-map" in p for p in problems), problems


# --- keyboard: every control we draw is reached with Tab, and shows that it has the focus

#: The controls the app draws, by kind, each named "kind: label" (numbered when repeated).
#: Radio buttons and tabs are groups: Tab reaches the group (its checked option), arrows move in
#: it. Streamlit may redraw an element, so controls are found afresh each time (never marked).
CONTROLS_JS = """() => {
    const kinds = [
        ['nav link', '[data-testid="stSidebarNav"] a'],
        ['selectbox', '[data-testid="stSelectbox"] input'],
        ['radio', '[data-testid="stRadio"]'],
        ['button', '[data-testid="stButton"] button'],
        ['download', '[data-testid="stDownloadButton"] button'],
        ['page link', '[data-testid="stPageLink"] a'],
        ['expander', '[data-testid="stExpander"] summary'],
        ['tabs', '[data-testid="stTabs"] [role="tablist"]'],
        ['popover', '[data-testid="stPopover"] button'],
    ];
    const seen = new Set(), out = [];
    for (const [kind, sel] of kinds) {
        document.querySelectorAll(sel).forEach(el => {
            if (!el.getClientRects().length || el.disabled || el.closest('[aria-hidden="true"]')) return;
            const label = (el.getAttribute('aria-label') || el.innerText || el.closest('[data-testid]').innerText || '')
                .replace(/\\s+/g, ' ').trim().slice(0, 60);
            let name = `${kind}: ${label}`;
            for (let i = 2; seen.has(name); i++) name = `${kind}: ${label} (${i})`;
            seen.add(name);
            out.push([name, el]);
        });
    }
    return out;
}"""

#: The box that shows a control's focus: a selectbox's frame, a radio group's checked option.
SHOWN_JS = """el => {
    if (el.matches('[data-testid="stRadio"]')) el = (el.querySelector('input:checked') || el).closest('label') || el;
    if (el.matches('[role="tablist"]')) el = el.querySelector('[aria-selected="true"]') || el;
    const shown = el.closest('[data-baseweb="select"]') || el;
    shown.scrollIntoView({block: 'center'});
    const r = shown.getBoundingClientRect();
    return {x: r.x, y: r.y, width: r.width, height: r.height};
}"""

#: The control that has the focus (its name), or 'map' for the Leaflet map in its frame.
FOCUSED = f"""() => {{
    const controls = ({CONTROLS_JS})(), box = ({SHOWN_JS});
    const a = document.activeElement;
    if (!a || a === document.body) return null;
    if (a.tagName === 'IFRAME') {{
        let inner = null;
        try {{ inner = a.contentDocument.activeElement; }} catch (e) {{ return {{name: 'frame', box: null}}; }}
        if (inner && inner.classList.contains('leaflet-container')) return {{name: 'map', box: null}};
        return {{name: 'in frame', box: null}};
    }}
    // a group counts when one of its options has the focus (not, say, its help button)
    const option = a.matches('input[type="radio"], [role="tab"]');
    const hit = controls.find(([name, el]) => el === a || (option && el.contains(a)));
    if (!hit) return {{name: null, box: null}};
    return {{name: hit[0], box: box(option ? (a.closest('label') || a) : hit[1])}};
}}"""

BOX_OF = f"""n => {{ const hit = ({CONTROLS_JS})().find(([name, el]) => name === n); return hit ? ({SHOWN_JS})(hit[1]) : null; }}"""
NAMES = f"""() => ({CONTROLS_JS})().map(([name, el]) => name)"""

PAD = 6  # outlines and focus rings are drawn around the box


def _shot(page, box: dict) -> bytes:
    clip = {
        "x": max(box["x"] - PAD, 0),
        "y": max(box["y"] - PAD, 0),
        "width": box["width"] + 2 * PAD,
        "height": box["height"] + 2 * PAD,
    }
    return page.screenshot(clip=clip, animations="disabled", caret="hide")


def _box_of(page, name: str) -> dict:
    box = page.evaluate(BOX_OF, name)
    assert box, f"control {name!r} is gone"
    return box


def tab_through(page, max_presses: int = 250) -> tuple[list[str], dict[str, bytes], list[str]]:
    """Press Tab from the top until focus comes round again; return the marked controls, the
    picture of each as focused, and the order in which focus reached them."""
    controls = page.evaluate(NAMES)
    page.mouse.move(2, 2)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    focused_shots: dict[str, bytes] = {}
    order: list[str] = []
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        page.wait_for_timeout(60)
        now = page.evaluate(FOCUSED)
        if now is None or now["name"] is None:
            continue
        name = now["name"]
        if order and name == order[0] and len(order) > 3:
            break  # round again
        if name not in order:
            order.append(name)
            if now["box"]:
                page.wait_for_timeout(150)  # focus transitions
                focused_shots[name] = _shot(page, page.evaluate(FOCUSED)["box"])
    # what was drawn meanwhile too (Streamlit may still be adding elements when the walk starts)
    controls += [c for c in page.evaluate(NAMES) if c not in controls]
    return controls, focused_shots, order


def _keyboard_check(page, expect_map: bool) -> None:
    controls, focused, order = tab_through(page)
    assert len(controls) >= 5, f"too few controls found: {controls}"
    missed = [c for c in controls if c not in order]
    assert not missed, f"not reachable with Tab: {missed}\nreached, in order: {order}"
    if expect_map:
        assert "map" in order, f"the map is not reachable with Tab: {order}"
    # visible focus: each control looks different focused and not focused
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.mouse.move(2, 2)
    page.wait_for_timeout(300)
    invisible = [name for name, shot in focused.items() if _shot(page, _box_of(page, name)) == shot]
    assert not invisible, f"no visible focus indicator on: {invisible}"


@pytest.mark.parametrize("path", ["overview", "map"])
def test_every_control_is_reached_with_tab_and_shows_focus(offline_page, app_url, path):
    """Sidebar (page links, neighbourhood, benchmark, confidence, present link, key) and the
    page's own controls, in a 1400 x 900 window."""
    _open(offline_page, f"{app_url}/{URL_PATH.get(path, path)}", map_frame=path == "map")
    _keyboard_check(offline_page, expect_map=path == "map")


def test_the_map_is_focusable_and_named(offline_page, app_url):
    """Leaflet makes the map focusable (arrow keys pan, +/- zoom); it is a named region, and its
    frame carries the same name (Streamlit titles it after the component)."""
    page = offline_page
    _open(page, f"{app_url}/map", map_frame=True)
    box = page.frame_locator(MAP_IFRAME).first.locator(".leaflet-container")
    assert box.get_attribute("tabindex") == "0"
    assert box.get_attribute("role") == "region"
    name = box.get_attribute("aria-label") or ""
    assert name.startswith("Map of ") and "Residents disabled" in name, name
    assert page.locator(MAP_IFRAME).get_attribute("aria-label") == name
    # keyboard pans the map
    box.focus()
    before = page.frame_locator(MAP_IFRAME).first.locator("body").evaluate("() => window.map.getCenter().lng")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(600)
    after = page.frame_locator(MAP_IFRAME).first.locator("body").evaluate("() => window.map.getCenter().lng")
    assert after > before


def test_a_focused_link_shows_a_clear_focus_ring(offline_page, app_url):
    """The app's focus ring (``lib.web.serving.FOCUS_CSS``, in every page's head) is in force: a sidebar
    page link reached with the keyboard gets a 3 px outline, and loses it when focus moves on."""
    page = offline_page
    _open(page, f"{app_url}/", map_frame=False)
    link = page.locator('[data-testid="stSidebarNav"] a').nth(1)
    outline = "el => getComputedStyle(el).outlineWidth + ' ' + getComputedStyle(el).outlineStyle"
    link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus from the keyboard: :focus-visible
    assert link.evaluate("el => el === document.activeElement")
    assert link.evaluate(outline) == "3px solid"
    page.keyboard.press("Tab")
    assert link.evaluate(outline) != "3px solid"


def test_the_selected_neighbourhood_stands_out_in_the_table_and_in_words(offline_page, app_url):
    """Overview with S3 selected by link: its row is drawn differently from every other row
    (tinted, bold, a dark bar at its start) and says "(selected)"; no other row does either."""
    page = offline_page
    _open(page, f"{app_url}/?nbhd=S3")
    rows = page.locator(".np-table tbody tr")
    assert rows.count() == 12
    style = """tr => { const c = tr.querySelector('th, td'), s = getComputedStyle(c);
                       return [s.backgroundColor, getComputedStyle(tr.querySelector('th')).fontWeight, s.boxShadow, tr.innerText]; }"""
    drawn = [rows.nth(i).evaluate(style) for i in range(12)]
    marked = [d for d in drawn if "(selected)" in d[3]]
    assert len(marked) == 1 and "Wythenshawe (Baguley" in marked[0][3]
    others = [d for d in drawn if "(selected)" not in d[3]]
    assert all(d[0] != marked[0][0] for d in others)  # a tint no other row has (zebra rows included)
    assert marked[0][2] != "none" and all(d[2] == "none" for d in others)  # the bar at its start
