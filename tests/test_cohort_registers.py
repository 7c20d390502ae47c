"""Risk cohorts from real registers (issue 18, item 4): each cohort shows the GP registers that
belong to it (registered patients), beside the modelled expected counts, with what the
difference means."""

from __future__ import annotations

import pytest

from lib.core import data
from lib.core.selection import Selection
from lib.views import cohorts
from tests.conftest import REPO, read_all_values, shown_tables
from tests.test_cohorts_page import _open


@pytest.fixture(scope="module")
def reg():
    return data.load_dataset(REPO, population="registered")


@pytest.fixture(scope="module")
def residents():
    return data.load_dataset(REPO)


def test_the_cohorts_registers_are_the_neighbourhoods_rows_of_values_csv(reg):
    raw = read_all_values()
    rows = cohorts.register_rows(reg, "mh_ld_dementia", Selection("C3", "city", "95")).set_index("indicator_id")
    assert list(rows.index) == ["reg_dem", "reg_mh", "reg_ld", "reg_dep"]
    for ind, r in rows.iterrows():
        src = raw[(raw["indicator_id"] == ind) & (raw["area_code"] == "C3") & (raw["period"] == "2024/25")]
        assert float(r["count"]) == float(src["numerator"].iloc[0])
        assert float(r["value"]) == pytest.approx(float(src["value"].iloc[0]))
        expect = "higher" if r["lower"] > r["manchester"] else "lower" if r["upper"] < r["manchester"] else "similar"
        assert r["comparison"] == expect
    assert set(rows["population"]) == {"registered patients"}


def test_every_cohort_but_complex_lives_has_registers_and_each_exists(reg):
    have = set(reg.indicators["indicator_id"])
    for c in cohorts.COHORTS:
        assert set(c.registers) <= have, c.cohort_id
    assert {c.cohort_id for c in cohorts.COHORTS if c.registers} == {"frail_older", "ltc_eol", "mh_ld_dementia"}


def test_expected_counts_are_set_beside_the_registers_in_plain_words(residents, reg):
    sentences = cohorts.expected_against_registers(residents, reg, "mh_ld_dementia", "S3")
    assert len(sentences) == 4
    dementia = sentences[0]
    assert dementia.startswith("Dementia: the model expects about")
    assert "MODELLED" in dementia and "registered patients" in dementia and "different people" in dementia
    on_register = reg.values[
        (reg.values["indicator_id"] == "reg_dem")
        & (reg.values["area_code"] == "S3")
        & (reg.values["period"] == "2024/25")
    ]
    assert f"hold {int(on_register['numerator'].iloc[0]):,} patients" in dementia


def test_the_cohort_page_shows_the_registers_of_the_neighbourhoods_practices():
    at = _open({"cohort": "mh_ld_dementia", "nbhd": "N2"})
    assert not at.exception
    table = next(t for t in shown_tables(at) if "Register (registered patients)" in t.columns)
    assert list(table["Register (registered patients)"]) == [
        "Dementia register",
        "Serious mental illness register",
        "Learning disability register",
        "Depression register",
    ]
    text = " ".join(m.value for m in at.markdown)
    assert "From the GP registers: registered patients of" in text and "the model expects about" in text
