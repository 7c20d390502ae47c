"""The PDF profile's spine table (lib.exports.pdf), read back with pypdf: every indicator (the
tested ones first, none cut off at a fixed number of rows) with its comparison, over a second page
where it needs one, and no text smaller than 7 pt. Checked against values.csv and indicators.csv
read independently."""

from __future__ import annotations

import io
import math
import re

import pytest
from pypdf import PdfReader

from lib.core.selection import Selection
from lib.exports import pdf
from lib.render.format import COMPARISON_STYLE


def _read(raw: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(raw))
    text = " ".join(p.extract_text() for p in reader.pages)
    return reader, " ".join(text.split())


def _tested(values, indicators) -> list[str]:
    nb = set(values.loc[values["area_type"] == "neighbourhood", "indicator_id"])
    t = indicators[(indicators["ci_method"] != "none") & indicators["indicator_id"].isin(nb)]
    return [i for i in t["indicator_id"] if not i.startswith("target_")]


@pytest.mark.parametrize("nbhd", ["N3", "S4"])
def test_every_indicator_is_in_the_table_with_its_comparison(ds, values_csv, indicators_csv, nbhd):
    raw = pdf.neighbourhood_pdf(ds, Selection(nbhd, "city", "95"), "http://np.test", {})
    reader, text = _read(raw)
    assert 1 <= len(reader.pages) <= 2
    short = dict(zip(indicators_csv["indicator_id"], indicators_csv["short_name"]))
    nb = set(values_csv.loc[values_csv["area_type"] == "neighbourhood", "indicator_id"])
    every = [i for i in indicators_csv["indicator_id"] if i in nb and not i.startswith("target_")]
    assert len(every) > 14  # the old table stopped at 14 rows
    for ind in every:
        assert short[ind] in text, ind
    labels = "|".join(re.escape(f"{s} {w}") for s, _, _, w in COMPARISON_STYLE.values())
    tested = _tested(values_csv, indicators_csv)
    assert tested
    positions = []
    for ind in tested:
        row = values_csv[
            (values_csv["indicator_id"] == ind)
            & (values_csv["area_type"] == "neighbourhood")
            & (values_csv["area_code"] == nbhd)
        ]
        row = row.sort_values("period").iloc[-1]
        at = text.index(short[ind] + " " + str(row["period"]))
        positions.append(at)
        found = re.search(labels, text[at:])
        symbol, _, _, word = COMPARISON_STYLE[row["vs_city"]]
        assert found.group(0) == f"{symbol} {word}", (ind, text[at : at + 120])
    # the tested indicators come first: before any untested one
    untested = [i for i in every if i not in tested]
    first_untested = min(text.index(short[i]) for i in untested)
    assert max(positions) < first_untested


def test_no_text_smaller_than_7_points(ds):
    raw = pdf.neighbourhood_pdf(ds, Selection("C2", "rest", "99.8"), None, {})
    sizes: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes.append(size * math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3]))

    reader = PdfReader(io.BytesIO(raw))
    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    assert sizes and min(sizes) >= 7 - 1e-6, sorted(sizes)[:5]
    # no picture of text: the spine is drawn, not pasted in as an image
    assert all(not page.images for page in reader.pages)


def test_a_long_table_continues_on_a_second_page_with_its_headings(ds):
    raw = pdf.neighbourhood_pdf(ds, Selection("S1", "england", "95"), None, {})
    reader, _ = _read(raw)
    if len(reader.pages) == 1:
        pytest.skip("the table fits one page")
    second = " ".join(reader.pages[1].extract_text().split())
    assert "(continued)" in second and "Indicator Period S1" in second
    assert "Accessed on" in second and "Accessed on" not in reader.pages[0].extract_text()
