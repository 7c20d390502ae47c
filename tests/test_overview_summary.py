"""The Overview's city-wide summary (lib.views.overview.city_summary): which neighbourhoods stand out
across every tested indicator, checked against a count made here straight from the committed files."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib.core import data
from lib.views import overview

REPO = Path(__file__).resolve().parents[1]
Z = {"95": ("lower_95", "upper_95"), "99.8": ("lower_998", "upper_998")}


def _independent(population: str, level: str) -> pd.DataFrame:
    """From the raw CSVs: for each indicator of the lens with a confidence interval, its latest
    neighbourhood period, each neighbourhood's verdict against England's value (inside the interval:
    similar; else higher/lower, which polarity makes better/worse), in catalogue order. A total whose
    note says withheld counts could change its verdict against England is not compared."""
    ind = pd.read_csv(REPO / "profiles" / "indicators.csv", dtype=str)
    ind = ind[ind["population"].fillna("residents") == population]
    files = ["registered_values.csv"] if population == "registered" else ["values.csv"]
    v = pd.concat([pd.read_csv(REPO / "profiles" / f, dtype={"period": str}) for f in files])
    v = v[v["indicator_id"].isin(ind["indicator_id"])]
    lo, hi = Z[level]
    rows = []
    for r in ind.itertuples():
        nb = v[(v["indicator_id"] == r.indicator_id) & (v["area_type"] == "neighbourhood")]
        if nb.empty or r.ci_method == "none":
            continue
        period = sorted(nb["period"].unique())[-1]
        nb = nb[nb["period"] == period]
        eng = v[(v["indicator_id"] == r.indicator_id) & (v["period"] == period) & (v["area_type"] == "england")]
        e = float(eng["value"].iloc[0])
        for x in nb.itertuples():
            low, high = getattr(x, lo), getattr(x, hi)
            if np.isnan(low) or np.isnan(high) or np.isnan(e):
                continue
            if "not compared with England" in str(x.note):  # withheld counts could change the verdict
                continue
            if low <= e <= high:
                word = "similar"
            elif r.polarity == "no_judgement":
                word = "higher" if low > e else "lower"
            else:
                word = "worse" if (low > e) == (r.polarity == "lower_is_better") else "better"
            rows.append((r.indicator_id, r.short_name, x.area_code, word, r.polarity != "no_judgement"))
    return pd.DataFrame(rows, columns=["indicator_id", "short_name", "area_code", "word", "judged"])


@pytest.mark.parametrize("population, level", [("residents", "95"), ("residents", "99.8"), ("registered", "95")])
def test_the_summary_names_the_neighbourhoods_most_often_worse_than_england(population, level):
    ds = data.for_population(data.load_dataset(REPO, population=None), population)
    text = overview.city_summary(ds, level)
    got = _independent(population, level)
    judged = got[got["judged"]]
    bad, good = ("worse", "better") if len(judged) else ("higher", "lower")
    use = judged if len(judged) else got[~got["judged"]]
    n = use["indicator_id"].nunique()
    whom = "registered patients" if population == "registered" else "residents"
    assert f"Across the {n} indicators for {whom} tested against England" in text
    assert f"{'99.8' if level == '99.8' else '95'}% confidence" in text

    codes = list(dict.fromkeys(ds.definition["neighbourhood_code"]))
    per = use[use["word"] == bad]["area_code"].value_counts().reindex(codes, fill_value=0)
    top = int(per.max())
    leaders = sorted(per[per == top].index)
    said = sorted(set(re.findall(r"\b([NCS][1-4]) ", text.split(f"most often significantly {bad}")[0])))
    if len(leaders) <= 3:
        assert said == leaders, text
    assert f"on {top} of {n}" in text

    per_good = use[use["word"] == good]["area_code"].value_counts().reindex(codes, fill_value=0)
    if per_good.max() > 0:
        best = re.search(rf"; ([NCS][1-4]) .*? is most often significantly {good} \((\d+) of {n}", text)
        assert best and best.group(1) in set(per_good[per_good == per_good.max()].index)
        assert int(best.group(2)) == per_good.max()

    per_ind = use[use["word"] == bad].groupby("indicator_id", sort=False).size()
    most = int(per_ind.max())
    first_three = [i for i in dict.fromkeys(use["indicator_id"]) if per_ind.get(i, 0) == most][:3]
    tail = text.split(f"Most neighbourhoods are significantly {bad} than England on ")[1]
    short = dict(zip(use["indicator_id"], use["short_name"]))
    assert tail.count(f"({most} of 12)") == len(first_three)
    assert all(f"{short[i]} ({most} of 12)" in tail for i in first_three), tail


def test_the_summary_follows_the_population_lens():
    both = data.load_dataset(REPO, population=None)
    residents = overview.city_summary(data.for_population(both, "residents"))
    registered = overview.city_summary(data.for_population(both, "registered"))
    assert "for residents" in residents and "for registered patients" in registered
    assert "register" not in residents.split(" on ")[-1]  # residents' indicators, not registers


def _frame(rows):
    return pd.DataFrame(rows, columns=["indicator_id", "area_code", "comparison", "judged"])


def test_standouts_rule_on_a_small_case():
    names = {"A1": "Alpha", "B1": "Beta", "C1": "Gamma"}
    rows = [
        ("i1", "A1", "worse", True),
        ("i1", "B1", "worse", True),
        ("i1", "C1", "better", True),
        ("i2", "A1", "worse", True),
        ("i2", "B1", "similar", True),
        ("i2", "C1", "similar", True),
        ("i3", "A1", "higher", False),  # no judgement: not counted while judged indicators exist
        ("i4", "A1", "not_compared", True),  # not tested
    ]
    text = overview.standouts(_frame(rows), names, {"i1": "One", "i2": "Two"})
    assert text == (
        "Across the 2 indicators for residents tested against England (95% confidence, latest period of each), "
        "A1 Alpha is most often significantly worse than England: on 2 of 2; C1 Gamma is most often "
        "significantly better (1 of 2). Most neighbourhoods are significantly worse than England on One (2 of 3)."
    )
    none = overview.standouts(_frame([("i1", "A1", "similar", True)]), names, {})
    assert none.endswith("no neighbourhood is significantly worse than England.")
    untested = overview.standouts(_frame([("i1", "A1", "not_compared", True)]), names, {})
    assert untested.startswith("None of the indicators for residents can be tested")


def _overview(params: dict[str, str]):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("population, level", [("residents", "95"), ("registered", "99.8")])
def test_the_overview_page_shows_the_summary_of_its_lens(population, level):
    """The page shows city_summary of the lens in force (Selection.population) at the level in force."""
    from lib.render.format import md_text

    at = _overview({"population": population, "level": level})
    want = overview.city_summary(data.for_population(data.load_dataset(REPO, population=None), population), level)
    assert any(m.value == md_text(want) for m in at.markdown), [m.value for m in at.markdown][:6]
    assert any(c.value == overview.SUMMARY_RULE for c in at.caption)
    assert at.subheader[0].value.startswith("Across Manchester")


def test_the_overview_map_view_draws_the_map_its_key_and_its_table():
    """view=map: the map (an st_folium component, unknown to AppTest), its key in words and the table
    of the 12 with the selected one marked; the link keeps view=map."""
    at = _overview({"view": "map", "nbhd": "S3", "ind": "disability"})
    assert at.query_params["view"] == "map"
    assert any(m.value.startswith("**Key:** ") for m in at.markdown)
    assert [el.type for el in at.main].count("component_instance") == 1  # the map (st_folium)
    tables = [h.proto.body for h in at.get("html")]
    assert any("(selected)" in body and "S3" in body for body in tables)
    table_view = _overview({"nbhd": "S3", "ind": "disability"})
    assert "view" not in table_view.query_params or table_view.query_params["view"] == "table"
    assert "component_instance" not in [el.type for el in table_view.main]  # the first view has no map frame
