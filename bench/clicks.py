"""Section 7 of the benchmark: **click to drawn**, the speed of what users do.

The time from a user's click (or key press) until the new view is drawn, in headless Chromium, for
three things users do often, each as a ratio to a bare Streamlit page's button rerun
(:data:`BARE_BUTTON_PAGE`) measured in the same run (target: within :data:`CLICK_TARGET` ×):

* *Next* in presentation mode (``/present?present=1&nbhd=C3``): the next step drawn;
* changing the indicator on the Map page: the map's areas recoloured (the properties of the
  features inside the map's frame changed and its polygons drawn);
* choosing another neighbourhood on the profile (the sidebar's *Change neighbourhood or
  comparison* → *Neighbourhood*): the profile of the new neighbourhood drawn.

How it measures: the page records, in its own clock (``performance.now()``), the moment of the
user's last ``click`` or ``keydown`` (a capturing listener, so it is the real input event);
"drawn" is the first animation frame at which ``stApp``'s script state is "notRunning", no
element is stale (faded) and no skeleton left, the view's signature (its
headings; for the map, its features) differs from before the input, and every chart has drawn its
canvas or SVG. Each measure is repeated (``repeats``), alternating forward and back (Next and
Previous; the next option and the one before), in one browser page per interaction, after one
warm-up; the ratio is of the medians.
"""

from __future__ import annotations

import re
import shutil
import statistics
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CLICK_TARGET = 2.0  #: each interaction within 2x of the bare page's button rerun
BARE = "bare page: button rerun"
CLICKS = {
    "presentation mode: Next": "present?present=1&nbhd=C3",
    "Map page: change the indicator": "map",
    "profile: choose another neighbourhood": "profile?nbhd=N1",
}

#: The reference: a button that reruns the page and shows how many times it was pressed, served
#: as ``app.py`` is (the same ``st.App`` and middleware, the app's ``.streamlit`` settings).
BARE_BUTTON_PAGE = """import sys
sys.path.insert(0, {repo!r})
import streamlit as st

if __name__ == "__main__":
    st.session_state.setdefault("n", 0)
    if st.button("Next"):
        st.session_state["n"] += 1
    st.header(f"Step {{st.session_state['n']}}")
else:  # served like app.py
    from lib.web import serving

    app = st.App(__file__, middleware=serving.middleware(st.get_option("server.baseUrlPath")))
"""

#: Installed in the page before each input: the time of the user's last click or key press.
#: (The script state is read when drawn, not watched: a quick rerun's "running" and "notRunning"
#: reach the DOM in one React commit, so no attribute change is ever seen for it.)
WATCH = """() => {
  window.__clk = {t0: null};
  if (!window.__clkListeners) {
    window.__clkListeners = true;
    const mark = () => { if (window.__clk) window.__clk.t0 = performance.now(); };
    document.addEventListener('click', mark, true);
    document.addEventListener('keydown', mark, true);
  }
}"""

#: The view's signature: its headings, and (for a page with a map) the map's features.
SIGNATURE = """() => {
  const heads = Array.from(document.querySelectorAll(
    '[data-testid="stMain"] h1, [data-testid="stMain"] h2, [data-testid="stMain"] h3')).map(e => e.innerText).join('|');
  const f = document.querySelector('iframe[title*="streamlit_folium"]');
  let feats = '';
  try {
    const win = f && f.contentWindow;
    if (win && win.map) {
      const out = [];
      win.map.eachLayer(l => { if (l.feature) out.push(JSON.stringify(l.feature.properties)); });
      feats = out.join(';') + '#' + win.document.querySelectorAll('path.leaflet-interactive').length;
    }
  } catch (e) { feats = 'unreadable'; }
  return heads + '||' + feats;
}"""

#: True (the time, in the page's clock) once the new view is drawn.
DRAWN = (
    """([before, needMap]) => {
  const w = window.__clk;
  if (!w || w.t0 === null) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-stale="true"]') || document.querySelector('[data-testid="stSkeleton"]')) return false;
  const charts = Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'));
  if (!charts.every(c => c.querySelector('canvas, svg'))) return false;
  const sig = ("""
    + SIGNATURE
    + """)();
  if (sig === before) return false;
  // on the map page, the map itself must have changed (its features) and its polygons be drawn
  if (needMap && (sig.split('||')[1] === before.split('||')[1] || !/#([1-9][0-9]+)$/.test(sig))) return false;
  return performance.now() - w.t0;
}"""
)


def write_bare_button_page(folder: Path) -> Path:
    """Write :data:`BARE_BUTTON_PAGE` and the app's ``.streamlit`` settings into ``folder``."""
    script = folder / "bare_button.py"
    script.write_text(BARE_BUTTON_PAGE.format(repo=str(REPO)))
    shutil.copytree(REPO / ".streamlit", folder / ".streamlit", dirs_exist_ok=True)
    return script


def _pick(page, label: str, forward: bool) -> None:
    """Open the select box ``label`` and take the option after (or before) the current one."""
    box = page.get_by_role("combobox", name=label).first
    box.click()
    page.get_by_role("listbox").first.wait_for(timeout=30_000)
    page.keyboard.press("ArrowDown" if forward else "ArrowUp")
    page.keyboard.press("Enter")


def _act(name: str, page, forward: bool) -> None:
    """The user's input for interaction ``name`` (forward, or back to where it was)."""
    if name == BARE:
        page.get_by_role("button", name="Next").first.click()
    elif name == "presentation mode: Next":
        page.get_by_role("button", name=re.compile("Next" if forward else "Previous")).first.click()
    elif name == "Map page: change the indicator":
        _pick(page, "Indicator", forward)
    elif name == "profile: choose another neighbourhood":
        body = page.locator('[data-testid="stPopoverBody"]')
        if not (body.count() and body.first.is_visible()):
            page.locator(
                '[data-testid="stSidebar"] [data-testid="stPopover"] button', has_text="Change neighbourhood"
            ).click()
            body.first.wait_for(timeout=30_000)
        _pick(page, "Neighbourhood", forward)
    else:
        raise ValueError(name)


def _measure(page, name: str, forward: bool, timeout_ms: float = 60_000) -> float:
    """Milliseconds from the input of ``name`` to the new view drawn (:data:`DRAWN`)."""
    from tests.e2e.conftest import wait_ready

    wait_ready(page, timeout=timeout_ms)
    page.wait_for_timeout(300)  # let the last view settle (a map's frame loads after the run)
    before = page.evaluate(SIGNATURE)
    page.evaluate(WATCH)
    _act(name, page, forward)
    try:
        ms = page.wait_for_function(DRAWN, arg=[before, name.startswith("Map")], polling="raf", timeout=timeout_ms)
    except Exception as exc:
        state = page.evaluate("() => JSON.stringify(window.__clk)")
        after = page.evaluate(SIGNATURE)
        raise RuntimeError(
            f"{name}: the new view was not seen drawn ({state}; view changed: {after != before}; "
            f"before {before[:200]!r}, after {after[:200]!r})"
        ) from exc
    return float(ms.json_value())


def _same_origin(origin: str):
    """A route handler: requests to the app itself go ahead, any other origin is refused (offline)."""

    def handle(route, request=None) -> None:
        url = route.request.url
        route.continue_() if url.startswith((origin, "data:", "blob:")) else route.abort()

    return handle


def click_to_drawn(app_url: str, bare_url: str, repeats: int) -> dict[str, list[float]]:
    """Milliseconds from click to drawn, per interaction (:data:`CLICKS`) and the bare page, per repeat.

    The interactions are taken in turn within each repeat (bare page first), so a busy moment of
    the machine falls on all of them."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, LAUNCH_ARGS, wait_ready

    urls = {BARE: bare_url, **{name: f"{app_url}/{path}" for name, path in CLICKS.items()}}
    times: dict[str, list[float]] = {name: [] for name in urls}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        try:
            pages = {}
            for name, url in urls.items():
                ctx = browser.new_context(viewport={"width": 1400, "height": 900})
                page = ctx.new_page()
                origin = "/".join(url.split("/", 3)[:3])
                page.route("**/*", _same_origin(origin))
                page.goto(url)
                wait_ready(page, timeout=120_000)
                _measure(page, name, True)  # warm-up: the server's caches, the browser's first draw
                _measure(page, name, False)
                pages[name] = page
            for i in range(repeats):
                for name, page in pages.items():
                    times[name].append(_measure(page, name, forward=i % 2 == 0))
        finally:
            browser.close()
    return times


def click_report(times: dict[str, list[float]], repeats: int) -> tuple[list[str], bool]:
    """Section 7 of BENCHMARKS.md, and whether every target was met."""
    bare = statistics.median(times[BARE])
    lines = [
        "",
        "## 7. Click to drawn (headless Chromium, ratio to a bare page's button rerun)",
        "",
        f"{repeats} inputs each (forward and back in turn), after one warm-up each way. From the user's click or key press "
        "(the page's own clock) to the first frame at which the script is not running, nothing is faded, every chart "
        "is drawn and the view has changed (its headings; on the Map page, the map's features). "
        f"Target: each within {CLICK_TARGET:g}× of the bare page's button rerun (`BARE_BUTTON_PAGE` in `bench/clicks.py`).",
        "",
        "| interaction | median ms | max ms | ratio to bare | target | met |",
        "|---|---|---|---|---|---|",
    ]
    ok_all = True
    for name, ts in times.items():
        med = statistics.median(ts)
        if name == BARE:
            lines.append(f"| {name} | {med:.0f} | {max(ts):.0f} | 1.00 | – | – |")
            continue
        ratio = med / bare
        ok = ratio <= CLICK_TARGET
        ok_all &= ok
        lines.append(
            f"| {name} | {med:.0f} | {max(ts):.0f} | {ratio:.2f} | ≤ {CLICK_TARGET:g}× | {'met' if ok else '**NOT MET**'} |"
        )
    return lines, ok_all
