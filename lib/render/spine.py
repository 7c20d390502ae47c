"""The spine chart, as Fingertips draws area profiles: each indicator's neighbourhood value on one
line scaled so England sits in the middle, with Manchester and the spread of the neighbourhoods.
Its spec is filled into a template built once per benchmark and indicator list (tested equal to
altair's own)."""

from __future__ import annotations

import functools
import json

import altair as alt
import numpy as np
import pandas as pd

from lib.render.charts import (
    BAND_GREY,
    CHROME,
    CITY_COLOUR,
    ENGLAND_COLOUR,
    colour_scale,
    comparison_text,
    configure,
    shape_scale,
)
from lib.render.format import format_value

#: The columns of :func:`spine_data`.
SPINE_COLUMNS = [
    "indicator_id",
    "short_name",
    "period",
    "value",
    "england",
    "manchester",
    "flip",
    "scaled",
    "scaled_city",
    "band_lo",
    "band_hi",
    "comparison",
    "comparison_text",
    "value_text",
    "england_text",
    "manchester_text",
    "range_text",
    "rest_text",
]


def spine_data(profile: pd.DataFrame) -> pd.DataFrame:
    """Spine-chart rows from :func:`lib.views.profile.profile_table`: one per indicator that has an
    England value (counts such as total population are excluded: they are not comparable).

    Each row is scaled as Fingertips does: ``flip * (x - England) / spread`` where ``spread``
    is the largest |x - England| over the 12 neighbourhoods and Manchester and ``flip`` is -1
    for "lower is better" indicators, so better is always to the right and every value lies in
    [-1, 1]. Columns: ``short_name, period, value, england, manchester, flip, scaled``
    (the neighbourhood), ``scaled_city``, ``band_lo``, ``band_hi`` (the 12 neighbourhoods),
    ``comparison`` (word), ``comparison_text`` and formatted ``*_text`` columns for tooltips
    (``rest_text``: the rest of Manchester, from the profile's ``rest``).
    """
    cols = SPINE_COLUMNS
    if profile.empty:
        return pd.DataFrame(columns=cols)
    # Column arrays, not frame operations: a profile has a few dozen rows, and each pandas step on
    # its text columns costs more than the arithmetic (measured: 13 ms to 2 ms per profile).
    keep = (profile["england"].notna() & profile["value"].notna() & (profile["value_type"] != "count")).to_numpy(bool)
    col = {c: profile[c].to_numpy()[keep] for c in profile.columns}
    f = {c: col[c].astype(float) for c in ("value", "england", "manchester", "spread", "nbhd_min", "nbhd_max")}
    flip = np.where(col["polarity"] == "lower_is_better", -1.0, 1.0)
    d = np.where(f["spread"] > 0, f["spread"], np.nan)

    def scale(x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.clip(np.nan_to_num(flip * (x - f["england"]) / d, nan=0.0), -1.0, 1.0)

    a, b = scale(f["nbhd_min"]), scale(f["nbhd_max"])
    comparison = col["vs_bench"] if "vs_bench" in col else col["vs_england"]
    ms = [{"unit": u, "value_type": vt} for u, vt in zip(col["unit"], col["value_type"])]
    return pd.DataFrame(
        {
            "indicator_id": col["indicator_id"],
            "short_name": col["short_name"],
            "period": col["period"],
            "value": f["value"],
            "england": f["england"],
            "manchester": f["manchester"],
            "flip": flip,
            "scaled": scale(f["value"]),
            "scaled_city": scale(f["manchester"]),
            "band_lo": np.minimum(a, b),
            "band_hi": np.maximum(a, b),
            "comparison": comparison,
            "comparison_text": [comparison_text(w) for w in comparison],
            "value_text": [format_value(v, m) for v, m in zip(f["value"], ms)],
            "england_text": [format_value(v, m) for v, m in zip(f["england"], ms)],
            "manchester_text": [format_value(v, m) for v, m in zip(f["manchester"], ms)],
            "range_text": [
                f"{format_value(lo, m)} to {format_value(hi, m)}" for lo, hi, m in zip(f["nbhd_min"], f["nbhd_max"], ms)
            ],
            "rest_text": [
                format_value(v, m)
                for v, m in zip(col["rest"].astype(float) if "rest" in col else f["value"] * np.nan, ms)
            ],
        },
        columns=cols,
    )


def spine_chart(
    df: pd.DataFrame, area_name: str = "Neighbourhood", bench_name: str = "England", n_nbhd: int = 12
) -> alt.TopLevelMixin:
    """Spine chart of :func:`spine_data`: England at 0, the 12 neighbourhoods' spread as a grey
    band, Manchester as a diamond and the neighbourhood as a dot coloured and shaped by its
    comparison with ``bench_name``. Better is always to the right."""
    order = list(df["short_name"])
    y = alt.Y("short_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    x_scale = alt.Scale(domain=[-1.05, 1.05])
    tooltip = [
        alt.Tooltip("short_name:N", title="Indicator"),
        alt.Tooltip("period:N", title="Period"),
        alt.Tooltip("value_text:N", title=area_name),
        alt.Tooltip("manchester_text:N", title="Manchester"),
        alt.Tooltip("england_text:N", title="England"),
        alt.Tooltip("range_text:N", title=f"Range of the {n_nbhd}"),
        alt.Tooltip("comparison_text:N", title=f"Compared with {bench_name}"),
    ]
    base = alt.Chart()  # the rows are the layer's data, given once (not once per layer: faster to build)
    band = base.mark_bar(color=BAND_GREY, height=14).encode(
        x=alt.X(
            "band_lo:Q",
            scale=x_scale,
            title="← worse than England · England · better than England →",
            axis=alt.Axis(values=[-1, 0, 1], labels=False),
        ),
        x2="band_hi:Q",
        y=y,
        tooltip=tooltip,
    )
    centre = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color=ENGLAND_COLOUR, strokeWidth=2).encode(x="x:Q")
    city = base.mark_point(
        shape="diamond", filled=True, color=CITY_COLOUR, size=110, stroke="white", strokeWidth=0.5
    ).encode(x=alt.X("scaled_city:Q", scale=x_scale), y=y, tooltip=tooltip)
    dot = base.mark_point(filled=True, size=170, stroke="black", strokeWidth=0.8).encode(
        x=alt.X("scaled:Q", scale=x_scale),
        y=y,
        color=alt.Color("comparison_text:N", scale=colour_scale(), title=f"Compared with {bench_name}"),
        shape=alt.Shape("comparison_text:N", scale=shape_scale(), title=f"Compared with {bench_name}"),
        tooltip=tooltip,
    )
    legend_marks = pd.DataFrame(
        {"x": [-1.0, 1.0], "label": [f"◆ Manchester (diamond); grey band: range of the {n_nbhd}", ""]}
    )
    note = (
        alt.Chart(legend_marks.iloc[:1])
        .mark_text(align="left", dy=-8, fontSize=11, color="#333333")
        .encode(x=alt.X("x:Q", scale=x_scale), y=alt.value(0), text="label:N")
    )
    chart = alt.layer(band, centre, city, dot, note, data=df).properties(
        height=max(120, 30 * len(df)) + CHROME, width="container"
    )
    return configure(chart)


#: Stands for the neighbourhood's name in the cached spine-chart template (:func:`spine_spec`).
_AREA = "@@spine-area-name@@"


@functools.lru_cache(maxsize=64)
def _spine_template(bench_name: str, names: tuple[str, ...], n_nbhd: int = 12) -> tuple[str, str]:
    """The spine chart's spec as JSON text, for rows with these short names (in this order), with
    :data:`_AREA` for the neighbourhood's name; and the name of its rows' dataset."""
    placeholder = pd.DataFrame({c: [""] * len(names) for c in SPINE_COLUMNS}).assign(short_name=list(names))
    spec = spine_chart(placeholder, area_name=_AREA, bench_name=bench_name, n_nbhd=n_nbhd).to_dict(validate=False)
    return json.dumps(spec), spec["data"]["name"]


def spine_spec(
    df: pd.DataFrame, area_name: str = "Neighbourhood", bench_name: str = "England", n_nbhd: int = 12
) -> dict:
    """The Vega-Lite spec of :func:`spine_chart` (``.to_dict()``), from a template built once per
    benchmark and list of indicators, with ``df``'s rows and ``area_name`` put in: a few
    milliseconds where building the chart takes tens (moving between neighbourhoods is the
    profile's commonest step). The same spec, up to the name of its rows' dataset."""
    text, rows_name = _spine_template(bench_name, tuple(df["short_name"]), n_nbhd)
    spec = json.loads(text.replace(_AREA, json.dumps(area_name)[1:-1]))
    spec["datasets"][rows_name] = (
        df[SPINE_COLUMNS].astype(object).where(df[SPINE_COLUMNS].notna(), None).to_dict(orient="records")
    )
    return spec
