"""Chart data and builders (lib.render.charts): spine scaling, tartan rug, funnel limits, serialisation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.core.selection import Selection
from lib.methods import stats
from lib.methods.indicators import area_comparison_table, meta
from lib.render import chart_tables, charts
from lib.render import spine as spines
from lib.render.format import format_value
from lib.views import compare, profile


def _latest_nbhd_period(values: pd.DataFrame, ind: str) -> str:
    return sorted(
        values.loc[(values["indicator_id"] == ind) & (values["area_type"] == "neighbourhood"), "period"]
        .astype(str)
        .unique()
    )[-1]


def _expected_spine_indicators(values: pd.DataFrame, indicators: pd.DataFrame) -> set[str]:
    out = set()
    for ind in values.loc[values["area_type"] == "neighbourhood", "indicator_id"].unique():
        p = _latest_nbhd_period(values, ind)
        vt = indicators.set_index("indicator_id").loc[ind, "value_type"]
        eng = values[
            (values["indicator_id"] == ind) & (values["period"].astype(str) == p) & (values["area_type"] == "england")
        ]
        if len(eng) and pd.notna(eng["value"].iloc[0]) and vt != "count":
            out.add(ind)
    return out


@pytest.mark.parametrize("nbhd", ["N2", "C3", "S4"])
def test_spine_one_row_per_indicator_with_england_value(ds, values_csv, indicators_csv, nbhd):
    spine = spines.spine_data(profile.profile_table(ds, Selection(nbhd)))
    assert spine["indicator_id"].is_unique
    assert set(spine["indicator_id"]) == _expected_spine_indicators(values_csv, indicators_csv)


def test_spine_scaled_values_within_unit_interval_without_clipping(ds, values_csv):
    """Recompute the Fingertips scaling from values.csv: it must fit in [-1, 1] unclipped."""
    spine = spines.spine_data(profile.profile_table(ds, Selection("N2")))
    for col in ("scaled", "scaled_city", "band_lo", "band_hi"):
        assert spine[col].between(-1.0, 1.0).all(), col
    assert (spine["band_lo"] <= spine["scaled"] + 1e-12).all() and (spine["scaled"] <= spine["band_hi"] + 1e-12).all()
    row = spine[spine["indicator_id"] == "children_low_income"].iloc[0]
    v = values_csv[(values_csv["indicator_id"] == "children_low_income") & (values_csv["period"] == row["period"])]
    eng = v.loc[v["area_type"] == "england", "value"].iloc[0]
    xs = pd.concat([v.loc[v["area_type"] == "neighbourhood", "value"], v.loc[v["area_type"] == "city", "value"]])
    d = (xs - eng).abs().max()
    raw = -(v.loc[(v["area_type"] == "neighbourhood") & (v["area_code"] == "N2"), "value"].iloc[0] - eng) / d
    assert -1.0 <= raw <= 1.0
    assert row["scaled"] == pytest.approx(raw)


def test_spine_flips_lower_is_better_so_worse_is_left(ds, values_csv, indicators_csv):
    """A lower-is-better indicator significantly worse than England lands left of the centre line."""
    pol = indicators_csv.set_index("indicator_id")["polarity"]
    found = 0
    for nbhd in ("N1", "N2", "C1", "S3"):
        spine = spines.spine_data(profile.profile_table(ds, Selection(nbhd, "england")))
        for _, r in spine.iterrows():
            v = values_csv[
                (values_csv["indicator_id"] == r["indicator_id"])
                & (values_csv["period"] == r["period"])
                & (values_csv["area_type"] == "neighbourhood")
                & (values_csv["area_code"] == nbhd)
            ]
            word = v["vs_england"].iloc[0]
            if pol[r["indicator_id"]] == "lower_is_better" and word == "worse":
                assert r["scaled"] < 0, (nbhd, r["indicator_id"])
                assert r["value"] > r["england"]
                found += 1
            if word == "better":
                assert r["scaled"] > 0, (nbhd, r["indicator_id"])
    assert found > 0


def test_tartan_rug_cells_match_values_csv(ds, values_csv):
    rug = compare.tartan_data(ds, "england", "95")
    inds = values_csv.loc[values_csv["area_type"] == "neighbourhood", "indicator_id"].unique()
    assert len(rug) == 12 * len(inds)
    assert rug.groupby("indicator_id")["area_code"].nunique().eq(12).all()
    for _, cell in rug.iterrows():
        v = values_csv[
            (values_csv["indicator_id"] == cell["indicator_id"])
            & (values_csv["period"] == cell["period"])
            & (values_csv["area_type"] == "neighbourhood")
            & (values_csv["area_code"] == cell["area_code"])
        ]
        assert cell["period"] == _latest_nbhd_period(values_csv, cell["indicator_id"])
        assert cell["comparison"] == v["vs_england"].iloc[0], (cell["indicator_id"], cell["area_code"])
        symbol = charts.COMPARISON_STYLE[cell["comparison"]][0]
        assert cell["text"].endswith(symbol)


def test_tartan_rug_against_manchester_recomputed(ds, values_csv, indicators_csv):
    rug = compare.tartan_data(ds, "city", "99.8")
    pol = indicators_csv.set_index("indicator_id")
    for _, cell in rug.sample(60, random_state=1).iterrows():
        v = values_csv[(values_csv["indicator_id"] == cell["indicator_id"]) & (values_csv["period"] == cell["period"])]
        me = v[(v["area_type"] == "neighbourhood") & (v["area_code"] == cell["area_code"])].iloc[0]
        city = v.loc[v["area_type"] == "city", "value"].iloc[0]
        if pol.loc[cell["indicator_id"], "ci_method"] == "none":
            expected = "not_compared"
        elif "not compared with Manchester:" in str(me["note"]):
            expected = "not_compared"  # counts withheld at source could change it (tests/test_withheld.py)
        else:
            expected = stats.compare_with_benchmark(
                me["value"], me["lower_998"], me["upper_998"], city, pol.loc[cell["indicator_id"], "polarity"]
            ).item()
        assert cell["comparison"] == expected


def test_tartan_table_is_wide(ds):
    rug = compare.tartan_data(ds, "england", "95")
    wide = compare.tartan_table(rug)
    assert len(wide) == rug["indicator_id"].nunique()
    assert wide.shape[1] == 2 + 12 + 2  # indicator, period, the 12, Manchester, England


def test_funnel_limits_widen_as_n_falls_and_nest():
    lim = compare.funnel_limits(0.2, 100, 100_000, multiplier=100)
    for level in ("95%", "99.8%"):
        part = lim[lim["level"] == level].sort_values("n")
        width = (part["upper"] - part["lower"]).to_numpy()
        assert np.all(np.diff(width) < 0), level
        assert (part["lower"] < 20).all() and (part["upper"] > 20).all()
    a = lim[lim["level"] == "95%"].set_index("n")
    b = lim[lim["level"] == "99.8%"].set_index("n")
    assert (b["lower"] <= a["lower"]).all() and (b["upper"] >= a["upper"]).all()


def test_funnel_limits_equal_wilson_interval():
    lim = compare.funnel_limits(0.3, 50, 5000, multiplier=1, points=10)
    r = lim[lim["level"] == "95%"].iloc[3]
    lo, hi = stats.wilson_interval(r["n"] * 0.3, r["n"], stats.Z95)
    assert r["lower"] == pytest.approx(float(lo)) and r["upper"] == pytest.approx(float(hi))


def test_trend_data_has_three_series(ds):
    t = compare.trend_data(ds, "children_low_income", "N2", "95")
    assert set(t["area_type"]) == {"neighbourhood", "city", "england"}
    assert t.groupby("area_type")["period"].nunique().eq(8).all()
    # the band follows the indicator's interval: none since the MSOA counts are apportioned (modelled)
    nb = t[t["area_type"] == "neighbourhood"]
    v = ds.values[(ds.values["indicator_id"] == "children_low_income") & (ds.values["area_code"] == "N2")]
    assert nb["lower"].tolist() == pytest.approx(v.sort_values("period")["lower_95"].tolist(), nan_ok=True)
    assert charts.is_monthly(sorted(compare.trend_data(ds, "universal_credit_households", "N2")["period"].unique()))


def test_every_chart_serialises(ds):
    nb = profile.profile_table(ds, Selection("N2", "rest", "99.8"))
    spines.spine_chart(spines.spine_data(nb), "Cheetham and Crumpsall", "Rest of Manchester").to_dict()
    charts.age_chart(profile.age_profile(ds, "N2")).to_dict()
    m = meta(ds.indicators, "children_low_income")
    charts.ward_chart(profile.ward_table(ds, "N2", "children_low_income"), m).to_dict()
    tab = area_comparison_table(
        ds.values, ds.indicators, "children_low_income", "2021/22", "neighbourhood", "england", "95"
    )
    bars = compare.comparison_bar_data(tab, m, {}, "95")
    charts.comparison_bars(
        bars, m, float(tab["england"].iloc[0]), float(tab["manchester"].iloc[0]), "England"
    ).to_dict()
    charts.tartan_chart(compare.tartan_data(ds, "city", "95"), "Manchester").to_dict()
    pts = bars.merge(tab[["area_code", "area_name", "denominator"]], on="area_code")
    lim = compare.funnel_limits(float(tab["england"].iloc[0]) / 100, 1000, 30000)
    charts.funnel_chart(pts, lim, m, float(tab["england"].iloc[0]), "England").to_dict()
    chart_tables.funnel_table(pts, lim, m, "England")
    for ind in compare.trend_indicators(ds):
        t = compare.trend_data(ds, ind, "S1", "99.8")
        charts.trend_chart(t, meta(ds.indicators, ind)).to_dict()
        assert len(chart_tables.trend_table(t, meta(ds.indicators, ind))) == t["period"].nunique()


def test_comparison_colours_come_with_symbol_and_word():
    for word, (symbol, _, _, label) in charts.COMPARISON_STYLE.items():
        assert charts.comparison_text(word) == f"{symbol} {label}"
        assert word in charts.COMPARISON_SHAPES


@pytest.mark.parametrize("bench,level", [("england", "95"), ("rest", "99.8")])
def test_spine_spec_from_its_template_is_the_charts_own_spec(ds, bench, level):
    """The fast spine spec (a cached template with the rows and the name put in) is exactly what
    altair builds, for every neighbourhood, names with quotes and markup included."""
    import json

    bench_name = {"england": "England", "rest": "Rest of Manchester"}[bench]
    tables = profile.profile_tables(ds, level=level, bench=bench)
    for code, table in tables.items():
        rows = spines.spine_data(table)
        name = f'{code} "quoted" <b>name</b> \\ back'
        built = spines.spine_chart(rows, name, bench_name).to_dict()
        fast = spines.spine_spec(rows, name, bench_name)
        # the rows' dataset is named by a hash of the rows altair first saw: compare under one name
        fast = json.loads(json.dumps(fast).replace(fast["data"]["name"], built["data"]["name"]))
        assert fast == built, code  # so it is valid too: to_dict() validated the built one
    # another list of indicators gets its own template (no rows from another neighbourhood's list)
    fewer = spines.spine_data(tables["N1"]).iloc[:3]
    spec = spines.spine_spec(fewer, "N1", bench_name)
    assert [r["short_name"] for r in spec["datasets"][spec["data"]["name"]]] == list(fewer["short_name"])
    assert spec == json.loads(
        json.dumps(spines.spine_chart(fewer, "N1", bench_name).to_dict()).replace(
            spines.spine_chart(fewer, "N1", bench_name).to_dict()["data"]["name"], spec["data"]["name"]
        )
    )


def test_spine_table_has_every_row_as_text_and_its_spine_drawn_to_scale(ds):
    """The profile's spine table: one row per spine indicator with its figures in words, and a
    graphic whose marks sit where the scaled values say (England in the middle, ±1 near the edges,
    every mark inside the picture)."""
    import re

    from lib.render.tables import read_html_tables

    rows = spines.spine_data(profile.profile_table(ds, Selection("C3", "rest", "95")))
    out = chart_tables.spine_table_html(
        rows, "Gorton <b>&</b> Levenshulme", "Rest of Manchester", "Spine <script>x</script>"
    )
    assert "<script>" not in out and "<b>&" not in out  # every text escaped
    [table] = read_html_tables(out)
    assert list(table.columns)[:7] == [
        "Indicator",
        "Period",
        "Gorton <b>&</b> Levenshulme",
        "Manchester",
        "England",
        "Range of the 12",
        "Compared with Rest of Manchester",
    ]
    assert list(table["Indicator"]) == list(rows["short_name"])
    assert list(table["Gorton <b>&</b> Levenshulme"]) == list(rows["value_text"])
    assert list(table["Compared with Rest of Manchester"]) == list(rows["comparison_text"])
    import base64

    images = re.findall(
        r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" class="np-spine-pic" height="24" alt="">', out
    )
    svgs = [base64.b64decode(i).decode("utf-8") for i in images]
    assert len(svgs) == len(rows) and all(s.startswith('<svg xmlns="http://www.w3.org/2000/svg"') for s in svgs)
    # as wide as its column: positions in per cent of the width, shapes at their own size (not stretched)
    assert all('width="100%"' in s and "viewBox" not in s for s in svgs)

    def x(v):  # independent: England at 50%, ±1.05 at 4% from either edge
        return 50 + v / 1.05 * 46

    def pct(text):
        return float(text.rstrip("%"))

    for svg, r in zip(svgs, rows.to_dict("records")):
        band = re.search(r'<rect x="([\d.]+)%" y="[\d.]+" width="([\d.]+)%"', svg)
        assert float(band.group(1)) == pytest.approx(x(r["band_lo"]), abs=0.006)
        assert float(band.group(1)) + float(band.group(2)) == pytest.approx(
            max(x(r["band_hi"]), x(r["band_lo"]) + 0.5), abs=0.02
        )
        assert 'x1="50%"' in svg and 'x2="50%"' in svg  # England
        city = re.search(r'<use href="#city" x="([\d.]+%)"', svg)
        assert pct(city.group(1)) == pytest.approx(x(r["scaled_city"]), abs=0.006)
        mark = re.search(r'<use href="#mark" x="([\d.]+%)"', svg)
        assert pct(mark.group(1)) == pytest.approx(x(r["scaled"]), abs=0.006)
        assert 4 <= pct(mark.group(1)) <= 96
        shape = {
            "better": "<polygon",
            "worse": "<polygon",
            "higher": "<polygon",
            "lower": "<polygon",
            "similar": "<circle",
            "not_compared": "<rect",
        }[r["comparison"]]
        marker = re.search(r'<(polygon|circle|rect) id="mark" fill="(#[0-9A-F]{6})"', svg)
        assert f"<{marker.group(1)}" == shape, (r["comparison"], svg)
        assert marker.group(2) == charts.COMPARISON_STYLE[r["comparison"]][1]
        if r["comparison"] in ("better", "higher"):  # pointing up: the apex above the centre
            assert re.search(r'id="mark"[^>]*points="0,-7', svg)
        if r["comparison"] in ("worse", "lower"):
            assert re.search(r'id="mark"[^>]*points="0,7', svg)


def test_bars_table_has_the_figures_as_text_and_each_bar_drawn_to_scale(ds):
    """Compare areas' first view: the bar table's text is :func:`bar_table`'s, and each picture's
    bar, whisker and reference lines sit where the values say on the shared scale."""
    import base64
    import re

    from lib.render.tables import read_html_tables

    m = meta(ds.indicators, "idaci")  # an indicator with intervals (whiskers)
    tab = area_comparison_table(ds.values, ds.indicators, "idaci", "IoD2019", "neighbourhood", "rest", "95")
    bars = compare.comparison_bar_data(tab, m, {"N1": "Cheetham <i>x</i>"}, "95")
    eng, man = float(tab["england"].iloc[0]), float(tab["manchester"].iloc[0])
    out = chart_tables.bars_table_html(bars, eng, man, m, "Rest of Manchester", "Bars <script>", "95%")
    assert "<script>" not in out and "<i>x</i>" not in out
    [shown] = read_html_tables(out)
    expected = chart_tables.bar_table(bars, eng, man, m, "Rest of Manchester", "95%").drop(
        columns=["Manchester", "England"]
    )
    assert list(shown.columns)[:-1] == list(expected.columns)
    assert shown.iloc[:, :-1].astype(str).values.tolist() == expected.astype(str).values.tolist()
    assert (
        f"England {format_value(eng, m)}" in shown.columns[-1]
        and f"Manchester {format_value(man, m)}" in shown.columns[-1]
    )
    lo, hi = chart_tables.bar_scale(bars, eng, man)
    assert lo == 0.0 and hi == pytest.approx(1.05 * max(bars["upper"].max(), eng, man))

    def x(v):  # independent
        return chart_tables.SPINE_PAD + (v - lo) / (hi - lo) * (chart_tables.SPINE_WIDTH - 2 * chart_tables.SPINE_PAD)

    images = re.findall(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', out)
    assert len(images) == len(bars)
    for img, r in zip(images, bars.to_dict("records")):
        svg = base64.b64decode(img).decode("utf-8")
        bar = re.search(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="14" fill="(#[0-9A-F]{6})"', svg)
        assert float(bar.group(1)) == pytest.approx(x(0.0), abs=0.06)
        assert float(bar.group(1)) + float(bar.group(2)) == pytest.approx(x(r["value"]), abs=0.12)
        assert bar.group(3) == charts.COMPARISON_STYLE[r["comparison"]][1]
        whisker = re.search(r'<path d="M([\d.]+),[\d.]+ H([\d.]+)', svg)
        assert float(whisker.group(1)) == pytest.approx(x(r["lower"]), abs=0.06) and float(
            whisker.group(2)
        ) == pytest.approx(x(r["upper"]), abs=0.06)
        lines = [
            (float(re.search(r'x1="([\d.]+)"', ln).group(1)), "stroke-dasharray" in ln)
            for ln in re.findall(r"<line [^>]*/>", svg)
        ]
        assert lines == [
            (pytest.approx(x(eng), abs=0.06), False),
            (pytest.approx(x(man), abs=0.06), True),
        ]  # England solid, Manchester dashed


def test_bar_scale_takes_in_negative_values():
    df = pd.DataFrame({"value": [-0.5, 0.2], "lower": [-0.9, 0.1], "upper": [-0.1, 0.4]})
    lo, hi = chart_tables.bar_scale(df, 0.0, 0.1)
    assert lo == pytest.approx(-0.9 - 0.05 * 1.3) and hi == pytest.approx(0.4 + 0.05 * 1.3)


def test_bars_table_marks_the_selected_neighbourhood_in_words(ds):
    """Compare areas: the selected neighbourhood's row is highlighted and says "(selected)";
    no other row is, wherever the row falls in the order."""
    from lib.render.tables import read_html_tables

    m = meta(ds.indicators, "disability")
    from lib.methods.indicators import periods

    tab = area_comparison_table(
        ds.values, ds.indicators, "disability", periods(ds.values, "disability")[-1], "neighbourhood", "england", "95"
    )
    bars = compare.comparison_bar_data(tab, m, {}, "95")
    assert len(bars) == 12
    eng, man = float(tab["england"].iloc[0]), float(tab["manchester"].iloc[0])
    for code in ("N1", "S4"):
        out = chart_tables.bars_table_html(bars, eng, man, m, "England", "Bars", "95%", selected=code)
        [shown] = read_html_tables(out)
        marked = [i for i, v in enumerate(shown.iloc[:, 0]) if v.endswith("(selected)")]
        assert marked == [list(bars["area_code"]).index(code)]
        assert out.count('<tr class="np-selected">') == 1
    assert 'np-selected"' not in chart_tables.bars_table_html(bars, eng, man, m, "England", "Bars", "95%")


def test_the_bar_chart_marks_the_selected_neighbourhood_in_its_label(ds):
    """comparison_bars(selected=...): exactly that bar's label starts with the mark, in the chart's
    data and in its axis order; without a selection no label has it."""
    from lib.methods.indicators import periods

    m = meta(ds.indicators, "disability")
    tab = area_comparison_table(
        ds.values, ds.indicators, "disability", periods(ds.values, "disability")[-1], "neighbourhood", "england", "95"
    )
    bars = compare.comparison_bar_data(tab, m, {}, "95")
    eng, man = float(tab["england"].iloc[0]), float(tab["manchester"].iloc[0])

    def labels(spec: dict) -> list[str]:
        rows = next(v for k, v in spec["datasets"].items() if v and "area_code" in v[0])
        return [r["label"] for r in rows]

    spec = charts.comparison_bars(bars, m, eng, man, "England", selected="C3").to_dict()
    marked = [lbl for lbl in labels(spec) if lbl.startswith(charts.SELECTED_MARK + " ")]
    assert len(marked) == 1 and " C3 " in marked[0]
    assert marked[0] in spec["layer"][0]["encoding"]["y"]["sort"]
    assert not any(
        lbl.startswith(charts.SELECTED_MARK)
        for lbl in labels(charts.comparison_bars(bars, m, eng, man, "England").to_dict())
    )
    assert bars["label"].str.startswith(charts.SELECTED_MARK).sum() == 0  # the caller's frame is left as it was
