"""Presentation mode names one weighting and splits every apportioned figure by it: the risk
pyramid's tiers (cohorts step) and the activity-shift targets (activity step). Checked against an
independent computation from the committed files (values.csv, the targets seed), not through the
functions under test. Also the slides' status summary and chart-height cap."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from lib.core import data
from lib.views import present as present_mode
from tests.conftest import REPO, read_profile_csv

NBHDS = [f"{loc}{i}" for loc in "NCS" for i in (1, 2, 3, 4)]


@pytest.fixture(scope="module")
def ds():
    return data.load_dataset()


@pytest.fixture(scope="module")
def raw() -> tuple[pd.DataFrame, pd.DataFrame]:
    values = read_profile_csv(REPO / "profiles" / "values.csv")
    targets = pd.read_csv(REPO / "profiles" / "seeds" / "activity_targets_2020_21.csv")
    return values, targets


def _raw_weights(values: pd.DataFrame, method: str) -> dict[str, float]:
    """Population mid-2020 (whole people) or population × CIDR (latest IoD) ÷ England's CIDR, from values.csv."""
    v = values
    pop = v[(v["indicator_id"] == "population") & (v["area_type"] == "neighbourhood") & (v["period"] == "mid-2020")]
    pop = {c: float(round(x)) for c, x in zip(pop["area_code"], pop["value"])}
    if method == "population":
        return pop
    cidr = v[(v["indicator_id"] == "cidr")]
    latest = sorted(cidr.loc[cidr["area_type"] == "neighbourhood", "period"].astype(str).unique())[-1]
    cidr = cidr[cidr["period"].astype(str) == latest]
    eng = float(cidr.loc[cidr["area_type"] == "england", "value"].iloc[0])
    ratio = dict(
        zip(
            cidr.loc[cidr["area_type"] == "neighbourhood", "area_code"],
            cidr.loc[cidr["area_type"] == "neighbourhood", "value"],
        )
    )
    return {c: pop[c] * float(ratio[c]) / eng for c in pop}


def test_the_weighting_in_the_link_or_the_need_index():
    assert present_mode.DEFAULT_WEIGHTING == "need"
    assert present_mode.weighting(None) == "need"
    assert present_mode.weighting("population") == "population"
    assert present_mode.weighting("<script>") == "need"
    assert present_mode.weighting(["population"]) == "need"
    for m in present_mode.WEIGHTINGS:
        assert present_mode.WEIGHTINGS[m] in present_mode.weighting_sentence(m)


@pytest.mark.parametrize("method", ["need", "population"])
def test_cohorts_and_activity_are_split_by_the_same_weights(ds, raw, method):
    values, targets = raw
    expected = _raw_weights(values, method)
    assert sorted(expected) == sorted(NBHDS)
    pyr, shares = present_mode.pyramid_and_shares(ds, targets, method)
    pw = pyr.set_index("area_code")["weight"]
    sw = shares.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")["weight"]
    for code in NBHDS:
        assert math.isclose(pw[code], expected[code], rel_tol=1e-9), (code, pw[code], expected[code])
        assert math.isclose(sw[code], expected[code], rel_tol=1e-9), (code, sw[code], expected[code])
    total = sum(expected.values())
    # each target share is its exact quota rounded down or up (largest remainder), and they add up
    lines = targets[targets["row_type"] == "line"]
    for _, t in lines.iterrows():
        mine = shares[shares["measure_id"] == t["measure_id"]].set_index("neighbourhood_code")["share"]
        assert int(mine.sum()) == int(t["activity_shift_2020_21"])
        for code in NBHDS:
            quota = int(t["activity_shift_2020_21"]) * expected[code] / total
            assert math.floor(quota) <= mine[code] <= math.ceil(quota), (t["measure_id"], code, quota, mine[code])
    # and the pyramid's upper tiers: the city's 22,000 split by the same weights
    city = pyr[~pyr["area_code"].isin(NBHDS)].iloc[0]
    for code in NBHDS:
        for tier in ("highest", "high"):
            quota = int(city[tier]) * expected[code] / total
            got = int(pyr.set_index("area_code").loc[code, tier])
            assert math.floor(quota) <= got <= math.ceil(quota), (tier, code, quota, got)
    assert set(shares["method"]) == {present_mode.risk_pyramid.method_text(ds, method)}


def test_the_two_weightings_give_different_shares(ds, raw):
    """The weighting is not cosmetic: C3's share of the A&E target changes with it."""
    _, targets = raw
    a = present_mode.pyramid_and_shares(ds, targets, "need")[1]
    b = present_mode.pyramid_and_shares(ds, targets, "population")[1]
    pick = (a["neighbourhood_code"] == "C3") & (a["measure_id"] == "ae_attendances")
    assert int(a.loc[pick, "share"].iloc[0]) != int(b.loc[pick.to_numpy(), "share"].iloc[0])


def test_status_summary_groups_every_indicator():
    t = pd.DataFrame(
        {"status": ["derived", "derived", "real"], "short_name": ["A", "B", "C"], "period": ["2021", "2021", "2019"]}
    )
    out = present_mode.status_summary(t)
    assert "DERIVED: A, B (2021)" in out and "C (2019)" in out and out.count(";") == 1
    assert present_mode.status_summary(t.iloc[:2]) == "all 2 DERIVED (2021)"


def test_cap_height_keeps_every_label():
    spec = {"height": 900, "config": {}}
    present_mode.cap_height(spec, 700)
    assert spec["height"] == 700 and spec["config"]["axisY"]["labelOverlap"] is False
    short = {"height": 300}
    assert present_mode.cap_height(short, 700) == {"height": 300}


@pytest.mark.parametrize("method", ["need", "population"])
def test_the_method_text_names_the_edition_once(ds, method):
    """The need index's edition read 'IoD IoD2025' (the period already says IoD)."""
    from lib.methods import apportion
    from lib.views import risk_pyramid

    for text in (risk_pyramid.method_text(ds, method), apportion.method_text(ds.values, method)):
        assert "IoD IoD" not in text
    assert "(IoD2025)" in risk_pyramid.method_text(ds, "need")
    assert "(IoD" in apportion.method_text(ds.values, "need")


def test_the_slides_board_summary_keeps_every_sentence_with_the_estimates_in_the_footnote(ds):
    """Issue 19 (the profile step fits 1280x720): the board summary's findings are the slide's
    bullets and its sentence on estimates moves to the footnote; nothing is dropped or repeated."""
    from lib.core.selection import Selection
    from lib.views import present as present_mode
    from lib.views import profile_summary

    for nbhd in ("C3", "S3", "N1"):
        sentences = profile_summary.board_summary(ds, Selection(nbhd, "england", "95"))
        bullets, footnote = present_mode.summary_for_slide(sentences)
        estimates = [s for s in sentences if "estimates, not observed counts" in s]
        assert footnote == " ".join(estimates)
        assert bullets == [s for s in sentences if s not in estimates]
        assert estimates, nbhd  # the committed data has modelled figures for every neighbourhood
