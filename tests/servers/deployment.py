"""The team deployment on loopback, without containers: N app processes behind nginx, one workspace database.

What ``compose.yaml`` runs (see README, "Deploy for a team"), with the processes started and stopped
here: every app process gets the same ``NP_DATABASE_URL``, nginx (``deploy/nginx.conf.template``)
sends each browser to one of them and keeps it there. Used by the browser tests
(``tests/e2e/test_team_deploy_browser.py``) and the bench (``bench/load.py``).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.servers import postgres
from tests.servers.apps import AppProcess, start_apps
from tests.servers.nginx import Nginx


@dataclass
class Deployment:
    """What :func:`team_deployment` started: ``url`` is nginx's address (what users open)."""

    nginx: Nginx
    apps: list[AppProcess]
    database_url: str | None
    #: The throw-away PostgreSQL server, when the deployment runs on one.
    postgres: postgres.PostgresServer | None = None

    @property
    def url(self) -> str:
        return self.nginx.url

    def app_at(self, addr: str) -> AppProcess:
        """The app process at ``addr`` (``host:port``, as nginx's ``$upstream_addr`` names it)."""
        for a in self.apps:
            if a.addr == addr:
                return a
        raise KeyError(f"no app process at {addr!r}; have {[a.addr for a in self.apps]}")

    def other_than(self, app: AppProcess) -> AppProcess:
        return next(a for a in self.apps if a is not app)


def migrate(database_url: str) -> None:
    """What compose.yaml's ``migrate`` service does before any app process starts: the workspace's
    schema to the latest version."""
    from lib.workspace.store import Store

    store = Store(database_url)
    try:
        store.upgrade()
    finally:
        store.dispose()


@contextlib.contextmanager
def team_deployment(
    n: int = 2, database: str = "postgresql", env: Mapping[str, str] | None = None
) -> Iterator[Deployment]:
    """Start the workspace database, migrate it, start ``n`` app processes (each with the same
    ``NP_DATABASE_URL``) and nginx in front of them; stop everything at the end.

    ``database``: ``"postgresql"`` (a throw-away server, as the team deployment runs; needs Debian's
    postgresql), ``"sqlite"`` (one file the processes share), or a SQLAlchemy URL to use as it is."""
    with contextlib.ExitStack() as stack:
        pg = None
        if database == "postgresql":
            pg = stack.enter_context(postgres.PostgresServer())
            url = pg.url
        elif database == "sqlite":
            url = f"sqlite:///{Path(stack.enter_context(tempfile.TemporaryDirectory(prefix='np-team-'))) / 'workspace.sqlite'}"
        else:
            url = database
        migrate(url)
        # Nobody but the tests reaches this loopback nginx, so it is a trusted proxy unless ``env`` says not.
        apps = start_apps(n, {"NP_TRUSTED_PROXY": "1", **(env or {}), "NP_DATABASE_URL": url})
        stack.callback(lambda: [a.stop() for a in apps])
        nginx = stack.enter_context(Nginx([a.addr for a in apps]))
        yield Deployment(nginx=nginx, apps=apps, database_url=url, postgres=pg)
