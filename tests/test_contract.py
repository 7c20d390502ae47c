"""The committed dataset (``profiles/``) keeps the data contract of GUIDE.md section 3.

Also checks that :func:`lib.core.contract.validate_values` really catches the breaches it claims to.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.core import contract
from tests.conftest import REPO, read_all_values, read_profile_csv

PROFILES = REPO / "profiles"

# The allowed words, transcribed from GUIDE.md section 3 (independently of lib.core.contract).
GUIDE_FAMILIES = {"outcome", "cohort", "activity", "context"}
GUIDE_VALUE_TYPES = {"proportion", "rate", "ratio", "score", "count", "share"}
GUIDE_POLARITIES = {"lower_is_better", "higher_is_better", "no_judgement"}
GUIDE_CI_METHODS = {"wilson", "byar", "dobson", "none"}
#: The contract's extension for intervals taken as the source publishes them (issue 18: ONS life expectancy).
PUBLISHED_CI_METHODS = {"published"}
GUIDE_STATUSES = {"real", "derived", "modelled"}
GUIDE_AREA_TYPES = {"lsoa", "ward", "neighbourhood", "locality", "city", "england"}
#: The contract's extension for the registered population (issue 18): GP practices and their PCNs.
REGISTERED_AREA_TYPES = {"practice", "pcn"}
#: ... and for figures published only for MSOA 2011 (issue 18: life expectancy).
MSOA_AREA_TYPES = {"msoa"}
#: The contract's extension for LSOA 2021 small areas (issue 18: Census 2021, IoD2025, fuel poverty).
LSOA21_AREA_TYPES = {"lsoa21"}
GUIDE_COMPARISONS = {"better", "similar", "worse", "higher", "lower", "not_compared"}

CI_COLS = ["lower_95", "upper_95", "lower_998", "upper_998"]
SUB_CITY = ["ward", "neighbourhood", "locality", "lsoa"]


@pytest.fixture(scope="module")
def indicators() -> pd.DataFrame:
    return read_profile_csv(PROFILES / "indicators.csv")


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return read_all_values(PROFILES.parent)


@pytest.fixture(scope="module")
def values_meta(values: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    meta = indicators.set_index("indicator_id")[["value_type", "ci_method", "polarity"]]
    return values.join(meta, on="indicator_id")


# ----------------------------------------------------------------- the committed tables pass


def test_committed_indicators_pass_the_contract(indicators: pd.DataFrame) -> None:
    assert list(indicators.columns) == contract.INDICATOR_COLUMNS
    problems = contract.validate_indicators(indicators)
    assert problems == [], "\n".join(map(str, problems))


def test_committed_values_pass_the_contract(values: pd.DataFrame, indicators: pd.DataFrame) -> None:
    assert list(values.columns) == contract.VALUE_COLUMNS
    problems = contract.validate_values(values, indicators)
    assert problems == [], "\n".join(map(str, problems))


def test_lib_contract_words_match_the_guide() -> None:
    assert set(contract.FAMILIES) == GUIDE_FAMILIES
    assert set(contract.VALUE_TYPES) == GUIDE_VALUE_TYPES
    assert set(contract.POLARITIES) == GUIDE_POLARITIES
    assert set(contract.CI_METHODS) == GUIDE_CI_METHODS | PUBLISHED_CI_METHODS
    assert set(contract.STATUSES) == GUIDE_STATUSES
    assert set(contract.AREA_TYPES) == GUIDE_AREA_TYPES | REGISTERED_AREA_TYPES | MSOA_AREA_TYPES | LSOA21_AREA_TYPES
    assert set(contract.COMPARISONS) == GUIDE_COMPARISONS


@pytest.mark.parametrize(
    ("column", "allowed"),
    [
        ("family", GUIDE_FAMILIES),
        ("value_type", GUIDE_VALUE_TYPES),
        ("polarity", GUIDE_POLARITIES),
        ("ci_method", GUIDE_CI_METHODS | PUBLISHED_CI_METHODS),
        ("status", GUIDE_STATUSES),
    ],
)
def test_indicator_words_allowed(indicators: pd.DataFrame, column: str, allowed: set[str]) -> None:
    bad = indicators.loc[~indicators[column].isin(allowed), ["indicator_id", column]]
    assert bad.empty, f"{column} outside {sorted(allowed)}:\n{bad.to_string()}"


def test_value_words_allowed(values: pd.DataFrame) -> None:
    assert set(values["area_type"]) <= GUIDE_AREA_TYPES | REGISTERED_AREA_TYPES | MSOA_AREA_TYPES | LSOA21_AREA_TYPES
    for col in ("vs_england", "vs_city"):
        assert values[col].notna().all(), f"{col} has blanks (should be not_compared)"
        assert set(values[col]) <= GUIDE_COMPARISONS


def test_every_indicator_has_values_and_every_value_an_indicator(
    values: pd.DataFrame, indicators: pd.DataFrame
) -> None:
    assert set(values["indicator_id"]) == set(indicators["indicator_id"])
    assert not indicators["indicator_id"].duplicated().any()
    assert not values.duplicated(["indicator_id", "period", "area_type", "area_code"]).any()


def test_comparison_words_follow_polarity(values_meta: pd.DataFrame) -> None:
    for col in ("vs_england", "vs_city"):
        nj = values_meta["polarity"] == "no_judgement"
        assert not values_meta.loc[nj, col].isin(["better", "worse"]).any()
        assert not values_meta.loc[~nj, col].isin(["higher", "lower"]).any()


# ----------------------------------------------------------------- blanks, never zeros


def test_no_placeholder_text_for_missing(values: pd.DataFrame) -> None:
    text = "\n".join(
        (PROFILES / f).read_text(encoding="utf-8") for f in ("values.csv", "lsoa21_values.csv", "registered_values.csv")
    )
    cells = {c for line in text.splitlines() for c in line.split(",")}
    placeholders = {"nan", "NaN", "None", "<NA>", "inf", "-inf", "null", "NULL"}
    assert not (cells & placeholders), f"placeholder text in values.csv: {sorted(cells & placeholders)}"
    assert "\r" not in text


def test_weighted_means_have_blank_numerator(values_meta: pd.DataFrame) -> None:
    wm = values_meta[values_meta["value_type"].isin(["score", "ratio"])]
    assert len(wm) > 0
    assert wm["numerator"].isna().all(), "score/ratio rows must not carry a numerator (a weighted sum is not a count)"
    # where a weighted mean was computed from counts, the weights (denominator) are there
    summed = wm[wm["area_type"].isin(SUB_CITY)]
    assert len(summed) > 0
    assert summed["denominator"].gt(0).all()
    assert summed["value"].notna().all()


def test_no_interval_where_no_ci_method(values_meta: pd.DataFrame) -> None:
    none = values_meta[values_meta["ci_method"] == "none"]
    assert len(none) > 0
    filled = none[none[CI_COLS].notna().any(axis=1)]
    assert filled.empty, f"intervals for ci_method none:\n{filled.head().to_string()}"
    assert (none[["vs_england", "vs_city"]] == "not_compared").all().all()


def test_interval_present_where_counts_present(values_meta: pd.DataFrame) -> None:
    w = values_meta[
        (values_meta["ci_method"] == "wilson") & values_meta["numerator"].notna() & values_meta["denominator"].gt(0)
    ]
    assert len(w) > 0
    assert w[CI_COLS + ["value"]].notna().all().all()


def test_counts_have_blank_denominator(values_meta: pd.DataFrame) -> None:
    counts = values_meta[values_meta["value_type"] == "count"]
    assert len(counts) > 0
    assert counts["denominator"].isna().all(), "a count has no denominator: blank, not 0"
    assert (counts["value"] == counts["numerator"]).all()


def test_no_zero_denominators(values: pd.DataFrame) -> None:
    assert not (values["denominator"] == 0).any(), "a zero denominator means 'no value': leave it blank"


def test_city_only_indicators_have_no_small_area_rows(values_meta: pd.DataFrame) -> None:
    types = values_meta.groupby("indicator_id")["area_type"].agg(set)
    city_only = types[types.map(lambda s: not (s & set(SUB_CITY)))].index
    # QOF modelled prevalence is published for local authorities only (shared/data README)
    qof = [i for i in types.index if i.startswith("qof_")]
    assert qof and set(qof) <= set(city_only)
    rows = values_meta[values_meta["indicator_id"].isin(city_only)]
    assert not rows["area_type"].isin(SUB_CITY).any()
    # an indicator with small-area rows has all of ward, neighbourhood and locality
    # (except the modelled shares of the city's activity targets, split at neighbourhood level by design)
    targets = [i for i in types.index if i.startswith("target_")]
    assert all(types[i] == {"neighbourhood", "locality", "city"} for i in targets)
    # registered-patient indicators are built from practices, never from wards: every level but ward
    registered = [i for i in types.index if i.startswith("reg_")]
    assert registered and all(
        types[i] == {"practice", "pcn", "neighbourhood", "locality", "city", "england"} for i in registered
    )
    types = types.drop(targets + registered)
    partial = types[
        types.map(
            lambda s: bool(s & {"ward", "neighbourhood", "locality"}) and not {"ward", "neighbourhood", "locality"} <= s
        )
    ]
    assert partial.empty, f"indicators with only some of ward/neighbourhood/locality: {list(partial.index)}"


def test_england_rows_have_no_parent_and_others_do(values: pd.DataFrame) -> None:
    eng = values[values["area_type"] == "england"]
    assert len(eng) > 0 and eng["parent_code"].isna().all()
    assert values.loc[values["area_type"] != "england", "parent_code"].notna().all()


# ----------------------------------------------------------------- validate_values catches breaches


@pytest.fixture()
def sample(values: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """A slice with a polarity-judged indicator with intervals and a no_judgement one."""
    judged = indicators.loc[
        (indicators["ci_method"] == "wilson") & (indicators["polarity"] != "no_judgement"), "indicator_id"
    ].iloc[0]
    unjudged = indicators.loc[indicators["polarity"] == "no_judgement", "indicator_id"].iloc[0]
    s = pd.concat(
        [values[values["indicator_id"] == judged].head(40), values[values["indicator_id"] == unjudged].head(10)],
        ignore_index=True,
    )
    assert contract.validate_values(s, indicators) == []  # the clean slice passes
    return s


def _messages(df: pd.DataFrame, indicators: pd.DataFrame) -> str:
    return "\n".join(p.message for p in contract.validate_values(df, indicators))


def test_validate_values_flags_duplicated_key(sample: pd.DataFrame, indicators: pd.DataFrame) -> None:
    bad = pd.concat([sample, sample.iloc[[3]]], ignore_index=True)
    assert "1 duplicated indicator/period/area rows" in _messages(bad, indicators)


def test_validate_values_flags_unknown_indicator(sample: pd.DataFrame, indicators: pd.DataFrame) -> None:
    bad = sample.copy()
    bad.loc[0, "indicator_id"] = "no_such_indicator"
    msg = _messages(bad, indicators)
    assert "indicator_id not in indicators.csv" in msg and "no_such_indicator" in msg


def test_validate_values_flags_judgement_on_no_judgement_indicator(
    sample: pd.DataFrame, indicators: pd.DataFrame
) -> None:
    pol = sample["indicator_id"].map(indicators.set_index("indicator_id")["polarity"])
    bad = sample.copy()
    row = bad.index[pol == "no_judgement"][0]
    bad.loc[row, "vs_england"] = "better"
    assert "vs_england says better/worse for a no_judgement indicator" in _messages(bad, indicators)
    bad2 = sample.copy()
    bad2.loc[row, "vs_city"] = "worse"
    assert "vs_city says better/worse for a no_judgement indicator" in _messages(bad2, indicators)


def test_validate_values_flags_interval_excluding_value(sample: pd.DataFrame, indicators: pd.DataFrame) -> None:
    row = sample.index[sample["upper_95"].notna()][0]
    bad = sample.copy()
    bad.loc[row, "value"] = bad.loc[row, "upper_95"] + 1.0  # above the 95% and the 99.8% upper limit
    msg = _messages(bad, indicators)
    assert "value lies outside [lower_95, upper_95]" in msg


def test_validate_values_flags_blank_comparison(sample: pd.DataFrame, indicators: pd.DataFrame) -> None:
    bad = sample.copy()
    bad.loc[0, "vs_city"] = np.nan
    assert "vs_city is blank in 1 rows" in _messages(bad, indicators)


def test_validate_indicators_flags_bad_word(indicators: pd.DataFrame) -> None:
    bad = indicators.copy()
    bad.loc[0, "family"] = "wellbeing"
    msgs = [p.message for p in contract.validate_indicators(bad)]
    assert any(m.startswith("family not one of") and bad.loc[0, "indicator_id"] in m for m in msgs)
