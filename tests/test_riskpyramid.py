"""Risk pyramid: tier counts are whole people, add up exactly, and follow the stated weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.core import data
from lib.views import risk_pyramid as rp
from tests.conftest import REPO, read_profile_csv


@pytest.fixture(scope="module")
def reg():
    return data.load_dataset(REPO, population="registered")


def test_city_tiers_follow_the_seed_facts(ds):
    facts = pd.read_csv(REPO / "profiles" / "seeds" / "city_headline_facts.csv").set_index("fact_id")["value"]
    pop = ds.values[(ds.values["indicator_id"] == "population") & (ds.values["area_type"] == "city")]["value"].iloc[0]
    t = rp.city_tiers(ds)
    assert t["highest"] == round(float(facts["hipc_target_share"]) / 100 * pop)
    assert t["highest"] + t["high"] == int(facts["integrated_offer_people"]) == 22_000
    assert sum(t.values()) == pop


@pytest.mark.parametrize("method", ["registers", "need", "population"])
def test_tiers_are_integers_and_sum_exactly(ds, reg, method):
    p = rp.pyramid(ds, method, reg)
    nb, city = p.iloc[:-1], p.iloc[-1]
    assert len(nb) == 12 and city["area_code"] == "E08000003"
    for tier in rp.TIERS + ("highest_and_high", "population"):
        assert pd.api.types.is_integer_dtype(p[tier])
        assert int(nb[tier].sum()) == int(city[tier])
    assert (nb[list(rp.TIERS)].sum(axis=1) == nb["population"]).all()
    assert (nb[list(rp.TIERS)] >= 0).all().all()
    assert city["highest"] == rp.city_tiers(ds)["highest"]


def test_population_method_is_proportional_within_rounding(ds):
    p = rp.pyramid(ds, "population").iloc[:-1]
    share = p["population"] / p["population"].sum()
    for tier in ("highest", "high"):
        quota = share * rp.city_tiers(ds)[tier]
        assert (np.abs(p[tier] - quota) < 1).all()


def test_need_index_formula(ds):
    v = ds.values[ds.values["area_type"] == "neighbourhood"]
    cidr = v[(v["indicator_id"] == "cidr") & (v["period"] == "IoD2025")].set_index("area_code")["value"]
    pop = v[v["indicator_id"] == "population"].set_index("area_code")["value"]
    # England's own CIDR of the same edition is the yardstick (a population-weighted mean of LSOA
    # ratios, not 100)
    e = ds.values[(ds.values["indicator_id"] == "cidr") & (ds.values["area_type"] == "england")]
    england = float(e.loc[e["period"] == "IoD2025", "value"].iloc[0])
    assert abs(england - 100) > 5
    need = rp.need_index(ds)
    np.testing.assert_allclose(need.to_numpy(), (pop * cidr / england).reindex(need.index).to_numpy(), rtol=1e-12)
    assert rp.need_period(ds) == "IoD2025"


def test_need_method_differs_where_need_differs(ds):
    need, pop = rp.pyramid(ds, "need").iloc[:-1], rp.pyramid(ds, "population").iloc[:-1]
    cidr_rel = rp.need_index(ds) / rp.population(ds)
    # neighbourhoods with above-average need per head get more upper-tier people under the need method
    mean_rel = rp.need_index(ds).sum() / rp.population(ds).sum()
    diff = need.set_index("area_code")["highest_and_high"] - pop.set_index("area_code")["highest_and_high"]
    clear = (cidr_rel / mean_rel - 1).abs() > 0.05
    assert clear.sum() >= 4
    assert (np.sign(diff[clear]) == np.sign((cidr_rel / mean_rel - 1)[clear])).all()
    eff = rp.choice_effect(ds)
    assert eff["difference"].sum() == 0 and rp.people_moved(eff) > 0


def test_equal_need_gives_the_population_split(ds):
    """If every area had the same CIDR, the need method would equal the population method."""
    v = ds.values.copy()
    sel = (v["indicator_id"] == "cidr") & (v["area_type"] == "neighbourhood")
    v.loc[sel, "value"] = 137.0
    flat = data.Dataset(ds.indicators, v, ds.definition)
    pd.testing.assert_frame_equal(
        rp.pyramid(flat, "need").drop(columns=["weight", "method"]),
        rp.pyramid(flat, "population").drop(columns=["weight", "method"]),
    )


def test_bad_method_and_labels(ds):
    with pytest.raises(ValueError):
        rp.pyramid(ds, "guess")
    long = rp.tier_long(rp.pyramid(ds, "need"), "N1")
    assert list(long["tier"]) == list(rp.TIERS) and long["people"].sum() == rp.population(ds)["N1"]
    assert all(q[1].endswith(".txt") for q in rp.QUOTES)
    assert "No public source" in rp.NO_SOURCE


def test_quotes_are_verbatim_in_the_seed_documents():
    seeds = REPO.parent / "shared" / "seeds"
    if not seeds.exists():
        pytest.skip(f"seed documents not found at {seeds}")
    for quote, file, _ in rp.QUOTES:
        text = " ".join((seeds / file).read_text(encoding="utf-8").split())
        for part in quote.split("; "):
            assert " ".join(part.split()) in text, part


# ---------------------------------------------------------------- the registers method (registered patients)


def _raw_registered() -> pd.DataFrame:
    """The committed registered patients' file, read independently of the loader."""
    v = read_profile_csv(REPO / "profiles" / "registered_values.csv")
    return v[v["area_type"] == "neighbourhood"]


def test_register_weights_are_the_sum_of_the_six_registers_in_the_file(reg):
    v = _raw_registered()
    latest = v[v["indicator_id"] == "reg_pc"]["period"].max()
    six = ["reg_pc", "reg_hf", "reg_copd", "reg_dem", "reg_mh", "reg_ld"]
    assert sorted(rp.WEIGHT_REGISTERS) == sorted(six)
    expected = v[v["indicator_id"].isin(six) & (v["period"] == latest)].groupby("area_code")["numerator"].sum()
    got = rp.register_weight(reg)
    assert rp.register_period(reg) == latest == "2024/25"
    assert len(got) == 12
    np.testing.assert_array_equal(got.to_numpy(), expected.reindex(got.index).to_numpy())
    assert (got > 0).all()


def test_registers_pyramid_adds_up_to_the_city_tiers_and_each_registered_list(ds, reg):
    p = rp.pyramid(ds, "registers", reg)
    nb, city = p.iloc[:-1].set_index("area_code"), p.iloc[-1]
    lists = _raw_registered().query("indicator_id == 'reg_patients'").set_index("area_code")["value"]
    # each neighbourhood's pyramid adds up to its registered list (not its residents)
    assert (nb["population"] == lists.reindex(nb.index).astype(int)).all()
    assert (nb[list(rp.TIERS)].sum(axis=1) == nb["population"]).all()
    assert (nb["population"] != rp.population(ds).reindex(nb.index)).all()
    # the 12 add up to the city tiers, which are the seed figures (as for the other methods)
    tiers = rp.city_tiers(ds)
    for tier in ("highest", "high"):
        assert int(nb[tier].sum()) == int(city[tier]) == tiers[tier]
    assert int(city["highest_and_high"]) == 22_000
    assert int(city["population"]) == int(lists.sum())
    assert int(city["rising_and_low"]) == int(lists.sum()) - 22_000
    assert set(p["lens"]) == {"registered"} and set(p["method"]) == {"registers"}


def test_registers_split_is_proportional_to_the_registers(ds, reg):
    p = rp.pyramid(ds, "registers", reg).iloc[:-1].set_index("area_code")
    w = rp.register_weight(reg)
    for tier in ("highest", "high"):
        quota = w / w.sum() * rp.city_tiers(ds)[tier]
        assert (np.abs(p[tier] - quota.reindex(p.index)) < 1).all()


def test_registers_method_needs_the_registered_dataset(ds):
    with pytest.raises(ValueError, match="registered"):
        rp.pyramid(ds, "registers")
    assert rp.DEFAULT_METHOD == "registers" and list(rp.METHODS)[0] == "registers"


def test_a_hidden_register_count_is_an_error_not_a_zero(reg):
    v = reg.values.copy()
    hide = (v["indicator_id"] == "reg_ld") & (v["area_type"] == "neighbourhood") & (v["area_code"] == "S4")
    v.loc[hide, ["numerator", "value"]] = np.nan
    with pytest.raises(ValueError, match="hidden"):
        rp.register_weight(data.Dataset(reg.indicators, v, reg.definition, reg.threshold, "registered"))


def test_the_lens_is_labelled_in_the_table_and_the_chart(ds, reg):
    p = rp.pyramid(ds, "registers", reg)
    shown = rp.display_pyramid_table(p, reg)
    assert "Registered patients (July 2026)" in shown.columns
    assert set(shown["Population"]) == {"Registered patients (July 2026)"}
    assert all("registered patients" in c for c in shown.columns if c.startswith(("Highest", "High", "Rising")))
    assert "Residents (mid-2020)" not in shown.columns
    spec = rp.pyramid_chart(rp.tier_long(p, "N1"), "N1").to_dict()
    assert "registered patients" in spec["title"] and "MODELLED" in spec["title"]
    assert "Share of registered patients (%)" in str(spec)
    residents = rp.display_pyramid_table(rp.pyramid(ds, "need"))
    assert "Residents (mid-2020)" in residents.columns and set(residents["Population"]) == {"Residents (mid-2020)"}
    assert "Share of residents (%)" in str(rp.pyramid_chart(rp.tier_long(rp.pyramid(ds, "need"), "N1"), "N1").to_dict())


def test_choice_effect_with_registers_moves_people_but_not_the_total(ds, reg):
    eff = rp.choice_effect(ds, reg)
    assert eff["by_registers"].sum() == eff["by_population"].sum() == 22_000
    assert eff["difference_registers"].sum() == 0
    assert rp.people_moved(eff, "difference_registers") > 0
    shown = rp.display_choice_effect(eff)
    assert "Highest + high, by GP registers (registered patients)" in shown.columns


def test_registers_problem_says_why_the_method_cannot_be_used(reg):
    assert rp.registers_problem(reg) is None
    assert "not available" in rp.registers_problem(None)
    v = reg.values.copy()
    hide = (v["indicator_id"] == "reg_pc") & (v["area_type"] == "neighbourhood") & (v["area_code"] == "C4")
    v.loc[hide, ["numerator", "value"]] = np.nan
    hidden = data.Dataset(reg.indicators, v, reg.definition, reg.threshold, "registered")
    assert "palliative care register is hidden" in rp.registers_problem(hidden)


def test_a_neighbourhood_without_practices_gets_no_upper_tier_people(ds, reg):
    """An uploaded assignment may leave a neighbourhood with no practice: its list and weight are 0."""
    from lib.methods import practice_groups

    practices = data.load_practices(REPO)
    practices.loc[practices["neighbourhood_code"] == "S4", "neighbourhood_code"] = "S3"
    values = practice_groups.regroup_registered(reg.values, reg.indicators, practices, reg.definition)
    moved = data.Dataset(reg.indicators, values, reg.definition, reg.threshold, "registered")
    p = rp.pyramid(ds, "registers", moved).set_index("area_code")
    assert p.loc["S4", ["population", "highest", "high", "rising_and_low"]].tolist() == [0, 0, 0, 0]
    assert int(p.loc["E08000003", "population"]) == int(rp.registered_list(reg).sum())
    assert rp.tier_long(p.reset_index(), "S4")["share"].tolist() == [0.0, 0.0, 0.0]
