"""Disclosure control (lib.core.disclosure): primary and secondary suppression, the threshold, and that
no count below it reaches the merged dataset, a page's tables, a CSV download or the map payload."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.core import data, disclosure
from lib.imports import geography, indicator_file
from lib.views import own_data
from tests.conftest import REPO, shown_tables

IND = pd.DataFrame(
    [
        {
            "indicator_id": "p",
            "value_type": "proportion",
            "status": "derived",
            "ci_method": "wilson",
            "multiplier": 100,
            "polarity": "no_judgement",
        },
        {
            "indicator_id": "m",
            "value_type": "count",
            "status": "modelled",
            "ci_method": "none",
            "multiplier": 1,
            "polarity": "no_judgement",
        },
        {
            "indicator_id": "s",
            "value_type": "score",
            "status": "derived",
            "ci_method": "none",
            "multiplier": 1,
            "polarity": "no_judgement",
        },
    ]
)


def _rows(
    ind: str, parent: str, counts: list[float], parent_count: float | None = None, child_type: str = "ward"
) -> pd.DataFrame:
    ptype = disclosure.PARENT_LEVEL[child_type]
    rows = [
        {
            "indicator_id": ind,
            "period": "2020",
            "area_type": child_type,
            "area_code": f"{parent}_{i}",
            "area_name": "",
            "parent_code": parent,
            "numerator": c,
            "denominator": 1000.0,
            "value": c / 10,
            "lower_95": 0.0,
            "upper_95": 1.0,
            "lower_998": 0.0,
            "upper_998": 1.0,
            "vs_england": "similar",
            "vs_city": "similar",
            "note": None,
        }
        for i, c in enumerate(counts)
    ]
    total = sum(counts) if parent_count is None else parent_count
    rows.append(
        {
            **rows[0],
            "area_type": ptype,
            "area_code": parent,
            "parent_code": "X",
            "numerator": total,
            "value": total / 10,
        }
    )
    return pd.DataFrame(rows)


def test_counts_1_to_4_are_hidden_and_zero_and_5_are_shown():
    v = _rows("p", "N1", [0, 1, 4, 5, 30, 40])
    out = disclosure.suppress(v, IND, 5)
    hidden = out["note"] == disclosure.TOO_FEW
    assert list(out.loc[hidden, "area_code"]) == ["N1_1", "N1_2"]
    assert out.loc[hidden, ["numerator", "value", "lower_95", "upper_95", "lower_998", "upper_998"]].isna().all().all()
    assert (out.loc[hidden, ["vs_england", "vs_city"]] == "not_compared").all().all()
    assert out.loc[out["area_code"] == "N1_0", "numerator"].iloc[0] == 0
    assert out.loc[out["area_code"] == "N1_3", "numerator"].iloc[0] == 5


def test_one_hidden_child_makes_the_next_smallest_hidden_too():
    v = _rows("p", "N1", [3, 50, 20, 70])
    out = disclosure.suppress(v, IND, 5).set_index("area_code")
    assert np.isnan(out.loc["N1_0", "numerator"]) and np.isnan(
        out.loc["N1_2", "numerator"]
    )  # 3 and the next smallest, 20
    assert out.loc["N1_1", "numerator"] == 50 and out.loc["N1", "numerator"] == 143
    # the hidden count cannot be recovered: total minus shown leaves two unknowns
    assert out.loc["N1_2", "note"] == disclosure.TOO_FEW


def test_a_hidden_parent_with_all_children_shown_hides_a_child():
    # neighbourhood N1 hidden by secondary suppression at its level (sibling N2 holds 2)
    nb = pd.concat([_rows("p", "N1", [10, 20, 30]), _rows("p", "N2", [2, 0])], ignore_index=True)
    nb.loc[nb["area_type"] == "neighbourhood", "parent_code"] = "NORTH"
    loc = {
        **nb.iloc[0].to_dict(),
        "area_type": "locality",
        "area_code": "NORTH",
        "parent_code": "E08000003",
        "numerator": 62.0,
    }
    v = pd.concat([nb, pd.DataFrame([loc])], ignore_index=True)
    out = disclosure.suppress(v, IND, 5).set_index("area_code")
    assert np.isnan(out.loc["N2", "numerator"]) and np.isnan(out.loc["N1", "numerator"])
    assert np.isnan(out.loc["N1_0", "numerator"])  # else N1 = 10 + 20 + 30 by addition
    assert out.loc["N1_1", "numerator"] == 20


def test_modelled_counts_and_weighted_means_are_not_counts():
    v = pd.concat([_rows("m", "N1", [1.3, 2.2, 40]), _rows("s", "N1", [np.nan, np.nan, np.nan])], ignore_index=True)
    v.loc[v["indicator_id"] == "s", "value"] = 2.0
    out = disclosure.suppress(v, IND, 5)
    assert not (out["note"] == disclosure.TOO_FEW).any()
    pd.testing.assert_series_equal(out["value"], v["value"].astype(float), check_names=False)


def test_small_denominators_are_hidden_too():
    v = _rows("p", "N1", [0, 10, 20])
    v.loc[0, "denominator"] = 3
    out = disclosure.suppress(v, IND, 5)
    assert np.isnan(out.loc[0, "denominator"]) and out.loc[0, "note"] == disclosure.TOO_FEW


def test_threshold_is_configurable_and_never_below_the_installation_floor(monkeypatch):
    v = _rows("p", "N1", [6, 7, 50, 60])
    assert (disclosure.suppress(v, IND, 10)["note"] == disclosure.TOO_FEW).sum() == 2
    assert (disclosure.suppress(v, IND, 1)["note"] == disclosure.TOO_FEW).sum() == 0
    monkeypatch.delenv(disclosure.ENV_VAR, raising=False)
    assert disclosure.configured_threshold() == 5
    assert disclosure.effective_threshold(2) == 5 and disclosure.effective_threshold(8) == 8
    monkeypatch.setenv(disclosure.ENV_VAR, "10")
    assert disclosure.effective_threshold(None) == 10 and disclosure.effective_threshold(5) == 10
    monkeypatch.setenv(disclosure.ENV_VAR, "zero")
    assert disclosure.configured_threshold() == 5


def test_the_embedded_dataset_has_no_small_counts_after_suppression():
    ds = data.load_dataset()
    before = disclosure.small_counts_present(ds.values, ds.indicators)
    assert len(before) > 0  # LSOA counts of residents aged 85+ include 1–4
    out = disclosure.suppress(ds.values, ds.indicators, 5)
    assert disclosure.small_counts_present(out, ds.indicators).empty
    assert (out["note"] == disclosure.TOO_FEW).sum() >= len(before)


# ---------------------------------------------------------------- through the app

SMALL = "indicator_id,period,area_code,indicator_name,numerator,denominator\n" + "".join(
    f"small_counts,2020,{c},SYNTHETIC small counts,{n},{500 + k}\n"
    for k, (c, n) in enumerate(
        zip(
            sorted(pd.read_csv(REPO / "geodata" / "neighbourhoods.csv")["ward_code"]),
            [1, 2, 3, 4, 3, 2, 1, 9, 31, 47, 3, 2, 0, 13, 17, 2, 2, 41, 29, 3, 11, 4, 4, 23, 3, 5, 37, 19, 2, 1, 8, 6],
        )
    )
)
SMALL_COUNTS = {"1", "2", "3", "4"}


@pytest.fixture(scope="module")
def small_upload() -> list[indicator_file.ImportedData]:
    loaded, err = own_data.accept_upload([], SMALL.encode(), "small_counts_SYNTHETIC.csv", geography.load_geography())
    assert err is None, err
    return loaded


def _app_with(loaded) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.session_state["own_data_loaded"] = loaded
    return at


def test_no_small_count_in_any_page_table_with_small_user_counts(small_upload):
    at = _app_with(small_upload)
    params = [
        ("pages/map.py", {"map_family": "outcome", "map_ind": "user_small_counts", "map_layer": "wards"}),
        ("pages/compare.py", {}),
        ("pages/compare.py", {"compare_tab": "Funnel plot"}),
        ("pages/compare.py", {"compare_tab": "Over time"}),
        ("pages/compare.py", {"compare_tab": "All indicators at a glance"}),
        ("pages/profile.py", {"profile_tab": "All indicators"}),
        ("pages/profile.py", {"profile_tab": "Its wards"}),
        ("pages/overview.py", {}),
        ("pages/own_data.py", {}),
    ]
    tables = 0
    for page, state in params:
        at.switch_page(page)
        for k, v in state.items():
            at.session_state[k] = v
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
        for df in shown_tables(at):
            tables += 1
            for col in [c for c in df.columns if str(c).lower() in ("count", "numerator", "denominator")]:
                shown = set(df[col].astype(str).str.replace(".0", "", regex=False))
                assert not shown & SMALL_COUNTS, (page, col, shown & SMALL_COUNTS)
    assert tables >= len(params), "every page part visited drew its table(s)"


def _probe() -> None:
    """Runs inside Streamlit (AppTest.from_function): what session_data.dataset() gives the pages, and
    the map payload and map CSV built from it, checked for small counts."""
    import streamlit as st

    from lib.core import disclosure
    from lib.methods.indicators import area_comparison_table
    from lib.views import map as mapview
    from pages.shared import session_data

    ds = session_data.dataset()
    out = {
        "small_in_dataset": len(disclosure.small_counts_present(ds.values, ds.indicators)),
        "hidden_user_rows": int(
            ((ds.values["indicator_id"] == "user_small_counts") & (ds.values["note"] == disclosure.TOO_FEW)).sum()
        ),
        "tooltip_counts": [],
        "csv_counts": [],
    }
    meta = ds.indicators.set_index("indicator_id").loc["user_small_counts"].to_dict()
    for area_type, layer in (("ward", "wards"), ("neighbourhood", "neighbourhoods")):
        table = area_comparison_table(ds.values, ds.indicators, "user_small_counts", "2020", area_type)
        feats = mapview.map_features(session_data.geojson(layer), table, meta, area_type=area_type)
        for f in feats["features"]:
            line = [x for x in f["properties"]["tooltip"].split("<br>") if x.startswith("Count:")][0]
            out["tooltip_counts"].append(line.split(":", 1)[1].strip())
        out["csv_counts"] += list(mapview.table_rows(table, meta, area_type=area_type)["Count"])
    st.session_state["probe"] = out


def test_merged_dataset_map_payload_and_download_have_no_small_counts(small_upload):
    """Through the real session_data.dataset(): the dataset pages get, the map's GeoJSON payload
    (tooltips) and the table the map page offers as CSV."""
    at = AppTest.from_function(_probe, default_timeout=120)
    at.session_state["own_data_loaded"] = small_upload
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    out = at.session_state["probe"]
    assert out["small_in_dataset"] == 0
    assert out["hidden_user_rows"] >= 20
    assert len(out["tooltip_counts"]) == 32 + 12
    assert not set(out["tooltip_counts"]) & SMALL_COUNTS, out["tooltip_counts"]
    assert not set(out["csv_counts"]) & SMALL_COUNTS
    assert "47" in out["tooltip_counts"]


def test_shared_dataset_applies_suppression_in_the_app(small_upload):
    at = _app_with(small_upload)
    at.switch_page("pages/own_data.py")
    at.run()
    assert not at.exception
    # the own-data page previews the neighbourhood figures: hidden cells say "too few to show"
    previews = [t for t in shown_tables(at) if "note" in t.columns]
    assert previews and any((p["note"] == disclosure.TOO_FEW).any() for p in previews)
    for p in previews:
        assert not {v for v in p["numerator"] if v not in ("", "–")} & SMALL_COUNTS


def _probe_download() -> None:
    import io

    import pandas as pd
    import streamlit as st

    from lib.core import disclosure
    from pages.shared import session_data

    values = pd.concat(
        [
            pd.read_csv(io.BytesIO(session_data.dataset_file_bytes(f)), keep_default_na=False, na_values=[""])
            for f in ("profiles/values.csv", "profiles/lsoa21_values.csv", "profiles/registered_values.csv")
        ],
        ignore_index=True,
    )
    indicators = pd.read_csv(
        io.BytesIO(session_data.dataset_file_bytes("profiles/indicators.csv")), keep_default_na=False, na_values=[""]
    )
    st.session_state["probe"] = {
        "rows": len(values),
        "small": len(disclosure.small_counts_present(values, indicators)),
        "user": int(values["indicator_id"].str.startswith("user_").sum()),
        "registered": int(values["indicator_id"].str.startswith("reg_").sum()),
        "registered_described": int(indicators["indicator_id"].str.startswith("reg_").sum()),
    }


def test_the_values_download_helper_hides_small_counts(small_upload):
    """session_data.dataset_file_bytes serves values.csv as the pages see it (the Data and methods page
    should use it instead of the raw committed file, which holds LSOA counts of 1–4)."""
    at = AppTest.from_function(_probe_download, default_timeout=120)
    at.session_state["own_data_loaded"] = small_upload
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    out = at.session_state["probe"]
    assert out["small"] == 0 and out["user"] > 0 and out["rows"] > 10_000
    # both lenses: the registered patients' figures are in the download too, and described
    assert out["registered"] > 5_000 and out["registered_described"] == 26
