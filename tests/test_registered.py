"""The registered population (issue 18): GP practices in neighbourhoods, and the figures for
their patients, checked against the raw NHS England files by an independent computation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lib.core import data, disclosure
from lib.core.practices import PracticeAssignmentError, read_practices, validate_practices
from lib.pipeline import registered
from lib.pipeline.catalogue_registered import QOF_YEARS, REGISTERS, register_id
from tests.conftest import REPO, read_all_values, read_profile_csv

NEIGHBOURHOODS = [f"{loc}{i}" for loc in "NCS" for i in range(1, 5)]


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    v = read_all_values()
    return v[v["indicator_id"].str.startswith("reg_")].reset_index(drop=True)


@pytest.fixture(scope="module")
def practices() -> pd.DataFrame:
    return pd.read_csv(REPO / "geodata" / "practices.csv", dtype=str, keep_default_na=False)


def _num(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").to_numpy(float)


# ---------------------------------------------------------------- the assignment, as data


def test_the_committed_assignment_has_every_manchester_practice_of_the_sources_once(data_dir, practices):
    raw26 = pd.read_csv(data_dir / registered.MAP_2026, dtype=str)
    raw22 = pd.read_csv(data_dir / registered.MAP_2022, dtype=str)
    manchester = set(raw26.loc[raw26["SUB_ICB_LOCATION_CODE"] == "14L", "PRACTICE_CODE"]) | set(
        raw22.loc[raw22["SUB_ICB_ODS_CODE"] == "14L", "PRACTICE_CODE"]
    )
    assert len(set(raw26.loc[raw26["SUB_ICB_LOCATION_CODE"] == "14L", "PCN_CODE"])) == 14
    assert set(practices["practice_code"]) == manchester and practices["practice_code"].is_unique
    clean = read_practices(REPO / "geodata" / "practices.csv", NEIGHBOURHOODS, manchester)
    assert len(clean) == len(manchester) == 83
    # every neighbourhood has practices; every judgement says why; the closed practice says what is known
    assert set(clean["neighbourhood_code"]) == set(NEIGHBOURHOODS)
    assert (clean.loc[clean["basis"] == "judgement", "note"].str.len() > 40).all()
    closed = clean[clean["status"] == "closed"]
    assert list(closed["practice_code"]) == ["P84640"] and "closed or merged" in closed["note"].iloc[0]
    moved = clean[clean["note"].fillna("").str.contains("Moved PCN")]
    assert list(moved["practice_code"]) == ["Y02960"] and moved["neighbourhood_code"].iloc[0] == "C1"


def test_the_draft_is_what_is_committed(data_dir, practices):
    """Rebuilding from the sources gives the committed file (until a user edits it)."""
    draft = registered.draft_assignment(data_dir).fillna("").reset_index(drop=True)
    pd.testing.assert_frame_equal(draft, practices.reset_index(drop=True), check_dtype=False)


def _good() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "practice_code": ["P84001", "P84002"],
            "practice_name": ["A", "B"],
            "pcn_code": ["U00001", "U00001"],
            "pcn_name": ["One PCN", "One PCN"],
            "neighbourhood_code": ["N1", "C3"],
            "basis": ["pcn_name", "judgement"],
            "status": ["open", "open"],
            "note": ["", "Split by postcode"],
        }
    )


def test_a_good_assignment_passes_and_comes_back_sorted():
    out = validate_practices(_good(), NEIGHBOURHOODS, {"P84001", "P84002"})
    assert list(out["practice_code"]) == ["P84002", "P84001"]  # C3 before N1


def test_every_problem_is_listed_with_its_row_number():
    bad = pd.concat([_good(), _good().iloc[[0]]], ignore_index=True)
    bad.loc[0, "practice_code"] = "84001"
    bad.loc[1, "neighbourhood_code"] = "Z9"
    bad.loc[1, "note"] = ""
    bad.loc[2, "practice_code"] = "P84002"
    bad.loc[2, "status"] = "gone"
    bad.loc[2, "pcn_name"] = "Another name"
    with pytest.raises(PracticeAssignmentError) as err:
        validate_practices(bad, NEIGHBOURHOODS, {"P84001", "P84002", "P84003"})
    msg = str(err.value)
    assert "practice_code is not an ODS practice code" in msg and "row(s) 2" in msg
    assert "neighbourhood_code is not one of the neighbourhoods" in msg and "row(s) 3" in msg
    assert "a judgement needs a note saying why, in row(s) 3" in msg
    assert "status must be one of open, closed in row(s) 4" in msg
    assert "PCN U00001 has more than one name" in msg
    assert "practice P84002 appears more than once (rows 3, 4)" in msg
    assert "missing from the assignment (every practice must be assigned once): P84001, P84003" in msg


def test_a_missing_column_says_which_and_what_is_needed(tmp_path):
    path = tmp_path / "practices.csv"
    _good().drop(columns=["basis"]).to_csv(path, index=False)
    with pytest.raises(PracticeAssignmentError, match="missing column\\(s\\) basis"):
        read_practices(path, NEIGHBOURHOODS)
    with pytest.raises(PracticeAssignmentError, match="No practice assignment at"):
        read_practices(tmp_path / "none.csv", NEIGHBOURHOODS)


def test_names_are_written_as_people_write_them():
    assert registered.tidy_name("ARDWICK AND LONGSIGHT PCN") == "Ardwick and Longsight PCN"
    assert registered.tidy_name("DR KHAN'S PRACTICE") == "Dr Khan's Practice"
    assert registered.tidy_name("Better Health Mcr PCN") == "Better Health MCR PCN"
    assert registered.tidy_name("THE DOC'S SURGERY") == "The Doc's Surgery"


# ---------------------------------------------------------------- the figures, from the raw files


def _raw_qof(data_dir, suffix: str) -> pd.DataFrame:
    return pd.read_csv(data_dir / registered.QOF_FILE.format(suffix), dtype={"PRACTICE_CODE": str})


@pytest.mark.parametrize(("period", "suffix"), QOF_YEARS)
def test_manchester_and_england_registers_match_the_raw_files(data_dir, values, practices, period, suffix):
    raw = _raw_qof(data_dir, suffix)
    manchester = raw[raw["PRACTICE_CODE"].isin(set(practices["practice_code"]))]
    v = values[values["period"] == period]
    for code in REGISTERS:
        ind = register_id(code)
        for area_type, rows in (("england", raw), ("city", manchester)):
            rows = rows[rows["GROUP_CODE"] == code]
            got = v[(v["indicator_id"] == ind) & (v["area_type"] == area_type)]
            assert len(got) == 1, (ind, area_type)
            assert float(got["numerator"].iloc[0]) == rows["REGISTER"].sum()
            assert float(got["denominator"].iloc[0]) == rows["PRACTICE_LIST_SIZE"].sum()
            assert float(got["value"].iloc[0]) == pytest.approx(
                100 * rows["REGISTER"].sum() / rows["PRACTICE_LIST_SIZE"].sum(), rel=1e-6
            )
    # the 2022/23 Manchester registers are the 83 practices then, the 2024/25 ones the 82 now
    n = manchester["PRACTICE_CODE"].nunique()
    assert n == (83 if suffix == "2022_23" else 82)


def _sums_match(values: pd.DataFrame, child: str, parent: str) -> None:
    v = values.assign(num=_num(values["numerator"]), den=_num(values["denominator"]))
    kids = v[v["area_type"] == child].groupby(["indicator_id", "period", "parent_code"])[["num", "den"]].sum()
    parents = v[v["area_type"] == parent].set_index(["indicator_id", "period", "area_code"])[["num", "den"]]
    parents.index.names = kids.index.names
    joined = kids.join(parents, rsuffix="_parent", how="outer")
    assert joined[["num", "num_parent"]].notna().all().all() and len(joined) > 0  # no parent or child missing
    assert np.allclose(joined["num"], joined["num_parent"]) and np.allclose(
        joined["den"].fillna(0), joined["den_parent"].fillna(0)
    )


def test_a_neighbourhood_is_the_sum_of_its_practices_and_the_neighbourhoods_sum_to_manchester(values, practices):
    assigned = practices.set_index("practice_code")["neighbourhood_code"]
    pr = values[values["area_type"] == "practice"]
    assert (pr["parent_code"] == pr["area_code"].map(assigned)).all()
    _sums_match(values, "practice", "neighbourhood")
    _sums_match(values, "neighbourhood", "locality")
    _sums_match(values, "locality", "city")
    _sums_match(values, "pcn", "city")


def test_the_registered_population_matches_the_published_totals(values):
    total = values[(values["indicator_id"] == "reg_patients")]
    assert float(total.loc[total["area_type"] == "city", "value"].iloc[0]) == 745_413
    assert float(total.loc[total["area_type"] == "england", "value"].iloc[0]) == 63_436_508
    assert total["denominator"].isna().all()  # a count has no denominator


def test_age_shares_are_recomputed_from_the_5_year_bands(data_dir, values):
    raw = pd.read_csv(data_dir / registered.PATIENTS, dtype={"ORG_CODE": str})
    bands = raw[(raw["ORG_TYPE"] == "GP") & raw["SEX"].isin(["MALE", "FEMALE"]) & (raw["AGE_GROUP_5"] != "ALL")]
    code = "P84005"
    mine = bands[bands["ORG_CODE"] == code]
    total = raw[
        (raw["ORG_TYPE"] == "GP") & (raw["ORG_CODE"] == code) & (raw["SEX"] == "ALL") & (raw["AGE_GROUP_5"] == "ALL")
    ]
    all_ages = float(total["NUMBER_OF_PATIENTS"].iloc[0])
    old = mine[mine["AGE_GROUP_5"].isin(["75_79", "80_84", "85_89", "90_94", "95+"])]["NUMBER_OF_PATIENTS"].sum()
    young = mine[mine["AGE_GROUP_5"].isin(["0_4", "5_9", "10_14"])]["NUMBER_OF_PATIENTS"].sum()
    row = values[(values["area_code"] == code) & (values["area_type"] == "practice")].set_index("indicator_id")
    assert float(row.loc["reg_age_75plus", "value"]) == pytest.approx(100 * old / all_ages, rel=1e-6)
    assert float(row.loc["reg_age_0_14", "value"]) == pytest.approx(100 * young / all_ages, rel=1e-6)


def _wilson(o: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval, written out from its formula (Newcombe 1998, method 3)."""
    p = o / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def test_intervals_are_wilson_and_comparisons_follow_them(values):
    v = values[(values["indicator_id"] == "reg_dm") & (values["period"] == "2024/25")]
    eng = float(v.loc[v["area_type"] == "england", "value"].iloc[0])
    for r in v[v["area_type"].isin(["neighbourhood", "pcn"])].itertuples():
        lo, hi = _wilson(float(r.numerator), float(r.denominator), 1.959963984540054)
        assert float(r.lower_95) == pytest.approx(100 * lo, abs=1e-5)
        assert float(r.upper_95) == pytest.approx(100 * hi, abs=1e-5)
        expect = "higher" if 100 * lo > eng else "lower" if 100 * hi < eng else "similar"
        assert r.vs_england == expect  # recorded prevalence: no better or worse


# ---------------------------------------------------------------- the lens and the disclosure rule


def test_each_lens_holds_only_its_own_indicators():
    residents = data.load_dataset(REPO)
    patients = data.load_dataset(REPO, population="registered")
    assert not residents.indicators["indicator_id"].str.startswith("reg_").any()
    assert patients.indicators["indicator_id"].str.startswith("reg_").all()
    assert set(patients.values["indicator_id"]) == set(patients.indicators["indicator_id"])
    assert set(patients.values["area_type"]) == {"practice", "pcn", "neighbourhood", "locality", "city", "england"}
    everything = data.load_dataset(REPO, population=None)
    assert len(everything.indicators) == len(residents.indicators) + len(patients.indicators)


def test_small_practice_registers_are_hidden_and_cannot_be_worked_out_from_the_neighbourhood():
    patients = data.load_dataset(REPO, population="registered")
    threshold = 10
    shown = disclosure.suppress(patients.values, patients.indicators, threshold)
    pr = patients.values["area_type"] == "practice"
    small = pr & (patients.values["numerator"] > 0) & (patients.values["numerator"] < threshold)
    assert small.sum() > 0  # there are small registers to hide (e.g. learning disability at small practices)
    assert shown.loc[small, "numerator"].isna().all() and shown.loc[small, "value"].isna().all()
    # inside each neighbourhood, a hidden practice never stands alone while the neighbourhood is shown
    hidden = shown[pr & shown["numerator"].isna() & patients.values["numerator"].notna()]
    for (ind, period, parent), g in hidden.groupby(["indicator_id", "period", "parent_code"]):
        nb = shown[(shown["indicator_id"] == ind) & (shown["period"] == period) & (shown["area_code"] == parent)]
        if nb["numerator"].notna().all():
            assert len(g) >= 2, (ind, period, parent)


def test_the_house_of_commons_library_qof_estimates_are_labelled_modelled():
    """Data-truth fix: the Library's figures are registers apportioned to areas (non-integer
    counts), so they are estimates; the observed registers are the reg_* indicators."""
    ind = read_profile_csv(REPO / "profiles" / "indicators.csv").set_index("indicator_id")
    library = ind[ind.index.str.startswith("qof_")]
    assert len(library) > 10 and (library["status"] == "modelled").all()
    assert library["caveats"].str.contains("apportions practice registers").all()
    observed = ind[ind.index.str.startswith("reg_")]
    assert (observed["status"] == "derived").all() and (observed["population"] == "registered").all()
