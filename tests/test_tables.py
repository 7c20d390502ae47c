"""lib.render.tables: the static HTML tables are escaped, complete and read back to the same figures."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from lib.render.tables import MISSING, format_number, html_table, numeric_columns, read_html_tables

PAYLOAD = '<img src=x onerror="alert(1)">&{{7*7}}'


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Neighbourhood": ["Ancoats", PAYLOAD, "Wythenshawe"],
            "Value (%)": ["12.5", None, "7.0"],
            "Count": [10, np.nan, 3],
            "Compared with England": ["▲ Better than England", "○ Not compared", "▼ Worse than England"],
        }
    )


def test_round_trip_gives_the_same_cells_and_headers():
    df = _frame()
    (back,) = read_html_tables(
        html_table(df, "Three areas", numeric=("Value (%)", "Count"), row_header="Neighbourhood")
    )
    assert list(back.columns) == list(df.columns)
    assert back.attrs["caption"] == "Three areas"
    expected = [
        [
            MISSING
            if (v is None or (not isinstance(v, str) and pd.isna(v)))
            else (v if isinstance(v, str) else format_number(v))
            for v in row
        ]
        for row in df.itertuples(index=False, name=None)
    ]
    assert back.values.tolist() == expected


def test_every_cell_and_header_is_escaped():
    df = _frame().rename(columns={"Count": "<b>Count</b>"})
    out = html_table(df, "<script>x</script>")
    assert "<img" not in out and "<script>x" not in out and "<b>Count" not in out
    assert html.escape(PAYLOAD, quote=True) in out
    (back,) = read_html_tables(out)
    assert PAYLOAD in back["Neighbourhood"].tolist() and "<b>Count</b>" in back.columns


def test_structure_for_screen_readers():
    out = html_table(_frame(), "Three areas", numeric=("Value (%)",), row_header="Neighbourhood")
    assert out.count('<th scope="col"') == 4
    assert out.count('<th scope="row">') == 3
    assert '<td class="num">12.5</td>' in out and '<td class="num">–</td>' in out
    assert 'role="region" aria-label="Three areas" tabindex="0"' in out
    assert "<caption>Three areas</caption>" in out


def test_an_empty_table_still_has_its_header():
    (back,) = read_html_tables(html_table(_frame().iloc[0:0], "None"))
    assert back.empty and list(back.columns) == list(_frame().columns)


def test_numbers_read_as_people_write_them():
    assert [format_number(v) for v in (3, 3.0, 2021, 12.5, 12.50, 0.1234, 45210, 45210.5, -12345.0, 1 / 3)] == [
        "3",
        "3",
        "2021",
        "12.5",
        "12.5",
        "0.123",
        "45,210",
        "45,210.5",
        "-12,345",
        "0.333",
    ]
    (back,) = read_html_tables(
        html_table(pd.DataFrame({"n": np.array([1, 20000], dtype="int64"), "ok": [True, False]}), "t")
    )
    assert back.values.tolist() == [["1", "Yes"], ["20,000", "No"]]


def test_number_columns_are_found_and_right_aligned():
    df = pd.DataFrame(
        {
            "Area": ["Ancoats", "Wythenshawe", "City"],
            "Rate": ["12.5%", "<5", None],
            "Count": [1, 2, 3],
            "Mixed": ["12", "twelve", "3"],
            "Code": ["E05011031", "E05011032", "E05011033"],
            "Flag": [True, False, True],
        }
    )
    assert numeric_columns(df) == ("Rate", "Count")
    out = html_table(df, "t")
    assert '<th scope="col" class="num">Rate</th>' in out and '<td class="num">&lt;5</td>' in out
    assert '<th scope="col">Mixed</th>' in out and '<th scope="col">Code</th>' in out


def test_a_long_table_scrolls_in_its_region_under_a_fixed_header():
    out = html_table(_frame(), "Three areas", max_height=240)
    assert 'class="np-table np-scroll" style="max-height: 240px; overflow-y: auto;" role="region"' in out
    assert "style=" not in html_table(_frame(), "Three areas")


def _row_markup(out: str) -> list[str]:
    body = out.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [r for r in body.split("</tr>") if r]


def test_highlighted_rows_stand_out_and_say_so_in_words():
    """A flagged row gets the highlight class and its header cell ends in the label in brackets,
    so the highlight is not by colour alone; other rows are untouched; flags go by position."""
    df = _frame()
    flags = pd.Series([False, False, True], index=[7, 3, 5])  # an index that is not 0..n-1
    out = html_table(df, "Three areas", row_header="Neighbourhood", highlight=flags, highlight_label="in <N1>")
    rows = _row_markup(out)
    assert ['class="np-selected"' in r for r in rows] == [False, False, True]
    assert "(in &lt;N1&gt;)" in rows[2] and "<N1>" not in out  # the label is escaped
    (back,) = read_html_tables(out)
    assert back["Neighbourhood"].tolist()[2] == "Wythenshawe (in <N1>)"
    assert back["Neighbourhood"].tolist()[:2] == ["Ancoats", PAYLOAD]
    assert (
        back.drop(columns="Neighbourhood").values.tolist()
        == read_html_tables(html_table(df, "x"))[0].drop(columns="Neighbourhood").values.tolist()
    )
    assert "tr.np-selected" in out  # the style that tints it and draws the bar is in the table's CSS


def test_without_a_row_header_the_first_cell_carries_the_words():
    df = _frame()
    rows = _row_markup(html_table(df, "x", highlight=[True, False, False]))
    assert rows[0].startswith('<tr class="np-selected"><td>Ancoats <span class="np-mark">(selected)</span></td>')


def test_highlight_flags_must_match_the_rows():
    import pytest

    with pytest.raises(ValueError, match="2 flags for 3 rows"):
        html_table(_frame(), "x", highlight=[True, False])
