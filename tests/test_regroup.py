"""Another neighbourhood grouping (lib.methods.regroup): the shipped 13-neighbourhood model, uploads on
either ward set, dissolved boundaries, and every page running for it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.core import data
from lib.core.definitions import DefinitionError
from lib.imports import geography
from lib.methods import regroup
from tests.conftest import REPO

CITY_CENTRE = "E05000697"


@pytest.fixture(scope="module")
def thirteen(ds) -> pd.DataFrame:
    return regroup.load_shipped("thirteen", set(ds.definition["ward_code"]))


@pytest.fixture(scope="module")
def rebuilt(ds, thirteen) -> regroup.Regrouped:
    return regroup.regroup(ds.values, ds.indicators, thirteen)


def _nb(values: pd.DataFrame, ind: str, period: str | None = None) -> pd.DataFrame:
    sel = (values["indicator_id"] == ind) & (values["area_type"] == "neighbourhood")
    if period:
        sel &= values["period"] == period
    return values[sel].set_index("area_code")


def test_thirteen_model_has_13_neighbourhoods(thirteen, rebuilt):
    assert thirteen["neighbourhood_code"].nunique() == 13
    assert thirteen.loc[thirteen["ward_code"] == CITY_CENTRE, "neighbourhood_code"].item() == "CC"
    pop = _nb(rebuilt.values, "population")
    assert len(pop) == 13 and "CC" in pop.index


def test_counts_sum_to_the_city(ds, rebuilt):
    for ind in ("population", "income_deprivation", "disability"):
        nb = rebuilt.values[(rebuilt.values["indicator_id"] == ind) & (rebuilt.values["area_type"] == "neighbourhood")]
        for period, g in nb.groupby("period"):
            wards = ds.values[
                (ds.values["indicator_id"] == ind)
                & (ds.values["area_type"] == "ward")
                & (ds.values["period"] == period)
            ]
            assert g["numerator"].sum() == pytest.approx(wards["numerator"].sum())
            old = _nb(ds.values, ind, period)
            assert g["numerator"].sum() == pytest.approx(old["numerator"].sum())


def test_n4_minus_city_centre_is_n4_without_that_ward(ds, rebuilt):
    for ind in ("population", "income_deprivation", "universal_credit_households"):
        for period in ds.values.loc[ds.values["indicator_id"] == ind, "period"].unique()[:3]:
            old, new = _nb(ds.values, ind, period), _nb(rebuilt.values, ind, period)
            cc = ds.values[
                (ds.values["indicator_id"] == ind)
                & (ds.values["area_code"] == CITY_CENTRE)
                & (ds.values["period"] == period)
            ].iloc[0]
            assert new.loc["N4", "numerator"] == pytest.approx(old.loc["N4", "numerator"] - cc["numerator"])
            assert new.loc["N4", "denominator"] == pytest.approx(
                old.loc["N4", "denominator"] - cc["denominator"], nan_ok=True
            )
            assert new.loc["CC", "numerator"] == pytest.approx(cc["numerator"])
            assert new.loc["C1", "value"] == pytest.approx(old.loc["C1", "value"])  # untouched neighbourhoods unchanged


def test_weighted_means_and_comparisons_are_rebuilt(ds, rebuilt):
    old, new = _nb(ds.values, "imd_average_score", "IoD2025"), _nb(rebuilt.values, "imd_average_score", "IoD2025")
    assert new.loc["S1", "value"] == pytest.approx(old.loc["S1", "value"])
    assert np.isnan(new.loc["N4", "numerator"])  # a weighted sum is never shown as a count
    old_n4_w = old.loc["N4", "denominator"]
    cc = ds.values[
        (ds.values["indicator_id"] == "imd_average_score")
        & (ds.values["area_code"] == CITY_CENTRE)
        & (ds.values["period"] == "IoD2025")
    ].iloc[0]
    expect = (old.loc["N4", "value"] * old_n4_w - cc["value"] * cc["denominator"]) / (old_n4_w - cc["denominator"])
    assert new.loc["N4", "value"] == pytest.approx(expect, rel=1e-6)
    inc = _nb(rebuilt.values, "income_deprivation")
    assert inc["vs_england"].isin(["better", "similar", "worse"]).all()
    assert (rebuilt.values.loc[rebuilt.values["area_code"] == CITY_CENTRE, "parent_code"] == "CC").all()


def test_indicators_without_ward_figures_are_listed_not_faked(rebuilt):
    assert "target_ae_attendances" in rebuilt.not_regrouped
    assert _nb(rebuilt.values, "target_ae_attendances").empty


def test_dissolved_layers(ds, thirteen):
    layers = regroup.dissolve_layers(data.load_layer("wards"), thirteen)
    assert len(layers["neighbourhoods"]) == 13 and len(layers["localities"]) == 3
    cc = layers["neighbourhoods"].set_index("code").loc["CC"]
    assert cc["ward_codes"] == CITY_CENTRE and cc["name"] == "City Centre"


def test_a_grouping_upload_is_validated(ds):
    names = ds.definition.set_index("ward_code")["ward_name"]
    bad = ds.definition.drop(columns=["evidence"]).iloc[:-1].to_csv(index=False).encode()
    with pytest.raises(DefinitionError, match="missing from the definition"):
        regroup.read_grouping(bad, "g.csv", names)
    with pytest.raises(DefinitionError, match="empty"):
        regroup.read_grouping(b"", "g.csv", names)
    good, notes = regroup.read_grouping(
        (REPO / "geodata" / "definitions" / "thirteen_neighbourhoods.csv").read_bytes(), "13.csv", names
    )
    assert good["neighbourhood_code"].nunique() == 13 and not notes


def test_a_grouping_on_the_2018_wards_is_converted_by_best_fit(ds):
    geo = geography.load_geography()
    w18 = geo.ward2018.copy()
    meta = ds.definition.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")
    def18 = pd.DataFrame(
        {
            "ward_code": w18["ward2018_code"],
            "ward_name": w18["ward2018_name"],
            "neighbourhood_code": w18["neighbourhood_code"],
            "neighbourhood_name": w18["neighbourhood_code"].map(meta["neighbourhood_name"]),
            "locality_code": w18["neighbourhood_code"].map(meta["locality_code"]),
            "locality_name": w18["neighbourhood_code"].map(meta["locality_name"]),
        }
    )
    lk = pd.read_csv(REPO / "geodata" / "lookups" / "lsoa11_ward2018_bestfit.csv", dtype=str).set_index("lsoa_code")[
        "ward2018_code"
    ]
    out, notes = regroup.read_grouping(
        def18.to_csv(index=False).encode(),
        "w18.csv",
        ds.definition.set_index("ward_code")["ward_name"],
        geo.lsoa_to_ward,
        lk,
    )
    assert "approximate" in notes[0]
    assert len(out) == 32 and out["ward_name"].notna().all()
    # the 2018 best-fit of the 12 neighbourhoods maps back to (nearly) the original definition
    agree = (
        out.set_index("ward_code")["neighbourhood_code"] == ds.definition.set_index("ward_code")["neighbourhood_code"]
    ).mean()
    assert agree >= 0.85


@pytest.mark.parametrize(
    "page",
    [
        "pages/overview.py",
        "pages/map.py",
        "pages/profile.py",
        "pages/compare.py",
        "pages/cohorts.py",
        "pages/methods.py",
        "pages/own_data.py",
    ],
)
def test_pages_run_for_the_thirteen_model(page):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/own_data.py")
    at.run()
    at.radio(key="own_grouping_choice").set_value("thirteen").run()
    assert at.session_state["own_data_grouping"]["key"] == "thirteen"
    at.switch_page(page)
    at.session_state["nbhd"] = "CC"
    at.session_state["frame_values"] = {**at.session_state["frame_values"], "nbhd": "CC"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def _grouping(at):
    return at.session_state["own_data_grouping"] if "own_data_grouping" in at.session_state else None


def test_own_data_page_controls_switch_back_and_set_the_threshold():
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/own_data.py")
    at.run()
    at.radio(key="own_grouping_choice").set_value("upload").run()
    assert not at.exception and _grouping(at) is None
    at.radio(key="own_grouping_choice").set_value("thirteen").run()
    assert at.session_state["own_data_grouping"]["key"] == "thirteen"
    at.radio(key="own_grouping_choice").set_value("twelve").run()
    assert not at.exception and _grouping(at) is None
    at.number_input(key="own_threshold_input").set_value(10).run()
    assert not at.exception and at.session_state["own_data_threshold"] == 10
    at.switch_page("pages/overview.py")
    at.run()
    assert not at.exception
