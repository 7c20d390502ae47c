"""Unit tests of lib.methods.aggregate on a hand-made toy geography.

Toy: 8 small areas (U1..U8) -> 4 wards -> 2 neighbourhoods (NA, NB) -> 1 locality -> the city.
Every expected number is computed here independently (pandas groupby, numpy, statsmodels,
scipy), never read back from lib.methods.aggregate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2, norm
from statsmodels.stats.proportion import proportion_confint

from lib.core.definitions import CITY_CODE, ENGLAND_CODE, validate_definition
from lib.methods import aggregate, stats

W1, W2, W3, W4 = "E05900001", "E05900002", "E05900003", "E05900004"
Z = {"95": 1.959964, "99.8": 3.090232}
ALPHA = {"95": 0.05, "99.8": 0.002}
LIMITS = {"95": ("lower_95", "upper_95"), "99.8": ("lower_998", "upper_998")}


def make_definition(moves: dict[str, str] | None = None) -> pd.DataFrame:
    nb = {W1: "NA", W2: "NA", W3: "NB", W4: "NB"}
    nb.update(moves or {})
    rows = [
        {
            "ward_code": w,
            "ward_name": f"Ward {w[-1]}",
            "neighbourhood_code": n,
            "neighbourhood_name": f"Neighbourhood {n}",
            "locality_code": "NORTH",
            "locality_name": "North",
        }
        for w, n in nb.items()
    ]
    return validate_definition(pd.DataFrame(rows), known_wards=[W1, W2, W3, W4])


UNIT_TO_WARD = pd.Series({"U1": W1, "U2": W1, "U3": W2, "U4": W2, "U5": W3, "U6": W3, "U7": W4, "U8": W4})

INDICATORS = pd.DataFrame(
    [
        {
            "indicator_id": "prop",
            "value_type": "proportion",
            "ci_method": "wilson",
            "multiplier": 100,
            "polarity": "lower_is_better",
        },
        {
            "indicator_id": "rate",
            "value_type": "rate",
            "ci_method": "byar",
            "multiplier": 1000,
            "polarity": "lower_is_better",
        },
        {
            "indicator_id": "score",
            "value_type": "score",
            "ci_method": "none",
            "multiplier": 1,
            "polarity": "lower_is_better",
        },
        {
            "indicator_id": "cnt",
            "value_type": "count",
            "ci_method": "none",
            "multiplier": 1,
            "polarity": "no_judgement",
        },
    ]
)

# numerator / denominator per unit for each summed indicator
PROP = {
    "U1": (1, 10),
    "U2": (50, 100),
    "U3": (30, 400),
    "U4": (0, 25),
    "U5": (12, 80),
    "U6": (200, 900),
    "U7": (7, 7),
    "U8": (45, 300),
}
RATE = {
    "U1": (3, 1500),
    "U2": (4, 900),
    "U3": (40, 2100),
    "U4": (25, 5000),
    "U5": (120, 8000),
    "U6": (60, 3000),
    "U7": (9, 700),
    "U8": (300, 12000),
}
SCORE = {
    "U1": (12.5, 1500),
    "U2": (40.0, 900),
    "U3": (22.2, 2100),
    "U4": (5.1, 5000),
    "U5": (33.3, 8000),
    "U6": (18.0, 3000),
    "U7": (61.0, 700),
    "U8": (9.9, 12000),
}
CNT = {"U1": 5, "U2": 15, "U3": 25, "U4": 35, "U5": 45, "U6": 55, "U7": 65, "U8": 75}


def make_measures() -> pd.DataFrame:
    rows = []
    for u, (o, n) in PROP.items():
        rows.append(
            {
                "unit_code": u,
                "indicator_id": "prop",
                "period": "2020",
                "numerator": o,
                "denominator": n,
                "suppressed": u in ("U1", "U5"),
            }
        )
    for u, (o, n) in RATE.items():
        rows.append(
            {
                "unit_code": u,
                "indicator_id": "rate",
                "period": "2020",
                "numerator": o,
                "denominator": n,
                "suppressed": False,
            }
        )
    for u, (v, w) in SCORE.items():  # weighted-mean convention: numerator = value x weight
        rows.append(
            {
                "unit_code": u,
                "indicator_id": "score",
                "period": "2020",
                "numerator": v * w,
                "denominator": w,
                "suppressed": False,
            }
        )
    for u, c in CNT.items():
        rows.append(
            {
                "unit_code": u,
                "indicator_id": "cnt",
                "period": "2020",
                "numerator": c,
                "denominator": np.nan,
                "suppressed": False,
            }
        )
    # a second period for one indicator, to be sure periods are not mixed
    for u, (o, n) in PROP.items():
        rows.append(
            {
                "unit_code": u,
                "indicator_id": "prop",
                "period": "2021",
                "numerator": o // 2,
                "denominator": n,
                "suppressed": False,
            }
        )
    return pd.DataFrame(rows)


def expected_sums(measures: pd.DataFrame, definition: pd.DataFrame) -> pd.DataFrame:
    """Independent roll-up: map each unit to every level and groupby-sum."""
    d = definition.set_index("ward_code")
    m = measures.assign(ward=measures["unit_code"].map(UNIT_TO_WARD.to_dict()))
    m["neighbourhood"] = m["ward"].map(d["neighbourhood_code"].to_dict())
    m["locality"] = m["ward"].map(d["locality_code"].to_dict())
    m["city"] = CITY_CODE
    frames = []
    for level in ("ward", "neighbourhood", "locality", "city"):
        g = m.groupby(["indicator_id", "period", level]).agg(
            numerator=("numerator", lambda s: s.sum(min_count=1)),
            denominator=("denominator", lambda s: s.sum(min_count=1)),
            n_suppressed=("suppressed", "sum"),
            n_units=("unit_code", "count"),
        )
        g = g.reset_index().rename(columns={level: "area_code"})
        g["area_type"] = level
        frames.append(g)
    return pd.concat(frames, ignore_index=True)


def by_key(df: pd.DataFrame) -> pd.DataFrame:
    return df.set_index(["indicator_id", "period", "area_type", "area_code"]).sort_index()


@pytest.fixture()
def definition() -> pd.DataFrame:
    return make_definition()


@pytest.fixture()
def rolled(definition: pd.DataFrame) -> pd.DataFrame:
    return aggregate.roll_up(make_measures(), UNIT_TO_WARD, definition)


@pytest.fixture()
def computed(rolled: pd.DataFrame) -> pd.DataFrame:
    return by_key(aggregate.compute_values(rolled, INDICATORS))


# ----------------------------------------------------------------- roll_up


def test_roll_up_sums_like_an_independent_groupby(rolled: pd.DataFrame, definition: pd.DataFrame) -> None:
    got = by_key(rolled)
    exp = by_key(expected_sums(make_measures(), definition))
    assert got.index.equals(exp.index)
    for col in ("numerator", "denominator"):
        np.testing.assert_array_equal(got[col].to_numpy(float), exp[col].to_numpy(float), err_msg=col)
    np.testing.assert_array_equal(got["n_suppressed"].to_numpy(int), exp["n_suppressed"].to_numpy(int))
    np.testing.assert_array_equal(got["n_units"].to_numpy(int), exp["n_units"].to_numpy(int))


def test_roll_up_row_counts_parents_and_names(rolled: pd.DataFrame, definition: pd.DataFrame) -> None:
    one = rolled[(rolled["indicator_id"] == "prop") & (rolled["period"] == "2020")]
    assert one["area_type"].value_counts().to_dict() == {"ward": 4, "neighbourhood": 2, "locality": 1, "city": 1}
    d = definition.set_index("ward_code")
    wards = one[one["area_type"] == "ward"].set_index("area_code")
    assert wards["parent_code"].to_dict() == d["neighbourhood_code"].to_dict()
    assert wards["area_name"].to_dict() == d["ward_name"].to_dict()
    nbs = one[one["area_type"] == "neighbourhood"].set_index("area_code")
    assert nbs["parent_code"].to_dict() == {"NA": "NORTH", "NB": "NORTH"}
    assert nbs["area_name"].to_dict() == {"NA": "Neighbourhood NA", "NB": "Neighbourhood NB"}
    assert one.loc[one["area_type"] == "locality", "parent_code"].tolist() == [CITY_CODE]
    assert one.loc[one["area_type"] == "city", "parent_code"].tolist() == [ENGLAND_CODE]


def test_roll_up_returns_units_when_asked(definition: pd.DataFrame) -> None:
    names = pd.Series({u: f"Area {u}" for u in UNIT_TO_WARD.index})
    out = aggregate.roll_up(make_measures(), UNIT_TO_WARD, definition, unit_type="lsoa", unit_names=names)
    units = out[(out["area_type"] == "lsoa") & (out["indicator_id"] == "prop") & (out["period"] == "2020")].set_index(
        "area_code"
    )
    assert len(units) == 8
    assert units["parent_code"].to_dict() == UNIT_TO_WARD.to_dict()
    assert units["area_name"].to_dict() == names.to_dict()
    assert units["numerator"].to_dict() == {u: o for u, (o, _) in PROP.items()}
    assert units["n_suppressed"].to_dict() == {u: int(u in ("U1", "U5")) for u in UNIT_TO_WARD.index}


def test_roll_up_carries_n_suppressed(rolled: pd.DataFrame) -> None:
    r = by_key(rolled).loc[("prop", "2020")]
    assert r.loc[("ward", W1), "n_suppressed"] == 1
    assert r.loc[("ward", W2), "n_suppressed"] == 0
    assert r.loc[("neighbourhood", "NA"), "n_suppressed"] == 1
    assert r.loc[("neighbourhood", "NB"), "n_suppressed"] == 1
    assert r.loc[("locality", "NORTH"), "n_suppressed"] == 2
    assert r.loc[("city", CITY_CODE), "n_suppressed"] == 2
    assert (by_key(rolled).loc[("prop", "2021"), "n_suppressed"] == 0).all()


def test_roll_up_names_unknown_unit_codes(definition: pd.DataFrame) -> None:
    m = make_measures()
    m.loc[0, "unit_code"] = "UX_NOT_THERE"
    with pytest.raises(aggregate.AggregationError, match="UX_NOT_THERE"):
        aggregate.roll_up(m, UNIT_TO_WARD, definition)


def test_roll_up_names_wards_outside_the_definition(definition: pd.DataFrame) -> None:
    lookup = UNIT_TO_WARD.copy()
    lookup["U8"] = "E05999999"
    with pytest.raises(aggregate.AggregationError, match="E05999999"):
        aggregate.roll_up(make_measures(), lookup, definition)


def test_moving_a_ward_moves_its_counts(rolled: pd.DataFrame) -> None:
    moved = aggregate.roll_up(make_measures(), UNIT_TO_WARD, make_definition({W2: "NB"}))
    before, after = by_key(rolled), by_key(moved)
    for ind, period in (("prop", "2020"), ("prop", "2021"), ("rate", "2020"), ("cnt", "2020")):
        b, a = before.loc[(ind, period)], after.loc[(ind, period)]
        w2 = b.loc[("ward", W2)]
        for col in ("numerator", "denominator"):
            if pd.isna(w2[col]):
                continue
            assert a.loc[("neighbourhood", "NA"), col] == b.loc[("neighbourhood", "NA"), col] - w2[col]
            assert a.loc[("neighbourhood", "NB"), col] == b.loc[("neighbourhood", "NB"), col] + w2[col]
            assert a.loc[("city", CITY_CODE), col] == b.loc[("city", CITY_CODE), col]
            assert a.loc[("ward", W2), col] == w2[col]
        assert a.loc[("ward", W2), "parent_code"] == "NB"
    # and with every unit of NA now only from W1, NA's total is W1's total
    a = after.loc[("prop", "2020")]
    assert a.loc[("neighbourhood", "NA"), "numerator"] == a.loc[("ward", W1), "numerator"]


# ----------------------------------------------------------------- compute_values


def test_rates_are_ratio_of_sums_not_mean_of_rates(computed: pd.DataFrame) -> None:
    # ward W1 = U1 (1/10 = 10%) + U2 (50/100 = 50%): mean of rates 30%, ratio of sums 51/110
    v = computed.loc[("prop", "2020", "ward", W1), "value"]
    assert v == pytest.approx(51 / 110 * 100, rel=1e-12)
    assert v != pytest.approx((1 / 10 + 50 / 100) / 2 * 100, rel=1e-3)
    # the city: sum over all units
    o = sum(o for o, _ in PROP.values())
    n = sum(n for _, n in PROP.values())
    assert computed.loc[("prop", "2020", "city", CITY_CODE), "value"] == pytest.approx(o / n * 100, rel=1e-12)
    mean_of_unit_rates = np.mean([a / b for a, b in PROP.values()]) * 100
    assert computed.loc[("prop", "2020", "city", CITY_CODE), "value"] != pytest.approx(mean_of_unit_rates, rel=1e-3)
    # crude rate per 1,000
    o = RATE["U1"][0] + RATE["U2"][0]
    n = RATE["U1"][1] + RATE["U2"][1]
    assert computed.loc[("rate", "2020", "ward", W1), "value"] == pytest.approx(o / n * 1000, rel=1e-12)


def test_wilson_limits_match_lib_stats_and_statsmodels(computed: pd.DataFrame) -> None:
    rows = computed.loc[("prop",)]
    assert len(rows) == 16
    for level, (lo_col, hi_col) in LIMITS.items():
        o, n = rows["numerator"].to_numpy(), rows["denominator"].to_numpy()
        lo, hi = stats.wilson_interval(o, n, Z[level])
        np.testing.assert_allclose(rows[lo_col], lo * 100, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(rows[hi_col], hi * 100, rtol=1e-12, atol=1e-12)
        sm_lo, sm_hi = proportion_confint(o, n, alpha=ALPHA[level], method="wilson")
        np.testing.assert_allclose(rows[lo_col], np.asarray(sm_lo) * 100, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(rows[hi_col], np.asarray(sm_hi) * 100, rtol=1e-6, atol=1e-8)
    assert (rows["lower_95"] <= rows["value"]).all() and (rows["value"] <= rows["upper_95"]).all()


def test_wilson_edge_cases_on_unit_rows(definition: pd.DataFrame) -> None:
    """Unit rows too: U4 has 0 events (lower limit 0), U7 has every event (upper limit 100%)."""
    out = aggregate.roll_up(make_measures(), UNIT_TO_WARD, definition, unit_type="lsoa")
    vals = by_key(aggregate.compute_values(out, INDICATORS)).loc[("prop", "2020", "lsoa")]
    assert vals.loc["U4", "lower_95"] == 0.0 and vals.loc["U4", "value"] == 0.0
    assert vals.loc["U7", "upper_95"] == 100.0 and vals.loc["U7", "value"] == 100.0
    for u in ("U4", "U7"):
        o, n = PROP[u]
        sm_lo, sm_hi = proportion_confint(o, n, alpha=0.05, method="wilson")
        assert vals.loc[u, "lower_95"] == pytest.approx(sm_lo * 100, rel=1e-6, abs=1e-9)
        assert vals.loc[u, "upper_95"] == pytest.approx(sm_hi * 100, rel=1e-6, abs=1e-9)


def _byar_or_exact(o: float, z: float, alpha: float) -> tuple[float, float]:
    """Independent count limits: Byar for O >= 10, exact chi-squared Poisson limits below."""
    if o >= 10:
        lo = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        hi = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3
        return lo, hi
    lo = 0.0 if o == 0 else chi2.ppf(alpha / 2, 2 * o) / 2
    return lo, chi2.ppf(1 - alpha / 2, 2 * o + 2) / 2


def test_byar_limits_match_lib_stats_and_the_formula(computed: pd.DataFrame) -> None:
    rows = computed.loc[("rate", "2020")]
    assert (rows["numerator"] < 10).any() and (rows["numerator"] >= 10).any()  # both branches used
    for level, (lo_col, hi_col) in LIMITS.items():
        o, n = rows["numerator"].to_numpy(), rows["denominator"].to_numpy()
        lo, hi = stats.poisson_interval(o, Z[level])
        np.testing.assert_allclose(rows[lo_col], lo / n * 1000, rtol=1e-12)
        np.testing.assert_allclose(rows[hi_col], hi / n * 1000, rtol=1e-12)
        alpha = 2 * norm.sf(Z[level])
        indep = np.array([_byar_or_exact(x, Z[level], alpha) for x in o])
        np.testing.assert_allclose(rows[lo_col], indep[:, 0] / n * 1000, rtol=1e-9)
        np.testing.assert_allclose(rows[hi_col], indep[:, 1] / n * 1000, rtol=1e-9)


def test_weighted_mean_for_scores(computed: pd.DataFrame, definition: pd.DataFrame) -> None:
    rows = computed.loc[("score", "2020")]
    d = definition.set_index("ward_code")["neighbourhood_code"]
    for nb in ("NA", "NB"):
        units = [u for u, w in UNIT_TO_WARD.items() if d[w] == nb]
        exp = np.average([SCORE[u][0] for u in units], weights=[SCORE[u][1] for u in units])
        assert rows.loc[("neighbourhood", nb), "value"] == pytest.approx(exp, rel=1e-12)
        assert rows.loc[("neighbourhood", nb), "denominator"] == sum(SCORE[u][1] for u in units)
    exp_city = np.average([v for v, _ in SCORE.values()], weights=[w for _, w in SCORE.values()])
    assert rows.loc[("city", CITY_CODE), "value"] == pytest.approx(exp_city, rel=1e-12)
    assert rows["numerator"].isna().all(), "a weighted sum is not a count: the numerator is blanked"
    assert rows[["lower_95", "upper_95", "lower_998", "upper_998"]].isna().all().all()


def test_counts_are_summed_without_interval(computed: pd.DataFrame) -> None:
    rows = computed.loc[("cnt", "2020")]
    assert rows.loc[("city", CITY_CODE), "value"] == sum(CNT.values())
    assert rows.loc[("ward", W4), "value"] == CNT["U7"] + CNT["U8"]
    assert rows["denominator"].isna().all()
    assert rows[["lower_95", "upper_95"]].isna().all().all()


def test_published_values_are_kept(rolled: pd.DataFrame) -> None:
    row = pd.DataFrame([{**aggregate.england_row("score", "2020", np.nan, np.nan), "value": 100.0}])
    out = aggregate.compute_values(pd.concat([rolled, row], ignore_index=True), INDICATORS)
    assert out.loc[out["area_type"] == "england", "value"].tolist() == [100.0]


# ----------------------------------------------------------------- add_comparisons


def _frame(rows: list[tuple]) -> pd.DataFrame:
    cols = ["indicator_id", "area_type", "area_code", "value", "lower_95", "upper_95"]
    df = pd.DataFrame(rows, columns=cols)
    df["period"] = "2020"
    return df


COMP_INDICATORS = pd.DataFrame(
    [
        {"indicator_id": "low", "polarity": "lower_is_better", "ci_method": "wilson"},
        {"indicator_id": "high", "polarity": "higher_is_better", "ci_method": "wilson"},
        {"indicator_id": "nj", "polarity": "no_judgement", "ci_method": "wilson"},
        {"indicator_id": "est", "polarity": "lower_is_better", "ci_method": "none"},
    ]
)


@pytest.mark.parametrize(
    ("indicator", "above", "below"),
    [("low", "worse", "better"), ("high", "better", "worse"), ("nj", "higher", "lower")],
)
def test_add_comparisons_by_polarity(indicator: str, above: str, below: str) -> None:
    df = _frame(
        [
            (indicator, "england", ENGLAND_CODE, 10.0, 9.9, 10.1),
            (indicator, "city", CITY_CODE, 12.0, 11.0, 13.0),  # England (10) below its CI
            (indicator, "neighbourhood", "A", 15.0, 14.0, 16.0),  # above both benchmarks
            (indicator, "neighbourhood", "B", 10.5, 9.0, 11.5),  # England inside; city above the CI
            (indicator, "neighbourhood", "C", 11.0, 10.0, 12.0),  # both inside (limits inclusive)
            (indicator, "neighbourhood", "D", 5.0, 4.0, 6.0),  # below both
            (indicator, "ward", "E", np.nan, np.nan, np.nan),  # no value
        ]
    )
    out = aggregate.add_comparisons(df, COMP_INDICATORS).set_index("area_code")
    assert out.loc[ENGLAND_CODE, "vs_england"] == "not_compared"
    assert out.loc[ENGLAND_CODE, "vs_city"] == "not_compared"
    assert out.loc[CITY_CODE, "vs_city"] == "not_compared"
    assert out.loc[CITY_CODE, "vs_england"] == above
    assert out.loc["A", ["vs_england", "vs_city"]].tolist() == [above, above]
    assert out.loc["B", ["vs_england", "vs_city"]].tolist() == ["similar", below]
    assert out.loc["C", ["vs_england", "vs_city"]].tolist() == ["similar", "similar"]
    assert out.loc["D", ["vs_england", "vs_city"]].tolist() == [below, below]
    assert out.loc["E", ["vs_england", "vs_city"]].tolist() == ["not_compared", "not_compared"]


def test_add_comparisons_not_compared_without_interval_method() -> None:
    df = _frame(
        [
            ("est", "england", ENGLAND_CODE, 10.0, np.nan, np.nan),
            ("est", "city", CITY_CODE, 30.0, np.nan, np.nan),
            ("est", "neighbourhood", "A", 50.0, 49.0, 51.0),  # even with limits present
        ]
    )
    out = aggregate.add_comparisons(df, COMP_INDICATORS)
    assert (out[["vs_england", "vs_city"]] == "not_compared").all().all()


def test_add_comparisons_not_compared_without_benchmark() -> None:
    df = _frame([("low", "neighbourhood", "A", 50.0, 49.0, 51.0), ("low", "city", CITY_CODE, 20.0, 19.0, 21.0)])
    out = aggregate.add_comparisons(df, COMP_INDICATORS).set_index("area_code")
    assert out.loc["A", "vs_england"] == "not_compared"  # no England row
    assert out.loc["A", "vs_city"] == "worse"


def test_end_to_end_toy_comparison_is_consistent(rolled: pd.DataFrame) -> None:
    """roll_up -> compute_values -> add_comparisons: each word agrees with the interval and city value."""
    vals = aggregate.add_comparisons(aggregate.compute_values(rolled, INDICATORS), INDICATORS)
    prop = vals[(vals["indicator_id"] == "prop") & (vals["period"] == "2020")]
    city = float(prop.loc[prop["area_type"] == "city", "value"].iloc[0])
    checked = 0
    for _, r in prop[prop["area_type"] != "city"].iterrows():
        if r["lower_95"] <= city <= r["upper_95"]:
            exp = "similar"
        else:
            exp = "worse" if r["value"] > city else "better"  # lower_is_better
        assert r["vs_city"] == exp, r.to_dict()
        checked += 1
    assert checked == 7
    assert (vals["vs_england"] == "not_compared").all()  # no England rows in the toy
    assert (vals.loc[vals["indicator_id"].isin(["score", "cnt"]), "vs_city"] == "not_compared").all()
