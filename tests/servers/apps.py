"""App processes as the team deployment runs them (``streamlit run app.py``), on loopback, for tests and the bench.

Each process gets its own free port and the environment it is given (``NP_DATABASE_URL`` for the
shared workspace), logs to a file under ``test-artifacts/`` (a file, not a pipe: a full pipe would
block the server), is polled until ``/_stcore/health`` answers ``ok``, and is always stopped.
:meth:`AppProcess.kill` ends one abruptly (SIGKILL), as a crashed process or a lost machine would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from tests.servers.nginx import free_port

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"


def streamlit_command(script: Path, port: int, extra_args: tuple[str, ...] | list[str] = ()) -> list[str]:
    """``streamlit run script`` headless on 127.0.0.1:``port``, as every test and bench server runs."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        *extra_args,
    ]


class AppProcess:
    """One ``streamlit run app.py`` on ``127.0.0.1:<free port>``."""

    def __init__(self, env: Mapping[str, str] | None = None, name: str = "app", script: Path = REPO / "app.py") -> None:
        self.port = free_port()
        self.addr = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.addr}"
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.name = name
        self.script = script
        self.proc: subprocess.Popen | None = None
        self.log_path = ARTIFACTS / f"deploy-{name}-{self.port}.log"

    @property
    def pid(self) -> int:
        assert self.proc is not None, "not started"
        return self.proc.pid

    def start(self) -> AppProcess:
        cmd = streamlit_command(self.script, self.port)
        ARTIFACTS.mkdir(exist_ok=True)
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=self.env)
        return self

    def wait_healthy(self, timeout: float = 90.0) -> AppProcess:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{self.name} did not become healthy in time:\n{self.log()}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """End the process at once (SIGKILL): no goodbye to its sessions, as in a crash."""
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_apps(n: int, env: Mapping[str, str] | None = None) -> list[AppProcess]:
    """Start ``n`` app processes together (they load in parallel) and wait until each is healthy."""
    apps = [AppProcess(env, name=f"app{i + 1}").start() for i in range(n)]
    try:
        for a in apps:
            a.wait_healthy()
    except BaseException:
        for a in apps:
            a.stop()
        raise
    return apps
