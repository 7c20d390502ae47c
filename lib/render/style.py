"""The app's style sheets, kept as CSS files in ``lib/render/styles/`` (static, no data in them).

:func:`style` gives one as a ``<style>`` element, read from its file once per process.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

STYLES = Path(__file__).with_name("styles")


@cache
def style(name: str) -> str:
    """``lib/render/styles/<name>.css`` as a ``<style>`` element."""
    path = STYLES / f"{name}.css"
    if not path.is_file():
        raise FileNotFoundError(f"no style sheet {name!r}: expected {path}")
    return "<style>\n" + path.read_text(encoding="utf-8").rstrip("\n") + "\n</style>"
