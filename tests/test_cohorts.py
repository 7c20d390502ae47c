"""Cohorts: the expected (modelled) register counts in the dataset, the rounding rule, and the
cohort tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.core.selection import Selection
from lib.render.format import md_text
from lib.views import cohorts
from lib.views.cohorts import largest_remainder
from tests.conftest import REPO

EXPECTED = {
    "expected_dementia": "qof_dem",
    "expected_smi": "qof_mh",
    "expected_depression": "qof_dep",
    "expected_learning_disability": "qof_ld",
}


def _rows(ds, ind, area_type):
    v = ds.values
    return v[(v["indicator_id"] == ind) & (v["area_type"] == area_type)]


# ------------------------------------------------------------------ rounding rule


def test_largest_remainder_sums_exactly_and_breaks_ties_by_code():
    out = largest_remainder(10, {"b": 1, "a": 1, "c": 1})
    assert sum(out.values()) == 10 and out == {"a": 4, "b": 3, "c": 3}
    out = largest_remainder(7, {"x": 0.5, "y": 0.25, "z": 0.25})
    assert out == {"x": 3, "y": 2, "z": 2}  # quotas 3.5, 1.75, 1.75: the two largest remainders win
    assert largest_remainder(7, {"y": 1, "x": 1}) == {"x": 4, "y": 3}  # equal remainders: code order
    rng = np.random.default_rng(1)
    for _ in range(50):
        w = {f"k{i}": float(x) for i, x in enumerate(rng.random(12))}
        total = int(rng.integers(0, 10**9))
        got = largest_remainder(total, w)
        assert sum(got.values()) == total
        quota = {k: total * v / sum(w.values()) for k, v in w.items()}
        assert all(abs(got[k] - quota[k]) < 1 for k in w)


# (a negative total is allowed by the shared lib.methods.apportion.apportion: it mirrors the positive split; tested there)
@pytest.mark.parametrize("bad", [(1.5, {"a": 1}), (3, {}), (3, {"a": 0}), (3, {"a": -1}), (3, {"a": float("nan")})])
def test_largest_remainder_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        largest_remainder(*bad)


# ------------------------------------------------------------------ expected counts in the dataset


@pytest.mark.parametrize("ind,qof", EXPECTED.items())
def test_expected_counts_sum_to_the_city_register(ds, ind, qof):
    register = float(_rows(ds, qof, "city")["numerator"].iloc[0])
    nb = _rows(ds, ind, "neighbourhood")
    assert len(nb) == 12
    assert abs(nb["value"].sum() - register) < 1e-6
    assert abs(float(_rows(ds, ind, "city")["value"].iloc[0]) - register) < 1e-6
    assert abs(_rows(ds, ind, "locality")["value"].sum() - register) < 1e-6
    # wards sum to their neighbourhood
    wards = _rows(ds, ind, "ward")
    assert len(wards) == 32
    by_nb = wards.groupby("parent_code")["value"].sum()
    np.testing.assert_allclose(by_nb.reindex(nb["area_code"]).to_numpy(), nb["value"].to_numpy(), rtol=0, atol=1e-6)
    assert _rows(ds, ind, "england").empty  # no England figure: the model spreads the Manchester total


@pytest.mark.parametrize("ind", EXPECTED)
def test_expected_counts_are_modelled_cohort_counts(ds, ind):
    m = ds.indicators.set_index("indicator_id").loc[ind]
    assert (m["family"], m["status"], m["value_type"], m["ci_method"], m["polarity"]) == (
        "cohort",
        "modelled",
        "count",
        "none",
        "no_judgement",
    )
    assert "Expected(area)" in m["method_note"]


def _ward_population(data_dir):
    """Mid-2020 residents by ward, recomputed here from the raw single-year file (independently of the pipeline)."""
    pop = pd.read_csv(data_dir / "england" / "population20_lsoa11_england.csv.gz")
    lk = pd.read_csv(data_dir / "lookups" / "LSOA11_WD17_LAD17_EW_LU_manchester.csv").set_index("LSOA11CD")["WD17CD"]
    pop = pop[pop["lsoa11_code"].isin(lk.index)]
    ages = [str(a) for a in range(90)] + ["90+"]
    p65 = pop[[str(a) for a in range(65, 90)] + ["90+"]].sum(axis=1)
    out = pd.DataFrame(
        {
            "ward": pop["lsoa11_code"].map(lk),
            "total": pop[ages].sum(axis=1),
            "p65": p65,
            "p18": pop[[str(a) for a in range(18, 90)] + ["90+"]].sum(axis=1),
        }
    )
    out["u65"] = out["total"] - out["p65"]
    return out.groupby("ward").sum()


def test_dementia_formula_recomputed_independently(ds, data_dir):
    w = _ward_population(data_dir)
    facts = pd.read_csv(data_dir / "seeds" / "city_headline_facts.csv").set_index("fact_id")
    s = float(facts.loc["dementia_65plus_share", "value"]) / 100
    assert s == 0.95
    register = float(_rows(ds, "qof_dem", "city")["numerator"].iloc[0])
    expected = register * (s * w["p65"] / w["p65"].sum() + (1 - s) * w["u65"] / w["u65"].sum())
    got = _rows(ds, "expected_dementia", "ward").set_index("area_code")["value"]
    np.testing.assert_allclose(got.reindex(expected.index).to_numpy(), expected.to_numpy(), rtol=0, atol=1e-5)


def test_depression_and_all_age_registers_follow_population(ds, data_dir):
    w = _ward_population(data_dir)
    for ind, qof, col in (
        ("expected_depression", "qof_dep", "p18"),
        ("expected_smi", "qof_mh", "total"),
        ("expected_learning_disability", "qof_ld", "total"),
    ):
        register = float(_rows(ds, qof, "city")["numerator"].iloc[0])
        expected = register * w[col] / w[col].sum()
        got = _rows(ds, ind, "ward").set_index("area_code")["value"]
        np.testing.assert_allclose(got.reindex(expected.index).to_numpy(), expected.to_numpy(), rtol=0, atol=1e-5)


# ------------------------------------------------------------------ homelessness (city only)


def test_homelessness_is_city_and_england_only(ds):
    for ind in ("homelessness_rate", "core_homelessness"):
        v = ds.values[ds.values["indicator_id"] == ind]
        assert set(v["area_type"]) == {"city", "england"}
    city = ds.values[(ds.values["indicator_id"] == "homelessness_rate") & (ds.values["area_type"] == "city")]
    assert dict(zip(city["period"], city["value"])) == {"IoD2019": 5.222, "IoD2025": 7.172}


# ------------------------------------------------------------------ cohort tables


def test_cohorts_match_the_seed_table():
    seed = pd.read_csv(REPO / "profiles" / "seeds" / "risk_tiers_and_cohorts.csv")
    assert set(seed.loc[seed["kind"] == "cohort", "id"]) == set(cohorts.COHORT_IDS)


@pytest.mark.parametrize("cid", cohorts.COHORT_IDS)
def test_every_cohort_indicator_exists_and_has_a_table(ds, cid):
    assert cohorts.cohort_indicators(ds, cid) == list(cohorts.cohort(cid).indicators)
    t = cohorts.cohort_table(ds, cid, Selection("S3", "england", "95"))
    assert list(t["indicator_id"]) == list(cohorts.cohort(cid).indicators)
    shown = cohorts.display_cohort_table(t, ds.indicators, "england")
    assert len(shown) == len(t) and "Compared with England" in shown.columns


def test_cohort_table_values_and_benchmarks(ds):
    t = cohorts.cohort_table(ds, "frail_older", Selection("N1", "city", "95")).set_index("indicator_id")
    nb = _rows(ds, "population_age_65plus", "neighbourhood").set_index("area_code").loc["N1"]
    assert t.loc["population_age_65plus", "value"] == nb["value"]
    assert t.loc["population_age_65plus", "count"] == nb["numerator"]
    assert t.loc["idaopi", "comparison"] in ("better", "similar", "worse")
    t = cohorts.cohort_table(ds, "complex_lives", Selection("N1")).set_index("indicator_id")
    assert not t.loc["homelessness_rate", "neighbourhood_level"] and np.isnan(t.loc["homelessness_rate", "value"])
    assert t.loc["homelessness_rate", "manchester"] == 7.172


def test_display_marks_modelled_and_city_only(ds):
    shown = cohorts.display_cohort_table(cohorts.cohort_table(ds, "mh_ld_dementia", Selection("C1")), ds.indicators)
    dem = shown[shown["Indicator"].str.startswith("Dementia")].iloc[0]
    assert "expected (modelled)" in dem["Neighbourhood"] and dem["Status"] == "MODELLED ESTIMATE"
    shown = cohorts.display_cohort_table(cohorts.cohort_table(ds, "complex_lives", Selection("C1")), ds.indicators)
    assert shown["Neighbourhood"].str.contains("City only").sum() == 2


def test_children_cohort_states_the_gap_and_the_import_path():
    c = cohorts.cohort("children_ltc")
    assert "No public small-area prevalence" in c.gap
    assert "values.csv" in cohorts.IMPORT_PATH and "indicators.csv" in cohorts.IMPORT_PATH


# ------------------------------------------------------------------ what the page draws, computed together


def test_cohort_view_holds_the_table_its_display_and_each_modelled_method(ds):
    for cid in cohorts.COHORT_IDS:
        view = cohorts.cohort_view(ds, cid, Selection("N3", "rest", "99.8"))
        table = cohorts.cohort_table(ds, cid, Selection("N3", "rest", "99.8"))
        pd.testing.assert_frame_equal(view.table, table)
        pd.testing.assert_frame_equal(view.shown, cohorts.display_cohort_table(table, ds.indicators, "rest"))
        modelled = table[table["status"] == "modelled"]
        notes = ds.indicators.set_index("indicator_id")["method_note"]
        assert view.modelled_methods == tuple(zip(modelled["short_name"], notes[modelled["indicator_id"]]))
        # the sources list: one line per indicator, in table order, with its own period
        lines = view.sources.splitlines()
        assert len(lines) == len(table)
        for line, (_, r) in zip(lines, table.iterrows()):
            assert line.startswith(f"- **{md_text(r['short_name'])}**:") and f"Period: {md_text(r['period'])} ·" in line
    assert any(
        cohorts.cohort_view(ds, c, Selection("N1")).modelled_methods for c in cohorts.COHORT_IDS
    )  # the expected counts


def test_map_choices_are_each_mappable_indicator_once_under_its_first_cohort(ds):
    choices = cohorts.map_choices(ds)
    ids = [i for i, _ in choices]
    assert len(ids) == len(set(ids)) and ids
    first = {}
    for c in cohorts.COHORTS:
        for i in cohorts.mappable_indicators(ds, c.cohort_id):
            first.setdefault(i, c.label)
    assert dict(choices) == first
    nb = set(ds.values.loc[ds.values["area_type"] == "neighbourhood", "indicator_id"])
    assert set(ids) <= nb
