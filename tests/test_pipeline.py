"""The pipeline and its output: determinism, published cross-checks, additivity, intervals,
comparisons, seed tables, and how it fails on bad input.

Most checks run on both the committed dataset (``profiles/``, ``geodata/``) and a fresh rebuild
into a temp dir (built once per session by the ``rebuilt_dataset`` fixture in conftest.py).
The only hard-coded expected numbers are the published cross-check figures of
``shared/data/README.md`` ("Cross-check figures the pipeline should reproduce") and of the seed
README (229,191 / 229,192, 28,540 / 28,450).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from lib.core.definitions import CITY_CODE, ENGLAND_CODE, DefinitionError, read_definition
from lib.methods import stats
from lib.pipeline import parts
from tests.conftest import DEFINITION_CSV, REPO, RebuiltDataset, read_all_values, read_profile_csv

SUMMED_TYPES = ("proportion", "share", "count", "rate")
WEIGHTED_TYPES = ("score", "ratio")
ALPHA = {"95": 0.05, "99.8": 0.002}
LIMITS = {"95": ("lower_95", "upper_95"), "99.8": ("lower_998", "upper_998")}
#: Values are written rounded to 6 decimals.
ATOL = 1e-5


# ----------------------------------------------------------------- datasets


class Dataset:
    """The tables of one dataset folder (committed repo or a rebuild)."""

    def __init__(self, root: Path, label: str) -> None:
        self.root = root
        self.label = label
        self.indicators = read_profile_csv(root / "profiles" / "indicators.csv")
        self.values = read_all_values(root)
        self.definition = read_profile_csv(root / "geodata" / "neighbourhoods.csv")
        meta = self.indicators.set_index("indicator_id")
        self.v = self.values.join(meta[["value_type", "ci_method", "polarity", "multiplier"]], on="indicator_id")

    def seed(self, name: str) -> pd.DataFrame:
        return read_profile_csv(self.root / "profiles" / "seeds" / f"{name}.csv")

    def one(self, indicator: str, period: str, area_type: str, column: str = "value") -> float:
        sel = self.values[
            (self.values["indicator_id"] == indicator)
            & (self.values["period"] == period)
            & (self.values["area_type"] == area_type)
        ]
        assert len(sel) == 1, f"{self.label}: expected one {area_type} row for {indicator} {period}, found {len(sel)}"
        return float(sel[column].iloc[0])


@pytest.fixture(scope="module")
def committed() -> Dataset:
    return Dataset(REPO, "committed")


@pytest.fixture(scope="module", params=["committed", "rebuilt"])
def dataset(request: pytest.FixtureRequest, committed: Dataset) -> Dataset:
    if request.param == "committed":
        return committed
    rebuilt: RebuiltDataset = request.getfixturevalue("rebuilt_dataset")
    return Dataset(rebuilt.root, "rebuilt")


# ----------------------------------------------------------------- 1. determinism


def _first_difference(a: bytes, b: bytes) -> str:
    la, lb = a.decode("utf-8", "replace").splitlines(), b.decode("utf-8", "replace").splitlines()
    for i, (x, y) in enumerate(zip(la, lb), start=1):
        if x != y:
            return f"first difference at line {i}:\n  committed: {x[:300]!r}\n  rebuilt:   {y[:300]!r}"
    return f"files agree on their first {min(len(la), len(lb))} lines; lengths {len(la)} vs {len(lb)} lines, {len(a)} vs {len(b)} bytes"


def test_rebuild_is_byte_identical_to_committed(rebuilt_dataset: RebuiltDataset) -> None:
    root = rebuilt_dataset.root
    assert rebuilt_dataset.written, "build_all wrote nothing"
    problems = []
    for path in rebuilt_dataset.written:
        rel = path.relative_to(root)
        committed = REPO / rel
        if not committed.exists():
            problems.append(f"{rel}: written by the pipeline but not committed")
            continue
        a, b = committed.read_bytes(), path.read_bytes()
        if a != b:
            problems.append(f"{rel} differs from the committed file; {_first_difference(a, b)}")
    assert not problems, "Rebuild is not byte-identical (re-run `python -m lib.pipeline` and commit):\n" + "\n".join(
        problems
    )


def test_every_committed_output_is_produced_by_the_pipeline(rebuilt_dataset: RebuiltDataset) -> None:
    written = {p.relative_to(rebuilt_dataset.root) for p in rebuilt_dataset.written}
    committed = {
        p.relative_to(REPO)
        for pat in ("geodata/*.geojson", "profiles/*.csv", "profiles/seeds/*.csv")
        for p in REPO.glob(pat)
    }
    stale = sorted(map(str, committed - written))
    assert not stale, f"committed outputs the pipeline no longer writes (stale): {stale}"
    # the definition is an input: the build must leave it untouched
    assert (rebuilt_dataset.root / "geodata" / "neighbourhoods.csv").read_bytes() == DEFINITION_CSV.read_bytes()


# ----------------------------------------------------------------- 2. published cross-checks


def test_population_mid2020(dataset: Dataset) -> None:
    assert dataset.one("population", "mid-2020", "city") == 555_741
    assert dataset.one("population", "mid-2020", "england") == 56_550_138
    assert (
        len(dataset.values[(dataset.values["indicator_id"] == "population") & (dataset.values["area_type"] == "lsoa")])
        == 282
    )


@pytest.mark.parametrize(
    ("indicator", "city", "england"),
    [
        ("population_age_0_15", 112_531, 10_852_240),
        ("population_age_65plus", 51_557, 10_464_019),
        ("population_age_75plus", 22_162, None),
        ("population_age_85plus", 6_323, None),
    ],
)
def test_population_by_age_mid2020(dataset: Dataset, indicator: str, city: int, england: int | None) -> None:
    assert dataset.one(indicator, "mid-2020", "city", "numerator") == city
    assert dataset.one(indicator, "mid-2020", "city", "denominator") == 555_741
    if england is not None:
        assert dataset.one(indicator, "mid-2020", "england", "numerator") == england
        assert dataset.one(indicator, "mid-2020", "england", "denominator") == 56_550_138


def test_imd2019_average_rank(dataset: Dataset) -> None:
    assert round(dataset.one("imd_average_rank", "IoD2019", "city"), 2) == 26_417.75


def test_imd2019_share_of_lsoas_in_decile_1(dataset: Dataset) -> None:
    v = dataset.values
    lsoa = v[(v["indicator_id"] == "imd_most_deprived_10pct") & (v["period"] == "IoD2019") & (v["area_type"] == "lsoa")]
    assert len(lsoa) == 282 and lsoa["area_code"].is_unique
    assert set(lsoa["value"]) <= {0.0, 100.0}, "an LSOA is either wholly in decile 1 or not"
    in_d1 = int((lsoa["value"] == 100).sum())
    assert in_d1 == 122
    assert round(100 * in_d1 / len(lsoa), 2) == 43.26


def test_imd2025_share_of_lsoa21_in_decile_1(data_dir: Path) -> None:
    """Raw IMD2025 joined through the pipeline's own lookups: 120 of 295 (40.68%)."""
    from lib.pipeline import sources

    lk = parts.load_lookups(data_dir, sources.population2020(data_dir))
    imd = sources.imd2025(data_dir)
    man = imd[imd["lsoa21_code"].isin(lk.lsoa21_lsoa11.index)]
    assert len(man) == 295
    assert lk.lsoa21_ward.reindex(man["lsoa21_code"]).notna().all(), "every Manchester LSOA 2021 reaches a ward"
    in_d1 = int((man["imd_decile"] == 1).sum())
    assert in_d1 == 120
    assert round(100 * in_d1 / len(man), 2) == 40.68


def test_census2021_disability(dataset: Dataset) -> None:
    assert dataset.one("disability", "Census 2021", "city", "numerator") == 96_719
    assert dataset.one("disability", "Census 2021", "england", "numerator") == 9_774_486
    assert dataset.one("disability", "Census 2021", "england", "denominator") == 56_490_046
    assert round(dataset.one("disability", "Census 2021", "england"), 2) == 17.30


def test_dwp_england_sums(dataset: Dataset) -> None:
    assert dataset.one("children_low_income", "2021/22", "england", "numerator") == 2_575_842
    assert dataset.one("universal_credit_households", "2023-11", "england", "numerator") == 4_653_811


@pytest.mark.parametrize(
    ("code", "england", "manchester"),
    [("dm", 7.07, 6.39), ("dep", 11.55, 12.36), ("mh", 0.93, 1.23), ("dem", 0.78, 0.44), ("ld", 0.51, 0.48)],
)
def test_qof_prevalence(dataset: Dataset, code: str, england: float, manchester: float) -> None:
    assert round(dataset.one(f"qof_{code}", "2019/20", "england"), 2) == england
    assert round(dataset.one(f"qof_{code}", "2019/20", "city"), 2) == manchester


# ----------------------------------------------------------------- 3. additivity and hierarchy


def _summed_with_small_areas(ds: Dataset) -> pd.DataFrame:
    v = ds.v[ds.v["value_type"].isin(SUMMED_TYPES)]
    has_nb = v.loc[v["area_type"] == "neighbourhood", "indicator_id"].unique()
    return v[v["indicator_id"].isin(has_nb)]


def test_area_counts_per_indicator_period(dataset: Dataset) -> None:
    v = _summed_with_small_areas(dataset)
    assert v["indicator_id"].nunique() >= 10
    counts = v.groupby(["indicator_id", "period", "area_type"]).size().unstack(fill_value=0)
    # modelled city-target shares are split at neighbourhood level only (no ward rows, by design)
    has_wards = counts["ward"] > 0
    assert has_wards.sum() >= 10
    for area_type, n in (("neighbourhood", 12), ("locality", 3), ("ward", 32), ("city", 1)):
        rows = counts[has_wards] if area_type == "ward" else counts
        bad = rows[rows[area_type] != n]
        assert bad.empty, f"{dataset.label}: not {n} {area_type} rows for:\n{bad.to_string()}"


def _assert_children_sum_to_parents(v: pd.DataFrame, child: str, parent: str, label: str) -> int:
    """Children (by parent_code) sum exactly to their parent row; returns the number of parents checked."""
    kids = v[v["area_type"] == child]
    # only indicator-periods published at the child level (e.g. IoD2025 and DWP have no LSOA rows)
    with_kids = set(zip(kids["indicator_id"], kids["period"]))
    par = v[
        (v["area_type"] == parent) & pd.Series(list(zip(v["indicator_id"], v["period"])), index=v.index).isin(with_kids)
    ]
    par = par.set_index(["indicator_id", "period", "area_code"])
    checked = 0
    for col in ("numerator", "denominator"):
        sums = kids.groupby(["indicator_id", "period", "parent_code"])[col].sum(min_count=1)
        sums.index = sums.index.set_names(["indicator_id", "period", "area_code"])
        joined = pd.concat([sums.rename("children"), par[col].rename("parent")], axis=1, join="outer")
        orphan = joined[joined["parent"].isna() & joined["children"].notna()]
        assert orphan.empty, (
            f"{label}: {child} rows whose parent {parent} row has no {col}:\n{orphan.head().to_string()}"
        )
        both = joined.dropna(subset=["parent"])
        bad = both[both["children"].isna() | ~np.isclose(both["children"], both["parent"], rtol=0, atol=1e-6)]
        assert bad.empty, f"{label}: {child} {col}s do not add up to the {parent}:\n{bad.head(10).to_string()}"
        checked += len(both)
    return checked


def test_summed_indicators_add_up_the_hierarchy(dataset: Dataset) -> None:
    v = _summed_with_small_areas(dataset)
    checked = 0
    checked += _assert_children_sum_to_parents(v, "ward", "neighbourhood", dataset.label)
    checked += _assert_children_sum_to_parents(v, "neighbourhood", "locality", dataset.label)
    checked += _assert_children_sum_to_parents(v, "locality", "city", dataset.label)
    checked += _assert_children_sum_to_parents(v, "lsoa", "ward", dataset.label)
    # and directly: the 12 neighbourhoods make the city
    nb = (
        v[v["area_type"] == "neighbourhood"]
        .groupby(["indicator_id", "period"])[["numerator", "denominator"]]
        .sum(min_count=1)
    )
    city = v[v["area_type"] == "city"].set_index(["indicator_id", "period"])[["numerator", "denominator"]]
    pd.testing.assert_frame_equal(nb.sort_index(), city.sort_index(), check_exact=True, check_names=False)
    assert checked > 1000


def test_weighted_means_are_consistent_up_the_hierarchy(dataset: Dataset) -> None:
    """Weights (denominators) add up, and each parent's value is the weighted mean of its wards'."""
    v = dataset.v[dataset.v["value_type"].isin(WEIGHTED_TYPES)]
    v = v[v["indicator_id"].isin(v.loc[v["area_type"] == "ward", "indicator_id"])]
    assert len(v) > 0
    wards = v[v["area_type"] == "ward"].assign(wv=lambda d: d["value"] * d["denominator"])
    nb = v[v["area_type"] == "neighbourhood"].set_index(["indicator_id", "period", "area_code"])
    g = wards.groupby(["indicator_id", "period", "parent_code"])[["wv", "denominator"]].sum()
    g.index = g.index.set_names(["indicator_id", "period", "area_code"])
    g = g.reindex(nb.index)
    np.testing.assert_array_equal(g["denominator"].to_numpy(), nb["denominator"].to_numpy())
    np.testing.assert_allclose((g["wv"] / g["denominator"]).to_numpy(), nb["value"].to_numpy(), rtol=1e-9, atol=ATOL)


def test_parent_codes_follow_the_definition(dataset: Dataset) -> None:
    d = dataset.definition.set_index("ward_code")
    v = dataset.values
    ward_parent = d["neighbourhood_code"].to_dict()
    nb_parent = d.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")["locality_code"].to_dict()
    nb_name = d.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")["neighbourhood_name"].to_dict()
    assert len(ward_parent) == 32 and len(nb_parent) == 12 and len(set(nb_parent.values())) == 3

    w = v[v["area_type"] == "ward"]
    assert set(w["area_code"]) == set(ward_parent)
    assert (w["parent_code"] == w["area_code"].map(ward_parent)).all()
    assert (w["area_name"] == w["area_code"].map(d["ward_name"].to_dict())).all()
    n = v[v["area_type"] == "neighbourhood"]
    assert set(n["area_code"]) == set(nb_parent)
    assert (n["parent_code"] == n["area_code"].map(nb_parent)).all()
    assert (n["area_name"] == n["area_code"].map(nb_name)).all()
    loc = v[v["area_type"] == "locality"]
    assert set(loc["area_code"]) == set(nb_parent.values())
    assert (loc["parent_code"] == CITY_CODE).all()
    assert (v.loc[v["area_type"] == "city", "area_code"] == CITY_CODE).all()
    assert (v.loc[v["area_type"] == "city", "parent_code"] == ENGLAND_CODE).all()
    assert (v.loc[v["area_type"] == "england", "area_code"] == ENGLAND_CODE).all()


def test_lsoa_parents_match_the_lsoa_layer(dataset: Dataset) -> None:
    feats = json.loads((dataset.root / "geodata" / "lsoa.geojson").read_text(encoding="utf-8"))["features"]
    ward_of = {f["properties"]["code"]: f["properties"]["ward_code"] for f in feats}
    nb_of_ward = dataset.definition.set_index("ward_code")["neighbourhood_code"].to_dict()
    assert len(ward_of) == 282
    assert all(nb_of_ward[f["properties"]["ward_code"]] == f["properties"]["neighbourhood_code"] for f in feats)
    lsoa = dataset.values[dataset.values["area_type"] == "lsoa"]
    assert len(lsoa) > 0
    assert set(lsoa["area_code"]) <= set(ward_of)
    assert (lsoa["parent_code"] == lsoa["area_code"].map(ward_of)).all()


def test_lsoa21_parents_match_the_lsoa21_layer(dataset: Dataset) -> None:
    feats = json.loads((dataset.root / "geodata" / "lsoa21.geojson").read_text(encoding="utf-8"))["features"]
    ward_of = {f["properties"]["code"]: f["properties"]["ward_code"] for f in feats}
    nb_of_ward = dataset.definition.set_index("ward_code")["neighbourhood_code"].to_dict()
    assert len(ward_of) == 295
    assert all(nb_of_ward[f["properties"]["ward_code"]] == f["properties"]["neighbourhood_code"] for f in feats)
    small = dataset.values[dataset.values["area_type"] == "lsoa21"]
    assert set(small["area_code"]) == set(ward_of)
    assert (small["parent_code"] == small["area_code"].map(ward_of)).all()


# ----------------------------------------------------------------- 4. values and intervals recomputed


def test_ratio_of_sums_values_recomputed(dataset: Dataset) -> None:
    v = dataset.v[
        dataset.v["value_type"].isin(("proportion", "share", "rate"))
        & dataset.v["numerator"].notna()
        & dataset.v["denominator"].gt(0)
    ]
    assert len(v) > 1000
    exp = v["numerator"] / v["denominator"] * v["multiplier"]
    np.testing.assert_allclose(v["value"], exp, rtol=1e-9, atol=ATOL)


def test_intervals_equal_a_fresh_recomputation(dataset: Dataset) -> None:
    v = dataset.v
    with_ci = v[v["ci_method"].isin(["wilson", "byar"])]
    has_counts = with_ci["numerator"].notna() & (with_ci["denominator"].gt(0) | (with_ci["value_type"] == "count"))
    # no counts -> no interval (blank, not 0)
    assert with_ci.loc[~has_counts, list(LIMITS["95"] + LIMITS["99.8"])].isna().all().all()
    checked = 0
    w = with_ci[has_counts & (with_ci["ci_method"] == "wilson")]
    for level, (lo_col, hi_col) in LIMITS.items():
        lo, hi = proportion_confint(
            w["numerator"].to_numpy(), w["denominator"].to_numpy(), alpha=ALPHA[level], method="wilson"
        )
        np.testing.assert_allclose(
            w[lo_col], np.asarray(lo) * w["multiplier"], rtol=0, atol=ATOL, err_msg=f"wilson {lo_col}"
        )
        np.testing.assert_allclose(
            w[hi_col], np.asarray(hi) * w["multiplier"], rtol=0, atol=ATOL, err_msg=f"wilson {hi_col}"
        )
    checked += len(w)
    b = with_ci[has_counts & (with_ci["ci_method"] == "byar")]
    for level, (lo_col, hi_col) in LIMITS.items():
        lo, hi = stats.poisson_interval(b["numerator"].to_numpy(), stats.LEVELS[level])
        scale = np.where(b["value_type"] == "count", 1.0, b["multiplier"] / b["denominator"])
        np.testing.assert_allclose(b[lo_col], lo * scale, rtol=1e-9, atol=ATOL, err_msg=f"byar {lo_col}")
        np.testing.assert_allclose(b[hi_col], hi * scale, rtol=1e-9, atol=ATOL, err_msg=f"byar {hi_col}")
    checked += len(b)
    assert checked == int(has_counts.sum()) and checked > 1000


# ----------------------------------------------------------------- 5. comparisons


def _fingertips(value, lower, upper, benchmark, polarity) -> str:
    """The Fingertips rule, written out independently of lib.methods.stats."""
    if any(pd.isna(x) for x in (value, lower, upper, benchmark)):
        return "not_compared"
    if lower <= benchmark <= upper or value == benchmark:
        return "similar"
    higher = value > benchmark
    if polarity == "no_judgement":
        return "higher" if higher else "lower"
    good = higher if polarity == "higher_is_better" else not higher
    return "better" if good else "worse"


def test_comparisons_follow_the_fingertips_rule(dataset: Dataset) -> None:
    v = dataset.v
    key = ["indicator_id", "period"]
    eng = v[v["area_type"] == "england"].set_index(key)["value"]
    city = v[v["area_type"] == "city"].set_index(key)["value"]
    mismatches = []
    words = {"vs_england": set(), "vs_city": set()}
    for r in v.itertuples(index=False):
        k = (r.indicator_id, r.period)
        for col, bench, skip, word in (
            ("vs_england", eng, ("england",), "England"),
            ("vs_city", city, ("england", "city"), "Manchester"),
        ):
            if r.ci_method == "none" or r.area_type in skip:
                exp = "not_compared"
            elif isinstance(r.note, str) and f"not compared with {word}:" in r.note:
                # withheld counts could change the verdict (tested against the raw files in test_withheld.py)
                exp = "not_compared"
            else:
                exp = _fingertips(r.value, r.lower_95, r.upper_95, bench.get(k, np.nan), r.polarity)
            got = getattr(r, col)
            words[col].add(got)
            if got != exp:
                mismatches.append(
                    f"{r.indicator_id} {r.period} {r.area_type} {r.area_code} {col}: file {got!r}, expected {exp!r}"
                )
    assert not mismatches, f"{len(mismatches)} comparison(s) differ, e.g.:\n" + "\n".join(mismatches[:20])
    # the test is not vacuous: real comparisons are there
    for col in words:
        assert {"similar", "better", "worse"} <= words[col], f"{col} only has {words[col]}"


# ----------------------------------------------------------------- 6. seed tables


def test_activity_targets_totals(dataset: Dataset) -> None:
    t = dataset.seed("activity_targets_2020_21")
    lines = t.loc[t["row_type"] == "line", "activity_shift_2020_21"]
    rec = t[t["row_type"] == "recomputed_total"]
    pub = t[t["row_type"] == "published_total"]
    assert len(lines) > 0 and len(rec) == 1 and len(pub) == 1
    assert lines.sum() == 229_191
    assert rec["activity_shift_2020_21"].iloc[0] == lines.sum()
    assert pub["activity_shift_2020_21"].iloc[0] == 229_192
    note = pub["note"].iloc[0]
    assert "229,192" in note and "229,191" in note and "differs" in note, note


def test_investment_totals(dataset: Dataset) -> None:
    t = dataset.seed("investment_gbp000")
    lines = t[t["row_type"] == "line"]
    rec = t[t["row_type"] == "recomputed_total"]
    grand = rec[rec["status"] == "all"]
    assert len(grand) == 1
    assert lines["recurrent"].sum() == 28_540
    assert grand["recurrent"].iloc[0] == lines["recurrent"].sum()
    assert grand["spend_2017_21"].iloc[0] == lines["spend_2017_21"].sum()
    note = grand["note"].iloc[0]
    assert "28,450" in note and "28,540" in note, note
    subs = rec[rec["status"] != "all"].set_index("status")[["spend_2017_21", "recurrent"]].sort_index()
    exp = lines.groupby("status")[["spend_2017_21", "recurrent"]].sum().sort_index()
    pd.testing.assert_frame_equal(subs, exp, check_dtype=False)


def test_cash_released_totals(dataset: Dataset) -> None:
    t = dataset.seed("cash_released_gbp000")
    years = [c for c in t.columns if c not in ("benefit_type", "row_type", "note", "source")]
    lines = t[t["row_type"] == "line"]
    rec = t[t["row_type"] == "recomputed_total"]
    assert len(rec) == 1 and len(years) >= 4
    for y in years:
        assert rec[y].iloc[0] == lines[y].sum(), y
    gross = t[(t["row_type"] == "published_total") & (t["benefit_type"] == "LCO total gross savings")].iloc[0]
    for y in years:
        if gross[y] != lines[y].sum():
            assert y in gross["note"] and f"{gross[y]:,.0f}" in gross["note"], (y, gross["note"])


def test_savings_gap_totals(dataset: Dataset) -> None:
    t = dataset.seed("savings_gap_gbp000")
    lines = t.loc[t["row_type"] == "line", "gbp000"]
    rec = t[t["row_type"] == "recomputed_total"]
    assert len(rec) == 1 and rec["gbp000"].iloc[0] == lines.sum()
    pub = t[t["row_type"] == "published_total"]
    assert len(pub) == 1 and isinstance(pub["note"].iloc[0], str) and pub["note"].iloc[0]


@pytest.mark.parametrize(
    "name", ["city_headline_facts", "population_health_aspirations_2021", "risk_tiers_and_cohorts"]
)
def test_passthrough_seed_tables_carry_the_source_rows(committed: Dataset, data_dir: Path, name: str) -> None:
    raw = pd.read_csv(data_dir / "seeds" / f"{name}.csv")
    got = pd.read_csv(committed.root / "profiles" / "seeds" / f"{name}.csv")
    assert got["source"].notna().all()
    pd.testing.assert_frame_equal(got.drop(columns="source"), raw, check_dtype=False)


# ----------------------------------------------------------------- 7. bad definitions, bad input


@pytest.fixture(scope="module")
def good_definition() -> pd.DataFrame:
    return pd.read_csv(DEFINITION_CSV, dtype=str, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def all_wards(good_definition: pd.DataFrame) -> list[str]:
    return sorted(good_definition["ward_code"])


def test_known_wards_are_the_definition_wards(data_dir: Path, all_wards: list[str]) -> None:
    from lib.pipeline.run import known_wards

    assert known_wards(data_dir) == all_wards
    assert len(read_definition(DEFINITION_CSV, known_wards(data_dir))) == 32


def _write(df: pd.DataFrame, tmp_path: Path, name: str = "definition.csv") -> Path:
    p = tmp_path / name
    df.to_csv(p, index=False)
    return p


def test_definition_missing_ward(good_definition: pd.DataFrame, all_wards: list[str], tmp_path: Path) -> None:
    gone = good_definition["ward_code"].iloc[7]
    p = _write(good_definition.drop(index=7), tmp_path)
    with pytest.raises(DefinitionError, match=rf"missing from the definition.*{gone}"):
        read_definition(p, all_wards)


def test_definition_duplicated_ward(good_definition: pd.DataFrame, all_wards: list[str], tmp_path: Path) -> None:
    twice = good_definition.iloc[[3]].copy()
    dup_code = twice["ward_code"].iloc[0]
    other = good_definition.loc[good_definition["neighbourhood_code"] != twice["neighbourhood_code"].iloc[0]].iloc[0]
    twice[["neighbourhood_code", "neighbourhood_name", "locality_code", "locality_name"]] = other[
        ["neighbourhood_code", "neighbourhood_name", "locality_code", "locality_name"]
    ].to_numpy()
    p = _write(pd.concat([good_definition, twice], ignore_index=True), tmp_path)
    with pytest.raises(DefinitionError, match=rf"ward {dup_code} appears more than once \(rows 5, 34\)"):
        read_definition(p, all_wards)


def test_definition_unknown_ward(good_definition: pd.DataFrame, all_wards: list[str], tmp_path: Path) -> None:
    bad = good_definition.copy()
    replaced = bad.loc[10, "ward_code"]
    bad.loc[10, "ward_code"] = "E05999999"
    p = _write(bad, tmp_path)
    with pytest.raises(DefinitionError) as err:
        read_definition(p, all_wards)
    msg = str(err.value)
    assert "unknown ward code(s) not in the ward boundaries: E05999999" in msg
    assert replaced in msg  # and the ward it displaced is reported missing


def test_definition_malformed_code_and_inconsistent_locality(
    good_definition: pd.DataFrame, all_wards: list[str], tmp_path: Path
) -> None:
    bad = good_definition.copy()
    bad.loc[0, "ward_code"] = "E0500068"
    nb = bad.loc[5, "neighbourhood_code"]
    bad.loc[5, "locality_code"] = "ELSEWHERE"
    p = _write(bad, tmp_path)
    with pytest.raises(DefinitionError) as err:
        read_definition(p, all_wards)
    msg = str(err.value)
    assert "not an ONS ward code" in msg and "row(s) 2" in msg
    assert f"neighbourhood_code {nb} has more than one locality_code" in msg


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lib.pipeline", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_cli_rejects_bad_definition(good_definition: pd.DataFrame, data_dir: Path, tmp_path: Path) -> None:
    gone = good_definition["ward_code"].iloc[-1]
    bad = _write(good_definition.iloc[:-1], tmp_path, "bad_definition.csv")
    out = tmp_path / "out"
    res = _run_cli("--data", str(data_dir), "--definition", str(bad), "--out", str(out))
    assert res.returncode == 2, res.stderr
    assert "Pipeline stopped" in res.stderr and gone in res.stderr and "missing" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr
    assert not (out / "profiles").exists() and not (out / "geodata").exists(), "nothing is written for a bad definition"


def test_cli_rejects_missing_data_folder(tmp_path: Path) -> None:
    (tmp_path / "geodata").mkdir()
    (tmp_path / "geodata" / "neighbourhoods.csv").write_bytes(DEFINITION_CSV.read_bytes())
    missing = tmp_path / "no_such_data_folder"
    res = _run_cli("--data", str(missing), "--out", str(tmp_path))
    assert res.returncode == 2, f"exit {res.returncode}; stderr:\n{res.stderr}"
    assert "Traceback" not in res.stderr, res.stderr
    assert str(missing) in res.stderr and "--data" in res.stderr, res.stderr
    assert not (tmp_path / "profiles").exists()
