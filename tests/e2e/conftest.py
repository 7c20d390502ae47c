"""End-to-end fixtures: a real Streamlit server and headless Debian Chromium.

The server picks a free port, is polled until healthy and is always terminated. Tests skip
with a clear message only where /usr/bin/chromium is absent (CI installs it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from tests.servers.apps import streamlit_command

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("NP_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = REPO / "test-artifacts"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            # A real browser against a real server on 2 shared cores: retry a timing failure (reported as a rerun).
            item.add_marker(pytest.mark.flaky(reruns=2, reruns_delay=2))
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install chromium) to run browser tests"
                    )
                )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    script: Path,
    cwd: Path = REPO,
    timeout: float = 60.0,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> tuple[subprocess.Popen, str]:
    """Start ``streamlit run script`` on a free port; return (process, base URL) once healthy.
    ``extra_args`` are more ``streamlit run`` options; ``env`` more environment variables."""
    port = _free_port()
    cmd = streamlit_command(script, port, list(extra_args))
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(
        ARTIFACTS / f"server-{script.stem}-{port}.log", "wb"
    )  # a file, not a pipe: a full pipe would block the server
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    )
    proc.log_path = log.name
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = Path(proc.log_path).read_text(errors="replace")
            raise RuntimeError(f"Streamlit exited early:\n{out}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("Streamlit did not become healthy in time")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """Base URL of the app, served for the whole test session."""
    proc, url = start_server(REPO / "app.py")
    try:
        yield url
    finally:
        stop_server(proc)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": LAUNCH_ARGS, "headless": True}


@pytest.fixture
def offline_page(page, app_url):
    """A page whose requests may only go to the app itself: any other host is blocked (and recorded)."""
    blocked: list[str] = []

    def guard(route):
        if (
            route.request.url.startswith(app_url)
            or route.request.url.startswith("data:")
            or route.request.url.startswith("blob:")
        ):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.context.route("**/*", guard)
    page.blocked_requests = blocked
    page.set_viewport_size({"width": 1400, "height": 900})
    return page


def page_url(app_url: str, path: str) -> str:
    """A page's address: the overview is the default page, served at the app's root ("/overview"
    is redirected there by ``lib.web.serving.DefaultPagePath``)."""
    return f"{app_url}/" if path == "overview" else f"{app_url}/{path}"


def wait_ready(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit is connected, not running, and no skeleton remains."""
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=timeout)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && !document.querySelector('[data-testid="stSkeleton"]');
        }""",
        timeout=timeout,
    )


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ (kept by CI as an artefact)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_no_exception(page) -> None:
    """No Streamlit exception box on the page."""
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]'
    ).first.inner_text()


def watch_reruns(page) -> list[str]:
    """Record every rerun the browser asks the server for, from now on: the fragment's id, or ``""``
    for the whole app (the ``rerun_script`` BackMsgs on the page's websockets, decoded). Call it
    before the page opens its websocket (before ``goto``)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    reruns: list[str] = []

    def on_socket(ws) -> None:
        def sent(payload) -> None:
            if isinstance(payload, (bytes, bytearray)):
                msg = BackMsg.FromString(bytes(payload))
                if msg.WhichOneof("type") == "rerun_script":
                    reruns.append(msg.rerun_script.fragment_id)

        ws.on("framesent", sent)

    page.on("websocket", on_socket)
    return reruns
