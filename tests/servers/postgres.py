"""A throw-away PostgreSQL server for tests and the bench: ``initdb`` + ``pg_ctl`` from Debian's
packages (``/usr/lib/postgresql/<version>/bin``) in a temporary folder, on a free loopback port,
stopped and removed at the end. No containers, nothing installed.

As root it runs as the ``postgres`` OS user (``runuser -u postgres --``), with the folder handed
to that user, because initdb refuses to run as root.

    with PostgresServer() as pg:
        url = pg.url            # postgresql+psycopg://np@127.0.0.1:PORT/np
        pg.create_database("other")

Or the pytest fixture :func:`postgres_server` (one server per test session); tests skip with a
message when the binaries are absent (``apt-get install postgresql``; ``.ci/run`` does).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

USER = "np"
DATABASE = "np"


def find_bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` holding initdb (or ``NP_PG_BIN``)."""
    if os.environ.get("NP_PG_BIN"):
        p = Path(os.environ["NP_PG_BIN"])
        return p if (p / "initdb").exists() else None
    found = sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin") if (Path(p) / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


def available() -> bool:
    return find_bin_dir() is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """One cluster in a temporary folder; ``start()`` / ``stop()`` or a ``with`` block."""

    def __init__(self, bin_dir: Path | None = None, port: int | None = None):
        self.bin_dir = bin_dir or find_bin_dir()
        if self.bin_dir is None:
            raise RuntimeError(
                "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
            )
        self.port = port or _free_port()
        self.folder: Path | None = None
        self.as_root = os.geteuid() == 0

    # -------------------------------------------------------------- running commands
    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bin_dir / args[0]), *args[1:]]
        return ["runuser", "-u", "postgres", "--", *cmd] if self.as_root else cmd

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(self._cmd(*args), check=check, capture_output=True, text=True, timeout=120)

    @property
    def data_dir(self) -> Path:
        assert self.folder is not None
        return self.folder / "data"

    @property
    def socket_dir(self) -> Path:
        assert self.folder is not None
        return self.folder / "socket"

    @property
    def log_file(self) -> Path:
        assert self.folder is not None
        return self.folder / "server.log"

    def url_for(self, database: str = DATABASE) -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    @property
    def url(self) -> str:
        return self.url_for(DATABASE)

    # -------------------------------------------------------------- life cycle
    def start(self, timeout: float = 60) -> PostgresServer:
        self.folder = Path(tempfile.mkdtemp(prefix="np-pg-"))
        self.socket_dir.mkdir()
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
            shutil.chown(self.socket_dir, "postgres", "postgres")
        init = self._run(
            "initdb", "-D", str(self.data_dir), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync", check=False
        )
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.socket_dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        started = self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_file),
            "-o",
            options,
            "-w",
            "-t",
            str(int(timeout)),
            "start",
            check=False,
        )
        if started.returncode != 0:
            log = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
            self.stop()
            raise RuntimeError(f"PostgreSQL did not start:\n{started.stdout}\n{started.stderr}\n{log}")
        self.create_database(DATABASE)
        return self

    def _psql_connect(self, database: str = "postgres"):
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                return psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname=database, autocommit=True)
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with self._psql_connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        with self._psql_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.folder is None:
            return
        if (self.data_dir / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL server for the test session (skipped with a message where it cannot run)."""
    if not available():
        pytest.skip("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin: apt-get install postgresql")
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database URL of each backend: a SQLite file, then a new PostgreSQL database
    on the session's server. Every store test taking it runs against both."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'workspace.sqlite'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = server.create_database(name)
    yield url
    server.drop_database(name)
