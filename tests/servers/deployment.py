"""The team deployment on loopback, without containers: N app processes behind nginx, one workspace database.

What ``compose.yaml`` runs (see README, "Deploy for a team"), with the processes started and stopped
here: every app process gets the same ``NP_DATABASE_URL``, nginx (``deploy/nginx.conf.template``)
sends each browser to one of them and keeps it there. Used by the browser tests
(``tests/e2e/test_team_deploy_browser.py``) and the bench (``bench/load.py``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from tests.servers.apps import AppProcess, start_apps
from tests.servers.nginx import Nginx


@dataclass
class Deployment:
    """What :func:`team_deployment` started: ``url`` is nginx's address (what users open)."""

    nginx: Nginx
    apps: list[AppProcess]
    database_url: str | None

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


@contextlib.contextmanager
def team_deployment(
    n: int = 2, database_url: str | None = None, env: Mapping[str, str] | None = None
) -> Iterator[Deployment]:
    """Start ``n`` app processes (each with ``NP_DATABASE_URL=database_url`` when given) and nginx
    in front of them; stop everything at the end."""
    app_env = dict(env or {})
    if database_url:
        app_env["NP_DATABASE_URL"] = database_url
    apps = start_apps(n, app_env)
    try:
        with Nginx([a.addr for a in apps]) as nginx:
            yield Deployment(nginx=nginx, apps=apps, database_url=database_url)
    finally:
        for a in apps:
            a.stop()
