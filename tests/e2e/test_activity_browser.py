"""Activity shift in a real browser: upload the synthetic sample, see SPC charts; upload a bad
file, see the message while the previous charts stay."""

from __future__ import annotations

from tests.e2e.conftest import REPO, assert_no_exception, screenshot, wait_ready

SAMPLE = REPO / "profiles" / "samples" / "SYNTHETIC_activity_sample.csv"


def _charts(page) -> int:
    return page.locator('[data-testid="stVegaLiteChart"]').count()


def test_upload_sample_then_bad_file(offline_page, app_url):
    page = offline_page
    page.goto(f"{app_url}/activity?nbhd=N1&view=tracker")
    wait_ready(page)
    assert_no_exception(page)
    page.get_by_text("No activity loaded yet", exact=False).wait_for(timeout=30_000)
    wait_ready(page)
    before = _charts(page)

    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    uploader.set_input_files(str(SAMPLE))
    page.get_by_text("SYNTHETIC SAMPLE DATA", exact=False).first.wait_for(timeout=30_000)
    wait_ready(page)
    assert_no_exception(page)
    page.wait_for_function(
        f"document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]').length >= {before + 3}", timeout=30_000
    )
    assert page.get_by_text("Special cause variation", exact=False).count() >= 1
    page.get_by_text("Special cause variation", exact=False).first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot(page, "activity_sample_loaded")

    uploader.set_input_files(
        files=[
            {
                "name": "wrong_columns.csv",
                "mimeType": "text/csv",
                "buffer": b"code,month,measure,count\nN1,2019-01,ae_attendances,5\n",
            }
        ]
    )
    page.get_by_text("wrong_columns.csv could not be used", exact=False).wait_for(timeout=30_000)
    wait_ready(page)
    assert_no_exception(page)
    err = page.locator('[data-testid="stAlert"]').filter(has_text="could not be used").first
    assert "Missing column(s): neighbourhood_code, measure_id" in err.inner_text()
    assert "previously loaded data is still shown" in err.inner_text()
    assert _charts(page) >= before + 3
    assert page.get_by_text("SYNTHETIC SAMPLE DATA", exact=False).count() >= 1
    err.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot(page, "activity_bad_upload")
    # The router's page icon (app.py, :material/trending_down:) is fetched as a favicon from
    # fonts.gstatic.com and blocked offline; nothing this page draws needs the network.
    assert page.blocked_requests == []
