"""How the app is served: ASGI middleware and two start-up steps, for a faster first page (and one keyboard fix,
and links to the Overview that open it).

Each is a workaround for a behaviour of Streamlit 1.67 (a "Works around:" line in its docstring says
which); ``tests/test_serving.py`` fails loudly if an upgrade changes that behaviour, and ``make bench``
(section 6) re-measures what each gains, the app served with each one turned off in turn through the
bench switch :data:`OFF_SWITCH` (``NP_SERVING_OFF``, not a setting for users).

**Where the server is.**
Streamlit's page at a deep link (``/compare``) does not know whether ``/compare`` is a page or the
prefix the app is served under, so before it connects it probes ``/compare/_stcore/health``, gets
a 404, and tries again at the root after a pause (measured: the WebSocket opens about 100 ms later):
every deep link, bookmark and presentation link pays that. Streamlit reads the server's address
from ``window.__streamlit.BACKEND_BASE_URL`` when a host page sets it; :func:`base_url_script`
sets it in the HTML page (:class:`PageHead`), from the app's own ``server.baseUrlPath``, so the
first probe is the right one.

**Links to the Overview.** The default page is served at the app's root, whatever its
``url_path``: :class:`DefaultPagePath` redirects ``/overview?...`` there (keeping the query), so a
shared link to the Overview opens it instead of a "Page not found" dialog.

**Keyboard focus into popovers, and a visible focus ring.** Streamlit draws a popover's content at the end of the page, so
after Enter opens one, Tab walks the whole page before it reaches what is inside. Every HTML page
also gets :data:`POPOVER_FOCUS_SCRIPT`: when a popover is opened from the keyboard, focus moves to
its first control (as for a dialog). Mouse clicks are left alone. The page's head also gets
:data:`FOCUS_CSS`, a clear focus ring on links and radio options. The scripts and the style are
files in ``lib/web/static/``, read once at import.

**No 40 ms pause per file.** Streamlit 1.67 binds its listening socket itself with protocol number
0, so Python's event loop does not turn on ``TCP_NODELAY`` for the connections it accepts (it only
does for sockets marked as TCP). Each response is written as headers then body; without
``TCP_NODELAY`` the body waits for the browser to acknowledge the headers, which Linux delays by
40 ms. So every file after the first on a kept-alive connection took about 40 ms even when the
server was idle. :func:`no_delay_on_listening_sockets` sets the option on the listening socket
(accepted connections inherit it).

**No long pauses for garbage collection.** Python's full garbage collection walks every object
the collector tracks: with the pages' libraries loaded (pandas, GeoPandas, folium, altair, SciPy,
Streamlit) that is about 150,000 to 190,000 objects (their modules, classes and functions, which
live as long as the server), and each full collection took 60 to 250 ms, landing on whichever click
was running. :func:`load_and_freeze` imports what the pages use once, at start, then moves everything
alive into the collector's permanent generation (``gc.freeze``), so later collections walk only
what sessions created.

(Build files served from memory, once a fourth workaround, were removed: in ``make bench`` they
saved about 0.7 ms per file, within the page-ready noise.)

Pure ASGI (no Streamlit import): ``app.py`` installs it with ``st.App(..., middleware=[...])``.
"""

from __future__ import annotations

import gc
import gzip
import importlib
import json
import os
import pkgutil
import socket
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Headers that describe the original body and no longer hold once it is changed.
_STALE = {b"content-length", b"content-encoding", b"etag", b"last-modified"}

#: The bench switch (``bench/run.py``, section 6, not a setting for users): a comma-separated list
#: of :data:`WORKAROUNDS` to leave off, so the benchmark can measure what each one gains.
OFF_SWITCH = "NP_SERVING_OFF"
#: The workarounds :data:`OFF_SWITCH` can turn off, by the name it uses.
WORKAROUNDS = ("baseurl", "nodelay", "freeze")


def turned_off() -> set[str]:
    """The workarounds :data:`OFF_SWITCH` names (normally none); an unknown name is an error, so a
    mistyped benchmark run cannot measure the wrong thing."""
    names = {n.strip() for n in os.environ.get(OFF_SWITCH, "").split(",") if n.strip()}
    if names - set(WORKAROUNDS):
        raise ValueError(f"{OFF_SWITCH}: unknown {sorted(names - set(WORKAROUNDS))}; known: {', '.join(WORKAROUNDS)}")
    return names


#: The scripts and style every page's head gets, kept as files of their own (read once, here).
STATIC = Path(__file__).parent / "static"
_BASE_URL_JS = (STATIC / "base_url.js").read_text(encoding="utf-8").rstrip("\n")


def base_url_script(base_path: str = "") -> str:
    """The inline script that sets ``window.__streamlit.BACKEND_BASE_URL`` to this origin plus
    ``base_path`` (Streamlit's ``server.baseUrlPath``, e.g. ``""`` or ``"profiles"``), keeping
    anything a host page set there before (``static/base_url.js``).

    Works around: Streamlit's page at a deep link probes ``<link>/_stcore/health`` first and, on
    the 404, retries at the root after a pause, unless ``window.__streamlit.BACKEND_BASE_URL`` is set."""
    path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    literal = json.dumps(path).replace("<", "\\u003c")  # a JS string that cannot close the script tag
    return "<script>" + _BASE_URL_JS.replace("__BASE_PATH__", literal) + "</script>"


#: Static (no data in it, ``static/popover_focus.js``): a popover opened from the keyboard (a click
#: with ``detail`` 0, which Enter and Space give) moves focus to the first control inside it once that
#: is drawn (its code may still be loading on a first visit: up to 180 frames, about 3 s), unless
#: focus has moved on meanwhile.
POPOVER_FOCUS_SCRIPT = "<script>" + (STATIC / "popover_focus.js").read_text(encoding="utf-8").rstrip("\n") + "</script>"


#: Static CSS (no data in it, ``static/focus.css``): a clear focus ring on links and radio options,
#: where Streamlit only tints the background of a focused link or rings a radio faintly (WCAG 2.4.7,
#: focus visible). In the page's head rather than drawn by the frame with ``st.html``: one element
#: less on every page, and no page needs the HTML element's code just for this.
FOCUS_CSS = "<style>\n" + (STATIC / "focus.css").read_text(encoding="utf-8").rstrip("\n") + "\n</style>"


def page_scripts(base_path: str = "", base_url: bool = True) -> str:
    """What every HTML page gets in its head: :func:`base_url_script` (unless ``base_url`` is
    false), :data:`POPOVER_FOCUS_SCRIPT` and :data:`FOCUS_CSS`."""
    return (base_url_script(base_path) if base_url else "") + POPOVER_FOCUS_SCRIPT + FOCUS_CSS


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


class PageHead:
    """ASGI middleware: every HTML page the server sends gets :func:`page_scripts` in its head
    (where the server is, unless ``base_url`` is false; keyboard focus into popovers; the focus ring)."""

    def __init__(self, app: ASGIApp, base_path: str = "", base_url: bool = True) -> None:
        self.app = app
        self.snippet = page_scripts(base_path, base_url)

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
        headers = [(k, v) for k, v in headers if k.lower() not in _STALE] + [
            (b"content-length", str(len(page)).encode())
        ]
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": page})


#: The default page's own name in links (``app.py`` gives the Overview this ``url_path``).
DEFAULT_PAGE_PATH = "overview"


class DefaultPagePath:
    """ASGI middleware: a request for the default page by its name (``/overview``, ``/overview/``,
    under ``base_path``) is redirected to the app's root with its query string unchanged
    (``/overview?nbhd=S3`` -> ``/?nbhd=S3``), before Streamlit's page is sent, so the browser
    never opens a page Streamlit does not know.

    Works around: Streamlit serves the default page at the root and ignores its ``url_path``
    (``st.Page(..., default=True, url_path="overview").url_path`` is ``""``), so ``/overview``
    showed a "Page not found" dialog, then ran the main page at ``/``; every link the exports
    and users made to the Overview did that."""

    def __init__(self, app: ASGIApp, base_path: str = "", page: str = DEFAULT_PAGE_PATH) -> None:
        self.app = app
        self.root = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
        self.paths = {self.root + page.strip("/"), self.root + page.strip("/") + "/"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD") and scope.get("path") in self.paths:
            query = scope.get("query_string", b"")
            location = self.root.encode("utf-8") + (b"?" + query if query else b"")
            headers = [(b"location", location), (b"content-length", b"0"), (b"cache-control", b"no-store")]
            await send({"type": "http.response.start", "status": 302, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)


def no_delay_on_listening_sockets(fd_dir: str = "/proc/self/fd") -> int:
    """Turn on ``TCP_NODELAY`` for this process's listening TCP sockets (connections accepted
    from them inherit it, on Linux). Returns how many were set; 0 where ``fd_dir`` is not there
    (not Linux) or there is no listening socket yet. Other descriptors are left as they are.

    Works around: Streamlit binds its listening socket with protocol number 0, so the event loop never
    turns on ``TCP_NODELAY`` for the connections it accepts (each file after the first waits 40 ms)."""
    try:
        fds = [int(name) for name in os.listdir(fd_dir) if name.isdigit()]
    except OSError:
        return 0
    done = 0
    for fd in fds:
        try:
            sock = socket.socket(fileno=fd)
        except OSError:
            continue  # not a socket
        try:
            if (
                sock.family in (socket.AF_INET, socket.AF_INET6)
                and sock.type == socket.SOCK_STREAM
                and sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
            ):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                done += 1
        except OSError:
            pass
        finally:
            sock.detach()  # the descriptor stays open and owned by whoever opened it
    return done


def load_and_freeze(
    packages: Sequence[str] = ("lib",), modules: Sequence[str] = (), skip: Sequence[str] = ("lib.pipeline",)
) -> int:
    """Import every module of ``packages`` (their sub-packages too, but for those under ``skip``:
    the offline pipeline is never used by a page) and ``modules``, collect garbage once, then
    freeze what is alive (``gc.freeze``): full collections later skip it. Returns the number of
    objects frozen (0 when the bench switch :data:`OFF_SWITCH` names ``freeze``: imported, not
    frozen). Call once, when the server starts.

    Works around: Streamlit runs every session in the one long-lived server process, so each full
    garbage collection walks all the libraries' objects (150 to 250 ms) during whichever click is running.

    Not for Streamlit components (such as ``streamlit_folium``): imported before Streamlit's
    runtime exists, a component is not registered, and its frame gets a 404."""
    for package in packages:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            if not any(info.name == s or info.name.startswith(s + ".") for s in skip):
                importlib.import_module(info.name)
    for name in modules:
        importlib.import_module(name)
    gc.collect()
    if "freeze" not in turned_off():
        gc.freeze()
    return gc.get_freeze_count()


def middleware(base_path: str = "") -> list:
    """The app's serving middleware for ``st.App(..., middleware=...)``: :class:`DefaultPagePath`
    and :class:`PageHead`, for an app served under ``base_path``; on the way, turns on
    ``TCP_NODELAY`` for the server's listening socket (:func:`no_delay_on_listening_sockets`).
    The bench switch :data:`OFF_SWITCH` leaves out the workarounds it names."""
    from starlette.middleware import Middleware

    off = turned_off()
    if "nodelay" not in off:
        no_delay_on_listening_sockets()  # Streamlit has bound its socket by the time it imports the app
    return [
        Middleware(DefaultPagePath, base_path=base_path),  # a fix, not a speed-up: never turned off
        Middleware(PageHead, base_path=base_path, base_url="baseurl" not in off),
    ]
