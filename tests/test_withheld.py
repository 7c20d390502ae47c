"""Counts withheld at source (IoD2019 income, IDACI, IDAOPI numerators) are withheld, never 0
(issue 18, part A).

Everything expected here is computed from the raw files (File 8 and File 6, the ONS LSOA11 to
ward lookup and the neighbourhood definition), independently of the pipeline: which LSOAs are
withheld, how many each total contains, and whether a comparison survives the withheld counts
at 0 and at their most (one less than the smallest numerator MHCLG publishes), with Wilson
intervals from statsmodels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from lib.core.disclosure import WITHHELD, blank_count_reason, display_count_or_reason
from lib.methods.indicators import comparison_frame
from tests.conftest import DEFINITION_CSV, REPO, read_profile_csv

#: indicator -> (File 8 numerator column, File 6 denominator column)
COLUMNS = {
    "income_deprivation": ("income_domain_numerator", "Total population: mid 2015 (excluding prisoners)"),
    "idaci": (
        "income_deprivation_affecting_children_index_idaci_numerator",
        "Dependent Children aged 0-15: mid 2015 (excluding prisoners)",
    ),
    "idaopi": (
        "income_deprivation_affecting_older_people_index_idaopi_numerator",
        "Older population aged 60 and over: mid 2015 (excluding prisoners)",
    ),
}
Z = {"95": 0.05, "99.8": 0.002}


@pytest.fixture(scope="module")
def raw(data_dir: Path) -> pd.DataFrame:
    """Manchester LSOAs with numerators (NaN = withheld), denominators, ward, neighbourhood, locality."""
    f8 = pd.read_csv(data_dir / "manchester" / "imd2019_england_lsoa11_indicators_manchester.csv")
    f6 = pd.read_csv(data_dir / "manchester" / "File_6_-_IoD2019_Population_Denominators_manchester.csv", thousands=",")
    lk = pd.read_csv(data_dir / "lookups" / "LSOA11_WD17_LAD17_EW_LU_manchester.csv")
    d = pd.read_csv(DEFINITION_CSV)
    out = f8.merge(f6, left_on="lsoa11_code", right_on="LSOA code (2011)").merge(
        lk[["LSOA11CD", "WD17CD"]], left_on="lsoa11_code", right_on="LSOA11CD"
    )
    out = out.merge(d[["ward_code", "neighbourhood_code", "locality_code"]], left_on="WD17CD", right_on="ward_code")
    assert len(out) == 282
    return out


@pytest.fixture(scope="module")
def england(data_dir: Path) -> pd.DataFrame:
    f8 = pd.read_csv(data_dir / "england" / "imd2019_england_lsoa11_indicators.csv.gz")
    f6 = pd.read_csv(data_dir / "england" / "File_6_-_IoD2019_Population_Denominators.csv.gz", thousands=",")
    return f8.merge(f6, left_on="lsoa11_code", right_on="LSOA code (2011)")


@pytest.fixture(scope="module", params=["committed", "rebuilt"])
def values(request: pytest.FixtureRequest) -> pd.DataFrame:
    root = REPO if request.param == "committed" else request.getfixturevalue("rebuilt_dataset").root
    v = read_profile_csv(root / "profiles" / "values.csv")
    return v[v["indicator_id"].isin(COLUMNS)].reset_index(drop=True)


def _cap(england: pd.DataFrame, col: str) -> float:
    """The most a withheld count can be: one less than the smallest numerator published."""
    return float(england[col].dropna().min()) - 1


@pytest.mark.parametrize("ind", list(COLUMNS))
def test_exactly_the_withheld_lsoas_are_withheld(raw: pd.DataFrame, values: pd.DataFrame, ind: str) -> None:
    col, _ = COLUMNS[ind]
    expected = set(raw.loc[raw[col].isna(), "lsoa11_code"])
    assert len(expected) == {"income_deprivation": 3, "idaci": 37, "idaopi": 17}[ind]  # the README's blanks
    lsoa = values[(values["indicator_id"] == ind) & (values["area_type"] == "lsoa")]
    assert len(lsoa) == 282
    blank = lsoa[lsoa["numerator"].isna()]
    assert set(blank["area_code"]) == expected
    assert blank[["value", "lower_95", "upper_95", "lower_998", "upper_998"]].isna().all().all()
    assert (blank[["vs_england", "vs_city"]] == "not_compared").all().all()
    assert blank["note"].str.startswith("Withheld at source").all()
    shown = lsoa[~lsoa["area_code"].isin(expected)]
    assert shown["numerator"].notna().all() and not (shown["note"].fillna("").str.startswith("Withheld")).any()
    # no LSOA counted as 0 where the source withheld it, and no old "counted as 0" note for an LSOA
    assert not lsoa["note"].fillna("").str.contains("this LSOA").any()


def test_city_centre_ward_idaci_is_withheld_and_not_compared(raw: pd.DataFrame, values: pd.DataFrame) -> None:
    col, den = COLUMNS["idaci"]
    cc = raw[raw["WD17CD"] == "E05000697"]  # City Centre (2004-2018 ward)
    assert len(cc) > 0 and cc[col].isna().all()  # every one of its LSOAs withheld at source
    row = values[
        (values["indicator_id"] == "idaci") & (values["area_type"] == "ward") & (values["area_code"] == "E05000697")
    ]
    assert len(row) == 1
    r = row.iloc[0]
    assert r["area_name"] == "City Centre"
    assert pd.isna(r["numerator"]) and pd.isna(r["value"]) and pd.isna(r["lower_95"])
    assert r["vs_england"] == "not_compared" and r["vs_city"] == "not_compared"
    assert r["denominator"] == cc[den].sum()
    assert f"all {len(cc)} of its LSOAs" in r["note"]


LEVEL_COLUMN = {"ward": "WD17CD", "neighbourhood": "neighbourhood_code", "locality": "locality_code"}


@pytest.mark.parametrize("ind", list(COLUMNS))
def test_each_total_says_how_many_of_its_lsoas_are_withheld(raw: pd.DataFrame, values: pd.DataFrame, ind: str) -> None:
    col, _ = COLUMNS[ind]
    v = values[values["indicator_id"] == ind]
    checked = 0
    for level, key in [*LEVEL_COLUMN.items(), ("city", None)]:
        groups = [("E08000003", raw)] if key is None else list(raw.groupby(key))
        for code, g in groups:
            k, n = int(g[col].isna().sum()), len(g)
            row = v[(v["area_type"] == level) & (v["area_code"] == code)]
            assert len(row) == 1, (level, code)
            note = row["note"].iloc[0] if isinstance(row["note"].iloc[0], str) else ""
            if k == 0:
                assert "lower bound" not in note.lower() and not note.startswith("Withheld"), (code, note)
                assert row["numerator"].iloc[0] == g[col].sum()
            elif k < n:
                assert note.startswith(f"A lower bound: {k} of {n} LSOA"), (code, note)
                assert row["numerator"].iloc[0] == g[col].fillna(0).sum()  # the counted-as-0 total
                checked += 1
            else:
                assert note.startswith(f"Withheld at source: all {n} of its LSOAs"), (code, note)
                assert pd.isna(row["numerator"].iloc[0])
    assert checked > 0


def _verdict(o: float, n: float, bench: float, alpha: float) -> str:
    lo, hi = proportion_confint(o, n, alpha=alpha, method="wilson")
    if lo * 100 <= bench <= hi * 100:
        return "similar"
    return "worse" if o / n * 100 > bench else "better"  # all three are lower-is-better


@pytest.mark.parametrize("ind", list(COLUMNS))
def test_a_comparison_is_kept_only_when_the_withheld_counts_cannot_change_it(
    raw: pd.DataFrame, england: pd.DataFrame, values: pd.DataFrame, ind: str
) -> None:
    col, den = COLUMNS[ind]
    cap = _cap(england, col)
    assert cap == 9  # MHCLG publishes nothing below 10 (rounded to 5)

    def bounds(df: pd.DataFrame) -> tuple[float, float, float]:
        return (
            float(df[col].fillna(0).sum()),
            float(df[col].fillna(np.minimum(cap, df[den])).sum()),
            float(df[den].sum()),
        )

    e_lo, e_hi, e_n = bounds(england)
    c_lo, c_hi, c_n = bounds(raw)
    v = values[values["indicator_id"] == ind]
    kept = dropped = 0
    for level, key in LEVEL_COLUMN.items():
        for code, g in raw.groupby(key):
            lo, hi, n = bounds(g)
            if g[col].isna().all():
                continue
            row = v[(v["area_type"] == level) & (v["area_code"] == code)].iloc[0]
            for col_vs, (b_lo, b_hi, b_n) in (("vs_england", (e_lo, e_hi, e_n)), ("vs_city", (c_lo, c_hi, c_n))):
                robust = all(
                    len({_verdict(o, n, b / b_n * 100, a) for o in (lo, hi) for b in (b_lo, b_hi)}) == 1
                    for a in Z.values()
                )
                if robust:
                    assert row[col_vs] == _verdict(lo, n, b_lo / b_n * 100, Z["95"]), (level, code, col_vs)
                    kept += 1
                else:
                    assert row[col_vs] == "not_compared", (level, code, col_vs, row["note"])
                    word = "England" if col_vs == "vs_england" else "Manchester"
                    assert f"not compared with {word}:" in row["note"], row["note"]
                    dropped += 1
    assert kept > 0
    if ind == "idaci":
        assert dropped > 0  # the withheld counts do change some verdicts


def test_the_views_say_withheld_and_honour_the_notes(values: pd.DataFrame) -> None:
    from lib.core import data

    ds = data.load_dataset(REPO)
    ward = values[(values["indicator_id"] == "idaci") & (values["area_code"] == "E05000697")].iloc[0]
    assert blank_count_reason(ward["numerator"], ward["note"]) == WITHHELD
    assert display_count_or_reason(ward["numerator"], ward["note"], 5) == WITHHELD
    assert display_count_or_reason(0.0, None, 5) == "0"  # a real zero stays a zero
    # a total that counts withheld LSOAs as 0 is shown as a lower bound
    part = values[(values["indicator_id"] == "idaci") & values["note"].fillna("").str.startswith("A lower bound:")]
    r = part.iloc[0]
    assert display_count_or_reason(r["numerator"], r["note"], 5) == f"at least {r['numerator']:,.0f}"
    # every neighbourhood whose note withdraws a comparison comes back not compared in the views
    v = ds.values[(ds.values["indicator_id"] == "idaci") & (ds.values["period"] == "IoD2019")]
    for bench, word in (("england", "England"), ("city", "Manchester"), ("rest", "the rest of Manchester")):
        t = comparison_frame(v, ds.indicators, "neighbourhood", bench, "95")
        flagged = t["note"].fillna("").str.contains(f"not compared with {word}:", regex=False)
        assert (t.loc[flagged, "comparison"] == "not_compared").all()
        assert (t.loc[~flagged, "comparison"] != "not_compared").all()
