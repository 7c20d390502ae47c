"""lib.render.style: the style sheets live as CSS files, each one used, each reaching the page."""

from __future__ import annotations

import re

import pytest

from lib.render import style as style_module
from lib.render.style import STYLES, style
from tests.conftest import REPO


def test_a_style_sheet_is_its_file_in_a_style_element():
    text = (STYLES / "table.css").read_text(encoding="utf-8")
    out = style("table")
    assert out.startswith("<style>\n") and out.endswith("\n</style>")
    assert text.strip() in out and ".np-table" in out


def test_an_unknown_style_sheet_says_where_it_was_looked_for():
    with pytest.raises(FileNotFoundError, match="no style sheet 'nope'"):
        style("nope")


def test_every_style_sheet_is_used_and_none_is_written_as_a_python_string():
    code = "\n".join(p.read_text(encoding="utf-8") for p in [*REPO.glob("lib/**/*.py"), *REPO.glob("pages/**/*.py")])
    for css in STYLES.glob("*.css"):
        assert f'style("{css.stem}")' in code, f"{css.name} is not used"
    # no module keeps a style sheet of its own in a string (the folium map's own is in map.css)
    assert not re.search(r'"""\s*<style>', code), "a <style> block is written in Python: move it to lib/render/styles/"
    assert style_module.__doc__
