"""XmR (SPC) charts against worked examples computed by hand in the test."""

from __future__ import annotations

import numpy as np
import pytest

from lib.methods import spc


def _hand_limits(x):
    mrs = []
    for i in range(1, len(x)):
        mrs.append(abs(x[i] - x[i - 1]))
    mr_bar = sum(mrs) / len(mrs)
    mean = sum(x) / len(x)
    return mean, mr_bar, mean + 2.66 * mr_bar, mean - 2.66 * mr_bar


def test_worked_example_limits():
    x = [10, 12, 11, 13, 12, 11]
    # MRs: 2, 1, 2, 1, 1 -> MR̄ = 7/5 = 1.4; mean = 69/6 = 11.5; limits 11.5 ± 3.724
    points, s = spc.xmr(x)
    assert s["mr_bar"] == pytest.approx(1.4)
    assert s["mean"] == pytest.approx(11.5)
    assert s["ucl"] == pytest.approx(15.224)
    assert s["lcl"] == pytest.approx(7.776)
    assert s["sigma"] == pytest.approx(1.4 / 1.128)
    assert np.isnan(points["moving_range"].iloc[0]) and list(points["moving_range"].iloc[1:]) == [2, 1, 2, 1, 1]
    assert not points["special_cause"].any()
    assert s["variation"] == "common_cause"


def test_limits_match_explicit_loop_on_random_series():
    rng = np.random.default_rng(7)
    x = list(rng.normal(100, 10, 30))
    mean, mr_bar, ucl, lcl = _hand_limits(x)
    _, s = spc.xmr(x)
    assert (s["mean"], s["mr_bar"], s["ucl"], s["lcl"]) == pytest.approx((mean, mr_bar, ucl, lcl))


def test_baseline_fixes_limits_on_first_points():
    x = [10, 12, 11, 13, 12, 11, 50, 60]
    _, s = spc.xmr(x, baseline=6)
    assert s["mean"] == pytest.approx(11.5) and s["mr_bar"] == pytest.approx(1.4)


def test_lower_bound_truncates_lcl():
    _, s = spc.xmr([1, 9, 1, 9, 1, 9], lower_bound=0)
    assert s["lcl"] == 0


# Alternating series (mean 10, MR̄ 2 => limits 10 ± 5.32, 2σ = 3.546) used as a quiet background.
def _quiet(n):
    return [9.0 if i % 2 == 0 else 11.0 for i in range(n)]


def test_rule_astronomical_point():
    x = _quiet(20)
    x[15] = 40.0
    points, s = spc.xmr(x)
    mean, mr_bar, ucl, lcl = _hand_limits(x)
    assert x[15] > ucl
    assert list(np.flatnonzero(points["rule_astronomical"])) == [15]
    assert points.loc[15, "direction"] == "high" and points.loc[15, "assessment"] == "concern"


def test_rule_shift_of_seven_and_not_six():
    base = [10, 10.5, 9.5, 10, 10.5, 9.5, 10, 10.5, 9.5]
    below = [9.6, 9.7, 9.8, 9.9, 9.6, 9.7, 9.8]  # 7 points below any plausible mean
    x = base + below + [10.4, 10.2, 10.3]
    points, _ = spc.xmr(x)
    mean = sum(x) / len(x)
    assert all(v < mean for v in below)
    # the 7 points are at indices 9..15; 9.5 at index 8 is also below the mean => run 8..15
    flagged = list(np.flatnonzero(points["rule_shift"]))
    expected = [i for i in range(len(x)) if i >= 8 and i <= 15]
    assert flagged == expected
    # only 6 in a row: no shift
    y = base[:-1] + [10.6] + below[:6] + [10.4, 10.6, 10.3, 10.5]
    py, _ = spc.xmr(y)
    assert not py["rule_shift"].any()


def test_rule_shift_exact_run_with_hand_mean():
    x = [12, 8] * 4 + [11] * 7 + [8, 12, 8]
    mean = sum(x) / len(x)
    assert mean < 11
    points, _ = spc.xmr(x)
    assert list(np.flatnonzero(points["rule_shift"])) == list(range(8, 15))
    assert (points.loc[8:14, "direction"] == "high").all()


def test_rule_trend_seven_increasing():
    x = [10, 11, 10, 11, 10, 11, 10] + [10.1, 10.2, 10.3, 10.4, 10.5, 10.6] + [10, 11, 10]
    # index 6 (10) then 10.1 .. 10.6 => 7 increasing points at indices 6..12
    points, _ = spc.xmr(x)
    assert list(np.flatnonzero(points["rule_trend"])) == list(range(6, 13))
    # six increasing points only: no trend
    y = [10, 11, 10, 11, 10, 11, 10.05] + [10.1, 10.2, 10.3, 10.4, 10.5] + [10, 11, 10]
    y[5] = 10.06  # 10.06 -> 10.05 falls, so the rise starts at index 6: 6 points
    py, _ = spc.xmr(y)
    assert not py["rule_trend"].any()


def test_rule_trend_decreasing_and_ties_break():
    x = [20, 19, 18, 17, 16, 15, 14, 20, 15]
    points, _ = spc.xmr(x)
    assert list(np.flatnonzero(points["rule_trend"])) == list(range(0, 7))
    y = [20, 19, 18, 18, 17, 16, 15, 14, 20]  # equal neighbours break: runs of 3 and 6
    py, _ = spc.xmr(y)
    assert not py["rule_trend"].any()


def test_rule_two_of_three_near_the_limit():
    x = _quiet(60)
    x[20], x[22] = 15.0, 15.2
    points, s = spc.xmr(x)
    mean, mr_bar, ucl, lcl = _hand_limits(x)
    two_sigma = mean + 2 * mr_bar / 1.128
    assert two_sigma < 15.0 < ucl and 15.2 < ucl
    assert x[21] < two_sigma
    assert list(np.flatnonzero(points["rule_two_of_three"])) == [20, 22]
    assert not points["rule_astronomical"].any()
    # one point alone near the limit: no signal
    y = _quiet(60)
    y[20] = 15.0
    py, _ = spc.xmr(y)
    assert not py["rule_two_of_three"].any()


def test_variation_icons_by_polarity():
    x = _quiet(20) + [1.0]
    _, s = spc.xmr(x, polarity="lower_is_better")
    assert s["variation"] == "improvement_low"
    _, s = spc.xmr(x, polarity="higher_is_better")
    assert s["variation"] == "concern_low"
    _, s = spc.xmr(x, polarity="no_judgement")
    assert s["variation"] == "neither_low"
    _, s = spc.xmr(_quiet(20) + [30.0])
    assert s["variation"] == "concern_high" and "concern (high)" in s["text"]


def test_assurance():
    x = _quiet(20)  # limits 10 ± 5.32
    assert spc.xmr(x, target=20)[1]["assurance"] == "pass"  # lower is better, all below target
    assert spc.xmr(x, target=2)[1]["assurance"] == "fail"
    assert spc.xmr(x, target=10)[1]["assurance"] == "hit_and_miss"
    assert spc.xmr(x, target=20, polarity="higher_is_better")[1]["assurance"] == "fail"
    assert spc.xmr(x, target=2, polarity="higher_is_better")[1]["assurance"] == "pass"
    assert spc.xmr(x)[1]["assurance"] == "no_target"


def test_bad_input():
    with pytest.raises(ValueError):
        spc.xmr([1.0])
    with pytest.raises(ValueError):
        spc.xmr([1.0, float("nan"), 2.0])
    with pytest.raises(ValueError):
        spc.xmr([1.0, 2.0], polarity="up")
