"""Upload validation: every bad input gets a plain message naming the problem rows."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.imports import activity_file, reading
from lib.imports.activity_file import ActivityUploadError, read_activity_csv
from lib.views import activity
from tests.conftest import REPO

CODES = ["C1", "C2", "C3", "C4", "N1", "N2", "N3", "N4", "S1", "S2", "S3", "S4"]
MEASURES = list(
    pd.read_csv(REPO / "profiles" / "seeds" / "activity_targets_2020_21.csv").query("row_type == 'line'")["measure_id"]
)
SAMPLE = REPO / "profiles" / "samples" / "SYNTHETIC_activity_sample.csv"
HEADER = "neighbourhood_code,month,measure_id,count\n"


def good_rows(n=3, code="N1", measure="ae_attendances"):
    return "".join(f"{code},2019-{m:02d},{measure},{100 + m}\n" for m in range(1, n + 1))


def read(text: str | bytes, **kw):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return read_activity_csv(raw, CODES, MEASURES, **kw)


def problem(text: str | bytes, **kw) -> str:
    with pytest.raises(ActivityUploadError) as exc:
        read(text, **kw)
    return str(exc.value)


def test_sample_parses_and_is_synthetic():
    raw = SAMPLE.read_bytes()
    assert raw.startswith(b"# SYNTHETIC SAMPLE DATA - not real activity.")
    d = read(raw)
    assert d.synthetic
    assert len(d.frame) == 12 * 3 * 36
    assert set(d.frame["neighbourhood_code"]) == set(CODES)
    assert d.warnings == []
    assert list(d.frame.columns) == ["neighbourhood_code", "month", "measure_id", "count", "population"]


def test_good_minimal_file_with_bom_and_crlf():
    d = read(("\ufeff" + HEADER + good_rows(12)).replace("\n", "\r\n"))
    assert not d.synthetic and len(d.frame) == 12 and d.frame["count"].dtype == "int64"


def test_empty():
    assert "empty" in problem("")
    assert "empty" in problem("   \n")


def test_only_comments():
    assert "no header or data rows" in problem("# nothing\n# here\n")


def test_header_only():
    assert "no data rows" in problem(HEADER)


def test_png_is_not_a_csv():
    msg = problem(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "not a CSV" in msg and "PNG" in msg


def test_xlsx_is_not_a_csv():
    msg = problem(b"PK\x03\x04" + b"\x00" * 50)
    assert "Excel" in msg and "CSV UTF-8" in msg


def test_single_column_no_delimiter():
    msg = problem("just some text\nmore text\n")
    assert "single column" in msg and "row 1" in msg


def test_wrong_encoding_latin1():
    raw = (HEADER + "N1,2019-01,ae_attendances,5\nN1,2019-02,ae_attendances,6 caf\xe9\n").encode("latin-1")
    msg = problem(raw)
    assert "not in UTF-8" in msg and "row 3" in msg and "CSV UTF-8" in msg


def test_utf16():
    assert "UTF-16" in problem((HEADER + good_rows()).encode("utf-16"))


@pytest.mark.parametrize("delim,word", [(";", "semicolons"), ("\t", "tabs")])
def test_wrong_delimiter(delim, word):
    msg = problem((HEADER + good_rows()).replace(",", delim))
    assert word in msg and "not commas" in msg


def test_missing_columns_named_with_what_was_found():
    msg = problem("code,month,measure,count\nN1,2019-01,ae_attendances,5\n")
    assert "Missing column(s): neighbourhood_code, measure_id" in msg
    assert "has: code, month, measure, count" in msg


def test_unknown_neighbourhood_codes():
    text = HEADER + good_rows(2) + "ZZ9,2019-05,ae_attendances,3\nM1,2019-06,ae_attendances,3\n"
    msg = problem(text)
    assert "Unknown neighbourhood code(s) ZZ9, M1 on rows 4 and 5" in msg
    assert "Valid codes: C1, C2" in msg


def test_unknown_measure():
    msg = problem(HEADER + "N1,2019-01,bed_blocking,4\n")
    assert "Unknown measure id(s) bed_blocking on row 2" in msg and "ae_attendances" in msg


def test_bad_month():
    msg = problem(HEADER + "N1,2019-13,ae_attendances,4\nN1,Jan 2019,ae_attendances,4\nN1,2019-01,ae_attendances,4\n")
    assert "YYYY-MM" in msg and "rows 2 and 3" in msg


def test_non_numeric_count():
    msg = problem(
        HEADER + 'N1,2019-01,ae_attendances,12\nN1,2019-02,ae_attendances,twelve\nN1,2019-03,ae_attendances,"1,200"\n'
    )
    assert "not a number on rows 3 and 4" in msg


def test_negative_count():
    assert "negative on row 3" in problem(HEADER + "N1,2019-01,ae_attendances,12\nN1,2019-02,ae_attendances,-4\n")


def test_non_integer_count():
    assert "not a whole number on row 2" in problem(HEADER + "N1,2019-01,ae_attendances,12.5\n")


def test_blank_count():
    assert "blank on row 2" in problem(HEADER + "N1,2019-01,ae_attendances,\n")


def test_bad_population():
    text = "neighbourhood_code,month,measure_id,count,population\nN1,2019-01,ae_attendances,12,0\nN1,2019-02,ae_attendances,12,lots\nN1,2019-03,ae_attendances,12,\n"
    assert "Population is not a number greater than 0 on rows 2 and 3" in problem(text)


def test_duplicates_name_every_row():
    text = HEADER + "N1,2019-01,ae_attendances,12\nN1,2019-02,ae_attendances,12\nn1,2019-01,ae_attendances,13\n"
    msg = problem(text)
    assert "Duplicate rows" in msg and "rows 2 and 4" in msg and "N1 2019-01 ae_attendances" in msg


def test_wrong_number_of_values():
    assert "Wrong number of values" in problem(HEADER + "N1,2019-01,ae_attendances,12,extra\n")


def test_too_large_bytes_and_rows():
    assert "too large" in problem(HEADER + good_rows(3), max_bytes=20)
    assert "too many rows" in problem(HEADER + good_rows(12), max_rows=10)
    big = HEADER + "N1,2019-01,ae_attendances,1\n" * 200_000
    assert "too large" in problem(big)


def test_many_bad_rows_are_truncated_with_and_n_more():
    text = HEADER + "".join(f"N1,2019-01,ae_attendances,-{i}\n" for i in range(1, 26))
    msg = problem(text)
    assert "rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 15 more" in msg


def test_several_problems_reported_together_and_comment_lines_count_as_rows():
    text = "# a comment\n" + HEADER + "X1,2019-01,ae_attendances,1\nN1,2019-02,ae_attendances,-1\n"
    msg = problem(text)
    assert "Unknown neighbourhood code(s) X1 on row 3" in msg and "negative on row 4" in msg


def test_short_series_warns_not_errors_and_extra_columns_noted():
    d = read(
        "neighbourhood_code,month,measure_id,count,notes\n"
        + "".join(f"N1,2019-{m:02d},ae_attendances,{m},x\n" for m in (1, 2, 4))
    )
    text = " ".join(d.warnings)
    assert "at least 12" in text and "N1 ae_attendances (3)" in text
    assert "Ignored column(s)" in text and "notes" in text
    assert "missing" in text


def test_accept_upload_keeps_previous_data_on_error():
    good = read(HEADER + good_rows(12))
    kept, err = activity_file.accept_upload(good, b"nope;nope\n1;2\n", CODES, MEASURES, name="bad.csv")
    assert kept is good and "semicolons" in err
    new, err = activity_file.accept_upload(good, SAMPLE.read_bytes(), CODES, MEASURES)
    assert err is None and new.synthetic


def test_trajectory_and_progress():
    months = [f"2018-{m:02d}" for m in range(1, 13)] + [f"2019-{m:02d}" for m in range(1, 13)] + ["2020-01"]
    counts = [100.0] * 12 + [90.0] * 13
    t = activity.trajectory(months, counts, annual_reduction=120)
    assert (t["baseline"] == 100).all()
    assert list(t["target"][:12]) == [100] * 12
    assert t["target"].iloc[12] == pytest.approx(100 - 10 * 1 / 12)
    assert t["target"].iloc[23] == pytest.approx(90)
    assert t["target"].iloc[24] == pytest.approx(90)  # held after reaching the annual target
    p = activity.progress(counts, 120)
    assert p["reduction_per_month"] == pytest.approx(10) and p["achieved_pct"] == pytest.approx(100)


def test_rows_text():
    assert reading.rows_text([4]) == "row 4"
    assert reading.rows_text([4, 5, 9]) == "rows 4, 5 and 9"
