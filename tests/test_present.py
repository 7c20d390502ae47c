"""CSV downloads: text a spreadsheet would run as a formula (CSV injection) is neutralised."""

from __future__ import annotations

import io

import pandas as pd

from lib.render.format import csv_bytes, neutralise_formula


def test_formula_like_text_gets_a_leading_apostrophe():
    for cell in (
        '=HYPERLINK("http://evil.example","x")',
        "+cmd|' /C calc'!A0",
        "@SUM(A1:A2)",
        "-2+3",
        "\t=1",
        "\r=1",
        "-",
    ):
        assert neutralise_formula(cell) == "'" + cell


def test_numbers_plain_text_and_non_text_are_unchanged():
    for cell in (
        "-1.5",
        "+44",
        "1,234",
        "-3e5",
        "-12%",
        "Ancoats, Clayton and Bradford",
        "<script>x</script>",
        "",
        "–",
    ):
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


def test_sources_markdown_lists_each_indicator_with_its_own_period_status_and_source():
    from lib.render.format import STATUS_BADGE, source_text, sources_markdown

    inds = pd.DataFrame(
        {
            "indicator_id": ["a", "b"],
            "short_name": ["Alpha", "Beta"],
            "status": ["real", "modelled"],
            "source": ["ONS", "Seed 003"],
            "licence": ["OGL v3", "OGL v3"],
            "method_note": ["As published.", "Apportioned."],
        }
    )
    md = sources_markdown(inds, ["b", "a", "zz"], ["2020", "2019/20", "2021"])
    # the catalogue's text and the periods are escaped (shown literally: tests/test_markdown_text.py)
    assert md.splitlines() == [
        "- **Beta**: **MODELLED ESTIMATE** · Source: Seed 003 (OGL v3) · Period: 2020 · Method: Apportioned\\.",
        "- **Alpha**: **REAL** · Source: ONS (OGL v3) · Period: 2019\\/20 · Method: As published\\.",
        "- **zz**: period 2021",
    ]
    assert (
        source_text(inds.iloc[0].to_dict(), "2019")
        == f"**{STATUS_BADGE['real']}** · Source: ONS (OGL v3) · Period: 2019 · Method: As published\\."
    )
