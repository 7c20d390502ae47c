"""CSV downloads: text a spreadsheet would run as a formula (CSV injection) is neutralised."""

from __future__ import annotations

import io

import pandas as pd

from lib.present import csv_bytes, neutralise_formula


def test_formula_like_text_gets_a_leading_apostrophe():
    for cell in ('=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(A1:A2)", "-2+3", "\t=1", "\r=1", "-"):
        assert neutralise_formula(cell) == "'" + cell


def test_numbers_plain_text_and_non_text_are_unchanged():
    for cell in ("-1.5", "+44", "1,234", "-3e5", "-12%", "Ancoats, Clayton and Bradford", "<script>x</script>", "", "–"):
        assert neutralise_formula(cell) == cell
    for cell in (5, -2.5, None):
        assert neutralise_formula(cell) == cell


def test_csv_bytes_neutralises_cells_and_headers_only_where_needed():
    df = pd.DataFrame({"name": ["=1+1", "Moston", "@x"], "value": [-1.0, 2.0, 3.5], "=bad header": ["-4", "a", "b"]})
    out = pd.read_csv(io.BytesIO(csv_bytes(df)), dtype=str, keep_default_na=False)
    assert list(out.columns) == ["name", "value", "'=bad header"]
    assert out["name"].tolist() == ["'=1+1", "Moston", "'@x"]
    assert out["value"].tolist() == ["-1.0", "2.0", "3.5"]
    assert out["'=bad header"].tolist() == ["-4", "a", "b"]
    plain = pd.DataFrame({"a": ["x", "y"], "b": [1, 2]})
    assert csv_bytes(plain) == plain.to_csv(index=False).encode("utf-8")
