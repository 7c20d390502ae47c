"""LSOA 2021 small areas (issue 18): the ``lsoa21`` rows of the indicators built from LSOA 2021
(Census 2021, IoD2025, fuel poverty 2021), the ``geodata/lsoa21.geojson`` layer, and the Map's
"Small areas (LSOA 2021)" detail.

Every figure is recomputed here from the raw files (Nomis and DESNZ LSOA 2021 tables, the ONS LSOA
2011 -> 2021 and LSOA 2011 -> ward lookups, the mid-2020 populations), independently of the pipeline.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from tests.conftest import DEFINITION_CSV, REPO, open_page, read_profile_csv

MERGED = "E01034128"  # Manchester 032F: E01005282 (Rusholme, C4) + E01005283 (Levenshulme, C3)
RUSHOLME, LEVENSHULME = "E05000714", "E05000707"

#: indicator -> (raw file, numerator as a function of the table, denominator column)
RAW = {
    "bad_health": (
        "england/census2021_ts037_lsoa21_england.csv.gz",
        lambda t: t["General health: Bad health"] + t["General health: Very bad health"],
        "General health: Total: All usual residents",
    ),
    "unpaid_care": (
        "england/census2021_ts039_lsoa21_england.csv.gz",
        lambda t: (
            t["Provision of unpaid care: Total: All usual residents aged 5 and over"]
            - t["Provision of unpaid care: Provides no unpaid care"]
        ),
        "Provision of unpaid care: Total: All usual residents aged 5 and over",
    ),
    "fuel_poverty": (
        "manchester/desnz_fuel_poverty_lsoa21_manchester_2021.csv",
        lambda t: t["Number of households in fuel poverty"],
        "Number of households",
    ),
}


@pytest.fixture(scope="module")
def geo(data_dir: Path) -> dict:
    l21 = pd.read_csv(data_dir / "lookups" / "lookup_lsoa11_lsoa21_ltla22_manchester.csv")
    ward = pd.read_csv(data_dir / "lookups" / "LSOA11_WD17_LAD17_EW_LU_manchester.csv").set_index("LSOA11CD")["WD17CD"]
    definition = pd.read_csv(DEFINITION_CSV).set_index("ward_code")
    pop = pd.read_csv(data_dir / "manchester" / "population20_lsoa11_manchester.csv").set_index("lsoa11_code")[
        "total_population"
    ]
    # each LSOA 2021's predecessors, largest mid-2020 population first
    preds = {
        code: list(pop.reindex(g["lsoa11_code"]).sort_values(ascending=False, kind="mergesort").index)
        for code, g in l21.groupby("lsoa21_code")
    }
    return {"l21": l21, "ward": ward, "definition": definition, "pop": pop, "preds": preds}


@pytest.fixture(scope="module")
def lsoa21_values() -> pd.DataFrame:
    return read_profile_csv(REPO / "profiles" / "lsoa21_values.csv")


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return read_profile_csv(REPO / "profiles" / "values.csv")


@pytest.fixture(scope="module")
def indicators() -> pd.DataFrame:
    return read_profile_csv(REPO / "profiles" / "indicators.csv")


def _raw(data_dir: Path, ind: str, manchester: set[str]) -> pd.DataFrame:
    file, numerator, denominator = RAW[ind]
    if file.endswith(".gz"):
        with gzip.open(data_dir / file, "rt", encoding="utf-8") as f:
            t = pd.read_csv(f)
        code = "geography code"
    else:
        t = pd.read_csv(data_dir / file)
        code = "LSOA Code"
    t = t[t[code].isin(manchester)]
    return pd.DataFrame(
        {"numerator": numerator(t).to_numpy(float), "denominator": t[denominator].to_numpy(float)},
        index=t[code].to_numpy(),
    ).sort_index()


def _rows(v: pd.DataFrame, ind: str, area_type: str) -> pd.DataFrame:
    return v[(v["indicator_id"] == ind) & (v["area_type"] == area_type)].set_index("area_code")


# ------------------------------------------------------------------ the rows


@pytest.mark.parametrize("ind", list(RAW))
def test_every_lsoa21_figure_is_the_raw_tables(data_dir, geo, lsoa21_values, values, indicators, ind):
    raw = _raw(data_dir, ind, set(geo["preds"]))
    assert len(raw) == 295
    got = _rows(lsoa21_values, ind, "lsoa21")
    assert sorted(got.index) == sorted(raw.index)
    got = got.loc[raw.index]
    np.testing.assert_array_equal(got["numerator"].to_numpy(float), raw["numerator"].to_numpy())
    np.testing.assert_array_equal(got["denominator"].to_numpy(float), raw["denominator"].to_numpy())
    np.testing.assert_allclose(got["value"].to_numpy(float), 100 * raw["numerator"] / raw["denominator"], atol=1e-6)
    meta = indicators.set_index("indicator_id").loc[ind]
    if meta["ci_method"] == "none":  # fuel poverty: modelled, so no interval and no test
        assert got[["lower_95", "upper_95"]].isna().all().all()
        assert (got["vs_england"] == "not_compared").all() and (got["vs_city"] == "not_compared").all()
        return
    n, x = raw["denominator"].to_numpy(), raw["numerator"].to_numpy()
    for level, alpha in (("95", 0.05), ("998", 0.002)):
        lo, hi = proportion_confint(x, n, alpha=alpha, method="wilson")
        np.testing.assert_allclose(got[f"lower_{level}"].to_numpy(float), 100 * lo, atol=1e-5)
        np.testing.assert_allclose(got[f"upper_{level}"].to_numpy(float), 100 * hi, atol=1e-5)
    # comparisons: the Fingertips rule against England's and Manchester's values (polarity-aware)
    words = (
        ("better", "similar", "worse")
        if meta["polarity"] == "lower_is_better"
        else ("lower", "similar", "higher")
        if meta["polarity"] == "no_judgement"
        else ("worse", "similar", "better")
    )
    for col, area_type in (("vs_england", "england"), ("vs_city", "city")):
        bench = float(_rows(values, ind, area_type)["value"].iloc[0])
        lo95, hi95 = got["lower_95"].to_numpy(float), got["upper_95"].to_numpy(float)
        expected = np.where(hi95 < bench, words[0], np.where(lo95 > bench, words[2], words[1]))
        assert list(got[col]) == list(expected), col


def test_each_lsoa21_parent_is_the_ward_of_most_residents(geo, lsoa21_values):
    rows = lsoa21_values.drop_duplicates("area_code").set_index("area_code")
    assert len(rows) == 295
    expected = {code: geo["ward"][p[0]] for code, p in geo["preds"].items()}
    assert rows["parent_code"].to_dict() == expected
    assert rows.loc[MERGED, "parent_code"] == RUSHOLME  # 58% of its residents live in the Rusholme part
    # every indicator's rows have the same parent and name for an area
    assert (lsoa21_values.groupby("area_code")["parent_code"].nunique() == 1).all()
    l21 = geo["l21"].drop_duplicates("lsoa21_code").set_index("lsoa21_code")["lsoa21_name"]
    assert (rows["area_name"] == l21.loc[rows.index]).all()


def test_the_merged_lsoa_says_its_figures_are_shared_between_two_neighbourhoods(lsoa21_values):
    m = lsoa21_values[lsoa21_values["area_code"] == MERGED]
    assert len(m) == lsoa21_values["indicator_id"].nunique()
    for note in m["note"]:
        assert "shared between two neighbourhoods (C3 and C4)" in note and "Rusholme" in note and "Levenshulme" in note
    others = lsoa21_values[lsoa21_values["area_code"] != MERGED]
    # the other merged LSOA 2021 (E01034119) lies wholly in Ardwick: nothing to say
    assert others["note"].isna().all()


@pytest.mark.parametrize("ind", ["bad_health", "unpaid_care", "fuel_poverty", "disability", "ethnic_black"])
def test_lsoa21_rows_sum_to_their_wards_with_the_merged_lsoa_split(geo, lsoa21_values, values, ind):
    got = _rows(lsoa21_values, ind, "lsoa21")
    wards = _rows(values, ind, "ward")
    pieces = []
    for code, r in got.iterrows():
        preds = geo["preds"][code]
        if len(preds) == 1:
            pieces.append((geo["ward"][preds[0]], r["numerator"], r["denominator"]))
            continue
        share = geo["pop"][preds[0]] / geo["pop"][preds].sum()
        num0, den0 = round(r["numerator"] * share), round(r["denominator"] * share)
        pieces.append((geo["ward"][preds[0]], num0, den0))
        pieces.append((geo["ward"][preds[1]], r["numerator"] - num0, r["denominator"] - den0))
    expected = pd.DataFrame(pieces, columns=["ward", "numerator", "denominator"]).groupby("ward").sum()
    assert sorted(expected.index) == sorted(wards.index)
    for col in ("numerator", "denominator"):
        np.testing.assert_array_equal(wards.loc[expected.index, col].to_numpy(float), expected[col].to_numpy(float))
    # plainly by parent_code the children add up for every ward but the two the merged LSOA straddles
    plain = got.groupby("parent_code")[["numerator", "denominator"]].sum()
    diff = (plain["denominator"] - wards.loc[plain.index, "denominator"]).abs()
    assert set(diff[diff > 0].index) <= {RUSHOLME, LEVENSHULME}
    assert diff.get(RUSHOLME, 0) > 0


def test_every_lsoa21_indicator_has_its_295_areas(lsoa21_values, values, indicators):
    assert set(lsoa21_values["area_type"]) == {"lsoa21"}
    assert "lsoa21" not in set(values["area_type"])  # values.csv keeps under 2 MB
    counts = lsoa21_values.groupby(["indicator_id", "period"])["area_code"].nunique()
    assert (counts == 295).all()
    for ind in ("bad_health", "unpaid_care", "unpaid_care_50h", "disabled_household", "fuel_poverty", "disability"):
        assert ind in counts.index.get_level_values(0)
    assert {f"ethnic_{g}" for g in ("asian", "black", "mixed", "other", "white")} <= set(
        counts.index.get_level_values(0)
    )
    iod = set(counts[counts.index.get_level_values(1) == "IoD2025"].index.get_level_values(0))
    assert {"imd_average_score", "imd_most_deprived_10pct", "cidr"} <= iod
    assert set(lsoa21_values["indicator_id"]) <= set(indicators["indicator_id"])
    for f in ("values.csv", "lsoa21_values.csv"):
        assert (REPO / "profiles" / f).stat().st_size < 2_000_000, f


def test_iod2025_lsoa21_score_is_the_published_score(data_dir, geo, lsoa21_values):
    with gzip.open(data_dir / "england" / "imd2025_england_lsoa21.csv.gz", "rt", encoding="utf-8") as f:
        raw = pd.read_csv(f)
    raw = raw[raw["lsoa21_code"].isin(set(geo["preds"]))].set_index("lsoa21_code")["IMD_score"]
    assert len(raw) == 295
    got = _rows(lsoa21_values, "imd_average_score", "lsoa21")
    np.testing.assert_allclose(got.loc[raw.index, "value"].to_numpy(float), raw.to_numpy(float), atol=1e-6)


# ------------------------------------------------------------------ disclosure control


def test_small_lsoa21_counts_are_hidden_with_a_second_one_in_their_ward(ds):
    from lib.core import disclosure

    v = disclosure.suppress(ds.values, ds.indicators, 5)
    assert disclosure.small_counts_present(v[v["area_type"] == "lsoa21"], ds.indicators, 5).empty
    small = ds.values[
        (ds.values["area_type"] == "lsoa21") & ds.values["numerator"].between(1, 4) & (ds.values["denominator"] > 0)
    ]
    assert len(small), "the LSOA 2021 rows have small counts to hide (e.g. 50+ hours of unpaid care)"
    hidden = v[(v["area_type"] == "lsoa21") & (v["note"] == disclosure.TOO_FEW)]
    assert set(small["area_code"] + small["indicator_id"]) <= set(hidden["area_code"] + hidden["indicator_id"])
    # in a ward whose total is shown, never exactly one LSOA 2021 hidden (it could be recovered)
    counted = disclosure.count_rows(v, ds.indicators)
    per_ward = hidden[counted.loc[hidden.index]].groupby(["indicator_id", "period", "parent_code"]).size()
    assert (per_ward != 1).all()


def test_secondary_suppression_covers_the_lsoa21_level(indicators):
    from lib.core import disclosure

    rows = pd.DataFrame(
        {
            "indicator_id": "bad_health",
            "period": "Census 2021",
            "area_type": ["ward", "lsoa21", "lsoa21", "lsoa21"],
            "area_code": ["W", "A", "B", "C"],
            "area_name": ["W", "A", "B", "C"],
            "parent_code": ["N", "W", "W", "W"],
            "numerator": [60.0, 3.0, 20.0, 37.0],
            "denominator": [600.0, 100.0, 200.0, 300.0],
            "value": [10.0, 3.0, 10.0, 12.3],
            **{c: np.nan for c in ("lower_95", "upper_95", "lower_998", "upper_998")},
            "vs_england": "similar",
            "vs_city": "similar",
            "note": pd.NA,
        }
    )
    out = disclosure.suppress(rows, indicators, 5).set_index("area_code")
    assert out.loc["A", "note"] == disclosure.TOO_FEW and out.loc["B", "note"] == disclosure.TOO_FEW  # B: second
    assert out.loc["C", "numerator"] == 37 and out.loc["W", "numerator"] == 60


# ------------------------------------------------------------------ the layer


def test_the_layer_has_295_areas_each_in_a_neighbourhood(geo, lsoa21_values):
    gj = json.loads((REPO / "geodata" / "lsoa21.geojson").read_text(encoding="utf-8"))
    props = pd.DataFrame([f["properties"] for f in gj["features"]]).set_index("code")
    assert len(props) == 295 and props.index.is_unique
    assert set(props.index) == set(geo["preds"])
    d = geo["definition"]
    assert (props["neighbourhood_code"] == d.loc[props["ward_code"], "neighbourhood_code"].to_numpy()).all()
    assert (props["locality_code"] == d.loc[props["ward_code"], "locality_code"].to_numpy()).all()
    assert props["neighbourhood_code"].nunique() == 12
    parents = lsoa21_values.drop_duplicates("area_code").set_index("area_code")["parent_code"]
    assert (props["ward_code"] == parents.loc[props.index]).all()  # the map places each area as its figures do
    assert props.loc[MERGED, "neighbourhood_code"] == "C4"
    assert (REPO / "geodata" / "lsoa21.geojson").stat().st_size < 2_000_000


def test_the_loader_reads_the_layer_and_the_map_payload_says_which_neighbourhood():
    from lib.core import data
    from lib.render.maps import layer_geojson

    gdf = data.load_layer("lsoa21")
    gj = layer_geojson(gdf)
    assert len(gj["features"]) == 295
    assert all(f["properties"]["nbhd"] for f in gj["features"])


# ------------------------------------------------------------------ the Map


def test_layer_for_keeps_each_edition_to_its_own_areas():
    from lib.views import map as mapview

    census = ["neighbourhood", "ward", "lsoa21", "locality", "city", "england"]
    iod2019 = ["neighbourhood", "ward", "lsoa", "locality", "city", "england"]
    assert mapview.layer_for(census, "lsoa21") == "lsoa21"
    assert mapview.layer_for(census, "lsoa") == "lsoa21"  # the 2021 small areas, not the wards
    assert mapview.layer_for(iod2019, "lsoa21") == "lsoa"  # an LSOA 2011 indicator keeps the 2011 layer
    assert mapview.layer_for(iod2019, "lsoa") == "lsoa"
    assert mapview.layer_for(["ward", "neighbourhood"], "lsoa21") == "wards"
    assert mapview.layer_for(["msoa"], "lsoa21") == "msoa"
    assert mapview.layer_for(census, "msoa") == "wards"
    assert mapview.LAYERS["lsoa"][1] == "Small areas (LSOA 2011)"
    assert mapview.LAYERS["lsoa21"][1] == "Small areas (LSOA 2021)"
    assert list(mapview.LAYERS)[-2:] == ["lsoa", "lsoa21"]  # coarse to fine


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [str(h.proto.body) for h in at.get("html")]
    return "\n".join(parts).replace("\\", "")


def test_map_shows_bad_health_on_the_295_lsoa21_areas(geo):
    at = open_page("pages/map.py", {"nbhd": "C3"})
    at.selectbox(key="map_family").set_value("outcome").run()
    at.selectbox(key="map_ind").set_value("bad_health").run()
    radio = at.radio(key="map_layer")
    assert "Small areas (LSOA 2021)" in radio.options and "Small areas (LSOA 2011)" in radio.options
    radio.set_value("lsoa21").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["layer"] == "lsoa21"
    assert at.header[0].value.replace("\\", "").endswith("small areas (LSOA 2021)")
    text = _texts(at)
    assert "instead" not in text
    assert sum(code in text for code in geo["preds"]) == 295  # a row for every LSOA 2021 under the map
    assert "Map of Manchester's 295 small areas (LSOA 2021)" in text

    # an LSOA 2011 indicator (IoD2015) keeps the 2011 areas and says so
    at.selectbox(key="map_family").set_value("context").run()
    at.selectbox(key="map_ind").set_value("imd_average_score").run()
    at.selectbox(key="map_period").set_value("IoD2015").run()
    assert not at.exception, [e.value for e in at.exception]
    text = _texts(at)
    assert "has no figures for small areas (LSOA 2021) in IoD2015; showing small areas (LSOA 2011) instead" in text
    assert at.header[0].value.replace("\\", "").endswith("small areas (LSOA 2011)")


def _probe_lsoa21_download() -> None:
    import io

    import pandas as pd
    import streamlit as st

    from pages.shared import session_data

    def read(f):
        return pd.read_csv(io.BytesIO(session_data.dataset_file_bytes(f)), keep_default_na=False, na_values=[""])

    small, rest = read("profiles/lsoa21_values.csv"), read("profiles/values.csv")
    st.session_state["probe"] = {
        "small_types": sorted(set(small["area_type"])),
        "rest_has_lsoa21": bool((rest["area_type"] == "lsoa21").any()),
        "small_rows": len(small),
        "too_few": int((small["note"] == "too few to show").sum()),
    }


def test_the_lsoa21_download_holds_the_lsoa21_rows_with_small_counts_hidden(lsoa21_values):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_probe_lsoa21_download, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    out = at.session_state["probe"]
    assert out["small_types"] == ["lsoa21"] and not out["rest_has_lsoa21"]
    assert out["small_rows"] == len(lsoa21_values)
    committed_small = lsoa21_values["numerator"].between(1, 4).sum()
    # each small count hidden (here every ward with one has at least two, so no second one is needed;
    # the secondary rule at this level: test_secondary_suppression_covers_the_lsoa21_level)
    assert out["too_few"] >= committed_small > 0
