"""Altair charts of the Activity shift page: XmR (SPC) charts and apportioned target shares.

Special-cause points are marked by colour *and* shape (never colour alone), using the
Okabe-Ito palette of :mod:`lib.render.format`. Pure functions, no Streamlit.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

POINT_CLASSES = {
    "common_cause": ("Common cause", "#7F7F7F", "circle"),
    "improvement": ("Special cause: improvement", "#0072B2", "triangle-down"),
    "concern": ("Special cause: concern", "#D55E00", "triangle-up"),
    "neither": ("Special cause: no judgement", "#542788", "diamond"),
}
BASELINE_FILL = "#E5EEF6"
LINE_STYLES = {
    "Mean": ("#000000", [1, 0]),
    "Process limits": ("#7F7F7F", [6, 4]),
    "Target path (modelled)": ("#E69F00", [2, 2]),
}


def xmr_chart(
    points: pd.DataFrame, months: list[str], title: str, target: pd.DataFrame | None = None, height: int = 260
) -> alt.LayerChart:
    """An XmR chart: the monthly values joined by a line, the mean, the process limits, special-cause
    points coloured and shaped by assessment, and (optionally) the modelled target path.

    When the limits come from a baseline that is not the whole series (``points["in_baseline"]``,
    :func:`lib.methods.spc.xmr`), the baseline months are shaded and labelled "Baseline: limits
    from these months"."""
    df = points.copy()
    df["month"] = pd.to_datetime(pd.Series(months, index=df.index) + "-01")
    df["Point"] = df["assessment"].map(lambda a: POINT_CLASSES[a][0])
    rules = df[["rule_astronomical", "rule_shift", "rule_trend", "rule_two_of_three"]]
    names = ["outside limits", "shift", "trend", "two of three near a limit"]
    df["Rules"] = [", ".join(n for n, f in zip(names, r) if f) or "none" for r in rules.itertuples(index=False)]
    x = alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y"))
    line = (
        alt.Chart(df)
        .mark_line(color="#4D4D4D", strokeWidth=1.2)
        .encode(x=x, y=alt.Y("value:Q", title="Count per month", scale=alt.Scale(zero=False)))
    )
    classes = list(POINT_CLASSES.values())
    pts = (
        alt.Chart(df)
        .mark_point(filled=True, size=60, opacity=1)
        .encode(
            x=x,
            y="value:Q",
            color=alt.Color(
                "Point:N",
                scale=alt.Scale(domain=[c[0] for c in classes], range=[c[1] for c in classes]),
                legend=alt.Legend(title="Point", orient="right", labelLimit=260),
            ),
            shape=alt.Shape(
                "Point:N",
                scale=alt.Scale(domain=[c[0] for c in classes], range=[c[2] for c in classes]),
                legend=alt.Legend(title="Point", orient="right", labelLimit=260),
            ),
            tooltip=[
                alt.Tooltip("month:T", format="%b %Y", title="Month"),
                alt.Tooltip("value:Q", format=",.0f", title="Count"),
                "Point:N",
                alt.Tooltip("Rules:N", title="Rules triggered"),
            ],
        )
    )
    lines = [
        df.assign(series="Mean", y=df["mean"])[["month", "series", "y"]],
        df.assign(series="Process limits", y=df["ucl"], part="upper")[["month", "series", "y", "part"]],
        df.assign(series="Process limits", y=df["lcl"], part="lower")[["month", "series", "y", "part"]],
    ]
    if target is not None and not target.empty:
        t = target.copy()
        t["month"] = pd.to_datetime(t["month"] + "-01")
        lines.append(t.assign(series="Target path (modelled)", y=t["target"])[["month", "series", "y"]])
    ldf = pd.concat(lines, ignore_index=True)
    ldf["part"] = ldf["part"].fillna("")
    ldf["key"] = ldf["series"] + ldf["part"]
    names_l = list(LINE_STYLES)
    ref = (
        alt.Chart(ldf)
        .mark_line(strokeWidth=1.5)
        .encode(
            x=x,
            y="y:Q",
            detail="key:N",
            color=alt.Color(
                "series:N", scale=alt.Scale(domain=names_l, range=[LINE_STYLES[n][0] for n in names_l]), legend=None
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                scale=alt.Scale(domain=names_l, range=[LINE_STYLES[n][1] for n in names_l]),
                legend=alt.Legend(title="Line", orient="right", symbolStrokeWidth=2),
            ),
            tooltip=["series:N", alt.Tooltip("y:Q", format=",.1f", title="Value")],
        )
    )
    layers = [ref, line, pts]
    if "in_baseline" in df and not df["in_baseline"].all():
        inside = df.loc[df["in_baseline"], "month"]
        band = pd.DataFrame(
            {
                "start": [inside.min() - pd.Timedelta(days=14)],
                "end": [inside.max() + pd.Timedelta(days=14)],
                "label": ["Baseline: limits from these months"],
                "months": [f"{inside.min():%b %Y} to {inside.max():%b %Y}"],
            }
        )
        shade = alt.Chart(band)
        layers.insert(
            0,
            shade.mark_rect(color=BASELINE_FILL, opacity=0.6).encode(
                x="start:T", x2="end:T", tooltip=[alt.Tooltip("months:N", title="Baseline")]
            ),
        )
        layers.append(
            shade.mark_text(align="left", baseline="top", dx=3, dy=4, fontSize=11, color="#333333").encode(
                x="start:T", text="label:N", y=alt.value(0)
            )
        )
    if target is not None and not target.empty:
        end = ldf[ldf["series"] == "Target path (modelled)"].tail(1).assign(label="Target (modelled)")
        layers.append(
            alt.Chart(end)
            .mark_text(align="right", dy=-8, color="#B07800", fontWeight="bold")
            .encode(x=x, y="y:Q", text="label:N")
        )
    return (
        alt.layer(*layers)
        .resolve_scale(color="independent", shape="independent")
        .properties(title=alt.TitleParams(title, anchor="start", offset=10), height=height, width="container")
    )


def shares_chart(
    shares: pd.DataFrame, selected: str, names: dict[str, str], title: str, order: list[str] | None = None
) -> alt.LayerChart:
    """Bars of each neighbourhood's apportioned share of one target; the selected neighbourhood is
    darker and labelled "◆ selected" (not colour alone)."""
    df = shares.copy()
    df["Neighbourhood"] = [f"{c} {names.get(c, '')}".strip() for c in df["neighbourhood_code"]]
    df["Selected"] = ["◆ selected" if c == selected else "" for c in df["neighbourhood_code"]]
    df["label"] = [f"{s:,}" + (f"  {t}" if t else "") for s, t in zip(df["share"], df["Selected"])]
    sort = [f"{c} {names.get(c, '')}".strip() for c in (order or list(df["neighbourhood_code"]))]
    y = alt.Y("Neighbourhood:N", sort=sort, title=None, axis=alt.Axis(labelLimit=320, labelOverlap=False))
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("share:Q", title="Share of the 2020/21 reduction (modelled)"),
            color=alt.condition(alt.datum.Selected != "", alt.value("#0B4F8A"), alt.value("#9ECAE1")),
            tooltip=[
                "Neighbourhood:N",
                alt.Tooltip("share:Q", format=",", title="Share (modelled)"),
                alt.Tooltip("weight_share:Q", format=".1%", title="Weight share"),
            ],
        )
    )
    text = alt.Chart(df).mark_text(align="left", dx=4).encode(y=y, x="share:Q", text=alt.Text("label:N"))
    return alt.layer(bars, text).properties(title=title, height=12 * 32, width="container")
