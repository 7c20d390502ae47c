"""Life expectancy by MSOA (issue 18): the figures are ONS's own for every Manchester MSOA, missing
ones stay missing, each MSOA's neighbourhood is its best fit by residents, and each neighbourhood's
range and gap are recomputed here from the raw files, independently of the pipeline and the view."""

from __future__ import annotations

import csv
import gzip
import json
import math
from collections import defaultdict

import pandas as pd
import pytest

from tests.conftest import REPO, open_page, read_profile_csv

IDS = {"life_expectancy_female": "Females", "life_expectancy_male": "Males"}
Z95, Z998 = 1.959964, 3.090232


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return read_profile_csv(REPO / "profiles" / "values.csv")


@pytest.fixture(scope="module")
def raw(data_dir) -> dict[tuple[str, str], dict]:
    """(MSOA code, sex) -> the source row, for Manchester's MSOAs (from the Library's names file)."""
    with open(data_dir / "lookups" / "msoanames_hcl_manchester.csv", encoding="utf-8") as f:
        mine = {r["msoa11cd"] for r in csv.DictReader(f)}
    assert len(mine) == 57
    out = {}
    with gzip.open(data_dir / "england" / "ons_life_expectancy_msoa11_england_2016_2020.csv.gz", "rt") as f:
        for r in csv.DictReader(f):
            if r["Code"] in mine and r["Sex"] in IDS.values():
                out[(r["Code"], r["Sex"])] = r
    assert len(out) == 114
    return out


def _float(text: str) -> float:
    return float(text) if text.strip() else math.nan


@pytest.fixture(scope="module")
def best_fit(data_dir) -> dict[str, str]:
    """MSOA -> neighbourhood holding most of its mid-2020 residents (recomputed from the raw lookups)."""
    with open(REPO / "geodata" / "neighbourhoods.csv", encoding="utf-8") as f:
        nbhd_of_ward = {r["ward_code"]: r["neighbourhood_code"] for r in csv.DictReader(f)}
    with open(data_dir / "lookups" / "LSOA11_WD17_LAD17_EW_LU_manchester.csv", encoding="utf-8") as f:
        ward_of = {r["LSOA11CD"]: r["WD17CD"] for r in csv.DictReader(f)}
    with open(data_dir / "lookups" / "OA11_LSOA11_MSOA11_LAD11_manchester.csv", encoding="utf-8") as f:
        msoa_of = {r["lsoa11cd"]: r["msoa11cd"] for r in csv.DictReader(f)}
    pop = {}
    with gzip.open(data_dir / "england" / "population20_lsoa11_england.csv.gz", "rt") as f:
        for r in csv.DictReader(f):
            if r["lsoa11_code"] in ward_of:
                pop[r["lsoa11_code"]] = float(r["total_population"])
    residents: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for lsoa, ward in ward_of.items():
        residents[msoa_of[lsoa]][nbhd_of_ward[ward]] += pop[lsoa]
    return {m: max(sorted(by), key=lambda n: by[n]) for m, by in residents.items()}


def _le_rows(values: pd.DataFrame) -> pd.DataFrame:
    return values[values["indicator_id"].isin(list(IDS))]


def test_values_are_the_published_ones_for_every_manchester_msoa(values, raw):
    rows = _le_rows(values)
    assert set(rows["area_type"]) == {"msoa"}  # no neighbourhood, ward, city or England figure
    assert len(rows) == 114
    for r in rows.to_dict("records"):
        src = raw[(r["area_code"], IDS[r["indicator_id"]])]
        assert r["period"] == src["Period"] == "2016 to 2020"
        for ours, theirs in (
            ("value", "Life Expectancy at birth (in years)"),
            ("lower_95", "Lower 95% confidence interval"),
            ("upper_95", "Upper 95% confidence interval"),
        ):
            expected = _float(src[theirs])
            if math.isnan(expected):
                assert pd.isna(r[ours]), (r["area_code"], ours)
            else:
                assert r[ours] == pytest.approx(expected, abs=1e-6), (r["area_code"], ours)


def test_missing_values_stay_missing_and_say_so(values, raw):
    missing = {k for k, r in raw.items() if not r["Life Expectancy at birth (in years)"].strip()}
    assert len(missing) == 17  # 10 males, 7 females in the source
    rows = _le_rows(values)
    blank = rows[rows["value"].isna()]
    assert {(c, IDS[i]) for c, i in zip(blank["area_code"], blank["indicator_id"])} == missing
    for col in ("value", "lower_95", "upper_95", "lower_998", "upper_998", "numerator", "denominator"):
        assert blank[col].isna().all(), col  # blank, never 0
    assert blank["note"].str.startswith("No figure published by ONS").all()


def test_the_998_interval_uses_the_published_standard_error(values):
    rows = _le_rows(values).dropna(subset=["value"])
    se = (rows["upper_95"] - rows["lower_95"]) / (2 * Z95)
    assert (rows["lower_998"] - (rows["value"] - Z998 * se)).abs().max() < 1e-5
    assert (rows["upper_998"] - (rows["value"] + Z998 * se)).abs().max() < 1e-5


def test_no_msoa_is_compared_without_a_sourced_benchmark(values):
    rows = _le_rows(values)
    assert (rows["vs_england"] == "not_compared").all() and (rows["vs_city"] == "not_compared").all()
    ind = read_profile_csv(REPO / "profiles" / "indicators.csv").set_index("indicator_id")
    for i in IDS:
        assert ind.loc[i, "status"] == "real" and ind.loc[i, "unit"] == "years"
        assert ind.loc[i, "polarity"] == "higher_is_better" and ind.loc[i, "family"] == "outcome"


def test_each_msoa_sits_in_the_neighbourhood_holding_most_of_its_residents(values, best_fit):
    definition = pd.read_csv(REPO / "geodata" / "neighbourhoods.csv").set_index("ward_code")
    rows = _le_rows(values)
    assert dict(zip(rows["area_code"], rows["parent_code"].map(definition["neighbourhood_code"]))) == best_fit
    layer = json.loads((REPO / "geodata" / "msoa.geojson").read_text(encoding="utf-8"))
    props = {f["properties"]["code"]: f["properties"] for f in layer["features"]}
    assert {c: p["neighbourhood_code"] for c, p in props.items()} == best_fit
    assert all(definition.loc[p["ward_code"], "neighbourhood_code"] == p["neighbourhood_code"] for p in props.values())


def _independent_ranges(raw, best_fit) -> dict[tuple[str, str], tuple]:
    """(neighbourhood, sex) -> (n MSOAs, lowest code, lowest value, highest code, highest value, gap)."""
    by: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for (code, sex), r in raw.items():
        counts[(best_fit[code], sex)] += 1
        v = _float(r["Life Expectancy at birth (in years)"])
        if not math.isnan(v):
            by[(best_fit[code], sex)].append((v, code))
    out = {}
    for key, n in counts.items():
        vals = sorted(by[key])
        out[key] = (n, vals[0][1], vals[0][0], vals[-1][1], vals[-1][0], vals[-1][0] - vals[0][0])
    return out


def test_range_and_gap_of_each_neighbourhood(raw, best_fit):
    from lib.core import data
    from lib.views import life_expectancy as le

    ds = data.load_dataset()
    rng = le.ranges(ds.values, ds.definition)
    expected = _independent_ranges(raw, best_fit)
    nb = rng[rng["area_type"] == "neighbourhood"]
    assert len(nb) == 24
    for r in nb.to_dict("records"):
        n, lo_code, lo, hi_code, hi, gap = expected[(r["area_code"], r["sex"])]
        assert r["n_msoas"] == n
        assert (r["lowest_code"], r["highest_code"]) == (lo_code, hi_code)
        assert r["lowest_value"] == pytest.approx(lo, abs=1e-6) and r["highest_value"] == pytest.approx(hi, abs=1e-6)
        assert r["gap"] == pytest.approx(gap, abs=1e-5)
    city = rng[rng["area_type"] == "city"].set_index("sex")
    for sex in IDS.values():
        vals = [_float(r["Life Expectancy at birth (in years)"]) for (c, s), r in raw.items() if s == sex]
        vals = [v for v in vals if not math.isnan(v)]
        assert city.loc[sex, "n_with_value"] == len(vals)
        assert city.loc[sex, "gap"] == pytest.approx(max(vals) - min(vals), abs=1e-5)


def test_overlap_says_whether_the_intervals_of_highest_and_lowest_overlap():
    from lib.views import life_expectancy as le

    def rows(lo_hi_a, lo_hi_b):
        base = {"indicator_id": "life_expectancy_male", "period": "2016 to 2020", "area_type": "msoa", "note": None}
        out = []
        for code, (v, lo, hi) in (("M1", lo_hi_a), ("M2", lo_hi_b)):
            out.append(
                {**base, "area_code": code, "area_name": code, "parent_code": "W1", "value": v}
                | {"lower_95": lo, "upper_95": hi, "lower_998": lo - 1, "upper_998": hi + 1}
            )
        return pd.DataFrame(out)

    definition = pd.DataFrame(
        [
            {
                "ward_code": "W1",
                "ward_name": "W",
                "neighbourhood_code": "X1",
                "neighbourhood_name": "X",
                "locality_code": "L",
                "locality_name": "L",
            }
        ]
    )

    def x1(values, level="95"):
        rng = le.ranges(values, definition, level)
        return rng[(rng["area_code"] == "X1") & (rng["sex"] == "Males")].iloc[0]

    apart = x1(rows((70, 69, 71), (80, 79, 81)))
    assert not apart["intervals_overlap"] and apart["gap"] == 10 and apart["lowest_code"] == "M1"
    assert x1(rows((70, 68, 72), (71, 69, 73)))["intervals_overlap"]
    assert not x1(rows((70, 69, 71), (74, 73, 75)))["intervals_overlap"]
    assert x1(rows((70, 69, 71), (74, 73, 75)), level="99.8")["intervals_overlap"]  # 99.8% limits 1 year wider


def test_map_falls_back_to_a_finer_layer_when_an_indicator_has_only_msoas():
    from lib.views import map as mapview

    assert mapview.layer_for(["msoa"], "neighbourhoods") == "msoa"
    assert mapview.layer_for(["msoa"], "lsoa") == "msoa"
    assert mapview.layer_for(["lsoa", "ward", "neighbourhood"], "msoa") == "wards"  # coarser first, as before
    assert mapview.layer_for(["city"], "wards") == "neighbourhoods"


def test_the_map_lists_life_expectancy_and_the_compare_views_do_not():
    from lib.core import data
    from lib.methods.indicators import by_family

    ds = data.load_dataset()
    assert "life_expectancy_male" in by_family(ds.indicators, ds.values, also=("msoa",))["outcome"]
    assert "life_expectancy_male" not in by_family(ds.indicators, ds.values)["outcome"]


def test_data_and_methods_lists_both_indicators_at_msoa():
    from lib.core import data
    from lib.views.methods import indicator_catalogue

    ds = data.load_dataset()
    cat = indicator_catalogue(ds.indicators, ds.values).set_index("Id")
    for i in IDS:
        assert cat.loc[i, "Areas"] == "msoa" and cat.loc[i, "Periods"] == "2016 to 2020"
        assert "cannot be summed or averaged" in cat.loc[i, "Caveats"]


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [str(h.proto.body) for h in at.get("html")]
    return "\n".join(parts)


def test_profile_shows_the_range_of_its_msoas_and_why_there_is_no_single_figure(raw, best_fit):
    at = open_page("pages/profile.py", {"nbhd": "S1", "view": "compare"})
    assert any(s.value.startswith("Life expectancy inside") for s in at.subheader)
    text = _texts(at).replace("\\", "")
    assert "There is no single life expectancy for a neighbourhood" in text
    assert "most of its residents" in text  # how an MSOA is assigned
    for sex in IDS.values():
        n, lo_code, lo, hi_code, hi, gap = _independent_ranges(raw, best_fit)[("S1", sex)]
        assert f"a gap of {gap:.1f} years" in text
        assert f"{lo:.1f} years" in text and f"{hi:.1f} years" in text


def test_map_shows_life_expectancy_on_the_msoas():
    at = open_page("pages/map.py", {"nbhd": "C2"})
    at.selectbox(key="map_family").set_value("outcome").run()
    at.selectbox(key="map_ind").set_value("life_expectancy_female").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["ind"] == "life_expectancy_female"
    text = _texts(at).replace("\\", "")
    assert "showing middle-sized areas (MSOAs) instead" in text  # the neighbourhood layer has no figures
    assert "There is no single life expectancy for a neighbourhood" in text
    assert "Chorlton, Whalley Range and Fallowfield: life expectancy for females ranges from" in text
    assert at.header[0].value.replace("\\", "").endswith("middle-sized areas (MSOAs)")
    at.radio(key="map_layer").set_value("msoa").run()
    assert at.query_params["layer"] == "msoa" and not at.exception
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert html.count("(Manchester 0") >= 57  # a row for every MSOA in the table under the map
