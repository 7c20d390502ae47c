"""nginx in front of the app processes, as the team deployment runs it, on loopback, for tests and the bench.

The server block is ``deploy/nginx.conf.template``, the file ``compose.yaml`` mounts into the nginx
image, rendered here as the image renders it (envsubst of the ``NP_`` variables, nothing else), so
what is tested is what ships. Only the variables differ: loopback addresses instead of Docker's
service name, and a response header naming the app process that answered (:data:`UPSTREAM_HEADER`,
to check stickiness; compose leaves it out).

Debian's nginx (``/usr/sbin/nginx``, ``apt-get install nginx``; ``.ci/run`` installs it) runs in the
foreground with ``-p <tmp> -c <tmp>/nginx.conf``: its pid, logs and temporary files stay in the
temporary folder, and it is always stopped.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "deploy" / "nginx.conf.template"
COMPOSE = REPO / "compose.yaml"
NGINX = Path(os.environ.get("NP_NGINX", "/usr/sbin/nginx"))
#: The response header the test configuration adds: the address of the app process that answered.
UPSTREAM_HEADER = "X-NP-Upstream"
#: The nginx image's NGINX_ENVSUBST_FILTER (compose.yaml): only variables whose name matches are replaced.
ENVSUBST_FILTER = re.compile(r"^NP_")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")

#: The whole configuration around the server block: what the nginx image's own nginx.conf provides,
#: with every path in the temporary folder.
MAIN_CONF = """\
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/default.conf;
}}
"""


def placeholders(text: str) -> set[str]:
    """The variables envsubst would replace in ``text`` (those the filter lets through)."""
    return {a or b for a, b in _VARIABLE.findall(text) if ENVSUBST_FILTER.match(a or b)}


def render(variables: Mapping[str, str], template: Path = TEMPLATE) -> str:
    """The template with its ``NP_`` variables replaced, as the nginx image's envsubst step does
    (``$NAME`` and ``${NAME}`` of the variables set; nginx's own ``$variables`` are left alone).
    A placeholder with no value is an error here, where envsubst would leave it and nginx fail."""
    text = template.read_text(encoding="utf-8")
    missing = placeholders(text) - set(variables)
    if missing:
        raise KeyError(f"no value for {sorted(missing)} in {template.name}")

    def sub(m: re.Match) -> str:
        name = m.group(1) or m.group(2)
        return variables[name] if ENVSUBST_FILTER.match(name) and name in variables else m.group(0)

    return _VARIABLE.sub(sub, text)


def loopback_variables(listen: str, upstreams: Iterable[str]) -> dict[str, str]:
    """The template's variables for loopback: nginx on ``listen``, one ``server`` per app address
    (``host:port``), and the :data:`UPSTREAM_HEADER` header."""
    return {
        "NP_LISTEN": listen,
        "NP_UPSTREAM_SERVERS": " ".join(f"server {a} max_fails=1 fail_timeout=10s;" for a in upstreams),
        "NP_EXTRA_DIRECTIVES": f"add_header {UPSTREAM_HEADER} $upstream_addr always;",
    }


def write_config(folder: Path, variables: Mapping[str, str]) -> Path:
    """Write the rendered server block and the main configuration into ``folder``; return the main file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "default.conf").write_text(render(variables), encoding="utf-8")
    main = folder / "nginx.conf"
    main.write_text(MAIN_CONF.format(tmp=folder), encoding="utf-8")
    # nginx's workers drop root to "nobody": they must reach the temporary files in the folder.
    folder.chmod(0o755)
    return main


def check_config(main: Path) -> subprocess.CompletedProcess:
    """``nginx -t`` on the configuration (its verdict is on stderr)."""
    return subprocess.run(
        [str(NGINX), "-t", "-p", str(main.parent), "-c", str(main)], capture_output=True, text=True, timeout=30
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    """nginx in front of ``upstreams`` (``host:port`` of each app process), on a free loopback port."""

    def __init__(self, upstreams: Iterable[str], folder: Path | None = None) -> None:
        self.upstreams = list(upstreams)
        self._own = folder is None
        self.folder = Path(tempfile.mkdtemp(prefix="np-nginx-")) if folder is None else folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.conf = write_config(self.folder, loopback_variables(f"127.0.0.1:{self.port}", self.upstreams))
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> Nginx:
        checked = check_config(self.conf)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{checked.stderr}")
        log = open(self.folder / "stdout.log", "wb")
        self.proc = subprocess.Popen(
            [str(NGINX), "-p", str(self.folder), "-c", str(self.conf)], stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited early:\n{self.error_log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("nginx did not start listening in time")

    def health(self, timeout: float = 5.0) -> tuple[str, str]:
        """``/_stcore/health`` through nginx: (body, the app process that answered)."""
        with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=timeout) as r:
            return r.read().decode().strip(), r.headers.get(UPSTREAM_HEADER, "")

    def error_log(self) -> str:
        p = self.folder / "error.log"
        return p.read_text(errors="replace") if p.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self._own:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Nginx:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
