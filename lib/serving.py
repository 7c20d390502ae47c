"""How the app is served: an ASGI middleware that tells the browser where the server is.

Streamlit's page at a deep link (``/compare``) does not know whether ``/compare`` is a page or the
prefix the app is served under, so before it connects it probes ``/compare/_stcore/health``, gets
a 404, and tries again at the root after a pause: every deep link, bookmark and presentation link
pays that round trip (about a tenth of a first page load, see ``BENCHMARKS.md``). Streamlit reads
the server's address from ``window.__streamlit.BACKEND_BASE_URL`` when a host page sets it;
:class:`BackendBaseUrl` sets it in the HTML page, from the app's own ``server.baseUrlPath``, so the
first probe is the right one.

Pure ASGI (no Streamlit import): ``app.py`` installs it with ``st.App(..., middleware=[...])``.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Headers that describe the original body and no longer hold once it is changed.
_STALE = {b"content-length", b"content-encoding", b"etag", b"last-modified"}


def base_url_script(base_path: str = "") -> str:
    """The inline script that sets ``window.__streamlit.BACKEND_BASE_URL`` to this origin plus
    ``base_path`` (Streamlit's ``server.baseUrlPath``, e.g. ``""`` or ``"profiles"``), keeping
    anything a host page set there before."""
    path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    literal = json.dumps(path).replace("<", "\\u003c")  # a JS string that cannot close the script tag
    return ("<script>window.__streamlit = Object.assign({}, window.__streamlit, "
            f"{{BACKEND_BASE_URL: new URL({literal}, window.location.origin).href}});</script>")


def inject_after_head(page: bytes, snippet: str) -> bytes:
    """``page`` with ``snippet`` placed right after its ``<head>`` tag (so it runs before the
    page's own scripts); unchanged if there is no ``<head>`` or the snippet is already there."""
    text = page.decode("utf-8")
    if snippet in text:
        return page
    at = text.find("<head>")
    if at < 0:
        return page
    at += len("<head>")
    return (text[:at] + snippet + text[at:]).encode("utf-8")


class BackendBaseUrl:
    """ASGI middleware: every HTML page the server sends gets :func:`base_url_script`."""

    def __init__(self, app: ASGIApp, base_path: str = "") -> None:
        self.app = app
        self.snippet = base_url_script(base_path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body: list[bytes] = []

        async def send_page(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                if message.get("status") == 200 and headers.get(b"content-type", b"").startswith(b"text/html"):
                    start = message  # hold it: the length changes
                    return
                await send(message)
                return
            if message["type"] == "http.response.body" and start is not None:
                body.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                await self._send_changed(start, b"".join(body), send, head_only=scope.get("method") == "HEAD")
                return
            await send(message)

        await self.app(scope, receive, send_page)

    async def _send_changed(self, start: Message, raw: bytes, send: Send, head_only: bool) -> None:
        headers = list(start.get("headers", []))
        encoding = next((v for k, v in headers if k.lower() == b"content-encoding"), b"")
        if head_only or encoding not in (b"", b"identity", b"gzip"):
            await send(start)  # nothing to change (a HEAD request) or an encoding this does not read
            await send({"type": "http.response.body", "body": raw})
            return
        page = gzip.decompress(raw) if encoding == b"gzip" else raw
        page = inject_after_head(page, self.snippet)
        headers = [(k, v) for k, v in headers if k.lower() not in _STALE] + [(b"content-length", str(len(page)).encode())]
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": page})
