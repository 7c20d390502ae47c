"""How the app is served: two ASGI middlewares, for a faster first page (and one keyboard fix).

**Where the server is.**
Streamlit's page at a deep link (``/compare``) does not know whether ``/compare`` is a page or the
prefix the app is served under, so before it connects it probes ``/compare/_stcore/health``, gets
a 404, and tries again at the root after a pause: every deep link, bookmark and presentation link
pays that round trip (about a tenth of a first page load, see ``BENCHMARKS.md``). Streamlit reads
the server's address from ``window.__streamlit.BACKEND_BASE_URL`` when a host page sets it;
:class:`BackendBaseUrl` sets it in the HTML page, from the app's own ``server.baseUrlPath``, so the
first probe is the right one.

**Keyboard focus into popovers, and a visible focus ring.** Streamlit draws a popover's content at the end of the page, so
after Enter opens one, Tab walks the whole page before it reaches what is inside. Every HTML page
also gets :data:`POPOVER_FOCUS_SCRIPT`: when a popover is opened from the keyboard, focus moves to
its first control (as for a dialog). Mouse clicks are left alone. The page's head also gets
:data:`FOCUS_CSS`, a clear focus ring on links and radio options.

**The page's code from memory.** A first visit fetches 50 to 120 small script files. Streamlit's
static-file handler reads each from disk through a worker thread; :class:`StaticFromMemory` serves
those files (hashed, immutable names) from memory, in one step. (Its measured effect on a first
page load was small, tens of milliseconds: most of the 100 to 250 ms these files took to arrive was
the 40 ms pause below, once per file on each connection.)

**No 40 ms pause per file.** Streamlit 1.67 binds its listening socket itself with protocol number
0, so Python's event loop does not turn on ``TCP_NODELAY`` for the connections it accepts (it only
does for sockets marked as TCP). Each response is written as headers then body; without
``TCP_NODELAY`` the body waits for the browser to acknowledge the headers, which Linux delays by
40 ms. So every file after the first on a kept-alive connection took about 44 ms even when the
server was idle. :func:`no_delay_on_listening_sockets` sets the option on the listening socket
(accepted connections inherit it).

**No long pauses for garbage collection.** Python's full garbage collection walks every object
the collector tracks: with the pages' libraries loaded (pandas, GeoPandas, folium, altair, SciPy,
Streamlit) that is about 190,000 objects (their modules, classes and functions, which live as
long as the server), and each full collection took 150 to 250 ms, landing on whichever click was
running. :func:`load_and_freeze` imports what the pages use once, at start, then moves everything
alive into the collector's permanent generation (``gc.freeze``), so later collections walk only
what sessions created (measured: 20 to 60 ms).

Pure ASGI (no Streamlit import): ``app.py`` installs it with ``st.App(..., middleware=[...])``.
"""

from __future__ import annotations

import gc
import gzip
import importlib
import importlib.util
import json
import mimetypes
import os
import pkgutil
import re
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


def base_url_script(base_path: str = "") -> str:
    """The inline script that sets ``window.__streamlit.BACKEND_BASE_URL`` to this origin plus
    ``base_path`` (Streamlit's ``server.baseUrlPath``, e.g. ``""`` or ``"profiles"``), keeping
    anything a host page set there before."""
    path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    literal = json.dumps(path).replace("<", "\\u003c")  # a JS string that cannot close the script tag
    return (
        "<script>window.__streamlit = Object.assign({}, window.__streamlit, "
        f"{{BACKEND_BASE_URL: new URL({literal}, window.location.origin).href}});</script>"
    )


#: Static (no data in it): a popover opened from the keyboard (a click with ``detail`` 0, which Enter
#: and Space give) moves focus to the first control inside it once that is drawn (its code may still
#: be loading on a first visit: up to 180 frames, about 3 s), unless focus has moved on meanwhile.
POPOVER_FOCUS_SCRIPT = (
    "<script>document.addEventListener('click',function(e){"
    "var b=e.target.closest&&e.target.closest('[data-testid=\"stPopoverButton\"]');if(!b||e.detail!==0)return;var n=0;"
    "(function f(){var d=document.querySelectorAll('[data-testid=\"stPopoverBody\"]'),p=d[d.length-1];"
    "if(document.activeElement!==b)return;"
    "var t=b.getAttribute('aria-expanded')==='true'&&p&&p.querySelector("
    "'input:not([type=hidden]),button,select,textarea,a[href],[tabindex]:not([tabindex=\"-1\"])');"
    "if(t){t.focus();}else if(++n<180){requestAnimationFrame(f);}})();},true);</script>"
)


#: Static CSS (no data in it): a clear focus ring on links and radio options, where Streamlit
#: only tints the background of a focused link or rings a radio faintly (WCAG 2.4.7, focus visible).
#: In the page's head rather than drawn by the frame with ``st.html``: one element less on every
#: page, and no page needs the HTML element's code just for this.
FOCUS_CSS = """<style>
[data-testid="stSidebarNav"] a:focus-visible, [data-testid="stPageLink"] a:focus-visible,
[data-testid="stRadio"] label:has(input:focus-visible) {
  outline: 3px solid #0B4F8A !important; outline-offset: 1px; border-radius: 4px; }
</style>"""


def page_scripts(base_path: str = "") -> str:
    """What every HTML page gets in its head: :func:`base_url_script`, :data:`POPOVER_FOCUS_SCRIPT`
    and :data:`FOCUS_CSS`."""
    return base_url_script(base_path) + POPOVER_FOCUS_SCRIPT + FOCUS_CSS


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
    """ASGI middleware: every HTML page the server sends gets :func:`page_scripts` (where the
    server is, and keyboard focus into popovers)."""

    def __init__(self, app: ASGIApp, base_path: str = "") -> None:
        self.app = app
        self.snippet = page_scripts(base_path)

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


#: The static files :class:`StaticFromMemory` serves: Streamlit's hashed build files, by plain name.
STATIC_FILE = re.compile(r"^/static/(js|css|media)/[A-Za-z0-9][A-Za-z0-9._-]*$")
#: As Streamlit sends them: the names change with every build, so they never go stale.
IMMUTABLE = b"public, immutable, max-age=31536000"


class StaticFromMemory:
    """ASGI middleware: Streamlit's build files (``/static/js|css|media/<name>``, under the
    app's base path) served from memory, read from ``static_dir`` on first use. Anything else,
    and any name not found there, goes on to Streamlit unchanged."""

    def __init__(self, app: ASGIApp, static_dir: str | Path, base_path: str = "") -> None:
        self.app = app
        self.root = Path(static_dir).resolve()
        self.prefix = "/" + base_path.strip("/") if base_path.strip("/") else ""
        self.files: dict[str, tuple[bytes, bytes]] = {}

    def _file(self, path: str) -> tuple[bytes, bytes] | None:
        if path in self.files:
            return self.files[path]
        target = (self.root / path.lstrip("/")).resolve()
        if self.root not in target.parents or not target.is_file():
            return None
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/javascript":
            kind = "application/javascript"
        self.files[path] = (target.read_bytes(), kind.encode())
        return self.files[path]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if self.prefix and path.startswith(self.prefix + "/"):
            path = path[len(self.prefix) :]
        found = (
            self._file(path)
            if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD") and STATIC_FILE.match(path)
            else None
        )
        if found is None:
            await self.app(scope, receive, send)
            return
        body, kind = found
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", kind),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", IMMUTABLE),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


def streamlit_static_dir() -> Path:
    """Where the installed Streamlit keeps its web build (found without importing Streamlit)."""
    spec = importlib.util.find_spec("streamlit")
    if spec is None or spec.origin is None:
        raise RuntimeError("Streamlit is not installed")
    return Path(spec.origin).parent / "static"


def no_delay_on_listening_sockets(fd_dir: str = "/proc/self/fd") -> int:
    """Turn on ``TCP_NODELAY`` for this process's listening TCP sockets (connections accepted
    from them inherit it, on Linux). Returns how many were set; 0 where ``fd_dir`` is not there
    (not Linux) or there is no listening socket yet. Other descriptors are left as they are."""
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
    objects frozen. Call once, when the server starts.

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
    gc.freeze()
    return gc.get_freeze_count()


def middleware(base_path: str = "") -> list:
    """The app's serving middleware for ``st.App(..., middleware=...)``: :class:`StaticFromMemory`
    then :class:`BackendBaseUrl`, for an app served under ``base_path``; on the way, turns on
    ``TCP_NODELAY`` for the server's listening socket (:func:`no_delay_on_listening_sockets`)."""
    from starlette.middleware import Middleware

    no_delay_on_listening_sockets()  # Streamlit has bound its socket by the time it imports the app
    return [
        Middleware(StaticFromMemory, static_dir=streamlit_static_dir(), base_path=base_path),
        Middleware(BackendBaseUrl, base_path=base_path),
    ]
