"""lib.views.methods: the catalogue table and its full-text companion hold every indicator, escaped."""

from __future__ import annotations

import html
import re

import pandas as pd

from lib.core.data import load_dataset
from lib.views import methods as catalogue_view

PAYLOAD = '<img src=x onerror="alert(1)">'


def _catalogue() -> pd.DataFrame:
    ds = load_dataset()
    return catalogue_view.indicator_catalogue(ds.indicators, ds.values)


def test_the_catalogue_has_one_row_per_indicator_and_the_summary_columns():
    ds = load_dataset()
    cat = _catalogue()
    assert sorted(cat["Id"]) == sorted(ds.indicators["indicator_id"])
    assert set(catalogue_view.SUMMARY_COLUMNS) <= set(cat.columns)
    assert set(catalogue_view.DETAIL_COLUMNS) <= set(cat.columns)


def test_details_give_every_indicator_with_every_field():
    cat = _catalogue()
    out = catalogue_view.indicator_details_html(cat)
    headings = re.findall(r"<h3>(.*?)</h3>", out)
    assert len(headings) == len(cat)
    for (_, row), heading in zip(cat.iterrows(), headings):
        assert html.unescape(heading) == f"{row['Indicator']} · {row['Status']}"
    assert out.count("<dt>Definition</dt>") == len(cat) == out.count("<dt>Indicator id</dt>")
    for col in ("Definition", "Method", "Source"):
        for text in cat[col].head(5):
            assert f"<dd>{html.escape(str(text))}</dd>" in out


def test_details_escape_user_text_and_fill_empty_caveats():
    cat = _catalogue().head(2).copy()
    cat.loc[cat.index[0], "Indicator"] = PAYLOAD
    cat.loc[cat.index[0], "Caveats"] = ""
    out = catalogue_view.indicator_details_html(cat)
    assert "<img" not in out and html.escape(PAYLOAD) in out
    assert "<dt>Caveats</dt><dd>None recorded.</dd>" in out


def test_the_methods_page_gives_the_table_first_and_every_indicator_in_full_in_its_own_view():
    from tests.conftest import open_page, shown_tables

    n = len(load_dataset(population=None).indicators)  # both lenses: residents and registered patients
    at = open_page("pages/methods.py")
    assert not at.exception
    (table,) = [t for t in shown_tables(at) if "Indicator" in t.columns]
    assert len(table) == n and list(table.columns) == catalogue_view.SUMMARY_COLUMNS
    assert set(table["Population"]) == {"Residents", "Registered patients"}
    assert not any("<dl>" in h.value for h in at.html)  # the full texts are not drawn on the first view
    at = open_page("pages/methods.py", {"view": "details"})
    assert not at.exception
    (details,) = [h.value for h in at.html if "<dl>" in h.value]
    assert details.count("<h3>") == n
