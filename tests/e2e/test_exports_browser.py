"""End to end: the profile page's deck button delivers a PowerPoint file that opens."""

from __future__ import annotations

import io

from tests.e2e.conftest import assert_no_exception, screenshot, wait_ready


def _download_deck(page):
    """Open the profile's export popover and download its slide deck; return the download."""
    page.get_by_text("Export: slide deck and PDF profile").click()
    button = page.get_by_role("button", name="Slide deck (PowerPoint)")
    button.wait_for(timeout=30_000)
    with page.expect_download(timeout=90_000) as info:
        button.click()
    return info.value


def test_deck_download_delivers_pptx(offline_page, app_url):
    from pptx import Presentation

    page = offline_page
    page.goto(f"{app_url}/profile?nbhd=C2&bench=england&level=95")
    wait_ready(page, timeout=60_000)
    assert_no_exception(page)
    download = _download_deck(page)
    assert download.suggested_filename == "neighbourhood_C2.pptx"
    raw = open(download.path(), "rb").read()
    prs = Presentation(io.BytesIO(raw))
    assert len(prs.slides) == 8
    screenshot(page, "exports_profile")
    assert_no_exception(page)
    assert not page.blocked_requests, page.blocked_requests


def test_chart_images_are_made_when_asked_for(offline_page, app_url):
    """Compare areas and the profile draw their figures as tables; the chart image for slides is
    built only when its button is clicked, and is a real PNG and SVG with the title in it."""
    import re

    page = offline_page
    for path, name, title in (
        (
            "compare?nbhd=C2&ind=children_low_income&period=2021%2F22",
            "compare_children_low_income_2021-22",
            "the 12 neighbourhoods",
        ),
        ("profile?nbhd=C2", "spine_C2", "how it compares with England"),
    ):
        page.goto(f"{app_url}/{path}")
        wait_ready(page, timeout=60_000)
        assert page.locator('[data-testid="stVegaLiteChart"]').count() == 0  # the table, not the chart library
        page.locator('[data-testid="stPopover"] button', has_text="Download image").first.click()
        png = page.get_by_role("button", name="Image (PNG)")
        png.wait_for(timeout=30_000)
        with page.expect_download(timeout=60_000) as info:
            png.click()
        raw = open(info.value.path(), "rb").read()
        assert info.value.suggested_filename == f"{name}.png"
        assert raw[:8] == b"\x89PNG\r\n\x1a\n" and len(raw) > 20_000
        svg_button = page.get_by_role("button", name="Image (SVG)")
        with page.expect_download(timeout=60_000) as info:
            svg_button.click()
        svg = open(info.value.path(), encoding="utf-8").read()
        assert svg.lstrip().startswith("<svg") and re.search(re.escape(title), svg, re.IGNORECASE), svg[:300]
        assert_no_exception(page)
        page.keyboard.press("Escape")


def test_deck_and_pdf_hold_the_sessions_own_data(offline_page, app_url):
    """The deck and PDF are made when clicked, outside the page's run: they must still be built
    from this session's data (its uploaded indicator, named in their sources), not the shared
    dataset."""
    from pptx import Presentation
    from pypdf import PdfReader

    from tests.e2e.test_own_data_browser import SMALL, _upload

    page = offline_page
    page.goto(f"{app_url}/own_data")
    wait_ready(page, timeout=60_000)
    _upload(page, "small_counts_SYNTHETIC.csv", SMALL)
    page.get_by_text("SYNTHETIC small counts (your data)", exact=False).first.wait_for(timeout=60_000)
    wait_ready(page, timeout=60_000)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Neighbourhood profile").first.click()  # same session
    wait_ready(page, timeout=60_000)
    assert_no_exception(page)
    prs = Presentation(io.BytesIO(open(_download_deck(page).path(), "rb").read()))
    deck_text = " ".join(
        shape.text_frame.text for slide in prs.slides for shape in slide.shapes if shape.has_text_frame
    )
    assert "Your data: small_counts_SYNTHETIC.csv" in deck_text  # in the sources of the slides built from the profile
    with page.expect_download(timeout=90_000) as info:
        page.get_by_role("button", name="One-page profile (PDF)").click()
    pdf_text = " ".join(p.extract_text() for p in PdfReader(info.value.path()).pages)
    assert "Your data: small_counts_SYNTHETIC.csv" in " ".join(pdf_text.split())
    assert_no_exception(page)
