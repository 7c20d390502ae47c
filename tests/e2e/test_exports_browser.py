"""End to end: the profile page's deck button delivers a PowerPoint file that opens."""

from __future__ import annotations

import io

from tests.e2e.conftest import assert_no_exception, screenshot, wait_ready


def test_deck_download_delivers_pptx(offline_page, app_url):
    from pptx import Presentation

    page = offline_page
    page.goto(f"{app_url}/profile?nbhd=C2&bench=england&level=95")
    wait_ready(page, timeout=60_000)
    assert_no_exception(page)
    page.get_by_text("Export: slide deck and PDF profile").click()
    button = page.get_by_role("button", name="Slide deck (PowerPoint)")
    button.wait_for(timeout=30_000)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "neighbourhood_C2.pptx"
    raw = open(download.path(), "rb").read()
    prs = Presentation(io.BytesIO(raw))
    assert len(prs.slides) == 8
    screenshot(page, "exports_profile")
    assert_no_exception(page)
    assert not page.blocked_requests, page.blocked_requests
