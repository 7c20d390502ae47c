"""lib.web.serving: HTML pages get the server's address; nothing else is touched. Each workaround
has a test that fails loudly if Streamlit (or Python) changes the behaviour it works around."""

from __future__ import annotations

import asyncio
import gzip
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from lib.web.serving import FOCUS_CSS, POPOVER_FOCUS_SCRIPT, PageHead, base_url_script, inject_after_head, page_scripts
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

    _run(PageHead(inner, base_path=base_path)({"type": "http", "method": method, "path": "/compare"}, receive, send))
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
        "import lib.views.profile_summary, lib.views.map, lib.render.maps\n"
        "tracked = {id(o) for o in gc.get_objects()}\n"
        "def made_later(): pass\n"
        "print(n > 10000 and gc.get_freeze_count() > 10000, 'lib.views.map' in sys.modules and 'json' in sys.modules,\n"
        "      id(lib.views.profile_summary.board_summary) in tracked, id(lib.render.maps.build_map) in tracked, id(made_later) in {id(o) for o in gc.get_objects()})\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout.split()
    assert out == ["True", "True", "False", "False", "True"], out


# --------------------------------------------------------------------------- the behaviours worked around


def test_streamlit_still_reads_its_server_address_from_window_streamlit():
    """``base_url_script`` works only while Streamlit's page reads ``window.__streamlit``'s
    ``BACKEND_BASE_URL`` and its HTML has a bare ``<head>`` to inject after. If this fails after a
    Streamlit upgrade, the workaround does nothing: re-measure deep links (``make bench``, section 6)."""
    import re

    import streamlit

    static = Path(streamlit.__file__).parent / "static"
    index = (static / "index.html").read_text(encoding="utf-8")
    assert "<head>" in index, "Streamlit's index.html has no bare <head>: inject_after_head would leave it unchanged"
    entry = re.search(r'<script type="module"[^>]* src="\./(static/js/index\.[^"]+\.js)"', index)
    assert entry, "Streamlit's index.html no longer loads static/js/index.*.js"
    bundle = (static / entry.group(1)).read_text(encoding="utf-8")
    assert "window.__streamlit" in bundle and "BACKEND_BASE_URL" in bundle, (
        "Streamlit's page no longer reads window.__streamlit.BACKEND_BASE_URL: base_url_script no longer tells it where the server is"
    )


TINY_APP = """import json, os, socket
from pathlib import Path

import streamlit as st

if __name__ == "__main__":
    st.write("x")
else:
    def tcp_sockets():
        found = []
        for name in os.listdir("/proc/self/fd"):
            try:
                sock = socket.socket(fileno=int(name))
            except (OSError, ValueError):
                continue
            try:
                if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
                    found.append({"listening": bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)),
                                  "nodelay": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)})
            except OSError:
                pass
            finally:
                sock.detach()
        return found

    class Record:
        def __init__(self, app):
            self.app = app

        async def __call__(self, scope, receive, send):
            if scope["type"] == "http" and scope["path"] == "/record":
                Path(__file__).with_suffix(".json").write_text(json.dumps(tcp_sockets()))
            await self.app(scope, receive, send)

    if os.environ.get("FIX") == "1":
        import sys
        sys.path.insert(0, {repo!r})
        from lib.web.serving import no_delay_on_listening_sockets
        no_delay_on_listening_sockets()
    from starlette.middleware import Middleware

    app = st.App(__file__, middleware=[Middleware(Record)])
"""


@pytest.mark.parametrize("fix", [False, True], ids=["as Streamlit serves", "with no_delay_on_listening_sockets"])
def test_streamlit_still_serves_connections_without_tcp_nodelay(tmp_path, monkeypatch, fix):
    """A real ``streamlit run`` of a tiny app: the connection it accepted for a request has
    ``TCP_NODELAY`` off (so each response's body waits 40 ms for the browser's delayed
    acknowledgement), and on with the fix. If the first case fails after a Streamlit upgrade,
    Streamlit sets it itself: ``no_delay_on_listening_sockets`` is no longer needed."""
    import json
    import urllib.request

    from tests.e2e.conftest import start_server, stop_server

    script = tmp_path / "tiny.py"
    script.write_text(TINY_APP.replace("{repo!r}", repr(str(REPO))))
    monkeypatch.setenv("FIX", "1" if fix else "0")
    proc, url = start_server(script, cwd=tmp_path)
    try:
        urllib.request.urlopen(f"{url}/record", timeout=30).read()
    finally:
        stop_server(proc)
    found = json.loads(script.with_suffix(".json").read_text())
    listening = [s["nodelay"] for s in found if s["listening"]]
    accepted = [s["nodelay"] for s in found if not s["listening"]]
    assert listening and accepted, found
    if fix:
        assert all(listening) and all(accepted), found
    else:
        assert not any(listening) and not any(accepted), (
            f"Streamlit now serves connections with TCP_NODELAY on ({found}): no_delay_on_listening_sockets can go"
        )


def test_streamlit_still_binds_its_socket_with_protocol_number_0():
    """Why asyncio skips ``TCP_NODELAY``: it sets it only on sockets whose protocol is TCP, and
    Streamlit creates its listening socket with protocol 0."""
    import socket

    from streamlit.web.server.starlette import starlette_server

    sock = starlette_server._bind_socket("127.0.0.1", 0, 8)
    try:
        assert sock.proto == 0, (
            f"Streamlit now binds with protocol {sock.proto}: re-check no_delay_on_listening_sockets"
        )
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
    finally:
        sock.close()


def test_freezing_still_shrinks_what_a_full_collection_walks():
    """With the pages' libraries loaded, a full garbage collection walks well over 100,000 objects;
    after ``load_and_freeze`` it walks a small fraction of them, in under half the time (measured in
    a fresh interpreter by the benchmark's ``full_collections``). The bench switch leaves them unfrozen."""
    from bench.run import full_collections

    gcs = full_collections()
    unfrozen, frozen = gcs["unfrozen"], gcs["frozen"]
    assert gcs["frozen by the switched-off load"] == 0
    assert unfrozen["objects"] > 100_000, (
        f"only {unfrozen['objects']} objects tracked with the libraries loaded: is gc.freeze still worth it?"
    )
    assert frozen["objects"] < unfrozen["objects"] / 10, (
        f"gc.freeze left {frozen['objects']} of {unfrozen['objects']} objects to full collections"
    )
    assert frozen["ms"] < unfrozen["ms"] / 2, (
        f"a full collection took {frozen['ms']:.0f} ms frozen, {unfrozen['ms']:.0f} ms not"
    )


# --------------------------------------------------------------------------- the bench switch


def test_the_bench_switch_leaves_out_what_it_names(monkeypatch):
    from lib.web import serving

    monkeypatch.delenv(serving.OFF_SWITCH, raising=False)
    assert serving.turned_off() == set()
    full = serving.middleware("profiles")
    assert [m.cls for m in full] == [serving.DefaultPagePath, serving.PageHead]
    assert full[1].kwargs == {"base_path": "profiles", "base_url": True}
    monkeypatch.setenv(serving.OFF_SWITCH, "nodelay, baseurl")
    assert serving.turned_off() == {"nodelay", "baseurl"}
    cut = serving.middleware("profiles")
    assert [m.cls for m in cut] == [serving.DefaultPagePath, serving.PageHead]
    assert cut[1].kwargs == {"base_path": "profiles", "base_url": False}
    assert "BACKEND_BASE_URL" not in serving.page_scripts("", base_url=False)
    assert serving.page_scripts("", base_url=False) == POPOVER_FOCUS_SCRIPT + FOCUS_CSS
    monkeypatch.setenv(serving.OFF_SWITCH, "static")
    with pytest.raises(ValueError, match="static"):
        serving.turned_off()


# --------------------------------------------------------------------------- links to the Overview


def _request(path: str, query: bytes = b"", base_path: str = "", method: str = "GET"):
    """Run :class:`DefaultPagePath` around an app that answers 200; return (status, headers, reached)."""
    from lib.web.serving import DefaultPagePath

    reached = []

    async def inner(scope, receive, send):
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"page"})

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": "http", "method": method, "path": path, "query_string": query}
    _run(DefaultPagePath(inner, base_path=base_path)(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], dict(start["headers"]), reached


def test_a_link_to_the_overview_by_name_is_sent_to_the_root_with_its_query():
    status, headers, reached = _request("/overview", b"nbhd=S3&bench=rest")
    assert (status, headers[b"location"], reached) == (302, b"/?nbhd=S3&bench=rest", [])
    assert _request("/overview/")[1][b"location"] == b"/"
    status, headers, _ = _request("/profiles/overview", b"nbhd=S3", base_path="profiles")
    assert headers[b"location"] == b"/profiles/?nbhd=S3"


def test_other_paths_are_left_alone():
    for path in ("/", "/profile", "/overview.js", "/static/overview", "/_stcore/health"):
        status, _, reached = _request(path)
        assert (status, reached) == (200, [path])
    assert _request("/overview", method="POST")[2] == ["/overview"]
    assert _request("/overview", base_path="profiles")[2] == ["/overview"]  # not this app's page


def test_streamlit_still_serves_the_default_page_at_the_root_whatever_its_url_path():
    """Fails when Streamlit honours a default page's ``url_path``: then ``DefaultPagePath`` can go."""
    import streamlit as st

    from lib.web.serving import DEFAULT_PAGE_PATH

    page = st.Page(str(REPO / "pages" / "overview.py"), default=True, url_path=DEFAULT_PAGE_PATH)
    assert page.url_path == ""
    assert "url_path=serving.DEFAULT_PAGE_PATH" in (REPO / "app.py").read_text()
