"""DWP MSOA series (children in low-income families, households on Universal Credit) apportioned
to wards by population, checked against an independent computation from the raw files.

Everything expected here is computed in this file from the raw CSVs with plain pandas (the ONS
lookups, the mid-2020 single-year-of-age estimates, Census 2021 households, the DWP exports),
not from the pipeline's own helpers; the committed ``profiles/`` values must agree with it.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib.methods.apportion import apportion, split_counts
from tests.conftest import DEFINITION_CSV, REPO, read_all_values

CILIF = "children_low_income"
UC = "universal_credit_households"


# ----------------------------------------------------------------- independent inputs from the raw files


@pytest.fixture(scope="module")
def raw(data_dir: Path) -> dict:
    lw = pd.read_csv(data_dir / "lookups" / "LSOA11_WD17_LAD17_EW_LU_manchester.csv")
    ward_of = lw.set_index("LSOA11CD")["WD17CD"]
    oa = pd.read_csv(data_dir / "lookups" / "OA11_LSOA11_MSOA11_LAD11_manchester.csv")
    msoa_of = oa.drop_duplicates("lsoa11cd").set_index("lsoa11cd")["msoa11cd"]
    mw = pd.read_csv(data_dir / "lookups" / "MSOA11_WD17_LAD17_EW_LU_manchester.csv")
    msoa_by_name = mw.set_index("MSOA11NM")["MSOA11CD"]
    nb_of = pd.read_csv(DEFINITION_CSV).set_index("ward_code")["neighbourhood_code"]

    pop = pd.read_csv(data_dir / "england" / "population20_lsoa11_england.csv.gz")
    pop["age_0_17"] = pop[[str(a) for a in range(18)]].sum(axis=1)
    man = pop[pop["lsoa11_code"].isin(ward_of.index)].copy()
    assert len(man) == 282
    man["ward"] = man["lsoa11_code"].map(ward_of)
    man["msoa"] = man["lsoa11_code"].map(msoa_of)

    # LSOA 2021 -> LSOA 2011 best fit: a merged LSOA 2021 goes to its parent with more residents (mid-2020)
    l21 = pd.read_csv(data_dir / "lookups" / "lookup_lsoa11_lsoa21_ltla22_manchester.csv")
    l21["parent_pop"] = l21["lsoa11_code"].map(pop.set_index("lsoa11_code")["total_population"])
    l21 = l21.sort_values(["lsoa21_code", "parent_pop", "lsoa11_code"], ascending=[True, False, True])
    parent = l21.drop_duplicates("lsoa21_code").set_index("lsoa21_code")["lsoa11_code"]
    hd = pd.read_csv(data_dir / "england" / "household_deprivation21_lsoa21_england.csv.gz")
    hh_all = hd.drop_duplicates("lsoa21_code").set_index("lsoa21_code")["total_households"]
    hh = hh_all[hh_all.index.isin(parent.index)].rename("households").reset_index()
    assert len(hh) == 295
    hh["ward"] = hh["lsoa21_code"].map(parent).map(ward_of)
    hh["msoa"] = hh["lsoa21_code"].map(parent).map(msoa_of)

    def dwp(name: str) -> pd.DataFrame:
        df = pd.read_csv(data_dir / "manchester" / name, na_values="..")
        keep = [c for c in df.columns[1:] if not c.endswith("Annotations") and not c.startswith("Unnamed")]
        long = df.melt(id_vars=[df.columns[0]], value_vars=keep, var_name="label", value_name="count")
        long["msoa"] = long[df.columns[0]].map(msoa_by_name)
        assert long["msoa"].notna().all()
        return long

    cilif = dwp("children_relative_low_income_msoa_14-22_manchester.csv")
    cilif["period"] = cilif["label"].str.replace(r"\s*\(.*\)$", "", regex=True)
    uc = dwp("households_on_UC_msoa_15-22_manchester.csv")
    uc["period"] = pd.to_datetime(uc["label"].str.replace(r"\s*\(.*\)$", "", regex=True), format="%B %Y").dt.strftime(
        "%Y-%m"
    )
    return {
        "nb_of": nb_of,
        CILIF: {"small": man.rename(columns={"age_0_17": "weight"}), "counts": cilif},
        UC: {"small": hh.rename(columns={"households": "weight"}), "counts": uc},
        "england_0_17": float(pop["age_0_17"].sum()),
        "england_households": float(hh_all.sum()),
    }


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return read_all_values(REPO)


def _rows(values: pd.DataFrame, ind: str, area_type: str) -> pd.DataFrame:
    return values[(values["indicator_id"] == ind) & (values["area_type"] == area_type)]


# ----------------------------------------------------------------- denominators: the LSOA route


@pytest.mark.parametrize("ind", [CILIF, UC])
def test_neighbourhood_and_ward_denominators_are_the_lsoa_route_sums(raw, values, ind):
    """Apportioning by the denominator's own population puts each neighbourhood's denominator
    back on the LSOA route: the sum of its LSOAs' residents aged 0-17 (households for UC)."""
    small = raw[ind]["small"]
    by_ward = small.groupby("ward")["weight"].sum()
    by_nb = small.groupby(small["ward"].map(raw["nb_of"]))["weight"].sum()
    for level, expected in (("ward", by_ward), ("neighbourhood", by_nb)):
        got = _rows(values, ind, level)
        assert got["period"].nunique() == raw[ind]["counts"]["period"].nunique()
        for _, r in got.iterrows():
            assert r["denominator"] == expected[r["area_code"]], (level, r["area_code"], r["period"])
    city = _rows(values, ind, "city")
    assert (city["denominator"] == small["weight"].sum()).all()


def test_england_denominators(raw, values):
    assert (_rows(values, CILIF, "england")["denominator"] == raw["england_0_17"]).all()
    assert (_rows(values, UC, "england")["denominator"] == raw["england_households"]).all()


# ----------------------------------------------------------------- numerators: population-weighted split


@pytest.mark.parametrize("ind", [CILIF, UC])
def test_city_total_is_the_sum_of_the_msoa_counts(raw, values, ind):
    counts = raw[ind]["counts"].groupby("period")["count"].sum()
    city = _rows(values, ind, "city").set_index("period")["numerator"]
    assert city.to_dict() == counts.to_dict()


@pytest.mark.parametrize("ind", [CILIF, UC])
def test_neighbourhood_counts_match_an_exact_population_weighted_split(raw, values, ind):
    """Each MSOA's count split by its weight in each neighbourhood, computed exactly (fractions of
    people); the published whole numbers differ from it by less than one per MSOA piece."""
    small = raw[ind]["small"].assign(nb=lambda d: d["ward"].map(raw["nb_of"]))
    w = small.groupby(["msoa", "nb"])["weight"].sum()
    share = w / w.groupby(level="msoa").transform("sum")
    pieces_per_nb = w.groupby(level="nb").size()
    counts = raw[ind]["counts"]
    got = _rows(values, ind, "neighbourhood")
    for period, grp in counts.groupby("period"):
        c = grp.set_index("msoa")["count"]
        exact = (share * share.index.get_level_values("msoa").map(c).to_numpy()).groupby(level="nb").sum()
        pub = got[got["period"] == period].set_index("area_code")["numerator"]
        assert set(pub.index) == set(exact.index)
        diff = (pub - exact).abs()
        assert (diff < pieces_per_nb.reindex(diff.index)).all(), (period, diff.max())
        assert pub.sum() == c.sum()


def test_each_msoa_count_is_conserved_by_the_pipeline_split(data_dir):
    """The pipeline's own pieces and split: every MSOA's ward pieces add back to its count, every
    piece is a whole number, and only MSOAs that straddle wards are split."""
    from lib.pipeline import deprivation, sources
    from lib.pipeline.parts import load_lookups

    pop = sources.population2020(data_dir)
    lk = load_lookups(data_dir, pop)
    pieces = deprivation.dwp_pieces(data_dir, lk, pop)
    for ind, key in ((CILIF, "cilif_msoa"), (UC, "uc_msoa")):
        ms = sources.stat_xplore(data_dir, key)
        ms["unit_code"] = ms["area_name"].map(lk.msoa11_code_by_name)
        ms["period"] = ms["period_label"]
        split = split_counts(ms[["unit_code", "period", "count"]], pieces[ind])
        back = split.groupby(["unit_code", "period"])["count"].sum()
        orig = ms.set_index(["unit_code", "period"])["count"]
        assert (back.reindex(orig.index) == orig).all()
        assert (split["count"] == split["count"].round()).all()
        n_wards = pieces[ind].groupby("unit_code").size()
        assert 0 < (n_wards > 1).sum() < len(n_wards)  # some MSOAs straddle wards, most do not


def test_old_whole_msoa_assignment_would_fail_the_lsoa_route(raw, data_dir):
    """The reason for the change: assigning whole MSOAs to one ward moves residents between
    neighbourhoods (so the old denominators are not the LSOA route)."""
    small = raw[CILIF]["small"]
    msoa_ward = pd.read_csv(data_dir / "lookups" / "MSOA11_WD17_LAD17_EW_LU_manchester.csv")
    best = small["msoa"].map(msoa_ward.set_index("MSOA11CD")["WD17CD"]).map(raw["nb_of"])
    moved = small.loc[best != small["ward"].map(raw["nb_of"]), "weight"].sum() / small["weight"].sum()
    assert moved > 0.05


def test_status_and_method_say_modelled(values):
    ind = pd.read_csv(REPO / "profiles" / "indicators.csv").set_index("indicator_id")
    for i in (CILIF, UC):
        assert ind.loc[i, "status"] == "modelled" and ind.loc[i, "ci_method"] == "none"
        assert "apportion" in ind.loc[i, "method_note"].lower()
        v = values[values["indicator_id"] == i]
        assert v[["lower_95", "upper_95"]].isna().all().all()
        assert set(v["vs_england"]) == {"not_compared"}
    assert "0-17" in ind.loc[CILIF, "name"] and "0-17" in ind.loc[CILIF, "unit"]


# ----------------------------------------------------------------- split_counts


def test_split_counts_agrees_with_apportion_and_conserves():
    rnd = random.Random(7)
    pieces, counts, expected = [], [], {}
    for u in range(40):
        unit = f"M{u:02d}"
        weights = {f"W{t}": float(rnd.randint(0, 900)) for t in rnd.sample(range(9), rnd.randint(1, 4))}
        if not any(weights.values()):
            weights[next(iter(weights))] = 1.0
        pieces += [(unit, code, w) for code, w in weights.items()]
        for period in ("a", "b"):
            c = rnd.randint(0, 5000)
            counts.append((unit, period, c))
            expected[(unit, period)] = apportion(c, weights)
    out = split_counts(
        pd.DataFrame(counts, columns=["unit_code", "period", "count"]),
        pd.DataFrame(pieces, columns=["unit_code", "target_code", "weight"]),
    )
    for (unit, period), grp in out.groupby(["unit_code", "period"]):
        assert dict(zip(grp["target_code"], grp["count"].astype(int))) == expected[(unit, period)]
    totals = out.groupby(["unit_code", "period"])["count"].sum()
    assert all(totals[k] == sum(v.values()) for k, v in expected.items())


def test_split_counts_keeps_withheld_counts_withheld_and_rejects_unknown_units():
    pieces = pd.DataFrame({"unit_code": ["M1", "M1"], "target_code": ["W1", "W2"], "weight": [3.0, 1.0]})
    out = split_counts(pd.DataFrame({"unit_code": ["M1"], "period": ["p"], "count": [np.nan]}), pieces)
    assert len(out) == 2 and out["count"].isna().all()
    out = split_counts(pd.DataFrame({"unit_code": ["M1"], "period": ["p"], "count": [10]}), pieces)
    assert dict(zip(out["target_code"], out["count"])) == {"W1": 8.0, "W2": 2.0}  # 7.5 / 2.5: tie to W1
    with pytest.raises(ValueError, match="M9"):
        split_counts(pd.DataFrame({"unit_code": ["M9"], "period": ["p"], "count": [1]}), pieces)
    with pytest.raises(ValueError):
        split_counts(pd.DataFrame({"unit_code": ["M1"], "period": ["p"], "count": [2.5]}), pieces)
    assert math.isclose(out["count"].sum(), 10)
