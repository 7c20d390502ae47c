"""Importing your own indicator data (lib.imports.indicator_file, reading, geography, aggregation; lib.views.own_data): the bad-file corpus, the Fingertips worked
example, each area level, and that a bad file never costs the user what they had loaded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.core.contract import validate_indicators, validate_values
from lib.imports import geography, indicator_file, reading
from lib.methods import aggregate, stats
from lib.render.format import md_message, md_text
from lib.views import own_data
from tests.conftest import REPO

BAD = REPO / "tests" / "bad_files"
EXAMPLE = REPO / "tests" / "data" / "fingertips_ward_example_SYNTHETIC.csv"

#: Each bad file and a phrase its message must contain (the message also names the file).
EXPECTED = {
    "01_empty.csv": "The file is empty",
    "02_whitespace_only.csv": "The file is empty",
    "03_png_image.csv": "looks like a PNG image",
    "04_pdf.csv": "looks like a PDF document",
    "05_excel_xlsx.csv": "Excel workbook (.xlsx)",
    "06_utf16.csv": "UTF-16 encoding, not UTF-8",
    "07_latin1.csv": "not in UTF-8 encoding (the first character that is not UTF-8 is on row 3",
    "08_semicolons.csv": "separated by semicolons, not commas",
    "09_tabs.csv": "separated by tabs, not commas",
    "10_single_column.csv": "has a single column and no commas",
    "11_header_only.csv": "has a header (row 1) but no data rows",
    "12_missing_period.csv": "Missing column(s): period",
    "13_unrecognised_columns.csv": "not ones this app recognises",
    "14_fingertips_missing_value.csv": "looks like a Fingertips export but is missing column(s) Value",
    "15_unknown_area_code.csv": "row 15: area code(s) E05099999 are not Manchester areas",
    "16_lsoa2021_code.csv": "LSOA 2021 codes that changed in 2021 are not accepted",
    "17_negative_value.csv": "row 5: the numerator is negative",
    "18_percent_above_100.csv": "row 4: the value is above 100 for a percentage",
    "19_numerator_above_denominator.csv": "row 7: the numerator is above the denominator",
    "20_duplicated_rows.csv": "rows 2, 3, 4, 34, 35 and 36: the same indicator, period and area appear more than once",
    "21_mixed_period_formats.csv": "the periods are written in different ways (2019/20, 2020-21",
    "22_not_a_number.csv": "row 2: the numerator is not a number (e.g. “fifty”)",
    "23_blank_area_code.csv": "row 10: the area_code is blank",
    "24_blank_indicator.csv": "row 11: the indicator_id is blank",
    "25_mixed_lsoa_and_ward.csv": "mixes LSOAs (2011) and wards (2004–2018)",
    "26_ragged_rows.csv": "Row 16 has a different number of cells from the header (6)",
    "27_fingertips_no_persons.csv": "figures for Female, Male but none for Persons",
    "28_zero_denominator.csv": "row 6: the denominator is 0 but the numerator is not",
    "29_html_page.csv": "it is a web page or XML",
    "30_json.csv": "it looks like JSON",
    "31_comments_only.csv": "no header row and no data",
    "32_percent_signs.csv": "and 22 more: the value is not a number (e.g. “40%”). Remove the % sign",
    "33_missing_wards.csv": "12 of Manchester's wards (2004–2018) have no row",
    "34_blank_period.csv": "row 26: the period is blank",
    "35_duplicate_column.csv": "repeats column(s) numerator",
    "36_no_manchester_areas.csv": "no rows for Manchester's LSOAs, MSOAs, wards or neighbourhoods",
    "37_bad_polarity.csv": "polarity “up” is not one of",
    "38_fingertips_other_council_only.csv": "no rows for Manchester's LSOAs, MSOAs, wards or neighbourhoods",
    "39_unclosed_quote.csv": "Row 2 has a quotation mark that is never closed",
    "40_no_counts_no_values.csv": "neither a numerator nor a value column",
}


@pytest.fixture(scope="module")
def geo() -> geography.Geography:
    return geography.load_geography()


@pytest.fixture(scope="module")
def example(geo) -> indicator_file.ImportedData:
    return indicator_file.read_indicator_file(EXAMPLE.read_bytes(), EXAMPLE.name, geo)


def test_the_corpus_has_at_least_30_files_each_with_an_expected_message():
    files = sorted(p.name for p in BAD.glob("*.csv"))
    assert len(files) >= 30
    assert set(files) == set(EXPECTED), set(files) ^ set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_gives_its_message(name, geo):
    with pytest.raises(reading.ImportFileError) as exc:
        indicator_file.read_indicator_file((BAD / name).read_bytes(), name, geo)
    text = str(exc.value)
    assert EXPECTED[name] in text, text
    assert f"“{name}” was not loaded (nothing you loaded before has changed)" in text
    assert "Traceback" not in text and "Error(" not in text


def test_rows_are_named_at_most_ten_then_and_n_more():
    assert reading.rows_text(range(2, 30)) == "rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 18 more"
    assert reading.rows_text([7]) == "row 7"
    assert reading.rows_text([3, 9]) == "rows 3 and 9"


def test_a_very_large_file_is_refused_with_the_limit(geo):
    raw = b"indicator_id,period,area_code,numerator\n" + b"x,2019/20,E05000687,1\n" * (reading.MAX_BYTES // 20)
    assert len(raw) > reading.MAX_BYTES
    with pytest.raises(reading.ImportFileError, match=r"too large \(\d+\.\d MB\); the limit is 20 MB"):
        indicator_file.read_indicator_file(raw, "big.csv", geo)
    with pytest.raises(reading.ImportFileError, match="more than 10 data rows, the limit"):
        indicator_file.read_indicator_file(EXAMPLE.read_bytes(), "rows.csv", geo, max_rows=10)


def test_nothing_loaded_is_lost_after_any_bad_file(geo, example):
    loaded = [example]
    for name in sorted(EXPECTED):
        after, error = own_data.accept_upload(loaded, (BAD / name).read_bytes(), name, geo)
        assert error and EXPECTED[name] in error
        assert after == loaded and after[0] is example
    after, error = own_data.accept_upload(loaded, b"\x00\x01garbage", "bin.csv", geo)
    assert error and after == loaded


def test_a_file_loaded_again_replaces_its_earlier_version(geo, example):
    after, error = own_data.accept_upload([example], EXAMPLE.read_bytes(), EXAMPLE.name, geo)
    assert error is None and len(after) == 1 and after[0] is not example


# ---------------------------------------------------------------- the Fingertips worked example


def test_fingertips_ward_export_gives_the_hand_worked_neighbourhood_values(example):
    """Worked by hand from the SYNTHETIC fixture (ward k in code order has Count 50 + 10k and
    Denominator 1000 + 100k for Persons):

    N2 Cheetham and Crumpsall = Cheetham (E05000694, k=7: 120 / 1,700) + Crumpsall (E05000698,
    k=11: 160 / 2,100) = 280 / 3,800 = 7.368421%.
    N4 = City Centre (k=10: 150 / 2,000) + Miles Platting and Newton Heath (k=22: 270 / 3,200)
    + Moston (k=24: 290 / 3,400) = 710 / 8,600 = 8.255814%.
    Manchester = sum over k = 0..31 of (50 + 10k) / (1000 + 100k) = 6,560 / 81,600 = 8.039216%.
    England comes from the file: 600,000 / 10,000,000 = 6.0%.
    """
    v = example.values
    row = lambda code: v[(v["area_code"] == code)].iloc[0]  # noqa: E731
    n2, n4, city, eng = row("N2"), row("N4"), row("E08000003"), row("E92000001")
    assert (n2["numerator"], n2["denominator"]) == (280, 3800)
    assert n2["value"] == pytest.approx(7.368421, abs=1e-6)
    assert (n4["numerator"], n4["denominator"]) == (710, 8600)
    assert n4["value"] == pytest.approx(8.255814, abs=1e-6)
    assert (city["numerator"], city["denominator"]) == (6560, 81600)
    assert city["value"] == pytest.approx(8.039216, abs=1e-6)
    assert eng["value"] == pytest.approx(6.0)
    # the intervals are Wilson on the summed counts, by lib.methods.stats
    lo, hi = stats.wilson_interval(280, 3800, stats.Z95)
    assert (n2["lower_95"], n2["upper_95"]) == pytest.approx((float(lo) * 100, float(hi) * 100))
    lo, hi = stats.wilson_interval(280, 3800, stats.LEVELS["99.8"])
    assert (n2["lower_998"], n2["upper_998"]) == pytest.approx((float(lo) * 100, float(hi) * 100))
    # comparisons present (no polarity in the file: higher / similar / lower)
    nb = v[v["area_type"] == "neighbourhood"]
    assert len(nb) == 12 and nb["vs_england"].isin(["higher", "similar", "lower"]).all()
    assert nb["vs_city"].isin(["higher", "similar", "lower"]).all()
    assert n2["vs_england"] == "higher"  # 6.58–8.24 lies above England's 6.0


def test_fingertips_import_metadata_and_messages(example):
    ind = example.indicators.iloc[0]
    assert ind["indicator_id"] == "user_99901"
    assert ind["name"].endswith("(your data)") and ind["source"] == f"Your data: {EXAMPLE.name}"
    assert (ind["value_type"], ind["ci_method"], ind["multiplier"]) == ("proportion", "wilson", 100)
    text = " ".join(example.messages)
    assert "Only Sex = Persons is used (Male left out)" in text
    assert "1 row(s) for areas outside Manchester" in text
    assert not validate_indicators(example.indicators[validate_indicators.__globals__["INDICATOR_COLUMNS"]])
    assert not validate_values(example.values, example.indicators)
    assert set(example.values["area_type"]) == {"ward", "neighbourhood", "locality", "city", "england"}
    assert len(example.values[example.values["area_type"] == "ward"]) == 32


# ---------------------------------------------------------------- other levels and methods


def _tidy(rows: list[str], header: str = "indicator_id,period,area_code,numerator,denominator") -> bytes:
    return (header + "\n" + "\n".join(rows) + "\n").encode("utf-8")


def test_lsoa_rows_are_placed_in_wards_by_best_fit(geo):
    lsoas = sorted(geo.lsoa_to_ward.index)
    raw = _tidy([f"t,2020,{c},{i % 7 + 5},{100 + i}" for i, c in enumerate(lsoas)])
    d = indicator_file.read_indicator_file(raw, "lsoa.csv", geo)
    v = d.values
    w = v[v["area_type"] == "ward"].set_index("area_code")["numerator"]
    lsoa = v[v["area_type"] == "lsoa"]
    expect = lsoa.groupby(lsoa["area_code"].map(geo.lsoa_to_ward))["numerator"].sum()
    pd.testing.assert_series_equal(w.sort_index(), expect.sort_index(), check_names=False, check_index_type=False)
    assert v.loc[v["area_type"] == "city", "numerator"].iloc[0] == lsoa["numerator"].sum()


def test_msoa_rows_give_neighbourhoods_but_no_ward_rows(geo):
    raw = _tidy([f"t,2020,{c},10,100" for c in geo.msoa_to_ward.index])
    d = indicator_file.read_indicator_file(raw, "msoa.csv", geo)
    assert "ward" not in set(d.values["area_type"])
    assert d.values.loc[d.values["area_type"] == "city", "numerator"].iloc[0] == 10 * 57
    assert len(d.values[d.values["area_type"] == "neighbourhood"]) == 12


def test_2018_wards_go_to_neighbourhoods_by_the_best_fit_table(geo):
    w18 = geo.ward2018
    raw = _tidy([f"t,2020,{c},{k + 10},1000" for k, c in enumerate(w18["ward2018_code"])])
    d = indicator_file.read_indicator_file(raw, "w18.csv", geo)
    v = d.values
    nb = v[v["area_type"] == "neighbourhood"].set_index("area_code")["numerator"]
    expect = (
        pd.Series([k + 10 for k in range(len(w18))], index=w18["neighbourhood_code"].to_numpy()).groupby(level=0).sum()
    )
    pd.testing.assert_series_equal(
        nb.sort_index(), expect.sort_index().astype(float), check_names=False, check_index_type=False
    )
    assert "best-fit" in " ".join(d.indicators["method_note"])
    assert v.loc[v["area_type"] == "ward", "note"].str.contains("May-2018 ward; best-fit").all()


def test_neighbourhood_rows_are_used_directly(geo):
    codes = geo.definition["neighbourhood_code"].unique()
    raw = _tidy([f"t,2020,{c.lower()},{k + 1},{100}" for k, c in enumerate(codes)])
    d = indicator_file.read_indicator_file(raw, "nb.csv", geo)
    v = d.values
    assert "ward" not in set(v["area_type"]) and len(v[v["area_type"] == "neighbourhood"]) == 12
    assert v.loc[v["area_type"] == "city", "numerator"].iloc[0] == sum(range(1, 13))


def test_values_without_counts_become_population_weighted_means(geo):
    wards = sorted(geo.definition["ward_code"])
    raw = _tidy([f"s,2020,{c},{k}" for k, c in enumerate(wards)], header="indicator_id,period,area_code,value")
    d = indicator_file.read_indicator_file(raw, "score.csv", geo)
    v = d.values
    pop = geo.population[geo.population["area_type"] == "ward"].set_index("area_code")["population"]
    n2 = v[v["area_code"] == "N2"].iloc[0]
    expect = (wards.index("E05000694") * pop["E05000694"] + wards.index("E05000698") * pop["E05000698"]) / (
        pop["E05000694"] + pop["E05000698"]
    )
    assert n2["value"] == pytest.approx(expect)
    assert np.isnan(n2["numerator"]) and np.isnan(n2["lower_95"]) and n2["vs_england"] == "not_compared"
    assert d.indicators.iloc[0]["ci_method"] == "none"


def test_observed_over_expected_is_a_rate_with_summed_counts(geo):
    wards = sorted(geo.definition["ward_code"])
    rows = [f"r,2020,{c},{40 + k},{50 - k / 2},{(40 + k) / (50 - k / 2) * 100}" for k, c in enumerate(wards)]
    d = indicator_file.read_indicator_file(
        _tidy(rows, "indicator_id,period,area_code,numerator,denominator,value"), "sar.csv", geo
    )
    m = d.indicators.iloc[0]
    assert (m["value_type"], m["ci_method"], m["multiplier"]) == ("rate", "byar", 100)
    n2 = d.values[d.values["area_code"] == "N2"].iloc[0]
    o = (40 + wards.index("E05000694")) + (40 + wards.index("E05000698"))
    assert n2["numerator"] == o
    lo, hi = stats.poisson_interval(o, stats.Z95)
    assert n2["lower_95"] == pytest.approx(float(lo) * 100 / n2["denominator"])


def test_withheld_counts_are_counted_as_zero_and_said(geo):
    wards = sorted(geo.definition["ward_code"])
    rows = [f"t,2020,{c},{'' if k == 7 else 20},{1000}" for k, c in enumerate(wards)]
    d = indicator_file.read_indicator_file(_tidy(rows), "withheld.csv", geo)
    n2 = d.values[d.values["area_code"] == "N2"].iloc[0]
    assert n2["numerator"] == 20 and "withheld at source" in n2["note"]


def test_a_downloaded_values_extract_loads_back(geo):
    v = pd.read_csv(REPO / "profiles" / "values.csv")
    extract = v[(v["indicator_id"] == "income_deprivation") & (v["area_type"] == "ward")]
    d = indicator_file.read_indicator_file(extract.to_csv(index=False).encode(), "values_extract.csv", geo)
    ours = d.values[d.values["area_type"] == "neighbourhood"].set_index("area_code")["value"].sort_index()
    theirs = (
        v[(v["indicator_id"] == "income_deprivation") & (v["area_type"] == "neighbourhood")]
        .set_index("area_code")["value"]
        .sort_index()
    )
    pd.testing.assert_series_equal(ours, theirs, check_names=False, check_index_type=False, atol=1e-4)
    assert d.indicators.iloc[0]["value_type"] == "proportion"


def test_aggregation_uses_the_engine(example):
    """Neighbourhood rows equal a direct roll_up + compute_values of the ward rows."""
    w = example.values[example.values["area_type"] == "ward"]
    assert w["parent_code"].notna().all()
    assert aggregate.RATIO_OF_SUMS[0] == "proportion"


def test_a_full_values_extract_with_every_level_loads_from_its_smallest_areas(geo):
    """A values.csv-format file (as the Fingertips refresh writes) holds LSOA, ward, neighbourhood,
    locality, city and England rows: the LSOAs are used and the rest recomputed."""
    v = pd.read_csv(REPO / "profiles" / "values.csv")
    extract = v[v["indicator_id"] == "income_deprivation"]
    assert set(extract["area_type"]) >= {"lsoa", "ward", "neighbourhood", "locality", "city", "england"}
    d = indicator_file.read_indicator_file(extract.to_csv(index=False).encode(), "values_all_levels.csv", geo)
    assert "recomputed from the smallest areas" in " ".join(d.messages)
    ours = d.values[d.values["area_type"] == "neighbourhood"].set_index("area_code")["numerator"].sort_index()
    theirs = extract[extract["area_type"] == "neighbourhood"].set_index("area_code")["numerator"].sort_index()
    pd.testing.assert_series_equal(ours, theirs.astype(float), check_names=False, check_index_type=False)
    assert set(d.values["area_type"]) == {"lsoa", "ward", "neighbourhood", "locality", "city", "england"}


def test_the_page_keeps_serving_and_keeps_the_data_after_every_bad_file(geo, example):
    """The page's own path (accept_upload, then the error in session state) for each corpus file,
    in one app session: every run shows the message and the loaded indicator is still there."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/own_data.py")
    at.session_state["own_data_loaded"] = [example]
    at.run()
    for name in sorted(EXPECTED):
        loaded, error = own_data.accept_upload(
            at.session_state["own_data_loaded"], (BAD / name).read_bytes(), name, geo
        )
        at.session_state["own_data_loaded"] = loaded
        at.session_state["own_errors"] = {
            name: md_message(error)
        }  # as the page keeps it: markdown, the text shown literally
        at.run()
        assert not at.exception, (name, [e.value for e in at.exception])
        assert any(md_text(EXPECTED[name]) in e.value for e in at.error), name
        assert any(md_text("SYNTHETIC test indicator (not real data) (your data)") in m.value for m in at.markdown), (
            name
        )
    at.switch_page("pages/compare.py")
    at.run()
    assert not at.exception


def test_the_server_upload_limit_matches_the_importers_limit():
    """Streamlit refuses a file above ``server.maxUploadSize`` (MB) in the browser, with its own
    message; below it, the importer's limit (:data:`reading.MAX_BYTES`) gives ours. They agree."""
    import tomllib

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1_000_000 == reading.MAX_BYTES


def test_a_binary_or_wrong_type_grouping_gets_a_clear_message():
    from lib.methods import regroup

    names = pd.read_csv(REPO / "geodata" / "neighbourhoods.csv").set_index("ward_code")["ward_name"]
    for raw, fragment in (
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "is not UTF-8 text"),
        (b"", "is empty"),
        (b"<html><body>not a csv</body></html>", "missing column"),
    ):
        with pytest.raises(regroup.DefinitionError, match=fragment):
            regroup.read_grouping(raw, "grouping.png", names)
