"""Presentation mode on a real projector (issue 19), in headless Chromium: every step fits a
1280 x 720 and a 1920 x 1080 screen without scrolling (C3, another neighbourhood and the
registered lens); the disabled Next button on the last step keeps a visible label; the map's
neighbourhood labels do not overlap; captions and source lines are at least 20 px at 1920 x 1080
(in proportion at 1280 x 720); the slide deck and PDF are reachable from the presentation; the
cohorts and activity steps name and use one weighting."""

from __future__ import annotations

import re

import pytest

from lib.core import data
from lib.render.format import format_count
from lib.views import present as present_mode
from tests.e2e.conftest import assert_no_exception, wait_ready

SIZES = [(1920, 1080), (1280, 720)]
DESIGN_WIDTH = 1920


def _open(page, app_url: str, step: str, size: tuple[int, int], query: str = "nbhd=C3") -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{app_url}/present?present=1&step={step}&{query}")
    wait_ready(page, timeout=90_000)
    page.get_by_text(present_mode.step_label(step)).first.wait_for(timeout=30_000)
    if step == "map":
        page.frame_locator("iframe").first.locator("[data-labels-placed]").wait_for(state="attached", timeout=30_000)
    page.wait_for_function(  # every chart has drawn
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].every(c => c.querySelector('canvas, svg'))""",
        timeout=30_000,
    )
    page.wait_for_timeout(800)
    assert_no_exception(page)


_OVERFLOW = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const block = document.querySelector('[data-testid="stMainBlockContainer"]').getBoundingClientRect();
    return {doc: document.documentElement.scrollHeight - innerHeight,
            docX: document.documentElement.scrollWidth - innerWidth,
            main: main.scrollHeight - main.clientHeight, bottom: block.bottom - innerHeight};
}"""


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("query", ["nbhd=C3", "nbhd=S3", "nbhd=C3&population=registered"])
def test_every_step_fits_the_screen_without_scrolling(offline_page, app_url, query, size):
    too_tall = {}
    for step in present_mode.STEP_IDS:
        _open(offline_page, app_url, step, size, query)
        m = offline_page.evaluate(_OVERFLOW)
        if max(m.values()) > 0:
            too_tall[step] = m
    assert not too_tall, f"steps that scroll at {size} ({query}): {too_tall}"


def test_the_disabled_next_button_shows_its_label_greyed(offline_page, app_url):
    last = present_mode.STEP_IDS[-1]
    _open(offline_page, app_url, last, SIZES[0])
    button = offline_page.locator(".st-key-np_next button").first
    assert button.is_disabled()
    assert "Next" in button.inner_text()
    colours = button.evaluate(
        """b => { const p = b.querySelector('p') || b; const c = getComputedStyle(p).color, bg = getComputedStyle(b).backgroundColor;
                  return [c, bg, getComputedStyle(p).opacity, getComputedStyle(b).opacity]; }"""
    )
    text, background = (tuple(int(x) for x in re.findall(r"\d+", c)[:3]) for c in colours[:2])

    def lum(rgb):
        def lin(c):
            s = c / 255
            return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

        r, g, b = (lin(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    hi, lo = sorted((lum(text), lum(background)), reverse=True)
    contrast = (hi + 0.05) / (lo + 0.05)
    assert contrast >= 4.5, (colours, contrast)  # readable, not white on white
    assert text != (0, 0, 0) and lum(text) > 0.05, colours  # greyed, not like an active button
    assert float(colours[2]) == 1 and float(colours[3]) == 1, colours


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("query", ["nbhd=C3", "nbhd=C4"])
def test_the_map_labels_do_not_overlap(offline_page, app_url, size, query):
    _open(offline_page, app_url, "map", size, query)
    frame = offline_page.frame_locator("iframe").first
    boxes = frame.locator(".np-label span").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [e.textContent, r.left, r.top, r.right, r.bottom]; })"
    )
    assert len(boxes) == 12, boxes
    hits = [
        (a[0], b[0])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
    ]
    assert not hits, hits


_CAPTION_SIZES = """() => {
    const px = e => parseFloat(getComputedStyle(e).fontSize) * (e.currentCSSZoom || 1);
    const caps = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stCaptionContainer"] p')]
        .filter(p => p.textContent.trim()).map(px);
    const frame = document.querySelector('iframe');
    let attribution = [];
    if (frame && frame.contentDocument) {
        const zoom = frame.currentCSSZoom || 1;
        attribution = [...frame.contentDocument.querySelectorAll('.leaflet-control-attribution')]
            .map(a => parseFloat(getComputedStyle(a).fontSize) * zoom);
    }
    return {caps, attribution};
}"""


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_captions_and_source_lines_are_readable_from_the_back(offline_page, app_url, size):
    least = 20 * min(size[0] / DESIGN_WIDTH, size[1] / 1080) - 0.2  # 20 px at 1920 x 1080, in proportion below
    small = {}
    for step in present_mode.STEP_IDS:
        _open(offline_page, app_url, step, size)
        got = offline_page.evaluate(_CAPTION_SIZES)
        assert got["caps"], f"no caption on the {step} step"
        sizes = got["caps"] + got["attribution"]
        if step == "map":
            assert got["attribution"], "the map's attribution was not measured"
        if min(sizes) < least:
            small[step] = sizes
    assert not small, f"captions under {least:.1f} px at {size}: {small}"


def test_the_slide_deck_and_pdf_are_reachable_from_the_presentation(offline_page, app_url):
    _open(offline_page, app_url, "profile", SIZES[1])
    offline_page.get_by_role("button", name=re.compile("Take away")).click()
    deck = offline_page.locator('[data-testid="stDownloadButton"] button').filter(has_text="Slide deck")
    deck.first.wait_for(timeout=30_000)
    with offline_page.expect_download(timeout=120_000) as info:
        offline_page.locator('[data-testid="stDownloadButton"] button').filter(
            has_text="One-page profile (PDF)"
        ).first.click()
    assert info.value.suggested_filename == "neighbourhood_C3.pdf"
    with open(info.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"


@pytest.fixture(scope="module")
def expected_figures():
    """C3's upper-tier people and A&E share under each weighting, from lib (what the steps must show)."""
    ds = data.load_dataset()
    targets = data.load_seed("activity_targets_2020_21")
    out = {}
    for method in present_mode.WEIGHTINGS:
        pyr, shares = present_mode.pyramid_and_shares(ds, targets, method)
        upper = int(pyr.set_index("area_code").loc["C3", "highest_and_high"])
        ae = int(
            shares[(shares["neighbourhood_code"] == "C3") & (shares["measure_id"] == "ae_attendances")]["share"].iloc[0]
        )
        out[method] = (upper, ae)
    assert out["need"] != out["population"]
    return out


@pytest.mark.parametrize("method", [None, "population"])
def test_cohorts_and_activity_steps_state_and_use_one_weighting(offline_page, app_url, expected_figures, method):
    used = present_mode.weighting(method)
    query = "nbhd=C3" + (f"&method={method}" if method else "")
    upper, ae = expected_figures[used]
    other = next(m for m in present_mode.WEIGHTINGS if m != used)
    _open(offline_page, app_url, "cohorts", SIZES[0], query)
    text = offline_page.locator('[data-testid="stMain"]').inner_text()
    assert present_mode.WEIGHTINGS[used] in text and present_mode.WEIGHTINGS[other] not in text
    assert f"Highest + high risk: {upper:,} people" in text
    # moving on keeps the weighting (it is in the link)
    offline_page.locator("h1").first.click()
    offline_page.keyboard.press("ArrowRight")
    offline_page.wait_for_function(
        "() => new URL(location.href).searchParams.get('step') === 'activity'", timeout=30_000
    )
    wait_ready(offline_page, timeout=60_000)
    offline_page.get_by_text(present_mode.step_label("activity")).first.wait_for(timeout=30_000)
    text = offline_page.locator('[data-testid="stMain"]').inner_text()
    assert present_mode.WEIGHTINGS[used] in text and present_mode.WEIGHTINGS[other] not in text
    row = offline_page.locator('[data-testid="stTable"] tr').filter(has_text="Reducing A&E Activity").first.inner_text()
    assert row.split("\t")[-1].strip() == format_count(ae), row
