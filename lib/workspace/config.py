"""Where the workspace lives and which mode the app runs in (read from the environment).

* ``NP_DATABASE_URL``: a SQLAlchemy URL. Unset, the embedded default is a SQLite file in the
  git-ignored ``data/workspace/`` folder of the repository (created on first use), so a laptop
  install needs nothing beyond the app. A team server names PostgreSQL through psycopg 3, e.g.
  ``postgresql+psycopg://np:secret@db:5432/np`` (``postgresql://`` is read as psycopg too).
* ``NP_SIGN_IN=1``: a team server with sign-in (``team_mode()``); the exact rule is the sign-in
  module's (``pages/shared/signin.py``), this is the one switch it reads.

Pure functions, no Streamlit.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: The git-ignored folder of the embedded database.
DEFAULT_FOLDER = REPO / "data" / "workspace"
DEFAULT_FILE = DEFAULT_FOLDER / "workspace.sqlite"


def default_url() -> str:
    return f"sqlite:///{DEFAULT_FILE}"


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 (the driver the app installs)."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def database_url() -> str:
    """``NP_DATABASE_URL`` (normalised), else the SQLite file in ``data/workspace/``."""
    url = os.environ.get("NP_DATABASE_URL", "").strip()
    return normalise_url(url) if url else default_url()


def team_mode() -> bool:
    """True on a team server with sign-in configured (``NP_SIGN_IN=1``)."""
    return os.environ.get("NP_SIGN_IN", "").strip().lower() in ("1", "true", "yes", "on")


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for an in-memory database or another backend)."""
    if not url.startswith("sqlite"):
        return None
    rest = url.split(":///", 1)[1] if ":///" in url else ""
    rest = rest.split("?", 1)[0]
    if not rest or rest == ":memory:":
        return None
    return Path(rest)
