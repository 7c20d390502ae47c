"""Which ward drives it (issue 19, view 2): the profile's ward × indicator grid and the Map page's
``area=`` link. Every figure is checked against neighbourhoods.csv, indicators.csv and values.csv
read independently, and each comparison recomputed by the Fingertips rule here."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import parse_qs, urlparse

import numpy as np
import pandas as pd
import pytest

from lib.core.disclosure import TOO_FEW
from lib.render import chart_tables
from lib.views import compare, map_area, ward_grid
from tests.conftest import REPO, open_page, read_profile_csv


@pytest.fixture(scope="module")
def definition():
    return pd.read_csv(REPO / "geodata" / "neighbourhoods.csv", dtype=str)


@pytest.fixture(scope="module")
def values():
    v = read_profile_csv(REPO / "profiles" / "values.csv")
    return v.assign(period=v["period"].astype(str))


@pytest.fixture(scope="module")
def catalogue():
    return read_profile_csv(REPO / "profiles" / "indicators.csv").set_index("indicator_id")


def _verdict(value, lo, hi, bench, polarity, ci_method) -> str:
    """The Fingertips rule, written out again."""
    if ci_method == "none" or any(pd.isna(x) for x in (value, lo, hi, bench)):
        return "not_compared"
    if lo <= bench <= hi:
        return "similar"
    high = value > bench
    if polarity == "higher_is_better":
        return "better" if high else "worse"
    if polarity == "lower_is_better":
        return "worse" if high else "better"
    return "higher" if high else "lower"


def _wards_of(definition, nbhd):
    d = definition[definition["neighbourhood_code"] == nbhd]
    return list(d.sort_values("ward_name")["ward_code"])


@pytest.mark.parametrize("nbhd", ["S3", "C3", "N4"])
def test_the_grid_has_the_neighbourhood_then_its_wards_and_every_ward_indicator(ds, definition, values, nbhd):
    grid = ward_grid.ward_grid(ds, nbhd, "england", "95")
    wards = values[values["area_type"] == "ward"]
    expected_ids = [i for i in ds.indicators["indicator_id"] if i in set(wards["indicator_id"])]
    assert list(dict.fromkeys(grid["indicator_id"])) == expected_ids
    for ind, g in grid.groupby("indicator_id", sort=False):
        assert list(g["area_code"]) == [nbhd, *_wards_of(definition, nbhd)]  # wards by name
        assert set(g["period"]) == {max(wards.loc[wards["indicator_id"] == ind, "period"])}
    assert set(grid.loc[grid["area_type"] == "ward", "locality"]) == {ward_grid.WARDS_GROUP}


@pytest.mark.parametrize("bench,level", [("england", "95"), ("city", "99.8"), ("rest", "95")])
def test_each_cell_is_the_values_csv_figure_with_its_comparison_recomputed(
    ds, definition, values, catalogue, bench, level
):
    nbhd = "S3"
    grid = ward_grid.ward_grid(ds, nbhd, bench, level)
    sfx = "95" if level == "95" else "998"
    for r in grid.itertuples():
        src = values[(values["indicator_id"] == r.indicator_id) & (values["period"] == r.period)]
        own = src[(src["area_code"] == r.area_code) & (src["area_type"] == r.area_type)].iloc[0]
        none = pd.Series(np.nan, index=src.columns)
        city = next((row for _, row in src[src["area_type"] == "city"].iterrows()), none)
        england = next((row for _, row in src[src["area_type"] == "england"].iterrows()), none)
        assert r.value == pytest.approx(own["value"], nan_ok=True)
        assert r.manchester == pytest.approx(city["value"], nan_ok=True)
        assert r.england == pytest.approx(england["value"], nan_ok=True)
        c = catalogue.loc[r.indicator_id]
        if bench == "england":
            b, word = england["value"], "England"
        elif bench == "rest" and r.area_type == "neighbourhood":
            num = city["numerator"] - own["numerator"]
            den = city["denominator"] - own["denominator"]
            b, word = num / den * c["multiplier"], "the rest of Manchester"
            if c["value_type"] not in ("proportion", "rate", "share", "count"):
                b = np.nan
        else:  # Manchester, and the wards' benchmark when the rest of Manchester is asked for
            b, word = city["value"], "Manchester"
        expected = _verdict(own["value"], own[f"lower_{sfx}"], own[f"upper_{sfx}"], b, c["polarity"], c["ci_method"])
        if isinstance(own["note"], str) and f"not compared with {word}:" in own["note"]:
            expected = "not_compared"
        assert r.comparison == expected, (r.indicator_id, r.area_code, bench)
        assert r.benchmark == ("city" if bench == "rest" and r.area_type == "ward" else bench)


def test_a_withheld_ward_says_so_and_is_not_compared(ds, values):
    withheld = values[(values["area_type"] == "ward") & values["note"].fillna("").str.startswith("Withheld")]
    assert len(withheld), "the data have a ward withheld at source"
    w = withheld.iloc[0]
    grid = ward_grid.ward_grid(ds, w["parent_code"], "england", "95")
    cell = grid[(grid["indicator_id"] == w["indicator_id"]) & (grid["area_code"] == w["area_code"])].iloc[0]
    assert cell["text"].startswith("withheld at source") and cell["comparison"] == "not_compared"
    assert "0" not in cell["text"]


def test_small_and_suppressed_counts_are_shown_as_too_few(ds, values):
    """A count indicator's ward value below the threshold, and a row blanked by disclosure control."""
    v = ds.values.copy()
    ward = "E05000715"  # Sharston (S3)
    pop = (v["indicator_id"] == "population") & (v["area_code"] == ward)
    v.loc[pop, "value"] = 3.0
    bad = (v["indicator_id"] == "bad_health") & (v["area_code"] == ward)
    v.loc[bad, ["numerator", "value", "lower_95", "upper_95", "lower_998", "upper_998"]] = np.nan
    v.loc[bad, "note"] = TOO_FEW
    grid = ward_grid.ward_grid(dataclasses.replace(ds, values=v), "S3", "england", "95")
    at = grid.set_index(["indicator_id", "area_code"])["text"]
    assert at[("population", ward)].startswith(TOO_FEW) and "3" not in at[("population", ward)]
    assert at[("bad_health", ward)].startswith(TOO_FEW)
    assert not at[("population", "E05000689")].startswith(TOO_FEW)  # Baguley's own count is shown


def test_the_grid_table_links_each_ward_to_the_map_with_the_selection(ds, definition):
    grid = compare.rug_rows(ward_grid.ward_grid(ds, "S3", "city", "99.8"))
    html = chart_tables.tartan_html(
        grid, "cap", header_codes={"S3"}, links=ward_grid.header_links(grid, "S3", "bad_health", "city", "99.8")
    )
    heads = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html)
    assert heads[1].startswith("<b>S3</b>")  # the neighbourhood's code, not the wards' long ONS codes
    hrefs = re.findall(r'<th scope="col"[^>]*><a href="([^"]+)"', html)
    assert len(hrefs) == len(_wards_of(definition, "S3"))
    for href, code in zip(hrefs, _wards_of(definition, "S3")):
        q = {k: v[0] for k, v in parse_qs(urlparse(href.replace("&amp;", "&")).query).items()}
        assert urlparse(href).path == "map"
        assert q == {
            "nbhd": "S3",
            "ind": "bad_health",
            "period": "Census 2021",
            "bench": "city",
            "level": "99.8",
            "layer": "wards",
            "area": code,
        }
    cells = re.findall(r'<td[^>]*><a href="[^"]+" target="_self" aria-label="([^"]+)">([^<]+)</a></td>', html)
    n_ward_cells = int((grid["area_type"] == "ward").sum())
    assert len(cells) == n_ward_cells  # every ward cell is a link; the neighbourhood's are not
    assert all(label.startswith(text) and "on the map" in label for label, text in cells)


def test_the_boards_rug_is_unchanged_by_the_links(ds):
    rug = compare.tartan_data(ds, "england", "95")
    html = chart_tables.tartan_html(compare.rug_rows(rug), "The rug")
    assert "<a " not in html
    assert "<b>N1</b>" in html  # codes in every header, as before


# ---------------------------------------------------------------- the Map page's area=


def test_ward_choice(definition):
    d = definition
    ok = map_area.ward_choice(d, "e05000715", "wards", "S3", from_link=True)
    assert (ok.code, ok.name, ok.nbhd, ok.notice) == ("E05000715", "Sharston", "S3", None)
    for area, layer, nbhd, words in [
        ("S3", "wards", "S3", "not one of Manchester's wards"),
        ("E05999999", "wards", "S3", "not one of Manchester's wards"),
        ("E05000715", "neighbourhoods", "S3", "not wards"),
        ("E05000715", "wards", "N1", "not in the selected neighbourhood N1"),
    ]:
        c = map_area.ward_choice(d, area, layer, nbhd, from_link=True)
        assert c.code is None and words in c.notice
        assert map_area.ward_choice(d, area, layer, nbhd, from_link=False).notice is None  # lapses silently
    assert map_area.ward_choice(d, "", "wards", "S3", from_link=True) == map_area.WardChoice()


def _alerts(at) -> tuple[list[str], list[str]]:
    return [str(i.value) for i in at.info], [str(w.value) for w in at.warning]


def test_map_link_selects_the_ward():
    at = open_page("pages/map.py", {"nbhd": "S3", "layer": "wards", "area": "E05000715", "ind": "bad_health"})
    info, warnings = _alerts(at)
    assert any("Ward Sharston selected" in i and "E05000715" in i for i in info), info
    assert not [w for w in warnings if "ward" in w.lower()]
    assert at.query_params["area"] == ["E05000715"] or at.query_params["area"] == "E05000715"
    assert at.session_state["map_area"] == "E05000715"


@pytest.mark.parametrize("area", ["S3", "E05999999", "<b>x</b>"])
def test_map_link_with_an_unknown_or_non_ward_area_is_ignored_with_a_message(area):
    at = open_page("pages/map.py", {"nbhd": "S3", "layer": "wards", "area": area})
    info, warnings = _alerts(at)
    assert any("not one of Manchester" in w for w in warnings), warnings
    assert not any("selected (" in i for i in info)
    assert at.session_state["map_area"] == ""
    assert "area" not in at.query_params


# ---------------------------------------------------------------- the profile's view


@pytest.mark.parametrize("nbhd", ["S3", "C3"])
def test_profile_ward_grid_view_renders(definition, nbhd):
    at = open_page("pages/profile.py", {"nbhd": nbhd, "view": "wardgrid", "bench": "city"})
    html = "".join(str(h.proto.body) for h in at.get("html"))
    assert "np-rug" in html
    wards = definition[definition["neighbourhood_code"] == nbhd]
    for code, name in zip(wards["ward_code"], wards["ward_name"]):
        assert f"area={code}" in html and name in html
    assert "bench=city" in html
    text = " ".join(str(m.value) for m in at.markdown)
    assert "Manchester" in text and "Which ward" in " ".join(str(h.value) for h in at.header)


def test_profile_ward_grid_in_the_registered_lens_says_it_describes_residents():
    at = open_page("pages/profile.py", {"nbhd": "S3", "view": "wardgrid", "population": "registered"})
    assert any("describes residents" in str(i.value) for i in at.info)
    assert "np-rug" in "".join(str(h.proto.body) for h in at.get("html"))
