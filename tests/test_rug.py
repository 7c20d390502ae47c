"""The board's tartan rug (Compare areas, view "rug"): neighbourhood names grouped by locality,
Manchester and England columns, estimates and untested indicators hidden behind one switch, and
the registered-patient lens. Checked against neighbourhoods.csv, indicators.csv and values.csv read
independently."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from lib.methods.indicators import neighbourhood_order
from lib.render import chart_tables, charts
from lib.render.format import COMPARISON_STYLE
from lib.render.tables import read_html_tables
from lib.views import compare
from tests.conftest import REPO, open_page, read_profile_csv, shown_tables

LOCALITIES = ["North", "Central", "South"]


@pytest.fixture(scope="module")
def rug(ds):
    return compare.tartan_data(ds, "england", "95", order=neighbourhood_order(ds.definition))


@pytest.fixture(scope="module")
def definition():
    d = pd.read_csv(REPO / "geodata" / "neighbourhoods.csv", dtype=str)
    return d.drop_duplicates("neighbourhood_code")


def _latest(values: pd.DataFrame, ind: str) -> str:
    nb = values[(values["indicator_id"] == ind) & (values["area_type"] == "neighbourhood")]
    return sorted(nb["period"].astype(str).unique())[-1]


def _expected_untested(values: pd.DataFrame, indicators: pd.DataFrame) -> set[str]:
    """Modelled, no interval, or not compared with England in any neighbourhood (latest period)."""
    out = set()
    meta = indicators.set_index("indicator_id")
    for ind in values.loc[values["area_type"] == "neighbourhood", "indicator_id"].unique():
        nb = values[
            (values["indicator_id"] == ind)
            & (values["area_type"] == "neighbourhood")
            & (values["period"].astype(str) == _latest(values, ind))
        ]
        if (
            meta.loc[ind, "status"] == "modelled"
            or meta.loc[ind, "ci_method"] == "none"
            or nb["vs_england"].eq("not_compared").all()
        ):
            out.add(ind)
    return out


def test_untested_rows_are_the_modelled_the_untested_and_the_never_compared(rug, values_csv, indicators_csv):
    hidden = set(compare.rug_untested(rug))
    assert hidden == _expected_untested(values_csv, indicators_csv)
    shown = compare.rug_rows(rug)
    assert hidden.isdisjoint(shown["indicator_id"]) and len(shown)
    assert set(shown["indicator_id"]) | hidden == set(rug["indicator_id"])
    assert compare.rug_rows(rug, show_untested=True).equals(rug)
    # what stays was tested: every shown indicator has an interval, is not modelled and is compared somewhere
    meta = indicators_csv.set_index("indicator_id")
    for ind in shown["indicator_id"].unique():
        assert meta.loc[ind, "ci_method"] != "none" and meta.loc[ind, "status"] != "modelled"


def test_hidden_sentence_counts_them(rug):
    n = len(compare.rug_untested(rug))
    assert n > 0
    assert compare.rug_hidden_sentence(rug, False).startswith(f"{n} indicators are hidden")
    assert str(n) in compare.rug_hidden_sentence(rug, True)
    assert compare.rug_hidden_sentence(compare.rug_rows(rug), False) is None


def test_columns_are_named_and_grouped_by_locality(rug, definition):
    groups = compare.rug_groups(rug)
    assert [g for g, _ in groups] == LOCALITIES
    for loc, codes in groups:
        assert codes == sorted(definition.loc[definition["locality_name"] == loc, "neighbourhood_code"])
    wide = compare.tartan_table(rug)
    names = dict(zip(definition["neighbourhood_code"], definition["neighbourhood_name"]))
    expected = [f"{c} {names[c]}" for _, codes in groups for c in codes]
    assert list(wide.columns) == ["Indicator", "Period", *expected, "Manchester", "England"]


def test_manchester_and_england_columns_hold_their_values(rug, values_csv, indicators_csv):
    wide = compare.tartan_table(rug).set_index("Indicator")
    short = dict(zip(indicators_csv["indicator_id"], indicators_csv["short_name"]))
    checked = 0
    for ind in rug["indicator_id"].unique():
        v = values_csv[
            (values_csv["indicator_id"] == ind) & (values_csv["period"].astype(str) == _latest(values_csv, ind))
        ]
        for col, area_type in (("Manchester", "city"), ("England", "england")):
            expected = v.loc[v["area_type"] == area_type, "value"]
            text = wide.loc[short[ind], col]
            if expected.empty or pd.isna(expected.iloc[0]):
                assert text == "–", (ind, col)
                continue
            number = float(re.sub(r"[^\d.\-]", "", text))
            assert number == pytest.approx(float(expected.iloc[0]), rel=0.01, abs=0.051), (ind, col, text)
            checked += 1
    assert checked > 40


def test_html_rug_groups_columns_and_colours_every_cell_by_its_symbol(rug, values_csv):
    shown = compare.rug_rows(rug)
    html = chart_tables.tartan_html(shown, "The rug")
    table = read_html_tables(html)[0]
    assert list(table.columns) == ["Indicator (period)", *dict.fromkeys(shown["area_label"]), "Manchester", "England"]
    assert len(table) == shown["indicator_id"].nunique()
    # the locality row: North, Central, South (4 columns each), then the benchmarks
    top = re.findall(r'<th scope="colgroup" colspan="(\d+)"[^>]*>([^<]+)</th>', html)
    assert top == [("4", "North"), ("4", "Central"), ("4", "South"), ("2", "Benchmarks")]
    # each cell's colour is its comparison's, and its symbol the same comparison's
    by_fill = {style[1]: style[0] for style in COMPARISON_STYLE.values() if style[1] != COMPARISON_STYLE["higher"][1]}
    cells = re.findall(r'style="background: (#[0-9A-F]{6}); color: #[0-9A-F]{6};">([^<]*)</td>', html)
    assert len(cells) == len(shown)
    for fill, text in cells:
        if fill in by_fill and fill != COMPARISON_STYLE["lower"][1]:
            assert text.endswith(by_fill[fill]), (fill, text)
    # and the comparison is values.csv's own
    for _, r in shown.sample(30, random_state=2).iterrows():
        v = values_csv[
            (values_csv["indicator_id"] == r["indicator_id"])
            & (values_csv["period"].astype(str) == r["period"])
            & (values_csv["area_code"] == r["area_code"])
            & (values_csv["area_type"] == "neighbourhood")
        ]
        assert r["comparison"] == v["vs_england"].iloc[0]
        assert r["fill"] == COMPARISON_STYLE[r["comparison"]][1]


def test_html_rug_escapes_names():
    df = pd.DataFrame(
        [
            {
                "indicator_id": "x",
                "short_name": "<b>bold</b>",
                "period": "2021",
                "area_code": "N1",
                "area_name": '<img src=x onerror="alert(1)">',
                "area_label": "N1 x",
                "locality": "<i>North</i>",
                "text": "1 ▲",
                "fill": "#0072B2",
                "text_colour": "#FFFFFF",
                "manchester_text": "2",
                "england_text": "3",
            }
        ]
    )
    html = chart_tables.tartan_html(df, "cap")
    assert "<img src=x" not in html and "<b>bold</b>" not in html and "<i>North</i>" not in html


def test_rug_chart_has_names_localities_and_benchmarks(rug):
    spec = charts.tartan_chart(compare.rug_rows(rug), "England").to_dict()
    datasets = [row for rows in spec["datasets"].values() for row in rows]
    labels = {r.get("area_label") for r in datasets}
    assert {"Manchester", "England"} <= labels and "N1 Ancoats, Clayton and Bradford" in labels
    locality_row = [r["text"] for r in datasets if r.get("short_name") == charts.RUG_LOCALITY_ROW]
    assert set(LOCALITIES) <= set(locality_row)


def _rug_table(at) -> pd.DataFrame:
    return next(
        t for t in shown_tables(at) if {"Manchester", "England"} <= set(t.columns) and "Indicator (period)" in t
    )


def test_page_hides_untested_rows_until_switched_on(values_csv, indicators_csv):
    at = open_page("pages/compare.py", {"view": "rug"})
    shown = _rug_table(at)
    all_ids = set(values_csv.loc[values_csv["area_type"] == "neighbourhood", "indicator_id"])
    hidden = _expected_untested(values_csv, indicators_csv)
    assert len(shown) == len(all_ids - hidden)
    short = dict(zip(indicators_csv["indicator_id"], indicators_csv["short_name"]))
    assert not any(r.startswith(short[i] + " (") for r in shown["Indicator (period)"] for i in hidden)
    assert any(f"{len(hidden)} indicators are hidden" in c.value for c in at.caption)
    at.toggle(key="compare_rug_all").set_value(True).run()
    assert not at.exception
    assert len(_rug_table(at)) == len(all_ids)


def test_page_rug_of_registered_patients():
    ind = read_profile_csv(REPO / "profiles" / "indicators.csv")
    reg = read_profile_csv(REPO / "profiles" / "registered_values.csv")
    at = open_page("pages/compare.py", {"view": "rug", "population": "registered"})
    shown = _rug_table(at)
    names = [r.rsplit(" (", 1)[0] for r in shown["Indicator (period)"]]
    registered = ind[ind["population"] == "registered"]
    assert set(names) <= set(registered["short_name"]) and names
    tested = registered[registered["ci_method"] != "none"]
    with_nbhd = set(reg.loc[reg["area_type"] == "neighbourhood", "indicator_id"])
    assert len(names) <= len(set(tested["indicator_id"]) & with_nbhd)
