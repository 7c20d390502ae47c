"""lib.tables: the static HTML tables are escaped, complete and read back to the same figures."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from lib.tables import MISSING, html_table, read_html_tables

PAYLOAD = '<img src=x onerror="alert(1)">&{{7*7}}'


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "Neighbourhood": ["Ancoats", PAYLOAD, "Wythenshawe"],
        "Value (%)": ["12.5", None, "7.0"],
        "Count": [10, np.nan, 3],
        "Compared with England": ["▲ Better than England", "○ Not compared", "▼ Worse than England"],
    })


def test_round_trip_gives_the_same_cells_and_headers():
    df = _frame()
    (back,) = read_html_tables(html_table(df, "Three areas", numeric=("Value (%)", "Count"), row_header="Neighbourhood"))
    assert list(back.columns) == list(df.columns)
    assert back.attrs["caption"] == "Three areas"
    expected = [[MISSING if (v is None or (not isinstance(v, str) and pd.isna(v))) else str(v) for v in row]
                for row in df.itertuples(index=False, name=None)]
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
    assert "<td class=\"num\">12.5</td>" in out and "<td class=\"num\">–</td>" in out
    assert 'role="region" aria-label="Three areas" tabindex="0"' in out
    assert "<caption>Three areas</caption>" in out


def test_an_empty_table_still_has_its_header():
    (back,) = read_html_tables(html_table(_frame().iloc[0:0], "None"))
    assert back.empty and list(back.columns) == list(_frame().columns)
