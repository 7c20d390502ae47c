"""The workspace store: saved local data with versions, members and an audit log, in SQLite (the
embedded default) or PostgreSQL, through the same SQLAlchemy code.

A saved item is a ``kind`` (:data:`KINDS`) and a ``key`` (an indicator file's name; ``"current"``
for the single grouping, practice assignment, activity series and threshold). Each save makes a
new version (1, 2, …) holding the original file (bytes and name), the parsed tables (one Parquet
blob each, so loading needs no re-parse), ``meta`` (JSON) and who loaded it and when. One version
is in force; :meth:`Store.rollback` puts an earlier one back in force, :meth:`Store.delete` marks
the item deleted (a state, undone by :meth:`Store.undelete`).

Every change is ONE transaction that also writes its audit row: it all happens or none of it
does. A caller checks a file in full before calling :meth:`Store.save`. Two editors saving at
once: each passes the version they saw (``expected_version``, None for "not saved yet"); the
second finds another version in force and gets :class:`StoreConflict`, with nothing changed.

The schema is built and upgraded by Alembic (``lib/workspace/migrations``): :meth:`Store.upgrade`.

Pure Python, no Streamlit.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, create_engine, event, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from lib.workspace import config
from lib.workspace.models import audit, items, members, metadata, version_tables, versions

#: What can be saved. Indicator files are many (one key each); the others are one per workspace.
KINDS = ("indicators", "activity", "grouping", "practices", "threshold")
#: The key of the kinds held once per workspace.
SINGLE_KEY = "current"
ROLES = ("viewer", "editor", "admin")
#: Audit actions.
ACTIONS = ("load", "replace", "rollback", "delete", "undelete", "member_set", "member_remove")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class StoreError(Exception):
    """A request the store refuses (unknown kind, version or member); the message is plain words."""


class StoreConflict(StoreError):
    """Another editor changed the item first: nothing was saved. ``version``, ``by`` and ``at``
    describe what is in force now (``version`` None when it is deleted or was never saved)."""

    def __init__(self, kind: str, key: str, expected: int | None, version: int | None, by: str, at: datetime | None):
        self.kind, self.key, self.expected, self.version, self.by, self.at = kind, key, expected, version, by, at
        super().__init__(
            f"{kind} {key!r}: expected version {expected}, but version {version} is in force"
            + (f" (saved by {by} at {at:%H:%M})" if at else "")
        )


@dataclass(frozen=True)
class SavedItem:
    """An item as listed: the version in force and who loaded it (no file bytes, no rows)."""

    kind: str
    key: str
    version: int
    latest_version: int
    file_name: str
    loaded_by: str
    loaded_at: datetime
    updated_at: datetime
    deleted: bool
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SavedVersion:
    """One version in full: the original file and the parsed tables."""

    kind: str
    key: str
    version: int
    file_name: str
    raw: bytes
    tables: dict[str, pd.DataFrame]
    meta: dict
    loaded_by: str
    loaded_at: datetime


@dataclass(frozen=True)
class VersionInfo:
    """A row of an item's history."""

    version: int
    file_name: str
    loaded_by: str
    loaded_at: datetime
    size: int
    in_use: bool


def _utc(dt: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes: they were written in UTC."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def to_parquet(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def from_parquet(blob: bytes) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(blob))


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise StoreError(f"Unknown kind {kind!r}: one of {', '.join(KINDS)}.")


def make_engine(url: str) -> Engine:
    """An engine for ``url``. SQLite: the folder is created, WAL journal (readers never wait for
    a writer), a 30 s busy timeout, foreign keys on, and a write transaction starts with
    ``BEGIN IMMEDIATE`` (so two writers queue instead of failing half-way)."""
    url = config.normalise_url(url)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    path = config.sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # SQLAlchemy's begin event below emits BEGIN itself
        cur = dbapi_conn.cursor()
        if path is not None:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("np_write") else "BEGIN")

    return engine


class Store:
    """The workspace at ``url`` (a SQLAlchemy URL). Safe to share between threads and sessions."""

    def __init__(self, url: str, engine: Engine | None = None):
        self.url = config.normalise_url(url)
        self.engine = engine or make_engine(self.url)
        #: A test seam: called with a checkpoint name inside the save transaction
        #: ("version_written", "audit_written"); raising there must leave the store unchanged.
        self.fault_hook: Callable[[str], None] | None = None
        self._upgraded = False
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls) -> Store:
        """The store ``NP_DATABASE_URL`` names (else the SQLite file in ``data/workspace/``)."""
        return cls(config.database_url())

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ schema
    def alembic_config(self, connection: Connection | None = None):
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        cfg.attributes["connection"] = connection
        return cfg

    def upgrade(self, revision: str = "head") -> None:
        """Run the migrations up to ``revision`` (a fresh database gets every table). On
        PostgreSQL an advisory lock makes app processes starting together take turns."""
        from alembic import command

        with self._lock:
            with self.engine.connect() as conn:
                conn.execution_options(np_write=True)
                with conn.begin():
                    if self.backend == "postgresql":
                        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(2020112001)")
                    command.upgrade(self.alembic_config(conn), revision)
            self._upgraded = True

    def downgrade(self, revision: str) -> None:
        """Undo migrations down to ``revision`` (``"base"``: an empty database). For a migration's
        own test; the app never downgrades."""
        from alembic import command

        with self._lock:
            with self.engine.connect() as conn:
                conn.execution_options(np_write=True)
                with conn.begin():
                    command.downgrade(self.alembic_config(conn), revision)
            self._upgraded = False

    def ensure_schema(self) -> None:
        """:meth:`upgrade` once per Store (first use)."""
        if not self._upgraded:
            self.upgrade()

    def schema_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def schema_differences(self) -> list:
        """What the models (``models.py``) have that the migrated database has not, or the other
        way round (empty when the migrations build exactly the models)."""
        from alembic.autogenerate import compare_metadata
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
            return compare_metadata(ctx, metadata)

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(np_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def _checkpoint(self, name: str) -> None:
        if self.fault_hook is not None:
            self.fault_hook(name)

    @staticmethod
    def _audit(conn: Connection, who: str, action: str, kind=None, key=None, version=None, detail: str = "") -> None:
        conn.execute(
            insert(audit).values(
                at=_now(), who=who, action=action, kind=kind, key=key, version=version, detail=detail or ""
            )
        )

    def _item_row(self, conn: Connection, kind: str, key: str, lock: bool = False):
        q = select(items).where(items.c.kind == kind, items.c.key == key)
        if lock:
            q = q.with_for_update()
        return conn.execute(q).mappings().first()

    def _conflict(self, kind: str, key: str, expected: int | None) -> StoreConflict:
        """What is in force now, read after the failed transaction."""
        with self._read() as conn:
            row = self._item_row(conn, kind, key)
            if row is None:
                return StoreConflict(kind, key, expected, None, "", None)
            v = self._version_row(conn, row["id"], row["current_version"])
            return StoreConflict(
                kind,
                key,
                expected,
                None if row["deleted"] else row["current_version"],
                v["loaded_by"] if v else "",
                _utc(row["updated_at"]),
            )

    @staticmethod
    def _version_row(conn: Connection, item_id: int, version: int):
        return (
            conn.execute(
                select(versions.c.id, versions.c.loaded_by, versions.c.loaded_at, versions.c.file_name).where(
                    versions.c.item_id == item_id, versions.c.version == version
                )
            )
            .mappings()
            .first()
        )

    # ------------------------------------------------------------------ saving
    def save(
        self,
        kind: str,
        key: str,
        *,
        file_name: str,
        raw: bytes,
        parsed: Mapping[str, pd.DataFrame] | pd.DataFrame | None,
        by: str,
        expected_version: int | None,
        meta: dict | None = None,
    ) -> int:
        """Save a new version of (kind, key) and put it in force; return its number.

        ``parsed``: the checked file's tables by name (a single frame is saved as ``"rows"``).
        ``expected_version``: the version the editor saw in force (None: not saved, or deleted).
        If another is in force now, :class:`StoreConflict` and nothing changes."""
        _check_kind(kind)
        tables = {"rows": parsed} if isinstance(parsed, pd.DataFrame) else dict(parsed or {})
        # Everything that can fail on the data is done before the transaction opens.
        blobs = {name: to_parquet(df) for name, df in tables.items()}
        meta_text = json.dumps(meta or {}, sort_keys=True)
        raw = bytes(raw or b"")
        self.ensure_schema()
        now = _now()
        try:
            with self._write() as conn:
                row = self._item_row(conn, kind, key, lock=True)
                if row is None:
                    if expected_version is not None:
                        raise _Conflict
                    new = 1
                    item_id = conn.execute(
                        insert(items)
                        .values(kind=kind, key=key, current_version=1, latest_version=1, deleted=False, updated_at=now)
                        .returning(items.c.id)
                    ).scalar_one()
                    action = "load"
                else:
                    in_force = None if row["deleted"] else row["current_version"]
                    if expected_version != in_force:
                        raise _Conflict
                    new = row["latest_version"] + 1
                    item_id = row["id"]
                    done = conn.execute(
                        update(items)
                        .where(
                            items.c.id == item_id,
                            items.c.latest_version == row["latest_version"],
                            items.c.current_version == row["current_version"],
                            items.c.deleted == row["deleted"],
                        )
                        .values(current_version=new, latest_version=new, deleted=False, updated_at=now)
                    )
                    if done.rowcount != 1:
                        raise _Conflict
                    action = "replace" if in_force is not None else "load"
                version_id = conn.execute(
                    insert(versions)
                    .values(
                        item_id=item_id,
                        version=new,
                        file_name=file_name or "",
                        raw=raw,
                        meta=meta_text,
                        loaded_by=by,
                        loaded_at=now,
                    )
                    .returning(versions.c.id)
                ).scalar_one()
                self._checkpoint("version_written")
                for name, blob in blobs.items():
                    conn.execute(insert(version_tables).values(version_id=version_id, name=name, parquet=blob))
                self._audit(conn, by, action, kind, key, new, f"{file_name} ({len(raw):,} bytes)")
                self._checkpoint("audit_written")
        except (_Conflict, IntegrityError):
            raise self._conflict(kind, key, expected_version) from None
        return new

    def rollback(self, kind: str, key: str, version: int, by: str, *, expected_version: int | None = None) -> None:
        """Put an earlier ``version`` back in force (the later ones stay in the history).
        ``expected_version`` (optional): the version the editor saw in force."""
        self._set_state(kind, key, by, "rollback", version=version, expected=expected_version)

    def delete(self, kind: str, key: str, by: str, *, expected_version: int | None = None) -> None:
        """Mark the item deleted: no page shows it; :meth:`undelete` brings it back as it was."""
        self._set_state(kind, key, by, "delete", expected=expected_version)

    def undelete(self, kind: str, key: str, by: str) -> None:
        self._set_state(kind, key, by, "undelete")

    def _set_state(self, kind: str, key: str, by: str, action: str, version=None, expected=None) -> None:
        _check_kind(kind)
        self.ensure_schema()
        try:
            with self._write() as conn:
                row = self._item_row(conn, kind, key, lock=True)
                if row is None:
                    raise StoreError(f"Nothing is saved as {kind} {key!r}.")
                if expected is not None and (row["deleted"] or row["current_version"] != expected):
                    raise _Conflict
                values: dict = {"updated_at": _now()}
                if action == "rollback":
                    if row["deleted"]:
                        raise StoreError(f"{kind} {key!r} is deleted: restore it first.")
                    if self._version_row(conn, row["id"], version) is None:
                        raise StoreError(f"{kind} {key!r} has no version {version}.")
                    values["current_version"] = version
                    detail = f"from version {row['current_version']} to version {version}"
                elif action == "delete":
                    if row["deleted"]:
                        raise StoreError(f"{kind} {key!r} is already deleted.")
                    values["deleted"] = True
                    version, detail = row["current_version"], ""
                else:
                    if not row["deleted"]:
                        raise StoreError(f"{kind} {key!r} is not deleted.")
                    values["deleted"] = False
                    version, detail = row["current_version"], ""
                conn.execute(update(items).where(items.c.id == row["id"]).values(**values))
                self._audit(conn, by, action, kind, key, version, detail)
        except _Conflict:
            raise self._conflict(kind, key, expected) from None

    # ------------------------------------------------------------------ reading
    def current(self, kind: str | None = None, *, include_deleted: bool = False) -> list[SavedItem]:
        """The saved items (the version in force of each), by kind and key: what every page shows.
        Deleted items only with ``include_deleted``."""
        if kind is not None:
            _check_kind(kind)
        self.ensure_schema()
        q = (
            select(
                items,
                versions.c.file_name,
                versions.c.loaded_by,
                versions.c.loaded_at,
                versions.c.meta,
            )
            .join(versions, (versions.c.item_id == items.c.id) & (versions.c.version == items.c.current_version))
            .order_by(items.c.kind, items.c.key)
        )
        if kind is not None:
            q = q.where(items.c.kind == kind)
        if not include_deleted:
            q = q.where(items.c.deleted.is_(False))
        with self._read() as conn:
            rows = conn.execute(q).mappings().all()
        return [
            SavedItem(
                kind=r["kind"],
                key=r["key"],
                version=r["current_version"],
                latest_version=r["latest_version"],
                file_name=r["file_name"],
                loaded_by=r["loaded_by"],
                loaded_at=_utc(r["loaded_at"]),
                updated_at=_utc(r["updated_at"]),
                deleted=bool(r["deleted"]),
                meta=json.loads(r["meta"] or "{}"),
            )
            for r in rows
        ]

    def history(self, kind: str, key: str) -> list[VersionInfo]:
        """Every version of an item, newest first (``in_use``: the one in force, unless deleted)."""
        _check_kind(kind)
        self.ensure_schema()
        with self._read() as conn:
            row = self._item_row(conn, kind, key)
            if row is None:
                return []
            rows = (
                conn.execute(
                    select(
                        versions.c.version,
                        versions.c.file_name,
                        versions.c.loaded_by,
                        versions.c.loaded_at,
                        func.length(versions.c.raw).label("size"),
                    )
                    .where(versions.c.item_id == row["id"])
                    .order_by(versions.c.version.desc())
                )
                .mappings()
                .all()
            )
        return [
            VersionInfo(
                version=r["version"],
                file_name=r["file_name"],
                loaded_by=r["loaded_by"],
                loaded_at=_utc(r["loaded_at"]),
                size=int(r["size"] or 0),
                in_use=(r["version"] == row["current_version"] and not row["deleted"]),
            )
            for r in rows
        ]

    def load(self, kind: str, key: str, version: int | None = None) -> SavedVersion:
        """A version in full (default: the one in force, even if the item is deleted)."""
        _check_kind(kind)
        self.ensure_schema()
        with self._read() as conn:
            row = self._item_row(conn, kind, key)
            if row is None:
                raise StoreError(f"Nothing is saved as {kind} {key!r}.")
            number = row["current_version"] if version is None else version
            v = (
                conn.execute(select(versions).where(versions.c.item_id == row["id"], versions.c.version == number))
                .mappings()
                .first()
            )
            if v is None:
                raise StoreError(f"{kind} {key!r} has no version {number}.")
            blobs = conn.execute(
                select(version_tables.c.name, version_tables.c.parquet).where(version_tables.c.version_id == v["id"])
            ).all()
        return SavedVersion(
            kind=kind,
            key=key,
            version=number,
            file_name=v["file_name"],
            raw=bytes(v["raw"]),
            tables={name: from_parquet(bytes(blob)) for name, blob in blobs},
            meta=json.loads(v["meta"] or "{}"),
            loaded_by=v["loaded_by"],
            loaded_at=_utc(v["loaded_at"]),
        )

    def state_token(self) -> int:
        """Changes whenever anything is saved, rolled back, deleted or restored (the newest audit
        row: every change writes one in its transaction): a cheap test for "reload the saved data"."""
        self.ensure_schema()
        with self._read() as conn:
            return int(conn.execute(select(func.coalesce(func.max(audit.c.id), 0))).scalar_one())

    # ------------------------------------------------------------------ members and audit
    def members(self) -> dict[str, str]:
        """email → role of every member."""
        self.ensure_schema()
        with self._read() as conn:
            return dict(conn.execute(select(members.c.email, members.c.role).order_by(members.c.email)).all())

    def set_member(self, email: str, role: str, by: str) -> None:
        if role not in ROLES:
            raise StoreError(f"Unknown role {role!r}: one of {', '.join(ROLES)}.")
        email = email.strip().lower()
        if not email:
            raise StoreError("A member needs an email address.")
        self.ensure_schema()
        with self._write() as conn:
            old = conn.execute(select(members.c.role).where(members.c.email == email)).scalar_one_or_none()
            if old is None:
                conn.execute(insert(members).values(email=email, role=role, added_by=by, added_at=_now()))
            else:
                conn.execute(update(members).where(members.c.email == email).values(role=role))
            self._audit(conn, by, "member_set", detail=f"{email}: {old or 'not a member'} → {role}")

    def remove_member(self, email: str, by: str) -> None:
        email = email.strip().lower()
        self.ensure_schema()
        with self._write() as conn:
            old = conn.execute(select(members.c.role).where(members.c.email == email)).scalar_one_or_none()
            if old is None:
                raise StoreError(f"{email} is not a member.")
            conn.execute(members.delete().where(members.c.email == email))
            self._audit(conn, by, "member_remove", detail=f"{email} (was {old})")

    def audit(self, limit: int = 200) -> list[dict]:
        """The newest ``limit`` audit rows, newest first: ``at, who, action, kind, key, version, detail``."""
        self.ensure_schema()
        with self._read() as conn:
            rows = (
                conn.execute(
                    select(
                        audit.c.at,
                        audit.c.who,
                        audit.c.action,
                        audit.c.kind,
                        audit.c.key,
                        audit.c.version,
                        audit.c.detail,
                    )
                    .order_by(audit.c.id.desc())
                    .limit(limit)
                )
                .mappings()
                .all()
            )
        return [{**dict(r), "at": _utc(r["at"])} for r in rows]


class _Conflict(Exception):
    """Raised inside a transaction to roll it back as a conflict."""
