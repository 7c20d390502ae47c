"""The benchmark's WebSocket client (bench/protocol.py) drives the real app as a browser would:
opening a page, choosing in a widget and moving page all run the script without an exception,
and the choice reaches the page (so the load benchmark measures real interactions)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from bench.protocol import Session


def test_protocol_client_opens_chooses_and_moves(app_url):
    async def run() -> None:
        async with Session(app_url) as s:
            r = await s.open("map", "nbhd=C2")
            assert not r.exceptions and r.bytes > 10_000
            assert {"Neighbourhood", "Compare with", "Indicator", "Detail"} <= set(s.widgets)
            assert any(t.startswith("**Selected:** C2") for t in r.texts)
            nb = s.widgets["Neighbourhood"]
            r = await s.choose("Neighbourhood", next(o for o in nb.options if o.startswith("S3")))
            assert not r.exceptions
            assert any(t.startswith("**Selected:** S3") for t in r.texts), [t[:40] for t in r.texts]
            r = await s.go("profile")
            assert not r.exceptions and "Compare with" in s.widgets
            assert any("Dot" in t or "black line is **England**" in t for t in r.texts)  # the profile's spine chart part
            r = await s.choose("Compare with", "Rest of Manchester")
            assert not r.exceptions
            assert any("the rest of Manchester" in t for t in r.texts)
            r = await s.go("overview")
            assert not r.exceptions and "Indicator" in s.widgets
            with_bad = await s.choose("Indicator")
            assert not with_bad.exceptions

    # In a thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()
