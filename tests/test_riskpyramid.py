"""Risk pyramid: tier counts are whole people, add up exactly, and follow the stated weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.core import data
from lib.views import risk_pyramid as rp
from tests.conftest import REPO


def test_city_tiers_follow_the_seed_facts(ds):
    facts = pd.read_csv(REPO / "profiles" / "seeds" / "city_headline_facts.csv").set_index("fact_id")["value"]
    pop = ds.values[(ds.values["indicator_id"] == "population") & (ds.values["area_type"] == "city")]["value"].iloc[0]
    t = rp.city_tiers(ds)
    assert t["highest"] == round(float(facts["hipc_target_share"]) / 100 * pop)
    assert t["highest"] + t["high"] == int(facts["integrated_offer_people"]) == 22_000
    assert sum(t.values()) == pop


@pytest.mark.parametrize("method", ["need", "population"])
def test_tiers_are_integers_and_sum_exactly(ds, method):
    p = rp.pyramid(ds, method)
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
        rp.pyramid(flat, "need").drop(columns="weight"), rp.pyramid(flat, "population").drop(columns="weight")
    )


def test_bad_method_and_labels(ds):
    with pytest.raises(ValueError):
        rp.pyramid(ds, "guess")
    long = rp.tier_long(rp.pyramid(ds), "N1")
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
