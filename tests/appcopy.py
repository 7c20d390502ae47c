"""A private copy of the app (code and embedded data) for tests that break a data file.

``lib.core.data.ROOT`` (and ``lib.imports.geography.ROOT``, ``lib.methods.regroup.ROOT``) come from where ``lib/`` lives,
so a copy reads its own ``geodata/`` and ``profiles/``. Two things would otherwise leak the
repository's data into a copy's run, and :func:`isolated` handles both:

- ``lib`` and ``pages`` are already imported from the repository in the test process; AppTest
  runs in the same process, so the copy's ``from lib import data`` would get the repository's
  module. They are taken out of ``sys.modules`` for the run and put back afterwards.
- Streamlit's cache keys are the function's module, name and source, not its file: the copy's
  ``pages.shared.session_data.embedded`` has the same key as the repository's. Caches are cleared before and
  after.

It also makes AppTest run every page through ``app.py`` as a server does. AppTest resets
Streamlit's legacy ``pages/`` router before each run, so after a page switch it runs the page
script alone, outside ``app.py`` (and its guard for a failing page); a server switches that router
off for good at the first ``st.navigation`` call.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
APP_PARTS = ("app.py", "pages", "lib", "geodata", "profiles", "static", ".streamlit")
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")

#: Garbage bytes: a PNG header, NULs and bytes that are not UTF-8.
GARBAGE = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


def make_copy(dest: Path) -> Path:
    """Copy the app's files to ``dest``; return the copy's ``app.py``."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in APP_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=_IGNORE, symlinks=True)
        else:
            shutil.copy2(src, dest / part)
    return dest / "app.py"


def break_file(root: Path, relative: str, how: str) -> None:
    """Break one embedded file: ``missing``, ``garbage``, ``truncated`` or ``columns`` (wrong columns)."""
    path = root / relative
    if how == "missing":
        path.unlink()
    elif how == "garbage":
        path.write_bytes(GARBAGE)
    elif how == "truncated":
        raw = path.read_bytes()
        path.write_bytes(raw[: int(len(raw) * 0.4) + 7])  # mid-line (or mid-JSON)
    elif how == "columns":
        if path.suffix == ".geojson":
            gj = json.loads(path.read_text(encoding="utf-8"))
            for f in gj["features"]:
                f["properties"] = {f"x_{k}": v for k, v in f["properties"].items()}
            path.write_text(json.dumps(gj), encoding="utf-8")
        else:
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            n = lines[0].count(",") + 1
            lines[0] = ",".join(f"column_{i}" for i in range(n)) + "\n"
            path.write_text("".join(lines), encoding="utf-8")
    else:
        raise ValueError(how)


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


@contextlib.contextmanager
def isolated() -> Iterator[None]:
    """Run AppTest on a copy: its own ``lib``/``pages`` modules and empty Streamlit caches."""
    from streamlit.runtime.pages_manager import PagesManager

    ours = {k: m for k, m in sys.modules.items() if k in ("lib", "pages") or k.startswith(("lib.", "pages."))}
    for k in ours:
        del sys.modules[k]
    _clear_caches()
    init = PagesManager.__init__

    def init_without_legacy_router(self, *args, **kwargs):
        init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init_without_legacy_router
    try:
        yield
    finally:
        PagesManager.__init__ = init
        PagesManager.uses_pages_directory = None
        for k in [k for k in sys.modules if k in ("lib", "pages") or k.startswith(("lib.", "pages."))]:
            del sys.modules[k]
        sys.modules.update(ours)
        _clear_caches()
