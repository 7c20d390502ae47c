"""Page-ready times in headless Chromium, as a ratio to a bare one-line Streamlit page.

Run: ``.venv/bin/python bench/page_ready.py [--runs 5]``. Starts the app and a bare page on free
ports (same server flags), loads each page in a fresh browser context with the network limited to
the app, and waits for Streamlit's ready signal (connected, script not running, no skeleton).
Prints a markdown table: median and max milliseconds per page, and the ratio to the bare page.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.e2e.conftest import CHROMIUM, LAUNCH_ARGS, start_server, stop_server, wait_ready  # noqa: E402

PAGES = ["overview", "map", "profile", "compare", "cohorts", "activity", "own_data", "present", "methods"]


def measure(browser, url: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        page = ctx.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url.split("/", 3)[0] + "//" + url.split("/", 3)[2]) else r.abort())
        t0 = time.perf_counter()
        page.goto(url)
        wait_ready(page, timeout=60_000)
        times.append((time.perf_counter() - t0) * 1000)
        ctx.close()
    return times


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text("import streamlit as st\nst.write('Hello')\n")
        bproc, burl = start_server(bare, cwd=Path(tmp))
        aproc, aurl = start_server(REPO / "app.py")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
                measure(browser, burl, 1)  # warm-up
                for pg in PAGES:
                    measure(browser, f"{aurl}/{pg}", 1)
                base = measure(browser, burl, args.runs)
                rows = [("bare page", base)] + [(pg, measure(browser, f"{aurl}/{pg}", args.runs)) for pg in PAGES]
                browser.close()
        finally:
            stop_server(aproc)
            stop_server(bproc)
    b = statistics.median(base)
    print(f"| page | median ms | max ms | ratio to bare |\n|---|---|---|---|")
    for name, t in rows:
        print(f"| {name} | {statistics.median(t):.0f} | {max(t):.0f} | {statistics.median(t) / b:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
