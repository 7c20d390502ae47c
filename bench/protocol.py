"""A minimal Streamlit client over the app's own WebSocket protocol, for load measurements.

It speaks what the browser speaks (``BackMsg`` / ``ForwardMsg`` protobufs from the installed
``streamlit`` package over ``/_stcore/stream``): ask for a script run of a page with the current
widget values, and read messages until the run is over. It records the widgets each run draws
(by label), so a benchmark can "pick another indicator" exactly as a user would, and counts any
exception element. No browser is involved, so 25 sessions cost the load machine almost nothing
and what is measured is the server.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

#: The app's default page: the browser shows it at "/" and asks for it with an empty page name.
DEFAULT_PAGE = "overview"
#: Widget types whose value the browser sends as the chosen option's label (``string_value``).
CHOICE_WIDGETS = ("selectbox", "radio")


@dataclass
class Widget:
    """One choice widget as last drawn: its id and option labels."""

    id: str
    kind: str
    options: list[str]


@dataclass
class RunResult:
    """What one script run sent back."""

    seconds: float
    messages: int
    bytes: int
    exceptions: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    #: The query strings the run put in the browser's address bar, in order (one per message).
    urls: list[str] = field(default_factory=list)


class Session:
    """One browser-like session of the app (``async with Session(url) as s``)."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        self.ws_url = base_url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        #: Sent with the WebSocket's opening request, as a browser sends its cookies (e.g. nginx's route cookie).
        self.headers = dict(headers or {})
        self.widgets: dict[str, Widget] = {}
        self.values: dict[str, str] = {}  # widget id -> chosen option label
        self.page = ""
        self.query = ""  # the address bar's query string, as the app last wrote it (a browser sends it with each rerun)
        self.raw_sink: list[bytes] | None = None  # when a list, every raw message of the next runs is appended
        self._ws = None

    async def __aenter__(self) -> Session:
        self._ws = await websockets.connect(
            self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60, additional_headers=self.headers
        )
        return self

    async def __aexit__(self, *exc) -> None:
        await self._ws.close()

    async def open(self, page: str, query: str = "", timeout: float = 120) -> RunResult:
        """Load a page as a fresh visit would (``/page?query``)."""
        self.page = page
        self.query = query
        return await self._run(query, timeout)

    async def go(self, page: str, timeout: float = 120) -> RunResult:
        """Move to another page of the app (the sidebar navigation, which drops the query string)."""
        self.page = page
        self.query = ""
        return await self._run("", timeout)

    async def choose(self, label: str, option: str | None = None, timeout: float = 120) -> RunResult:
        """Pick ``option`` (a shown label) in the choice widget labelled ``label``; by default the
        option after the current one."""
        w = self.widgets[label]
        if option is None:
            current = self.values.get(w.id)
            i = w.options.index(current) if current in w.options else 0
            option = w.options[(i + 1) % len(w.options)]
        if option not in w.options:
            raise ValueError(f"{option!r} is not an option of {label!r}")
        self.values[w.id] = option
        return await self._run(self.query, timeout)

    async def _run(self, query: str, timeout: float) -> RunResult:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = query
        cs.page_name = "" if self.page == DEFAULT_PAGE else self.page
        for wid, value in self.values.items():
            ws = cs.widget_states.widgets.add()
            ws.id = wid
            ws.string_value = value
        start = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        return await asyncio.wait_for(self._until_finished(start), timeout)

    async def _until_finished(self, start: float) -> RunResult:
        result = RunResult(seconds=0.0, messages=0, bytes=0)
        drawn: dict[str, Widget] = {}
        while True:
            raw = await self._ws.recv()
            result.messages += 1
            result.bytes += len(raw)
            if self.raw_sink is not None:
                self.raw_sink.append(raw)
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                which = el.WhichOneof("type")
                if which in CHOICE_WIDGETS:
                    w = getattr(el, which)
                    drawn[w.label] = Widget(id=w.id, kind=which, options=list(w.options))
                    # The value shown: one the server set (e.g. from session state), else the default.
                    if w.set_value and w.HasField("raw_value"):
                        self.values[w.id] = w.raw_value
                    elif w.id not in self.values and w.HasField("default") and 0 <= w.default < len(w.options):
                        self.values[w.id] = w.options[w.default]
                elif which == "exception":
                    result.exceptions.append(f"{el.exception.type}: {el.exception.message}")
                elif which == "markdown":
                    result.texts.append(el.markdown.body)
                elif which == "heading":
                    result.texts.append(el.heading.body)
            elif kind == "page_info_changed":
                result.urls.append(fm.page_info_changed.query_string)
                self.query = fm.page_info_changed.query_string
            elif kind == "page_not_found":
                result.exceptions.append(f"page not found: {fm.page_not_found.page_name}")
            elif kind == "script_finished":
                if fm.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the script asked for a rerun (e.g. writing the URL): wait for that run
                result.seconds = time.perf_counter() - start
                if drawn:
                    self.widgets = drawn
                return result
