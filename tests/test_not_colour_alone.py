"""Comparisons are never shown by colour alone, in the tables the pages draw (AppTest).

``lib.render.format.COMPARISON_STYLE`` gives each comparison a colour, a symbol and a word; the unit
tests check the charts' and the map's pieces (tests/test_charts.py, tests/test_mapview.py). Here:
every "Compared with ..." cell in every table on the pages says it with a symbol and a word, and
the tartan rug's table carries the symbol in every cell.
"""

from __future__ import annotations

import re

import pytest

from lib.render.format import COMPARISON_STYLE
from tests.conftest import open_page, shown_tables

SYMBOLS = "".join(sorted({s for s, _, _, _ in COMPARISON_STYLE.values()}))
WORDS = "|".join(re.escape(label) for _, _, _, label in COMPARISON_STYLE.values())
#: "▼ Worse than England", "● Similar", "○ Not compared": a symbol, then the word
LABEL = re.compile(rf"^[{SYMBOLS}] ({WORDS})\b")
NO_FIGURE = {"", "–", "nan", "None", "<NA>"}

PAGES = ["pages/overview.py", "pages/map.py", "pages/profile.py", "pages/compare.py", "pages/cohorts.py"]
#: The part of a page (its tab, in the URL) that holds the comparison table.
VIEW = {"pages/profile.py": {"view": "table"}}


def _comparison_cells(at) -> list[tuple[int, str, str]]:
    """(table index, column, cell) for every cell of a "Compared with ..." column."""
    out = []
    for i, df in enumerate(shown_tables(at)):
        for col in df.columns:
            if str(col).startswith("Compared with"):
                out += [(i, col, str(v)) for v in df[col] if str(v) not in NO_FIGURE]
    return out


@pytest.mark.parametrize("page", PAGES)
def test_comparison_cells_carry_symbol_and_word(page):
    at = open_page(page, VIEW.get(page))
    cells = _comparison_cells(at)
    assert cells, f"{page}: no 'Compared with ...' column in any table"
    bad = [c for c in cells if not LABEL.match(c[2])]
    assert not bad, f"{page}: comparison cells without a symbol and a word: {bad[:10]}"
    # and the words match the symbols (▲ is never 'Worse')
    for _, _, text in cells:
        symbol, word = text[0], LABEL.match(text).group(1)
        assert symbol == next(s for s, _, _, label in COMPARISON_STYLE.values() if label == word), text


def test_tartan_table_cells_carry_the_symbol():
    """The rug's table (beside the coloured rug): every neighbourhood cell ends with its symbol."""
    at = open_page("pages/compare.py", {"view": "rug"})
    wide = next(f for f in shown_tables(at) if {"Manchester", "England"} <= set(map(str, f.columns)))
    codes = [c for c in wide.columns if re.match(r"[NCS]\d ", str(c))]  # headed by code and name
    assert len(codes) == 12
    cells = [str(v) for c in codes for v in wide[c] if str(v) not in NO_FIGURE]
    assert cells
    bad = [v for v in cells if v[-1] not in SYMBOLS]
    assert not bad, f"rug cells without a comparison symbol: {bad[:10]}"


def test_the_label_pattern_rejects_colour_only_cells():
    """The check can fail: a bare word, a bare symbol or an empty coloured cell do not pass."""
    assert LABEL.match("▼ Worse than England") and LABEL.match("○ Not compared")
    for text in ("Worse than England", "▼", "▼ ", "  ", "#D55E00"):
        assert not LABEL.match(text), text
