"""Analysis-ready downloads (issue 19): every CSV a page offers has numbers as numbers, both
intervals, count and denominator, comparison codes, status, population and source; file names
have no spaces; counts hidden by disclosure or withheld at source are blank with a note, never 0.

The figures are checked against ``profiles/values.csv`` read here with pandas, independently of
the app's loaders."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest

from lib.core import data, disclosure
from lib.core.selection import Selection
from lib.exports import downloads
from lib.methods.indicators import area_table, periods
from tests.conftest import REPO

RAW_VALUES = pd.read_csv(REPO / "profiles/values.csv", keep_default_na=False, na_values=[""])
RAW_REGISTERED = pd.read_csv(REPO / "profiles/registered_values.csv", keep_default_na=False, na_values=[""])
RAW_INDICATORS = pd.read_csv(REPO / "profiles/indicators.csv", keep_default_na=False, na_values=[""])
#: A number formatted for reading, written as text: "42,488", "16.5%", "16.2% to 16.9%", "<5".
FORMATTED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$|^-?\d+(\.\d+)?%$|\d(%)? to -?\d|^<\d+$")
REQUIRED = [
    "indicator_id",
    "period",
    "area_code",
    "area_name",
    "value",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "count",
    "denominator",
    "vs_england",
    "vs_city",
    "status",
    "population",
    "source",
    "count_note",
]
#: Downloads that are not indicator figures (the app's own tables: shares of targets, money, the
#: risk pyramid, the catalogue, the life expectancy ranges): numbers as numbers, no value rows.
NOT_FIGURES = (
    "activity_",
    "cash_released",
    "investment",
    "savings_gap",
    "risk_pyramid",
    "indicator_catalogue",
    "life_expectancy_range",
    "neighbourhood_grouping",
    "neighbourhoods.csv",
    "practices.csv",
    "indicators.csv",
)
#: The data contract's own files (Data and methods): a value row's status, population and source
#: are its indicator's, in indicators.csv (the contract keeps its column names stable).
CONTRACT_FILES = ("values.csv", "registered_values.csv", "lsoa21_values.csv")
NUMERIC = ["value", "lower_95", "upper_95", "lower_998", "upper_998", "count", "denominator"]


@pytest.fixture(scope="module")
def ds():
    return data.load_dataset()


def _raw(ind: str, period: str, area_type: str, raw: pd.DataFrame = RAW_VALUES) -> pd.DataFrame:
    r = raw[(raw["indicator_id"] == ind) & (raw["period"].astype(str) == period) & (raw["area_type"] == area_type)]
    return r.set_index("area_code")


def test_the_frame_holds_the_value_rows_as_numbers(ds):
    period = periods(ds.values, "bad_health")[-1]
    shown = area_table(ds, "bad_health", period, "ward", "city", "99.8")  # the screen shows 99.8% only
    out = downloads.analysis_frame(shown, ds.values, ds.indicators, ds.threshold)
    assert list(out.columns) == [*downloads.DOWNLOAD_COLUMNS, "quartile"]  # the map's quartiles, carried
    assert len(out) == 32
    for c in NUMERIC:
        assert pd.api.types.is_numeric_dtype(out[c]), c
    raw = _raw("bad_health", period, "ward")
    got = out.set_index("area_code")
    for c in ("value", "lower_95", "upper_95", "lower_998", "upper_998", "denominator"):
        np.testing.assert_allclose(got[c], raw.loc[got.index, c].astype(float), rtol=1e-9)
    np.testing.assert_allclose(got["count"], raw.loc[got.index, "numerator"].astype(float))
    # the 95% comparisons are the data contract's, as the pipeline wrote them
    assert (got["vs_england"] == raw.loc[got.index, "vs_england"]).all()
    assert (got["vs_city"] == raw.loc[got.index, "vs_city"]).all()
    # 99.8%: England's value inside the 99.8% interval is "similar" (the Fingertips rule)
    eng = float(_raw("bad_health", period, "england")["value"].iloc[0])
    inside = (raw["lower_998"] <= eng) & (eng <= raw["upper_998"])
    assert ((got["vs_england_998"] == "similar") == inside.loc[got.index]).all()
    assert set(out["status"]) == {"derived"} and set(out["population"]) == {"residents"}
    assert out["source"].str.contains("Census 2021").all()
    assert set(out[list(downloads.COMPARISON_COLUMNS)].to_numpy().ravel()) <= {
        "better",
        "similar",
        "worse",
        "higher",
        "lower",
        "not_compared",
    }


def test_hidden_counts_are_blank_with_a_reason_never_zero(ds):
    """At a threshold of the median ward count (a user may raise it), ward counts below it are
    blank and say why."""
    period = periods(ds.values, "bad_health")[-1]
    shown = area_table(ds, "bad_health", period, "ward")
    raw = _raw("bad_health", period, "ward")
    threshold = int(raw["numerator"].median())
    out = downloads.analysis_frame(shown, ds.values, ds.indicators, threshold=threshold)
    raw = raw.loc[out["area_code"]]
    small = ((raw["numerator"] > 0) & (raw["numerator"] < threshold)).to_numpy()
    assert small.any() and (~small).any()
    assert out.loc[small, "count"].isna().all()
    assert (out.loc[small, "count_note"] == disclosure.TOO_FEW).all()
    assert (out["count"].fillna(-1) != 0).all()
    csv = pd.read_csv(io.BytesIO(downloads_csv(out)))
    assert csv.loc[small, "count"].isna().all()  # blank in the file, not 0


def downloads_csv(frame: pd.DataFrame) -> bytes:
    from lib.render.format import csv_bytes

    return csv_bytes(frame)


def test_a_count_withheld_at_source_is_blank_and_says_so(ds):
    raw = RAW_VALUES[
        RAW_VALUES["numerator"].isna() & RAW_VALUES["note"].str.lower().str.startswith("withheld at source", na=False)
    ]
    assert len(raw), "the IoD income numerators withheld at source"
    r = raw.iloc[0]
    out = downloads.analysis_frame(
        pd.DataFrame([r[["indicator_id", "period", "area_type", "area_code"]]]), ds.values, ds.indicators
    )
    assert pd.isna(out["count"].iloc[0]) and out["count_note"].iloc[0] == downloads.WITHHELD_NOTE


def test_modelled_counts_are_said_to_be_modelled(ds):
    period = periods(ds.values, "expected_dementia")[-1]
    out = downloads.analysis_frame(area_table(ds, "expected_dementia", period), ds.values, ds.indicators)
    assert (out["status"] == "modelled").all() and (out["count_note"] == downloads.MODELLED_COUNT).all()


def test_registered_figures_say_registered(ds):
    reg = data.load_dataset(population="registered")
    period = periods(reg.values, "reg_dm")[-1]
    out = downloads.analysis_frame(area_table(reg, "reg_dm", period), reg.values, reg.indicators, reg.threshold)
    assert set(out["population"]) == {"registered"} and len(out) == 12
    raw = _raw("reg_dm", period, "neighbourhood", RAW_REGISTERED).loc[out["area_code"]]
    np.testing.assert_allclose(out["value"], raw["value"].astype(float))


@pytest.mark.parametrize(
    ("name", "safe"),
    [("map 2021/22.csv", "map_2021-22.csv"), ("profile_C2.csv", "profile_C2.csv"), ("a  b\\c.csv", "a_b-c.csv")],
)
def test_file_names_have_no_spaces(name, safe):
    assert downloads.safe_filename(name) == safe


# --------------------------------------------------------------------------- every page's downloads

#: (page, URL parameters): the views whose tables offer a download.
VIEWS = [
    ("pages/overview.py", {"nbhd": "C2", "ind": "bad_health"}),
    ("pages/overview.py", {"nbhd": "C2", "population": "registered"}),
    ("pages/map.py", {"nbhd": "C2", "ind": "bad_health", "layer": "wards"}),
    ("pages/profile.py", {"nbhd": "C2", "view": "compare"}),
    ("pages/profile.py", {"nbhd": "C2", "view": "table"}),
    ("pages/profile.py", {"nbhd": "C2", "view": "age"}),
    ("pages/profile.py", {"nbhd": "C2", "view": "wards", "ind": "bad_health"}),
    ("pages/profile.py", {"nbhd": "C2", "view": "practices"}),
    ("pages/compare.py", {"nbhd": "C2", "view": "bars"}),
    ("pages/compare.py", {"nbhd": "C2", "view": "funnel"}),
    ("pages/compare.py", {"nbhd": "C2", "view": "trend", "family": "context", "ind": "universal_credit_households"}),
    ("pages/compare.py", {"nbhd": "C2", "view": "rug"}),
    ("pages/cohorts.py", {"nbhd": "C2"}),
    ("pages/cohorts.py", {"nbhd": "C2", "cohort": "mh_ld_dementia"}),
    ("pages/cohorts.py", {"nbhd": "C2", "view": "map"}),
    ("pages/cohorts.py", {"nbhd": "C2", "view": "pyramid"}),
    ("pages/activity.py", {"nbhd": "C2", "view": "targets"}),
    ("pages/activity.py", {"nbhd": "C2", "view": "shares"}),
    ("pages/activity.py", {"nbhd": "C2", "view": "money"}),
    ("pages/methods.py", {"nbhd": "C2"}),
    ("pages/methods.py", {"nbhd": "C2", "view": "downloads"}),
    ("pages/own_data.py", {"nbhd": "C2"}),
]


@pytest.fixture
def captured(monkeypatch):
    """Every CSV download a page offers, as it reaches ``st.download_button``: (file name, the
    bytes a click would give)."""
    import streamlit as st

    got: list[tuple[str, bytes]] = []
    real = st.download_button

    def record(label, data, file_name=None, mime=None, *args, **kwargs):
        if mime == "text/csv" or str(file_name).endswith(".csv"):
            body = data() if callable(data) else data
            got.append((str(file_name), body if isinstance(body, bytes) else str(body).encode("utf-8")))
        return real(label, data, *args, file_name=file_name, mime=mime, **kwargs)

    monkeypatch.setattr(st, "download_button", record)
    return got


def _open(page: str, params: dict[str, str], captured: list) -> None:
    """Open ``page`` with ``params`` (as :func:`tests.conftest.open_page`), keeping in ``captured``
    only the downloads of ``page`` itself (the router opens on the Overview first)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page != "pages/overview.py":
        captured.clear()
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _check_download(filename: str, body: bytes) -> pd.DataFrame:
    assert " " not in filename and "/" not in filename, filename
    frame = pd.read_csv(io.BytesIO(body), keep_default_na=False, na_values=[""])
    for col in frame.columns:
        if frame[col].dtype == object:
            bad = [x for x in frame[col].dropna().astype(str) if FORMATTED.search(x)]
            assert not bad, (filename, col, bad[:3])
    if filename in CONTRACT_FILES:
        assert {"indicator_id", "value", "numerator", "denominator", "vs_england", "vs_city"} <= set(frame.columns)
        return frame
    if not filename.startswith(NOT_FIGURES):
        assert {"indicator_id", "value"} <= set(frame.columns), (filename, list(frame.columns))
    if {"indicator_id", "value"} <= set(frame.columns):
        missing = [c for c in REQUIRED if c not in frame.columns]
        assert not missing, (filename, missing)
        for c in NUMERIC:
            assert frame[c].isna().all() or pd.api.types.is_numeric_dtype(frame[c]), (filename, c)
        assert set(frame["population"].dropna()) <= {"residents", "registered"}, filename
        assert set(frame["status"].dropna()) <= {"real", "derived", "modelled"}, filename
        assert (frame["count"].fillna(-1) != 0).all() or "population" in filename
    return frame


@pytest.mark.parametrize(
    ("page", "params"), VIEWS, ids=[f"{p.split('/')[-1]}-{'-'.join(v.values())}" for p, v in VIEWS]
)
def test_every_download_is_analysis_ready(page, params, captured):
    _open(page, params, captured)
    assert captured, f"{page} {params}: no download"
    for filename, body in captured:
        _check_download(filename, body)
    print(page, params, [c[0] for c in captured])


def test_overview_download_matches_values_csv(captured):
    _open("pages/overview.py", {"nbhd": "C2", "ind": "bad_health"}, captured)
    (name, body), *_ = captured
    frame = pd.read_csv(io.BytesIO(body), keep_default_na=False, na_values=[""])
    period = str(frame["period"].iloc[0])
    raw = _raw("bad_health", period, "neighbourhood").loc[frame["area_code"]]
    assert len(frame) == 12 and name == f"neighbourhoods_bad_health_{period.replace(' ', '_')}.csv"
    np.testing.assert_allclose(frame["value"], raw["value"].astype(float))
    np.testing.assert_allclose(frame["upper_998"], raw["upper_998"].astype(float))
    np.testing.assert_allclose(frame["count"], raw["numerator"].astype(float))
    assert (frame["vs_england"].to_numpy() == raw["vs_england"].to_numpy()).all()
    src = RAW_INDICATORS.set_index("indicator_id").loc["bad_health", "source"]
    assert (frame["source"] == src).all()


def test_profile_table_download_is_the_profile_rows(captured):
    _open("pages/profile.py", {"nbhd": "C2", "view": "table"}, captured)
    frame = pd.read_csv(io.BytesIO(captured[0][1]), keep_default_na=False, na_values=[""])
    assert captured[0][0] == "profile_C2.csv"
    dem = frame[frame["indicator_id"] == "expected_dementia"].iloc[0]
    raw = RAW_VALUES[
        (RAW_VALUES["indicator_id"] == "expected_dementia")
        & (RAW_VALUES["area_code"] == "C2")
        & (RAW_VALUES["period"].astype(str) == str(dem["period"]))
    ].iloc[0]
    assert dem["value"] == pytest.approx(float(raw["value"]))
    assert dem["status"] == "modelled" and dem["count_note"] == downloads.MODELLED_COUNT


def test_the_registers_download_holds_both_years(ds):
    """The profile's registers table shows each register's change since the earlier year: its
    download holds both years' value rows, so the change can be recomputed."""
    from lib.views import profile_registered

    reg = data.load_dataset(population="registered")
    rt = profile_registered.register_table(reg, Selection("C2"))
    out = downloads.analysis_frame(profile_registered.register_rows(rt, "C2"), reg.values, reg.indicators)
    dm = out[out["indicator_id"] == "reg_dm"].set_index("period")["value"]
    raw = RAW_REGISTERED[(RAW_REGISTERED["indicator_id"] == "reg_dm") & (RAW_REGISTERED["area_code"] == "C2")]
    raw = raw.set_index("period")["value"]
    assert len(dm) == 2 and set(dm.index) == set(raw.index)
    np.testing.assert_allclose(dm.sort_index(), raw.sort_index().astype(float))
