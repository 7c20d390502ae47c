"""lib.web.serving: HTML pages get the server's address; nothing else is touched."""

from __future__ import annotations

import asyncio
import gzip
from concurrent.futures import ThreadPoolExecutor

import pytest

from lib.web.serving import (
    FOCUS_CSS,
    POPOVER_FOCUS_SCRIPT,
    BackendBaseUrl,
    base_url_script,
    inject_after_head,
    page_scripts,
)
from tests.conftest import REPO


def _run(coro) -> None:
    """Run ``coro`` to the end in a thread of its own (a browser test may have left an event loop
    running in this one)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coro).result()


PAGE = b"<!DOCTYPE html><html><head><title>x</title><script type=module src=./static/js/index.js></script></head><body></body></html>"


def _serve(body: bytes, content_type: bytes, extra=(), method: str = "GET", chunks: int = 1, base_path: str = ""):
    """Run the middleware around a one-response app; return (start message, body sent)."""

    async def inner(scope, receive, send):
        headers = [
            (b"content-type", content_type),
            (b"content-length", str(len(body)).encode()),
            (b"etag", b'"abc"'),
            *extra,
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        step = max(1, -(-len(body) // chunks))
        parts = [body[i : i + step] for i in range(0, len(body), step)] or [b""]
        for i, part in enumerate(parts):
            await send({"type": "http.response.body", "body": part, "more_body": i < len(parts) - 1})

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    _run(
        BackendBaseUrl(inner, base_path=base_path)(
            {"type": "http", "method": method, "path": "/compare"}, receive, send
        )
    )
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


@pytest.mark.parametrize("chunks", [1, 3])
def test_an_html_page_gets_the_script_first_in_head_and_a_true_length(chunks):
    start, body = _serve(PAGE, b"text/html; charset=utf-8", chunks=chunks)
    script = (base_url_script("") + POPOVER_FOCUS_SCRIPT + FOCUS_CSS).encode()
    assert page_scripts("") == script.decode()
    assert body.startswith(b"<!DOCTYPE html><html><head>" + script + b"<title>")
    assert (
        body.count(b"BACKEND_BASE_URL") == 1
        and body.count(b"stPopoverBody") == 1
        and body.count(FOCUS_CSS.encode()) == 1
    )
    headers = dict(start["headers"])
    assert int(headers[b"content-length"]) == len(body)
    assert b"etag" not in headers  # the body changed


def test_a_gzipped_page_is_read_and_sent_plain():
    start, body = _serve(gzip.compress(PAGE), b"text/html", extra=[(b"content-encoding", b"gzip")])
    headers = dict(start["headers"])
    assert b"content-encoding" not in headers and int(headers[b"content-length"]) == len(body)
    assert body == inject_after_head(PAGE, page_scripts(""))


@pytest.mark.parametrize("content_type", [b"application/javascript", b"application/json", b"image/png"])
def test_other_responses_pass_untouched(content_type):
    start, body = _serve(PAGE, content_type)
    assert body == PAGE and dict(start["headers"])[b"etag"] == b'"abc"'


def test_head_requests_and_unknown_encodings_pass_untouched():
    assert _serve(PAGE, b"text/html", method="HEAD")[1] == PAGE
    br = b"\x8b\x00not-really-brotli"
    assert _serve(br, b"text/html", extra=[(b"content-encoding", b"br")])[1] == br


def test_the_address_follows_the_base_path_and_is_inert_text():
    assert 'new URL("/", window.location.origin)' in base_url_script("")
    assert 'new URL("/profiles/", window.location.origin)' in base_url_script("/profiles/")
    evil = base_url_script('x"</script><script>alert(1)</script>')
    assert evil.count("</script>") == 1 and evil.endswith("</script>") and "<script>alert" not in evil


def test_injection_is_idempotent_and_needs_a_head():
    once = inject_after_head(PAGE, "<script>1</script>")
    assert inject_after_head(once, "<script>1</script>") == once
    assert inject_after_head(b"<html><body></body></html>", "<script>1</script>") == b"<html><body></body></html>"


def _static(tmp_path, path: str, method: str = "GET", base_path: str = ""):
    """Run StaticFromMemory over a folder with one build file; return (status or 'passed on', headers, body)."""
    from lib.web.serving import StaticFromMemory

    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "static" / "js" / "index.Ab12.js").write_bytes(b"export const x = 1;")
    (tmp_path / "secret.txt").write_text("no")
    passed = []

    async def inner(scope, receive, send):
        passed.append(scope["path"])

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    mw = StaticFromMemory(inner, static_dir=tmp_path, base_path=base_path)
    _run(mw({"type": "http", "method": method, "path": path}, receive, send))
    if passed:
        return "passed on", {}, b""
    return sent[0]["status"], dict(sent[0]["headers"]), sent[1]["body"]


def test_build_files_come_from_memory_with_their_type_and_cache_rule(tmp_path):
    status, headers, body = _static(tmp_path, "/static/js/index.Ab12.js")
    assert status == 200 and body == b"export const x = 1;"
    assert headers[b"content-type"] == b"application/javascript" and int(headers[b"content-length"]) == len(body)
    assert headers[b"cache-control"] == b"public, immutable, max-age=31536000"
    assert _static(tmp_path / "b", "/static/js/index.Ab12.js", method="HEAD")[2] == b""
    assert _static(tmp_path / "c", "/profiles/static/js/index.Ab12.js", base_path="profiles")[0] == 200


@pytest.mark.parametrize(
    "path",
    [
        "/static/js/missing.js",
        "/static/js/../../secret.txt",
        "/static/js/%2e%2e/x",
        "/secret.txt",
        "/compare",
        "/_stcore/health",
        "/static/other/index.Ab12.js",
    ],
)
def test_anything_else_goes_on_to_streamlit(tmp_path, path):
    assert _static(tmp_path, path)[0] == "passed on"


def test_listening_sockets_get_no_delay_and_pass_it_to_their_connections():
    """As Streamlit binds it (protocol 0, so asyncio skips TCP_NODELAY), then fixed."""
    import socket

    from lib.web.serving import no_delay_on_listening_sockets

    listener = socket.socket(family=socket.AF_INET)  # proto 0, like Streamlit's _bind_socket
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    other = socket.socket(family=socket.AF_INET)  # not listening: left alone
    try:
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        assert no_delay_on_listening_sockets() >= 1
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        assert other.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        client = socket.create_connection(listener.getsockname())
        conn, _ = listener.accept()
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1  # inherited
        conn.close()
        client.close()
        listener.getsockname()  # still open: the scan detached, it did not close
    finally:
        listener.close()
        other.close()


def test_no_proc_folder_means_nothing_done(tmp_path):
    from lib.web.serving import no_delay_on_listening_sockets

    assert no_delay_on_listening_sockets(str(tmp_path / "missing")) == 0


def test_the_pages_libraries_are_loaded_and_frozen_at_start():
    """load_and_freeze imports every lib module and moves what is alive out of the collector's
    generations (in a fresh interpreter: freezing this one would outlive the test)."""
    import subprocess
    import sys

    code = (
        "import gc, sys\n"
        "from lib.web import serving\n"
        "n = serving.load_and_freeze(modules=('json',))\n"
        "import lib.views.profile, lib.views.map, lib.render.maps\n"
        "tracked = {id(o) for o in gc.get_objects()}\n"
        "def made_later(): pass\n"
        "print(n > 10000 and gc.get_freeze_count() > 10000, 'lib.views.map' in sys.modules and 'json' in sys.modules,\n"
        "      id(lib.views.profile_summary.board_summary) in tracked, id(lib.render.maps.build_map) in tracked, id(made_later) in {id(o) for o in gc.get_objects()})\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout.split()
    assert out == ["True", "True", "False", "False", "True"], out
