"""The profile's "Its GP practices" view (AppTest): registered patients, said so, the registers
against Manchester and England, the practices that differ, and every practice listed."""

from __future__ import annotations

import pandas as pd

from tests.conftest import REPO, shown_tables
from tests.test_pages import _open


def _practices_view(nbhd: str):
    at = _open("pages/profile.py", {"nbhd": nbhd, "view": "practices"})
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_view_says_it_describes_registered_patients_and_lists_the_neighbourhoods_practices():
    at = _practices_view("N1")
    assert [h.value for h in at.header] == ["Its GP practices: registered patients"]
    text = " ".join(m.value for m in at.markdown)
    assert "Registered patients, not residents" in text and "wherever they live" in text
    assigned = pd.read_csv(REPO / "geodata" / "practices.csv", dtype=str)
    mine = assigned[assigned["neighbourhood_code"] == "N1"]
    tables = shown_tables(at)
    listing = next(t for t in tables if "Why in this neighbourhood" in t.columns)
    assert sorted(listing["Code"]) == sorted(mine["practice_code"])
    # the split PCN's judgement is shown beside its practices
    assert listing["Why in this neighbourhood"].str.contains("City Centre & Ancoats PCN spans two").any()


def test_the_registers_table_has_every_register_with_manchester_and_england():
    at = _practices_view("C3")
    registers = next(t for t in shown_tables(at) if "Register (of registered patients)" in t.columns)
    assert len(registers) == 21 and {"Manchester", "England", "On the register"} <= set(registers.columns)
    assert registers["Change since 2022/23"].str.endswith("points").all()
    assert "Asthma (aged 6+)" in set(registers["Register (of registered patients)"])


def test_choosing_a_register_shows_each_practice_against_england_and_manchester():
    at = _practices_view("S3")
    at.selectbox(key="profile_register").set_value("reg_dem").run()
    assert not at.exception
    practice_rows = next(t for t in shown_tables(at) if "Compared with Manchester" in t.columns)
    s3 = pd.read_csv(REPO / "geodata" / "practices.csv", dtype=str)
    s3 = s3[(s3["neighbourhood_code"] == "S3") & (s3["status"] == "open")]
    assert len(practice_rows) == len(s3) + 1  # each open practice and the neighbourhood's total
    assert practice_rows["Practice"].iloc[-1].endswith("(all its practices)")
    assert any("practices" in m.value and "could be tested on dementia" in m.value for m in at.markdown)


def test_the_funnel_plot_has_each_practice_with_its_own_limits():
    at = _practices_view("C1")
    funnel = next(t for t in shown_tables(at) if any("99.8%" in c for c in t.columns) and "Code" in t.columns)
    assigned = pd.read_csv(REPO / "geodata" / "practices.csv", dtype=str)
    open_c1 = assigned[(assigned["neighbourhood_code"] == "C1") & (assigned["status"] == "open")]
    assert sorted(funnel["Code"]) == sorted(open_c1["practice_code"]) and "Practice" in funnel.columns
    assert any("around England's value p₀" in c.value for c in at.caption)
