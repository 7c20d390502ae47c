"""The workspace database from the command line (``make app`` runs ``upgrade``):

.venv/bin/python -m lib.workspace upgrade     create the database or run its new migrations
.venv/bin/python -m lib.workspace status      where it is, its schema revision, what is saved
"""

from __future__ import annotations

import argparse
import sys

from lib.workspace import config
from lib.workspace.store import Store


def _safe(url: str) -> str:
    """The URL without its password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}" if ":" in creds else url
    return url


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lib.workspace", description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=["upgrade", "status"])
    args = ap.parse_args(argv)
    url = config.database_url()
    store = Store(url)
    try:
        if args.command == "upgrade":
            store.upgrade()
            print(f"Workspace database ready ({_safe(url)}, schema {store.schema_revision()}).")
        else:
            print(f"Workspace database: {_safe(url)}")
            print(f"Schema revision: {store.schema_revision() or 'none (run: python -m lib.workspace upgrade)'}")
            if store.schema_revision():
                for i in store.current(include_deleted=True):
                    state = " (deleted)" if i.deleted else ""
                    print(f"  {i.kind} {i.key!r}: version {i.version} of {i.latest_version}, {i.loaded_by}{state}")
    finally:
        store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
