"""The neighbourhood profile (lib.views.profile): table, summary, age profile and wards."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.core import disclosure
from lib.core.selection import Selection
from lib.methods.indicators import meta
from lib.views import profile, profile_summary

CODES = ["N1", "N2", "N3", "N4", "C1", "C2", "C3", "C4", "S1", "S2", "S3", "S4"]


def _latest(values: pd.DataFrame, nbhd: str) -> pd.DataFrame:
    nb = values[values["area_type"] == "neighbourhood"]
    latest = nb.groupby("indicator_id")["period"].max()
    return nb[(nb["area_code"] == nbhd) & (nb["period"] == nb["indicator_id"].map(latest))]


@pytest.mark.parametrize("nbhd", CODES)
def test_profile_table_one_row_per_indicator(ds, values_csv, nbhd):
    t = profile.profile_table(ds, Selection(nbhd))
    expected = _latest(values_csv, nbhd).set_index("indicator_id")
    assert set(t["indicator_id"]) == set(expected.index)
    for _, r in t.iterrows():
        assert r["value"] == pytest.approx(expected.loc[r["indicator_id"], "value"])
        assert r["vs_england"] == expected.loc[r["indicator_id"], "vs_england"]
        assert r["vs_city"] == expected.loc[r["indicator_id"], "vs_city"]
    shown = profile.display_profile_table(t, ds.indicators)
    assert len(shown) == len(t)
    assert {"Compared with Manchester", "Compared with England", "Count", "Status"} <= set(shown.columns)


@pytest.mark.parametrize("nbhd", CODES)
def test_summary_mentions_a_significantly_worse_indicator(ds, values_csv, indicators_csv, nbhd):
    latest = _latest(values_csv, nbhd)
    order = profile.profile_indicators(ds)
    short = indicators_csv.set_index("indicator_id")["short_name"]
    sentences = profile_summary.summary_sentences(profile.profile_table(ds, Selection(nbhd)), "X")
    assert 3 <= len(sentences) <= 5
    text = " ".join(sentences).lower()
    for col in ("vs_city", "vs_england"):
        worse = [i for i in order if i in set(latest.loc[latest[col] == "worse", "indicator_id"])]
        if worse:
            assert short[worse[0]].lower() in text, (nbhd, col, worse[0])
    assert "estimate" in text and "not tested" in text


def test_summary_has_a_known_worse_example(values_csv):
    """The data has at least one neighbourhood significantly worse than Manchester (so the test above bites)."""
    nb = values_csv[values_csv["area_type"] == "neighbourhood"]
    assert (nb["vs_city"] == "worse").any()


def test_age_profile_counts_and_shares(ds, values_csv):
    age = profile.age_profile(ds, "N2")
    assert set(age["band"]) == {"All ages", "Aged 0-15", "Aged 65+", "Aged 75+", "Aged 85+"}
    assert set(age["area"]) == {"Cheetham and Crumpsall", "Manchester", "England"}
    row = age[(age["band"] == "Aged 65+") & (age["area"] == "Cheetham and Crumpsall")].iloc[0]
    v = values_csv[(values_csv["indicator_id"] == "population_age_65plus") & (values_csv["area_code"] == "N2")].iloc[0]
    assert row["count"] == v["numerator"] and row["share"] == pytest.approx(v["value"])
    table = profile.display_age_table(age)
    assert len(table) == 5


def test_wards_answer_which_ward_has_most_children_in_low_income(ds, values_csv):
    wards = profile.ward_table(ds, "N2", "children_low_income")
    v = values_csv[
        (values_csv["indicator_id"] == "children_low_income")
        & (values_csv["area_type"] == "ward")
        & (values_csv["parent_code"] == "N2")
    ]
    latest = v[v["period"] == v["period"].max()]
    assert set(wards["area_code"]) == set(latest["area_code"])
    top_count = latest.sort_values("numerator").iloc[-1]
    top_rate = latest.sort_values("value").iloc[-1]
    assert wards.iloc[0]["area_name"] == top_rate["area_name"]
    shown = profile.display_ward_table(wards, meta(ds.indicators, "children_low_income"))
    assert top_count["area_name"] in set(shown["Ward"])
    assert f"{top_count['numerator']:,.0f}" in set(shown["Count"])
    assert top_rate["area_name"] in profile.ward_sentence(
        wards, meta(ds.indicators, "children_low_income"), "Cheetham and Crumpsall"
    )


def test_small_counts_are_suppressed():
    assert disclosure.display_count(3, 5) == "<5"
    assert disclosure.display_count(5, 5) == "5"
    assert disclosure.display_count(float("nan"), 5) == "–"


@pytest.mark.parametrize("level,bench", [("95", "england"), ("99.8", "rest"), ("95", "city")])
def test_profile_tables_built_together_equal_each_neighbourhood_built_alone(ds, level, bench):
    """The one-pass build of the 12 profiles gives exactly the frames of the one-by-one build."""
    from lib.views.profile import _one_profile, _profile_parts

    parts = _profile_parts(ds, level)
    tables = profile.profile_tables(ds, level=level, bench=bench)
    by_bench = profile.profile_tables_by_benchmark(ds, level=level)
    assert list(tables)[:12] == list(dict.fromkeys(ds.definition["neighbourhood_code"]))
    assert list(by_bench[bench]) == list(tables)
    for code, table in tables.items():
        pd.testing.assert_frame_equal(table, _one_profile(parts, code, bench))
        pd.testing.assert_frame_equal(table, profile.profile_table(ds, Selection(code, bench, level)))
        pd.testing.assert_frame_equal(table, by_bench[bench][code])
    # a neighbourhood with no figures gets the same empty profile either way
    pd.testing.assert_frame_equal(
        _one_profile(parts, "ZZ9", bench), profile.profile_table(ds, Selection("ZZ9", bench, level))
    )


def test_the_benchmark_column_is_the_comparison_with_that_benchmark(ds):
    """vs_bench is vs_england against England, vs_city against Manchester, and against the rest of
    Manchester the comparison computed from the city's counts minus the neighbourhood's."""
    from lib.methods.indicators import comparison_frame

    by_bench = profile.profile_tables_by_benchmark(ds, level="95")
    assert set(by_bench) == {"england", "city", "rest"}
    t = by_bench["england"]["C3"]
    assert list(t["vs_bench"]) == list(t["vs_england"])
    assert list(by_bench["city"]["C3"]["vs_bench"]) == list(by_bench["city"]["C3"]["vs_city"])
    rest = by_bench["rest"]["C3"].set_index("indicator_id")
    v = ds.values
    v = v[v["area_type"].isin(["neighbourhood", "city", "england"])]
    for ind_id, r in rest.iterrows():
        one = comparison_frame(
            v[(v["indicator_id"] == ind_id) & (v["period"].astype(str) == r["period"])],
            ds.indicators,
            "neighbourhood",
            "rest",
            "95",
        )
        assert one.loc[one["area_code"] == "C3", "comparison"].iloc[0] == r["vs_bench"], ind_id
    assert (rest["vs_bench"] != rest["vs_city"]).any()  # the rest of the city is not the city
