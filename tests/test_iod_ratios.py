"""The IoD ratios (CIDR, acute morbidity) say what they are, and IoD editions are not a trend
(issue 18, part A).

England's figures are recomputed from the raw English LSOA files (population-weighted means of
the LSOA ratios): they are not 100, so no label may say "England = 100".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib.core.contract import trend_across_periods
from lib.views import compare, profile_summary
from lib.views import risk_pyramid as rp
from tests.conftest import REPO, read_profile_csv

RATIOS = {
    "cidr": "comparative_illness_and_disability_ratio_indicator",
    "acute_morbidity": "acute_morbidity_indicator",
}


@pytest.fixture(scope="module")
def england_means(data_dir: Path) -> dict[tuple[str, str], float]:
    f8 = pd.read_csv(data_dir / "england" / "imd2019_england_lsoa11_indicators.csv.gz")
    f6 = pd.read_csv(data_dir / "england" / "File_6_-_IoD2019_Population_Denominators.csv.gz", thousands=",")
    e19 = f8.merge(f6, left_on="lsoa11_code", right_on="LSOA code (2011)")
    w19 = e19["Total population: mid 2015 (excluding prisoners)"]
    i25 = pd.read_csv(data_dir / "england" / "imd2025_england_lsoa21_indicators.csv.gz")
    res = pd.read_csv(data_dir / "england" / "disability21_lsoa21_england.csv.gz").drop_duplicates("lsoa21_code")
    e25 = i25.merge(res[["lsoa21_code", "total_residents"]], on="lsoa21_code")
    out = {}
    for ind, col in RATIOS.items():
        out[(ind, "IoD2019")] = float(np.average(e19[col], weights=w19))
        out[(ind, "IoD2025")] = float(np.average(e25[col], weights=e25["total_residents"]))
    return out


@pytest.fixture(scope="module")
def committed() -> tuple[pd.DataFrame, pd.DataFrame]:
    return (
        read_profile_csv(REPO / "profiles" / "indicators.csv"),
        read_profile_csv(REPO / "profiles" / "values.csv"),
    )


def test_england_is_the_weighted_mean_of_lsoa_ratios_not_100(england_means, committed) -> None:
    ind, values = committed
    for (i, period), expected in england_means.items():
        row = values[(values["indicator_id"] == i) & (values["period"] == period) & (values["area_type"] == "england")]
        assert len(row) == 1
        assert row["value"].iloc[0] == pytest.approx(expected, rel=1e-6)
        assert abs(expected - 100) > 5, (i, period, expected)  # so "England = 100" would be false
    meta = ind.set_index("indicator_id")
    for i in RATIOS:
        text = " ".join(str(meta.loc[i, c]) for c in ("name", "unit", "definition", "method_note", "caveats"))
        assert "England = 100" not in text, text
        assert "mean of LSOA ratios" in meta.loc[i, "unit"], meta.loc[i, "unit"]
        assert "population-weighted mean" in meta.loc[i, "definition"]
        assert "not a trend" in meta.loc[i, "caveats"]


def test_no_england_equals_100_left_in_code() -> None:
    """Only the ONS Health Index is 100 for England (in 2015, by construction)."""
    bad = []
    for path in [*(REPO / "lib").rglob("*.py"), *(REPO / "pages").rglob("*.py")]:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "England = 100" in line:
                bad.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert not bad, bad


def test_iod_scores_and_ratios_are_not_trended(ds) -> None:
    trended = set(compare.trend_indicators(ds))
    # several periods, but separate IoD editions of a score or ratio: no trend
    for i in ("cidr", "acute_morbidity", "ypll", "imd_average_score"):
        nb = ds.values[(ds.values["indicator_id"] == i) & (ds.values["area_type"] == "neighbourhood")]
        assert nb["period"].nunique() > 1 and nb["period"].str.startswith("IoD").all()
        assert i not in trended
        assert "not drawn as a trend" in compare.no_trend_reason(ds, i)
    # relative positions across editions and real time series still are
    for i in ("imd_most_deprived_10pct", "imd_average_rank", "children_low_income"):
        assert i in trended and compare.no_trend_reason(ds, i) is None
    one = next(
        i
        for i in ds.indicators["indicator_id"]
        if ds.values.loc[ds.values["indicator_id"] == i, "period"].nunique() == 1
    )
    assert "one period" in compare.no_trend_reason(ds, one)


def test_trend_rule() -> None:
    assert not trend_across_periods("ratio", "ratio", ["IoD2019", "IoD2025"])
    assert not trend_across_periods("score", "score", ["IoD2015", "IoD2025"])
    assert trend_across_periods("score", "rank (of 32,844 or 33,755)", ["IoD2019", "IoD2025"])
    assert trend_across_periods("share", "% of residents", ["IoD2015", "IoD2019", "IoD2025"])
    assert trend_across_periods("score", "index", ["2015", "2016"])


def test_board_summary_trends_leave_out_iod_editions(ds) -> None:
    for nbhd in ("N1", "C3", "S4"):
        rows = profile_summary.trend_rows(ds, nbhd)
        assert not set(rows["indicator_id"]) & {"cidr", "acute_morbidity", "ypll", "imd_average_score"}


def test_risk_pyramid_measures_need_against_englands_own_cidr(ds) -> None:
    period = rp.need_period(ds)
    text = rp.METHODS["need"].format(period=period)
    assert "England = 100" not in text and "England's ratio" in text
    v = ds.values
    e = float(
        v[(v["indicator_id"] == "cidr") & (v["area_type"] == "england") & (v["period"] == period)]["value"].iloc[0]
    )
    nb = v[(v["indicator_id"] == "cidr") & (v["area_type"] == "neighbourhood") & (v["period"] == period)]
    need = rp.need_index(ds)
    # a neighbourhood at England's ratio would have a need index equal to its population
    ratio = need / rp.population(ds)
    np.testing.assert_allclose(
        ratio.to_numpy(), (nb.set_index("area_code")["value"] / e).reindex(need.index).to_numpy()
    )
