"""Another GP practice assignment, uploaded: the registered patients' figures rebuilt from the
practice rows (lib.methods.practice_groups), the upload's checks (lib.imports.practices) and the
Your data page (AppTest). Expected figures come from the committed CSV files read here with
pandas, and Wilson limits from statsmodels, not from the code under test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint
from streamlit.testing.v1 import AppTest

from lib.core import data
from lib.core.practices import PRACTICE_COLUMNS, PracticeAssignmentError
from lib.imports.practices import read_practice_assignment
from lib.methods import practice_groups
from lib.pipeline.build import format_number
from lib.views import own_data
from lib.views import risk_pyramid as rp
from tests.conftest import REPO, read_profile_csv, shown_tables

KEY = ["indicator_id", "period", "area_type", "area_code"]
#: A Central practice (Ardwick and Longsight PCN, C1) moved to a North neighbourhood (N1).
MOVED, FROM, TO = "P84005", "C1", "N1"


@pytest.fixture(scope="module")
def reg():
    return data.load_dataset(REPO, population="registered")


@pytest.fixture(scope="module")
def committed_csv() -> pd.DataFrame:
    return read_profile_csv(REPO / "profiles" / "registered_values.csv")


@pytest.fixture(scope="module")
def assignment() -> pd.DataFrame:
    return pd.read_csv(REPO / "geodata" / "practices.csv", dtype=str, keep_default_na=False, na_values=[""])


def _moved(assignment: pd.DataFrame) -> pd.DataFrame:
    out = assignment.copy()
    sel = out["practice_code"] == MOVED
    out.loc[sel, "neighbourhood_code"] = TO
    out.loc[sel, "basis"] = "judgement"
    out.loc[sel, "note"] = "Moved for a test"
    return out


def _text(df: pd.DataFrame) -> pd.DataFrame:
    """Cells as the pipeline writes them (numbers to 6 decimals, blanks empty)."""
    out = df.copy()
    for c in out.columns:
        out[c] = out[c].map(
            lambda x: (
                ""
                if x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x))
                else format_number(x)
                if isinstance(x, (int, float)) and not isinstance(x, bool)
                else str(x)
            )
        )
    return out.sort_values(KEY).reset_index(drop=True)


def test_the_committed_assignment_reproduces_the_committed_rows_exactly(reg, committed_csv, assignment):
    practices = read_practice_assignment(
        (REPO / "geodata" / "practices.csv").read_bytes(),
        "practices.csv",
        reg.definition["neighbourhood_code"].unique(),
        assignment["practice_code"],
    )
    out = practice_groups.regroup_registered(reg.values, reg.indicators, practices, reg.definition)
    got = _text(out[committed_csv.columns])
    want = _text(committed_csv)
    assert len(got) == len(want)
    nb = want["area_type"] == "neighbourhood"
    assert nb.sum() == 12 * committed_csv[["indicator_id", "period"]].drop_duplicates().shape[0]
    pd.testing.assert_frame_equal(got[nb], want[nb], check_dtype=False, check_column_type=False)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_column_type=False)  # every level


def test_moving_one_practice_moves_its_counts_and_keeps_the_city(reg, committed_csv, assignment):
    out = practice_groups.regroup_registered(reg.values, reg.indicators, _moved(assignment), reg.definition)
    raw = committed_csv.set_index(KEY)
    new = out.set_index(KEY)
    own = committed_csv[(committed_csv["area_type"] == "practice") & (committed_csv["area_code"] == MOVED)]
    assert len(own) > 20
    for r in own.to_dict("records"):
        ind, period = r["indicator_id"], r["period"]
        for code, sign in ((FROM, -1), (TO, +1)):
            k = (ind, period, "neighbourhood", code)
            assert new.at[k, "numerator"] == raw.at[k, "numerator"] + sign * r["numerator"]
        for code, sign in (("CENTRAL", -1), ("NORTH", +1)):
            k = (ind, period, "locality", code)
            assert new.at[k, "numerator"] == raw.at[k, "numerator"] + sign * r["numerator"]
        for level, code in (("city", "E08000003"), ("england", "E92000001"), ("neighbourhood", "S3")):
            k = (ind, period, level, code)
            assert new.at[k, "numerator"] == raw.at[k, "numerator"]
            assert format_number(new.at[k, "value"]) == format_number(raw.at[k, "value"])
    # a register's rebuilt value and Wilson limits, checked independently
    k = ("reg_dm", "2024/25", "neighbourhood", TO)
    n, d = new.at[k, "numerator"], new.at[k, "denominator"]
    lo, hi = proportion_confint(n, d, alpha=0.05, method="wilson")
    np.testing.assert_allclose(
        [new.at[k, "value"], new.at[k, "lower_95"], new.at[k, "upper_95"]], [n / d * 100, lo * 100, hi * 100]
    )
    city = new.at[("reg_dm", "2024/25", "city", "E08000003"), "value"]
    assert new.at[k, "vs_city"] == (
        "similar" if lo * 100 <= city <= hi * 100 else "higher" if lo * 100 > city else "lower"
    )
    # the practice's own row now says its new neighbourhood; its figures are unchanged
    pk = ("reg_dm", "2024/25", "practice", MOVED)
    assert new.at[pk, "parent_code"] == TO and new.at[pk, "numerator"] == raw.at[pk, "numerator"]
    assert (out.groupby(KEY).size() == 1).all() and len(out) == len(committed_csv)
    # the risk pyramid by GP registers follows the assignment
    moved_reg = data.Dataset(reg.indicators, out, reg.definition, reg.threshold, "registered")
    before, after = rp.registered_list(reg), rp.registered_list(moved_reg)
    listed = own.set_index("indicator_id").at["reg_patients", "value"]
    assert after[TO] - before[TO] == listed == before[FROM] - after[FROM] and after.sum() == before.sum()


def test_the_moves_are_listed(assignment):
    names = {"C1": "Ardwick and Longsight", "N1": "Ancoats, Clayton and Bradford"}
    moves = own_data.practice_moves(assignment, _moved(assignment), names)
    assert list(moves["Practice code"]) == [MOVED]
    assert moves["From"].iloc[0] == "C1 · Ardwick and Longsight" and moves["To"].iloc[0].startswith("N1 · ")
    assert own_data.practice_moves(assignment, assignment, names).empty


def _csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8")


NEIGHBOURHOODS = ["N1", "N2", "N3", "N4", "C1", "C2", "C3", "C4", "S1", "S2", "S3", "S4"]


def test_bad_files_say_what_to_fix_with_row_numbers(assignment):
    known = assignment["practice_code"]
    bad = assignment.copy()
    bad.loc[2, "neighbourhood_code"] = "Z9"  # row 4 of the file
    bad.loc[5, "neighbourhood_code"] = None  # row 7
    bad.loc[9, "practice_code"] = "X99999"  # row 11: not a Manchester practice (and the real one is missing)
    bad.loc[12, "basis"] = "judgement"
    bad.loc[12, "note"] = None  # row 14
    with pytest.raises(PracticeAssignmentError) as err:
        read_practice_assignment(_csv(bad), "mine.csv", NEIGHBOURHOODS, known)
    msg = str(err.value)
    assert msg.startswith("“mine.csv”")
    assert "neighbourhood_code is not one of the neighbourhoods" in msg and "row(s) 4" in msg
    assert "blank neighbourhood_code in row(s) 7" in msg
    assert "practice code(s) not in the sources: X99999 (row(s) 11)" in msg
    assert (
        f"missing from the assignment (every practice must be assigned once): {assignment.at[9, 'practice_code']}"
        in msg
    )
    assert "a judgement needs a note saying why, in row(s) 14" in msg
    dup = pd.concat([assignment, assignment.iloc[[0]]], ignore_index=True)
    with pytest.raises(PracticeAssignmentError, match=rf"appears more than once \(rows 2, {len(assignment) + 2}\)"):
        read_practice_assignment(_csv(dup), "dup.csv", NEIGHBOURHOODS, known)
    with pytest.raises(PracticeAssignmentError, match="missing column"):
        read_practice_assignment(_csv(assignment.drop(columns="basis")), "x.csv", NEIGHBOURHOODS, known)
    with pytest.raises(PracticeAssignmentError, match="is empty"):
        read_practice_assignment(b"  \n", "x.csv", NEIGHBOURHOODS, known)
    with pytest.raises(PracticeAssignmentError, match="not UTF-8"):
        read_practice_assignment("practice_code\nP8400é".encode("latin-1"), "x.csv", NEIGHBOURHOODS, known)
    ok = read_practice_assignment(_csv(assignment), "ok.csv", NEIGHBOURHOODS, known)
    assert list(ok.columns) == PRACTICE_COLUMNS and len(ok) == len(assignment)


# ---------------------------------------------------------------- the Your data page (AppTest)


def _plain(markdown: str) -> str:
    """Text shown with its Markdown escapes (``md_text``) taken off."""
    return markdown.replace("\\", "")


def _own_data_page() -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/own_data.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _profile_practices(at: AppTest, nbhd: str) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The profile's *Its GP practices* view for ``nbhd`` in this session: (its registers table,
    the practices listed, the view's text)."""
    at.session_state["nbhd"] = nbhd
    at.session_state["frame_values"] = {**at.session_state["frame_values"], "nbhd": nbhd}
    at.switch_page("pages/profile.py")
    at.query_params["view"] = "practices"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    tables = shown_tables(at)
    registers = next(t for t in tables if "On the register" in t.columns and "Change since 2022/23" in t.columns)
    listing = next(t for t in tables if "Why in this neighbourhood" in t.columns)
    return registers.set_index(registers.columns[0]), listing, _plain(" ".join(m.value for m in at.markdown))


def test_uploading_an_assignment_on_the_own_data_page(assignment, committed_csv):
    at = _own_data_page()
    assert "GP practice assignment (registered patients)" in [h.value for h in at.header]
    assert at.get("download_button")  # the current assignment as a template
    # a bad file: row-numbered errors, nothing changes
    bad = assignment.copy()
    bad.loc[3, "neighbourhood_code"] = "Q1"
    at.file_uploader(key="own_practices_upload").upload("bad.csv", _csv(bad), "text/csv").run()
    assert not at.exception
    errors = _plain(" ".join(e.value for e in at.error))
    assert "row(s) 5" in errors and "The practice assignment in use has not changed" in errors
    assert "own_data_practices" not in at.session_state or not at.session_state["own_data_practices"]
    # a good file with one practice moved: in use, listed, and the registered lens follows it
    at.file_uploader(key="own_practices_upload").upload("moved.csv", _csv(_moved(assignment)), "text/csv").run()
    assert not at.exception and not at.error
    assert at.session_state["own_data_practices"]["name"] == "moved.csv"
    assert any("moved.csv" in _plain(s.value) for s in at.success)
    moves = [t for t in shown_tables(at) if "Practice code" in t.columns]
    assert moves and list(moves[0]["Practice code"]) == [MOVED]
    # another bad file after it: its errors shown, the assignment in use kept
    dup = pd.concat([_moved(assignment), assignment.iloc[[0]]], ignore_index=True)
    at.file_uploader(key="own_practices_upload").upload("dup.csv", _csv(dup), "text/csv").run()
    assert not at.exception and "appears more than once (rows 2, " in _plain(" ".join(e.value for e in at.error))
    assert at.session_state["own_data_practices"]["name"] == "moved.csv"
    own = committed_csv[
        (committed_csv["area_code"] == MOVED)
        & (committed_csv["indicator_id"] == "reg_dm")
        & (committed_csv["period"] == "2024/25")
    ]["numerator"].iloc[0]
    nb = committed_csv[
        (committed_csv["area_type"] == "neighbourhood")
        & (committed_csv["indicator_id"] == "reg_dm")
        & (committed_csv["period"] == "2024/25")
    ].set_index("area_code")["numerator"]
    # the other pages use it: the profile's practices view of N1 lists the moved practice, and its
    # diabetes register holds the practice's patients
    registers, listing, text = _profile_practices(at, TO)
    assert "your practice assignment “moved.csv” assigns to" in text
    assert MOVED in set(listing["Code"])
    assert registers.at["Diabetes (aged 17+)", "On the register"] == f"{int(nb[TO] + own):,}"
    registers, listing, _ = _profile_practices(at, FROM)
    assert MOVED not in set(listing["Code"])
    assert registers.at["Diabetes (aged 17+)", "On the register"] == f"{int(nb[FROM] - own):,}"
    # reset: back to geodata/practices.csv
    at.switch_page("pages/own_data.py")
    at.run()
    at.button(key="own_practices_reset").click().run()
    assert not at.exception and not at.session_state["own_data_practices"]
    registers, listing, text = _profile_practices(at, TO)
    assert MOVED not in set(listing["Code"]) and "geodata/practices.csv" in text
    assert registers.at["Diabetes (aged 17+)", "On the register"] == f"{int(nb[TO]):,}"
