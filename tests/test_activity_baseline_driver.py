"""The activity tracker's chosen baseline (Making Data Count: limits from the baseline months, every
month judged against them) and each 2020/21 target split by a driver that fits it, checked against
independent computations from the committed values file."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lib.core.data import ROOT, load_dataset, load_seed
from lib.methods import apportion, spc
from lib.render.activity_charts import xmr_chart
from lib.views import activity
from tests.conftest import open_page, shown_tables

# --------------------------------------------------------------------------- the baseline


def test_limits_come_from_the_baseline_months_alone():
    rng = np.random.default_rng(7)
    x = np.r_[rng.normal(100, 5, 6), rng.normal(120, 5, 12), rng.normal(90, 5, 6)]
    points, s = spc.xmr(x, baseline_range=(6, 17))
    base = x[6:18]
    mr_bar = np.mean(np.abs(np.diff(base)))
    assert s["mean"] == pytest.approx(base.mean())
    assert s["mr_bar"] == pytest.approx(mr_bar)
    assert s["ucl"] == pytest.approx(base.mean() + 2.66 * mr_bar)
    assert s["lcl"] == pytest.approx(base.mean() - 2.66 * mr_bar)
    assert s["baseline_points"] == 12 and (s["baseline_first"], s["baseline_last"]) == (6, 17)
    assert points["in_baseline"].tolist() == [False] * 6 + [True] * 12 + [False] * 6
    # months outside the baseline are judged against its limits: the low last six fall outside them
    assert points["rule_astronomical"].iloc[18:].all()
    # the whole series as baseline is the default chart
    whole, s_whole = spc.xmr(x)
    again, s_again = spc.xmr(x, baseline_range=(0, len(x) - 1))
    assert s_again["ucl"] == s_whole["ucl"] and again["special_cause"].equals(whole["special_cause"])


@pytest.mark.parametrize("bad", [(3, 3), (5, 2), (-1, 4), (0, 24)])
def test_a_baseline_of_fewer_than_two_points_inside_the_series_is_refused(bad):
    with pytest.raises(ValueError):
        spc.xmr(np.arange(24.0), baseline_range=bad)


def test_baseline_positions_and_words():
    months = [f"2019-{m:02d}" for m in range(1, 13)] + [f"2020-{m:02d}" for m in range(1, 13)]
    assert activity.baseline_positions(months) == (0, 23)
    assert activity.baseline_positions(months, ("2019-04", "2020-03")) == (3, 14)
    assert activity.baseline_positions(months, ("2020-03", "2019-04")) == (3, 14)  # either order
    assert activity.baseline_positions(months, ("2019-04", "2019-04")) == (0, 23)  # one month: whole
    assert activity.baseline_positions(months, ("2018-01", "2019-04")) == (0, 23)  # not in the series
    assert activity.baseline_text(months, 0, 23) == "Limits from all 24 months."
    assert activity.baseline_text(months, 0, 11) == (
        "Limits from the baseline Jan 2019 to Dec 2019 (12 months); the other 12 months are judged against them."
    )


def test_the_chart_shades_the_baseline_only_when_it_is_part_of_the_series():
    months = [f"2019-{m:02d}" for m in range(1, 13)]
    x = np.arange(12.0) % 5 + 10
    part, _ = spc.xmr(x, baseline_range=(2, 7))
    spec = xmr_chart(part, months, "t").to_dict()
    rects = [lyr for lyr in spec["layer"] if lyr["mark"]["type"] == "rect"]
    assert len(rects) == 1
    band = spec["datasets"][rects[0]["data"]["name"]][0]
    assert band["months"] == "Mar 2019 to Aug 2019"
    whole, _ = spc.xmr(x)
    assert not [lyr for lyr in xmr_chart(whole, months, "t").to_dict()["layer"] if lyr["mark"]["type"] == "rect"]


# --------------------------------------------------------------------------- the drivers


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return pd.read_csv(ROOT / "profiles" / "values.csv", keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def targets() -> pd.DataFrame:
    return load_seed("activity_targets_2020_21")


def _nb(values: pd.DataFrame, ind: str, col: str, period: str | None = None) -> pd.Series:
    v = values[(values["indicator_id"] == ind) & (values["area_type"] == "neighbourhood")]
    period = period or sorted(v["period"].astype(str).unique())[-1]
    return v[v["period"].astype(str) == period].set_index("area_code")[col].astype(float).sort_index()


def _hamilton(total: int, w: pd.Series) -> pd.Series:
    """Largest remainder written out independently (floats; ties by code)."""
    q = total * w / w.sum()
    base = np.floor(q)
    rem = (q - base).sort_index()
    order = sorted(rem.index, key=lambda c: (-rem[c], c))
    extra = pd.Series(0, index=w.index)
    extra[order[: int(total - base.sum())]] = 1
    return (base + extra).astype(int)


def _driver_weights(values: pd.DataFrame) -> dict[str, pd.Series]:
    pop = _nb(values, "population", "value", "mid-2020")
    young = _nb(values, "population_age_0_15", "numerator", "mid-2020")
    old = _nb(values, "population_age_65plus", "numerator", "mid-2020")
    return {
        "school_readiness": young,
        "care_packages": _nb(values, "population_age_75plus", "numerator", "mid-2020"),
        "asc_contacts_referrals": old,
        "esa_claimants": (pop - young - old) * _nb(values, "cidr", "value"),
        "ae_attendances": pop * _nb(values, "acute_morbidity", "value"),
        "avoidable_gp_visits": pop,
    }


def test_each_line_is_split_by_its_driver(values, targets):
    shares = apportion.target_shares_by_driver(targets, load_dataset().values)
    city = dict(zip(targets["measure_id"], targets["activity_shift_2020_21"]))
    for measure, w in _driver_weights(values).items():
        got = shares[shares["measure_id"] == measure].set_index("neighbourhood_code")["share"].sort_index()
        expected = _hamilton(int(city[measure]), w)
        assert got.to_dict() == expected.to_dict(), measure
        ws = shares[shares["measure_id"] == measure].set_index("neighbourhood_code")["weight_share"].sort_index()
        assert np.allclose(ws, w / w.sum())


def test_every_line_has_a_stated_driver_and_they_differ(targets):
    shares = apportion.target_shares_by_driver(targets, load_dataset().values)
    lines = apportion.target_lines(targets)
    assert set(lines["measure_id"]) == set(apportion.TARGET_DRIVERS)
    assert shares["driver_text"].str.len().gt(10).all() and shares["driver_reason"].str.len().gt(10).all()
    assert shares.groupby("measure_id")["share"].sum().to_dict() == dict(
        zip(lines["measure_id"], lines["activity_shift_2020_21"].astype(int))
    )
    s3 = shares[shares["neighbourhood_code"] == "S3"].set_index("measure_id")["weight_share"]
    # before: "need" gave S3 the same share of every line (8.4%); now children, older people and
    # working-age illness each give their own
    assert s3.round(3).nunique() >= 5
    assert not math.isclose(s3["school_readiness"], s3["care_packages"], rel_tol=0.01)


def test_page_states_the_driver_per_line_and_the_tracker_baseline():
    at = open_page("pages/activity.py", {"nbhd": "S3"})
    table = shown_tables(at)[0]
    assert "Split by (driver)" in table.columns
    row = table[table["Measure"] == "School readiness"].iloc[0]
    assert row["Split by (driver)"].startswith("Children aged 0 to 15")
    at = open_page("pages/activity.py", {"nbhd": "N1", "view": "tracker"})
    at.button(key="activity_sample").click().run()
    assert any("Limits from all" in c.value for c in at.caption)
    months = at.select_slider(key="activity_baseline_ae_attendances").options
    at.select_slider(key="activity_baseline_ae_attendances").set_range(months[0], months[11]).run()
    assert not at.exception
    assert any("Limits from the baseline" in c.value and "(12 months)" in c.value for c in at.caption)


def test_the_datasets_target_shares_follow_the_same_drivers(values, targets):
    """The explorer views' ``target_*`` indicators (built by the pipeline) agree with the Activity
    shift page's default split, each line by its driver, and say which driver in their notes."""
    city = dict(zip(targets["measure_id"], targets["activity_shift_2020_21"]))
    for measure, w in _driver_weights(values).items():
        got = _nb(values, f"target_{measure}", "numerator", "2020/21").astype(int)
        assert got.to_dict() == _hamilton(int(city[measure]), w).to_dict(), measure
    notes = values[(values["indicator_id"] == "target_school_readiness") & (values["area_type"] == "neighbourhood")]
    assert notes["note"].str.contains("children aged 0 to 15").all()
