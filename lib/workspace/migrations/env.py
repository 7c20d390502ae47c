"""Alembic's environment for the workspace database.

Run by :meth:`lib.workspace.store.Store.upgrade` (which passes its open connection) or from the
command line: ``.venv/bin/alembic -c lib/workspace/alembic.ini upgrade head`` (the URL is
``NP_DATABASE_URL``, else the SQLite file in ``data/workspace/``).
"""

from __future__ import annotations

from alembic import context

from lib.workspace import config as ws_config
from lib.workspace.models import metadata

cfg = context.config


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()


connection = cfg.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from lib.workspace.store import make_engine

    url = cfg.get_main_option("sqlalchemy.url") or ws_config.database_url()
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()
