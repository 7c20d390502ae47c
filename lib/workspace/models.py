"""The workspace's tables (SQLAlchemy Core). The migrations in ``migrations/versions/`` build
exactly these; ``tests/test_workspace_store.py`` checks that they match.

* ``items``: one saved thing per (kind, key): the version in force, the newest version number and
  whether it is deleted (a state: undelete restores it).
* ``versions``: every version of an item: the original file (bytes and name), who loaded it and
  when, and ``meta`` (JSON text: what the parsed tables need besides their rows).
* ``version_tables``: the parsed rows of a version, one Parquet blob per named table, so loading
  needs no re-parse.
* ``members``: who may see the workspace on a team server, and their role.
* ``audit``: every load, replace, roll-back, delete, undelete and member change, written in the
  same transaction as the change.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("key", String(300), nullable=False),
    Column("current_version", Integer, nullable=False),
    Column("latest_version", Integer, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("kind", "key", name="uq_items_kind_key"),
)

versions = Table(
    "versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("file_name", String(300), nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Column("meta", Text, nullable=False),
    Column("loaded_by", String(320), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("item_id", "version", name="uq_versions_item_id_version"),
)

version_tables = Table(
    "version_tables",
    metadata,
    Column("version_id", Integer, ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(100), primary_key=True),
    Column("parquet", LargeBinary, nullable=False),
)

members = Table(
    "members",
    metadata,
    Column("email", String(320), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("added_by", String(320), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("who", String(320), nullable=False),
    Column("action", String(30), nullable=False),
    Column("kind", String(20), nullable=True),
    Column("key", String(300), nullable=True),
    Column("version", Integer, nullable=True),
    Column("detail", Text, nullable=False, default=""),
)
