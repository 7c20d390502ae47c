"""The workspace on every page: the store (one per server process), who is using the app, and the
saved data every page shows (indicator files, activity, grouping, practice assignment, threshold).

``pages/shared/session_data.py`` joins the saved data to the session's own uploads (which still
override them for a quick look), so every page sees them through the same path. Logic is in
``lib/workspace`` (store, kinds) and ``lib/views/workspace.py`` (what the page says).

Streamlit code shared by the pages (``pages/shared/``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import streamlit as st

from lib.imports.activity_file import ActivityData
from lib.imports.indicator_file import ImportedData
from lib.views import workspace as ws_view
from lib.workspace import config, kinds
from lib.workspace.store import SINGLE_KEY, SavedItem, Store, StoreConflict, StoreError

log = logging.getLogger(__name__)

#: How long a process reuses its list of what is saved before asking the database again: another
#: editor's save (in this process or another) shows within this many seconds; one's own at once.
SNAPSHOT_SECONDS = 2.0


# ---------------------------------------------------------------- who is using the app
@dataclass(frozen=True)
class LocalUser:
    """STAND-IN until ``pages/shared/signin.py`` (access20) is merged: the laptop install's one
    local user, "this computer", an admin. The integrator wires :func:`current_user` to it."""

    name: str = "this computer"
    email: str = "this computer"
    role: str | None = "admin"
    signed_in: bool = False


def current_user():
    """The user of this session (``pages.shared.signin.current_user`` when it exists)."""
    try:
        from pages.shared import signin  # access20
    except ImportError:  # STAND-IN: laptop mode, the local admin
        return LocalUser()
    return signin.current_user()


def can(action: str) -> bool:
    """May this session's user ``view_saved``, ``load`` (save, replace, roll back, delete) or ``admin``?"""
    role = getattr(current_user(), "role", None)
    try:
        from lib.workspace import access  # access20
    except ImportError:  # STAND-IN: viewer < editor < admin
        order = {"viewer": 1, "editor": 2, "admin": 3}
        need = {"view_saved": 1, "load": 2, "admin": 3}.get(action, 99)
        return order.get(role or "", 0) >= need
    return bool(access.can(role, action))


def who() -> str:
    """The name saved with a change: the signed-in email, else "this computer"."""
    u = current_user()
    return str(getattr(u, "email", "") or getattr(u, "name", "") or "this computer")


# ---------------------------------------------------------------- the store
@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    s = Store(url)
    s.upgrade()  # a fresh database gets its tables; an old one its new migrations
    return s


def store() -> Store:
    """The workspace store of ``NP_DATABASE_URL`` (created and migrated on first use)."""
    return _store(config.database_url())


@st.cache_resource(show_spinner=False, ttl=SNAPSHOT_SECONDS)
def _snapshot(url: str) -> tuple[SavedItem, ...]:
    return tuple(_store(url).current())


def refresh() -> None:
    """Forget the list of what is saved (after a change, so the saver sees it at once)."""
    _snapshot.clear()


def unavailable() -> str | None:
    """Why the workspace cannot be read (plain words), or None when it can."""
    try:
        _snapshot(config.database_url())
    except Exception as exc:  # an unreachable or damaged database never stops the public pages
        return ws_view.unavailable_message(exc)
    return None


def saved_items(kind: str | None = None) -> list[SavedItem]:
    """What is saved (the version in force of each item), if this user may see it; else nothing."""
    if not can("view_saved"):
        return []
    try:
        items = _snapshot(config.database_url())
    except Exception:
        log.exception("the workspace database cannot be read")
        return []
    return [i for i in items if kind is None or i.kind == kind]


def token() -> tuple:
    """What is saved, as (kind, key, version) for every visible item: part of a cache key."""
    return tuple((i.kind, i.key, i.version) for i in saved_items())


@st.cache_resource(show_spinner=False, max_entries=512)
def _loaded(url: str, kind: str, key: str, version: int):
    """A saved version as the pages use it (versions never change: kept per process)."""
    return kinds.FROM_STORE[kind](_store(url).load(kind, key, version))


def _load(item: SavedItem):
    try:
        return _loaded(config.database_url(), item.kind, item.key, item.version)
    except Exception:
        log.exception("saved %s %r version %s cannot be loaded", item.kind, item.key, item.version)
        return None


def saved_indicators() -> list[ImportedData]:
    return [d for d in (_load(i) for i in saved_items("indicators")) if d is not None]


def _single(kind: str):
    items = [i for i in saved_items(kind) if i.key == SINGLE_KEY]
    return _load(items[0]) if items else None


def saved_activity() -> ActivityData | None:
    return _single("activity")


def saved_grouping() -> dict | None:
    return _single("grouping")


def saved_practices() -> dict | None:
    return _single("practices")


def saved_threshold() -> int | None:
    return _single("threshold")


# ---------------------------------------------------------------- changes (Your data)
SEEN_KEY = "ws_seen"


def remember_seen() -> None:
    """Record the versions this session was shown: a save made now expects them in force."""
    st.session_state[SEEN_KEY] = {(i.kind, i.key): i.version for i in saved_items()}


def seen_version(kind: str, key: str) -> int | None:
    seen = st.session_state.get(SEEN_KEY)
    if seen is None:
        remember_seen()
        seen = st.session_state[SEEN_KEY]
    return seen.get((kind, key))


def save(
    kind: str, key: str, obj, *, file_name: str, raw: bytes, expected_version: int | None = -1
) -> tuple[int | None, str | None]:
    """Save a checked object (the same one a session upload gives) as a new version. Returns
    (version, None) or (None, a plain message saying nothing was saved and why). The version
    expected in force is the one this session was shown, unless given."""
    if not can("load"):
        return None, ws_view.not_allowed_message()
    expected = seen_version(kind, key) if expected_version == -1 else expected_version
    tables, meta = getattr(kinds, f"{kind}_to_store")(obj)
    try:
        version = store().save(
            kind, key, file_name=file_name, raw=raw, parsed=tables, by=who(), expected_version=expected, meta=meta
        )
    except StoreConflict as exc:
        refresh()
        return None, ws_view.conflict_message(ws_view.item_label(kind, key), exc.by, exc.at, exc.version)
    except Exception as exc:
        log.exception("saving %s %r failed", kind, key)
        return None, ws_view.save_failed_message(ws_view.item_label(kind, key), exc)
    refresh()
    remember_seen()
    return version, None


def change(action: str, kind: str, key: str, version: int | None = None) -> str | None:
    """Roll back, delete or undelete; None when done, else a plain message (nothing changed)."""
    if not can("load"):
        return ws_view.not_allowed_message()
    s, label = store(), ws_view.item_label(kind, key)
    try:
        if action == "rollback":
            s.rollback(kind, key, int(version), who(), expected_version=seen_version(kind, key))
        elif action == "delete":
            s.delete(kind, key, who(), expected_version=seen_version(kind, key))
        elif action == "undelete":
            s.undelete(kind, key, who())
        else:
            raise ValueError(action)
    except StoreConflict as exc:
        refresh()
        return ws_view.conflict_message(label, exc.by, exc.at, exc.version)
    except StoreError as exc:
        refresh()
        return f"{label}: {exc} Nothing was changed."
    except Exception as exc:
        log.exception("%s of %s %r failed", action, kind, key)
        return ws_view.save_failed_message(label, exc)
    refresh()
    remember_seen()
    return None
