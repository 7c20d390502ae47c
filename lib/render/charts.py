"""Altair chart builders and the tidy data behind them (pure: no Streamlit).

Comparison colours always come with a symbol and a word (``lib.render.format.COMPARISON_STYLE``):
the colour legend's labels read e.g. "▼ Worse", and marks that carry a comparison are also
shaped or labelled by it.
"""

from __future__ import annotations

import re

import altair as alt
import pandas as pd

from lib.render.format import COMPARISON_STYLE, format_value

#: Comparison word -> Vega-Lite point shape (echoes the symbol in COMPARISON_STYLE).
COMPARISON_SHAPES = {
    "better": "triangle-up",
    "similar": "circle",
    "worse": "triangle-down",
    "higher": "triangle-up",
    "lower": "triangle-down",
    "not_compared": "square",
}
WORDS = tuple(COMPARISON_STYLE)
BAND_GREY = "#D9D9D9"
ENGLAND_COLOUR = "#000000"
CITY_COLOUR = "#666666"
FONT_SIZE = 13
#: Room for axes and the bottom legend: Streamlit fits the whole chart (plot + legend) into the height.
CHROME = 150


def comparison_text(word: str) -> str:
    """``'▼ Worse'``: the symbol and word of a comparison (unknown words count as not compared)."""
    symbol, _, _, label = COMPARISON_STYLE.get(word, COMPARISON_STYLE["not_compared"])
    return f"{symbol} {label}"


def colour_scale() -> alt.Scale:
    return alt.Scale(domain=[comparison_text(w) for w in WORDS], range=[COMPARISON_STYLE[w][1] for w in WORDS])


def shape_scale() -> alt.Scale:
    return alt.Scale(domain=[comparison_text(w) for w in WORDS], range=[COMPARISON_SHAPES[w] for w in WORDS])


def value_texts(values: pd.Series, m: dict) -> list[str]:
    return [format_value(v, m) for v in values]


def configure(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return chart.configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE).configure_legend(
        labelFontSize=FONT_SIZE,
        titleFontSize=FONT_SIZE,
        orient="bottom",
        direction="horizontal",
        columns=3,
        labelLimit=400,
        titleLimit=600,
    )


# --------------------------------------------------------------------------- spine chart


# --------------------------------------------------------------------------- compare: bars


#: What marks the selected neighbourhood's bar label in :func:`comparison_bars` (say so under the chart).
SELECTED_MARK = "➤"


def comparison_bars(
    df: pd.DataFrame,
    m: dict,
    england: float,
    manchester: float,
    bench_name: str,
    level_label: str = "95%",
    selected: str | None = None,
) -> alt.TopLevelMixin:
    """Horizontal bars for the 12 with CI whiskers, coloured by comparison (symbol in the row
    label), and labelled England and Manchester reference lines. The ``selected`` neighbourhood's
    label (an area code) starts with :data:`SELECTED_MARK`."""
    if selected is not None:
        df = df.assign(
            label=[(f"{SELECTED_MARK} " if c == selected else "") + lbl for c, lbl in zip(df["area_code"], df["label"])]
        )
    y = alt.Y("label:N", sort=list(df["label"]), title=None, axis=alt.Axis(labelLimit=320))
    tooltip = [
        alt.Tooltip("label:N", title="Neighbourhood"),
        alt.Tooltip("value_text:N", title="Value"),
        alt.Tooltip("interval_text:N", title=f"{level_label} interval"),
        alt.Tooltip("comparison_text:N", title=f"Compared with {bench_name}"),
    ]
    base = alt.Chart(df)
    bars = base.mark_bar().encode(
        x=alt.X("value:Q", title=str(m["unit"])),
        y=y,
        color=alt.Color("comparison_text:N", scale=colour_scale(), title=f"Compared with {bench_name}"),
        tooltip=tooltip,
    )
    whiskers = base.mark_rule(color="black", strokeWidth=1.5).encode(x="lower:Q", x2="upper:Q", y=y)
    refs = pd.DataFrame({"name": ["England", "Manchester"], "value": [england, manchester]}).dropna()
    refs["text"] = [f"{n}: {format_value(v, m)}" for n, v in zip(refs["name"], refs["value"])]
    lines = (
        alt.Chart(refs)
        .mark_rule(strokeWidth=2)
        .encode(
            x="value:Q",
            strokeDash=alt.StrokeDash(
                "name:N", scale=alt.Scale(domain=["England", "Manchester"], range=[[1, 0], [6, 4]]), title="Reference"
            ),
            color=alt.value(ENGLAND_COLOUR),
        )
    )
    labels = [
        alt.Chart(refs.iloc[[i]])
        .mark_text(align="left", dx=4, fontSize=12, fontWeight="bold", baseline="bottom")
        .encode(x="value:Q", y=alt.value(-4 - 15 * i), text="text:N")
        for i in range(len(refs))
    ]
    chart = alt.layer(bars, whiskers, lines, *labels).properties(
        height=34 * len(df) + 40 + CHROME, width="container", padding={"top": 36, "left": 5, "right": 5, "bottom": 5}
    )
    return configure(chart)


# --------------------------------------------------------------------------- compare: tartan rug


#: The rug's first row in :func:`tartan_chart`: each column's locality.
RUG_LOCALITY_ROW = "Locality"
RUG_BENCH_FILL = "#F3F2F1"


def tartan_chart(df: pd.DataFrame, bench_name: str) -> alt.TopLevelMixin:
    """Tartan rug (:func:`lib.views.compare.tartan_data` rows): the neighbourhoods as columns
    (code and name, in the rows' order: by locality), each column's locality in the first row,
    then Manchester and England (their values, uncoloured); cells coloured by comparison with
    ``bench_name``, each showing value and symbol."""
    columns = list(dict.fromkeys(df["area_label"])) + ["Manchester", "England"]
    indicators = list(dict.fromkeys(df["short_name"]))
    bench = df.drop_duplicates("indicator_id")
    bench_rows = pd.concat(
        [
            pd.DataFrame(
                {
                    "short_name": bench["short_name"],
                    "area_label": label,
                    "area_name": label,
                    "period": bench["period"],
                    "text": bench[col],
                    "comparison_text": "Benchmark",
                }
            )
            for label, col in (("Manchester", "manchester_text"), ("England", "england_text"))
        ],
        ignore_index=True,
    )
    loc = df.drop_duplicates("area_label")
    loc_rows = pd.DataFrame({"short_name": RUG_LOCALITY_ROW, "area_label": loc["area_label"], "text": loc["locality"]})
    loc_rows = pd.concat(
        [loc_rows, pd.DataFrame({"short_name": RUG_LOCALITY_ROW, "area_label": ["Manchester"], "text": ["Benchmarks"]})]
    )
    x = alt.X(
        "area_label:N",
        sort=columns,
        title=None,
        axis=alt.Axis(orient="top", labelAngle=-40, labelLimit=220, labelAlign="left"),
        scale=alt.Scale(domain=columns),
    )
    y = alt.Y(
        "short_name:N",
        sort=[RUG_LOCALITY_ROW] + indicators,
        title=None,
        axis=alt.Axis(labelLimit=260),
        scale=alt.Scale(domain=[RUG_LOCALITY_ROW] + indicators),
    )
    tooltip = [
        alt.Tooltip("area_name:N", title="Area"),
        alt.Tooltip("short_name:N", title="Indicator"),
        alt.Tooltip("period:N", title="Period"),
        alt.Tooltip("text:N", title="Value"),
        alt.Tooltip("comparison_text:N", title=f"Compared with {bench_name}"),
    ]
    cells = (
        alt.Chart(df)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=x,
            y=y,
            color=alt.Color("comparison_text:N", scale=colour_scale(), title=f"Compared with {bench_name}"),
            tooltip=tooltip,
        )
    )
    text = (
        alt.Chart(df)
        .mark_text(fontSize=11)
        .encode(x=x, y=y, text="text:N", color=alt.Color("text_colour:N", scale=None), tooltip=tooltip)
    )
    bench_cells = alt.Chart(bench_rows).mark_rect(stroke="white", strokeWidth=1, color=RUG_BENCH_FILL).encode(x=x, y=y)
    bench_text = alt.Chart(bench_rows).mark_text(fontSize=11, color="#0B0C0C").encode(x=x, y=y, text="text:N")
    loc_text = (
        alt.Chart(loc_rows).mark_text(fontSize=12, fontWeight="bold", color="#0B0C0C").encode(x=x, y=y, text="text:N")
    )
    n_rows = len(indicators) + 1
    return configure(
        alt.layer(cells, text, bench_cells, bench_text, loc_text).properties(
            height=28 * n_rows + CHROME + 120, width="container"
        )
    )


# --------------------------------------------------------------------------- compare: funnel plot


def funnel_chart(
    points: pd.DataFrame, limits: pd.DataFrame, m: dict, p0_value: float, bench_name: str
) -> alt.TopLevelMixin:
    """Funnel plot: x = denominator, y = value; points labelled by neighbourhood code and
    coloured/shaped by comparison; 95% and 99.8% limits around ``bench_name``'s value."""
    long = limits.melt(id_vars=["n", "level"], value_vars=["lower", "upper"], var_name="side", value_name="limit")
    long["line"] = long["level"] + " " + long["side"]
    dash = alt.StrokeDash(
        "level:N", scale=alt.Scale(domain=["95%", "99.8%"], range=[[6, 3], [2, 2]]), title="Control limits"
    )
    lines = (
        alt.Chart(long)
        .mark_line(color="#444444")
        .encode(
            x=alt.X("n:Q", title="Denominator (people or households)", scale=alt.Scale(type="log")),
            y=alt.Y("limit:Q", title=str(m["unit"]), scale=alt.Scale(zero=False)),
            strokeDash=dash,
            detail="line:N",
        )
    )
    centre = alt.Chart(pd.DataFrame({"y": [p0_value], "t": [f"{bench_name}: {format_value(p0_value, m)}"]}))
    rule = centre.mark_rule(color=ENGLAND_COLOUR, strokeWidth=2).encode(y="y:Q")
    rule_text = centre.mark_text(align="left", x=4, dy=-7, fontSize=12, fontWeight="bold").encode(y="y:Q", text="t:N")
    tooltip = [
        alt.Tooltip("area_name:N", title="Neighbourhood"),
        alt.Tooltip("value_text:N", title="Value"),
        alt.Tooltip("denominator:Q", title="Denominator", format=","),
        alt.Tooltip("comparison_text:N", title=f"Compared with {bench_name}"),
    ]
    pts = (
        alt.Chart(points)
        .mark_point(filled=True, size=140, stroke="black", strokeWidth=0.7)
        .encode(
            x="denominator:Q",
            y="value:Q",
            color=alt.Color("comparison_text:N", scale=colour_scale(), title=f"Compared with {bench_name}"),
            shape=alt.Shape("comparison_text:N", scale=shape_scale(), title=f"Compared with {bench_name}"),
            tooltip=tooltip,
        )
    )
    labels = (
        alt.Chart(points)
        .mark_text(align="left", dx=9, fontSize=12)
        .encode(x="denominator:Q", y="value:Q", text="area_code:N")
    )
    return configure(alt.layer(lines, rule, rule_text, pts, labels).properties(height=420 + CHROME, width="container"))


# --------------------------------------------------------------------------- compare: trend


def is_monthly(period_list: list[str]) -> bool:
    """True when every period looks like ``YYYY-MM``."""
    return bool(period_list) and all(re.fullmatch(r"\d{4}-\d{2}", p) for p in period_list)


def _month_index(period: str) -> int:
    year, month = period.split("-")
    return int(year) * 12 + int(month) - 1


def _month_period(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def _month_label(index: int) -> tuple[str, int]:
    return pd.Timestamp(year=index // 12, month=index % 12 + 1, day=1).strftime("%b"), index // 12


def month_gaps(period_list: list[str]) -> list[tuple[str, str]]:
    """Runs of months missing inside a monthly series (periods ``YYYY-MM``): one ``(first missing,
    last missing)`` pair per run, e.g. ``[("2023-01", "2023-10")]``. Empty for a series that is
    not monthly or has no gap."""
    if not is_monthly(list(period_list)):
        return []
    months = sorted({_month_index(p) for p in period_list})
    gaps = []
    for before, after in zip(months, months[1:]):
        if after - before > 1:
            first, last = before + 1, after - 1
            gaps.append((_month_period(first), _month_period(last)))
    return gaps


def gap_label(first: str, last: str) -> str:
    """A missing run of months in words: ``'Jan–Oct 2023'``, ``'Nov 2022–Feb 2023'`` or ``'Mar 2023'``."""
    (m1, y1), (m2, y2) = _month_label(_month_index(first)), _month_label(_month_index(last))
    if (m1, y1) == (m2, y2):
        return f"{m1} {y1}"
    return f"{m1}–{m2} {y2}" if y1 == y2 else f"{m1} {y1}–{m2} {y2}"


def line_segments(periods: pd.Series) -> pd.Series:
    """For each row of a monthly series, how many gaps (:func:`month_gaps`) come before its period:
    the line is drawn one segment per number, so it breaks where months are missing."""
    gaps = month_gaps(sorted(periods.astype(str).unique()))
    starts = [_month_index(first) for first, _ in gaps]
    return periods.astype(str).map(lambda p: sum(_month_index(p) > s for s in starts)).astype(int)


OTHERS_COLOUR = "#BBBBBB"


def trend_chart(
    df: pd.DataFrame, m: dict, level_label: str = "95%", others: pd.DataFrame | None = None
) -> alt.TopLevelMixin:
    """Lines for the neighbourhood, Manchester and England, with the neighbourhood's CI band;
    ``others`` (:func:`lib.views.compare.trend_others`), when given, are the other neighbourhoods,
    drawn as thin faint grey lines behind them (outside the legend, named in their tooltips).

    A monthly series with missing months is drawn as separate line segments (a break, never a line
    across the gap), and each gap is shaded and labelled "No figures"."""
    plist = sorted(df["period"].unique())
    monthly = is_monthly(plist)
    gaps = month_gaps(plist) if monthly else []
    df = df.assign(segment=line_segments(df["period"])) if gaps else df
    x = (
        alt.X("period:T", title="Month", axis=alt.Axis(tickCount="year", format="%Y"))
        if monthly
        else alt.X("period:O", sort=plist, title="Period", axis=alt.Axis(labelAngle=0))
    )
    names = list(
        dict.fromkeys(
            df.sort_values("area_type", key=lambda s: s.map({"neighbourhood": 0, "city": 1, "england": 2}))["series"]
        )
    )
    series_scale = alt.Scale(domain=names, range=["#0072B2", CITY_COLOUR, ENGLAND_COLOUR][: len(names)])
    colour = alt.Color("series:N", scale=series_scale, title=None)
    dash = alt.StrokeDash(
        "series:N", scale=alt.Scale(domain=names, range=[[1, 0], [6, 4], [2, 2]][: len(names)]), title=None
    )
    tooltip = [
        alt.Tooltip("series:N", title="Area"),
        alt.Tooltip("period:N", title="Period"),
        alt.Tooltip("value_text:N", title="Value"),
    ]
    base = alt.Chart(df)
    band = (
        base.transform_filter("isValid(datum.lower)")
        .mark_area(opacity=0.25, color="#0072B2")
        .encode(x=x, y="lower:Q", y2="upper:Q")
    )
    lines = base.mark_line(point=not monthly, strokeWidth=2.5).encode(
        x=x,
        y=alt.Y("value:Q", title=str(m["unit"]), scale=alt.Scale(zero=False)),
        color=colour,
        strokeDash=dash,
        tooltip=tooltip,
        **({"detail": alt.Detail("segment:N")} if gaps else {}),
    )
    # no interval anywhere (e.g. a modelled count): no band layer, whose empty mark group a screen
    # reader would meet as an unnamed graphic
    layers = [band, lines] if "lower" in df.columns and df["lower"].notna().any() else [lines]
    if others is not None and not others.empty:
        o = others.assign(segment=line_segments(others["period"])) if gaps else others
        layers.insert(
            0,
            alt.Chart(o)
            .mark_line(strokeWidth=1, color=OTHERS_COLOUR, opacity=0.7)
            .encode(
                x=x,
                y="value:Q",
                detail=alt.Detail("key:N"),
                tooltip=[
                    alt.Tooltip("series:N", title="Other neighbourhood"),
                    alt.Tooltip("period:N", title="Period"),
                    alt.Tooltip("value_text:N", title="Value"),
                ],
            )
            .transform_calculate(key="datum.series + '|' + (datum.segment || 0)"),
        )
    if gaps:
        # a month alone between gaps (or after the last one) has no line to be part of: show it as a
        # point in its series' colour (a fixed colour per series, so the legend keeps its line symbols)
        alone = df.groupby(["series", "segment"])["period"].transform("nunique") == 1
        for name, col in zip(names, series_scale.range):
            pts = df[alone & (df["series"] == name)]
            if len(pts):
                layers.append(
                    alt.Chart(pts).mark_point(filled=True, size=40, color=col).encode(x=x, y="value:Q", tooltip=tooltip)
                )
        # shade from the last month with figures to the next one: the stretch the lines do not cross
        shade = pd.DataFrame(
            [
                {
                    "start": _month_period(_month_index(a) - 1),
                    "end": _month_period(_month_index(b) + 1),
                    "label": "No figures",
                    "gap": gap_label(a, b),
                }
                for a, b in gaps
            ]
        )
        gap_base = alt.Chart(shade)
        layers.insert(
            0,
            gap_base.mark_rect(color=BAND_GREY, opacity=0.5).encode(
                x="start:T", x2="end:T", tooltip=[alt.Tooltip("gap:N", title="No figures for")]
            ),
        )
        layers.append(
            gap_base.mark_text(align="left", baseline="top", dx=3, dy=4, fontSize=12, color="#333333").encode(
                x="start:T", text="label:N", y=alt.value(0)
            )
        )
    return configure(alt.layer(*layers).properties(height=360 + CHROME, width="container"))


# --------------------------------------------------------------------------- profile: age and wards


def age_chart(age: pd.DataFrame) -> alt.TopLevelMixin:
    """Share of residents by age band: the neighbourhood, Manchester and England side by side."""
    df = age[age["band"] != "All ages"].copy()
    df["share_text"] = [f"{s:.1f}%" for s in df["share"]]
    areas = list(dict.fromkeys(df["area"]))
    colour = alt.Color(
        "area:N", scale=alt.Scale(domain=areas, range=["#0072B2", CITY_COLOUR, "#BBBBBB"][: len(areas)]), title=None
    )
    y = alt.Y("band:N", title=None, sort=list(dict.fromkeys(df["band"])))
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("share:Q", title="% of residents"),
            y=y,
            yOffset=alt.YOffset("area:N", sort=areas),
            color=colour,
            tooltip=[
                alt.Tooltip("area:N", title="Area"),
                alt.Tooltip("band:N", title="Age"),
                alt.Tooltip("share_text:N", title="Share"),
            ],
        )
    )
    text = (
        alt.Chart(df)
        .mark_text(align="left", dx=3, fontSize=11)
        .encode(x="share:Q", y=y, yOffset=alt.YOffset("area:N", sort=areas), text="share_text:N")
    )
    return configure(alt.layer(bars, text).properties(height=300 + CHROME, width="container"))


def ward_chart(
    wards: pd.DataFrame, m: dict, bench_name: str = "England", comparison_col: str = "vs_england"
) -> alt.TopLevelMixin:
    """The neighbourhood's wards as bars with CI whiskers, coloured by comparison, with the
    neighbourhood's own value as a labelled line."""
    df = wards.copy()
    df["comparison_text"] = df[comparison_col].map(comparison_text)
    df["label"] = [
        f"{COMPARISON_STYLE.get(w, COMPARISON_STYLE['not_compared'])[0]} {n}"
        for w, n in zip(df[comparison_col], df["area_name"])
    ]
    df["value_text"] = value_texts(df["value"], m)
    y = alt.Y("label:N", sort=list(df["label"]), title=None, axis=alt.Axis(labelLimit=260))
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("value:Q", title=str(m["unit"])),
            y=y,
            color=alt.Color("comparison_text:N", scale=colour_scale(), title=f"Compared with {bench_name}"),
            tooltip=[
                alt.Tooltip("area_name:N", title="Ward"),
                alt.Tooltip("value_text:N", title="Value"),
                alt.Tooltip("comparison_text:N", title=f"Compared with {bench_name}"),
            ],
        )
    )
    whiskers = alt.Chart(df).mark_rule(color="black").encode(x="lower:Q", x2="upper:Q", y=y)
    layers = [bars, whiskers]
    nb = df["nbhd_value"].dropna()
    if len(nb):
        ref = pd.DataFrame({"x": [float(nb.iloc[0])], "t": [f"Neighbourhood: {format_value(float(nb.iloc[0]), m)}"]})
        layers.append(alt.Chart(ref).mark_rule(strokeDash=[6, 4], strokeWidth=2, color=ENGLAND_COLOUR).encode(x="x:Q"))
        layers.append(
            alt.Chart(ref)
            .mark_text(align="left", dx=4, baseline="bottom", fontSize=12, fontWeight="bold")
            .encode(x="x:Q", y=alt.value(-4), text="t:N")
        )
    return configure(alt.layer(*layers).properties(height=44 * len(df) + 40 + CHROME, width="container"))
