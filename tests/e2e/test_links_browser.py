"""End to end: links (issue 19). A shared link to the Overview opens it; export links name the
server the page was opened from."""

from __future__ import annotations

from tests.e2e.conftest import assert_no_exception, wait_ready

#: Records, from before the page's own scripts run, every time the words appear in the page.
WATCH_NOT_FOUND = """
window.__notFound = [];
new MutationObserver(() => {
    const text = document.body ? document.body.innerText : "";
    if (text.includes("Page not found")) window.__notFound.push(location.href);
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


def _message_kind(frame: bytes | str) -> str | None:
    """The kind of one message from the server (``page_not_found`` is what opens the dialog)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg()
    try:
        msg.ParseFromString(frame if isinstance(frame, bytes) else frame.encode("latin-1"))
    except Exception:  # not a message of this kind: nothing to record
        return None
    return msg.WhichOneof("type")


def test_a_link_to_the_overview_opens_it_without_page_not_found(offline_page, app_url):
    page = offline_page
    # A session has run already: the first session of a fresh server goes through Streamlit's
    # legacy pages/ router, which happens to know "overview"; every later one did not.
    warm = page.context.new_page()
    warm.goto(f"{app_url}/")
    wait_ready(warm, timeout=60_000)
    warm.close()
    kinds: list[str | None] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: kinds.append(_message_kind(f))))
    page.add_init_script(WATCH_NOT_FOUND)
    page.goto(f"{app_url}/overview?nbhd=S3")
    wait_ready(page, timeout=60_000)
    page.wait_for_timeout(1000)  # a dialog would come with the first run
    assert "script_finished" in kinds  # the messages were seen
    assert "page_not_found" not in kinds
    assert page.evaluate("window.__notFound") == []
    assert "nbhd=S3" in page.url
    assert "S3 · Wythenshawe" in page.locator('[data-testid="stSidebar"]').inner_text()
    assert "12 integrated neighbourhoods" in page.locator('[data-testid="stMain"]').inner_text()
    assert_no_exception(page)
    assert not page.blocked_requests, page.blocked_requests


def test_export_links_name_the_server_the_page_was_opened_from(offline_page, app_url):
    """NP_PUBLIC_URL is not set for the test server: the deck's and the image's links back use the
    address the browser opened (127.0.0.1 and its free port), not http://localhost:8501."""
    import io

    from pptx import Presentation

    from tests.e2e.test_exports_browser import _download_deck

    page = offline_page
    page.goto(f"{app_url}/profile?nbhd=C2&bench=england&level=95")
    wait_ready(page, timeout=60_000)
    prs = Presentation(io.BytesIO(open(_download_deck(page).path(), "rb").read()))
    text = " ".join(
        run.text + " " + (run.hyperlink.address or "")
        for slide in prs.slides
        for shape in slide.shapes
        if shape.has_text_frame
        for para in shape.text_frame.paragraphs
        for run in para.runs
    )
    assert f"{app_url}/profile?nbhd=C2" in text, text[:2000]
    assert "localhost:8501" not in text
    page.keyboard.press("Escape")
    page.locator('[data-testid="stPopover"] button', has_text="Download image").first.click()
    svg_button = page.get_by_role("button", name="Image (SVG)")
    svg_button.wait_for(timeout=30_000)
    with page.expect_download(timeout=60_000) as info:
        svg_button.click()
    svg = open(info.value.path(), encoding="utf-8").read()
    assert f"View: {app_url}/profile?nbhd=C2" in svg and "localhost:8501" not in svg
    assert_no_exception(page)
