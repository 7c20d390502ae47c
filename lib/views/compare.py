"""The Compare areas view: the data behind its bars, tartan rug, funnel plot and trends (pure: no
Streamlit). The charts that draw them are in :mod:`lib.render.charts`, their tables in
:mod:`lib.render.chart_tables`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.core.contract import NOT_A_TREND, trend_across_periods
from lib.core.data import Dataset
from lib.core.selection import suffix
from lib.methods import stats, trend
from lib.methods.indicators import area_comparison_table, has_neighbourhoods, meta
from lib.render.charts import comparison_text, gap_label, month_gaps, value_texts
from lib.render.format import COMPARISON_STYLE, format_interval, format_value


def comparison_bar_data(
    table: pd.DataFrame, m: dict, names: dict[str, str], level: str = "95", order: list[str] | None = None
) -> pd.DataFrame:
    """Bar-chart rows from :func:`lib.methods.indicators.area_comparison_table` (one per neighbourhood).

    ``order`` fixes the display order (e.g. locality order); otherwise highest value first.
    Columns: ``area_code, label`` (symbol + code + name), ``value, lower, upper`` (at ``level``),
    ``comparison, comparison_text, value_text, interval_text``.
    """
    sfx = suffix(level)
    df = pd.DataFrame(
        {
            "area_code": table["area_code"],
            "value": table["value"],
            "lower": table[f"lower_{sfx}"],
            "upper": table[f"upper_{sfx}"],
            "comparison": table["comparison"],
        }
    )
    df["comparison_text"] = df["comparison"].map(comparison_text)
    df["label"] = [
        f"{COMPARISON_STYLE.get(w, COMPARISON_STYLE['not_compared'])[0]} {c} {names.get(c, c)}"
        for w, c in zip(df["comparison"], df["area_code"])
    ]
    df["value_text"] = value_texts(df["value"], m)
    df["interval_text"] = [format_interval(lo, hi, m) for lo, hi in zip(df["lower"], df["upper"])]
    if order:
        pos = {c: i for i, c in enumerate(order)}
        df = df.sort_values("area_code", key=lambda s: s.map(pos))
    else:
        df = df.sort_values("value", ascending=False)
    return df.reset_index(drop=True)


def tartan_data(
    ds: Dataset, benchmark: str = "england", level: str = "95", order: list[str] | None = None
) -> pd.DataFrame:
    """The tartan rug: 12 neighbourhoods x every indicator with neighbourhood values (latest
    period), compared with ``benchmark`` at ``level``.

    Columns: ``indicator_id, short_name, period, area_code, area_name, area_label`` (code and
    name), ``locality`` (its locality's name, from the definition), ``value, comparison,
    comparison_text, text`` (value and symbol), ``fill, text_colour``, the indicator's
    ``ci_method`` and ``status``, and the benchmarks' ``manchester, england`` with their
    ``manchester_text, england_text``.
    """
    rows = []
    have = set(has_neighbourhoods(ds.values))
    d = ds.definition.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")
    locality = d["locality_name"].astype(str).to_dict() if "locality_name" in d.columns else {}
    for ind in [i for i in ds.indicators["indicator_id"] if i in have]:
        m = meta(ds.indicators, ind)
        sel = (ds.values["indicator_id"] == ind) & (ds.values["area_type"] == "neighbourhood")
        period = sorted(ds.values.loc[sel, "period"].astype(str).unique())[-1]
        t = area_comparison_table(ds.values, ds.indicators, ind, period, "neighbourhood", benchmark, level)
        for _, r in t.iterrows():
            w = r["comparison"]
            style = COMPARISON_STYLE.get(w, COMPARISON_STYLE["not_compared"])
            rows.append(
                {
                    "indicator_id": ind,
                    "short_name": m["short_name"],
                    "period": period,
                    "area_code": r["area_code"],
                    "area_name": r["area_name"],
                    "area_label": f"{r['area_code']} {r['area_name']}",
                    "locality": locality.get(str(r["area_code"]), ""),
                    "value": r["value"],
                    "comparison": w,
                    "comparison_text": comparison_text(w),
                    "text": f"{format_value(r['value'], m)} {style[0]}",
                    "fill": style[1],
                    "text_colour": style[2],
                    "ci_method": m["ci_method"],
                    "status": m["status"],
                    "manchester": r["manchester"],
                    "england": r["england"],
                    "manchester_text": format_value(r["manchester"], m),
                    "england_text": format_value(r["england"], m),
                }
            )
    df = pd.DataFrame(rows)
    if order and not df.empty:
        pos = {c: i for i, c in enumerate(order)}
        df = df.assign(_o=df["area_code"].map(pos)).sort_values(["_o"], kind="stable").drop(columns="_o")
    return df.reset_index(drop=True)


def rug_untested(df: pd.DataFrame) -> list[str]:
    """The rug's indicators hidden by default (in rug order): estimates (status ``modelled``),
    figures without a confidence interval (``ci_method`` none) and indicators not compared in any
    neighbourhood. What is left was tested for significance somewhere."""
    if df.empty:
        return []
    g = df.groupby("indicator_id", sort=False)
    untested = (
        g["status"].first().eq("modelled")
        | g["ci_method"].first().eq("none")
        | g["comparison"].agg(lambda s: bool(s.eq("not_compared").all()))
    )
    return [i for i in dict.fromkeys(df["indicator_id"]) if bool(untested[i])]


def rug_rows(df: pd.DataFrame, show_untested: bool = False) -> pd.DataFrame:
    """The rug's rows as shown: without :func:`rug_untested` indicators unless ``show_untested``."""
    if show_untested or df.empty:
        return df
    return df[~df["indicator_id"].isin(rug_untested(df))].reset_index(drop=True)


def rug_hidden_sentence(df: pd.DataFrame, show_untested: bool) -> str | None:
    """A plain sentence saying how many indicators the rug hides (None when it hides none)."""
    n = len(rug_untested(df))
    if not n:
        return None
    if show_untested:
        return (
            f"Showing all indicators, including {n} estimates or figures not tested for significance "
            "(their cells are ○ Not compared)."
        )
    return (
        f"{n} {'indicator is' if n == 1 else 'indicators are'} hidden: estimates and figures that are not tested for "
        "significance. Switch on 'Show estimates and untested indicators' to see them."
    )


def rug_groups(df: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """The rug's column groups, in rug order: each locality with its neighbourhoods' codes."""
    cols = df.drop_duplicates("area_code")
    out: dict[str, list[str]] = {}
    for code, loc in zip(cols["area_code"], cols["locality"]):
        out.setdefault(str(loc), []).append(str(code))
    return list(out.items())


def rug_download_rows(ds: Dataset, df: pd.DataFrame) -> pd.DataFrame:
    """The value rows behind the rug shown (its neighbourhoods, Manchester and England, each
    indicator's period), for its analysis-ready download."""
    if df.empty:
        return df
    keys = df[["indicator_id", "period"]].drop_duplicates()
    v = ds.values[ds.values["area_type"].isin(["neighbourhood", "city", "england"])]
    v = v.assign(period=v["period"].astype(str)).merge(keys, on=["indicator_id", "period"])
    return v[["indicator_id", "period", "area_type", "area_code"]].reset_index(drop=True)


def tartan_table(df: pd.DataFrame) -> pd.DataFrame:
    """The tartan rug as a wide table: one row per indicator, one column per neighbourhood
    (headed by its code and name), then Manchester and England (their values)."""
    if df.empty:
        return pd.DataFrame()
    wide = df.pivot_table(
        index=["short_name", "period"], columns="area_label", values="text", aggfunc="first", sort=False
    )
    wide = wide[list(dict.fromkeys(df["area_label"]))]
    bench = df.drop_duplicates(["short_name", "period"]).set_index(["short_name", "period"])
    wide["Manchester"] = bench["manchester_text"].reindex(wide.index)
    wide["England"] = bench["england_text"].reindex(wide.index)
    wide.columns.name = None
    return wide.reset_index().rename(columns={"short_name": "Indicator", "period": "Period"})


def funnel_indicators(ds: Dataset) -> list[str]:
    """Proportion indicators with Wilson intervals and neighbourhood values (funnel-plot candidates)."""
    have = set(has_neighbourhoods(ds.values))
    i = ds.indicators
    sel = (i["value_type"] == "proportion") & (i["ci_method"] == "wilson") & i["indicator_id"].isin(have)
    return list(i.loc[sel, "indicator_id"])


def funnel_limits(p0: float, n_min: float, n_max: float, multiplier: float = 100.0, points: int = 200) -> pd.DataFrame:
    """Funnel control limits around a benchmark proportion ``p0`` (0-1) for n from ``n_min`` to
    ``n_max`` (log-spaced): the Wilson score interval of n·p0 events out of n, at 95% and 99.8%.

    Columns: ``n, level`` ("95%" / "99.8%"), ``lower, upper`` (in indicator units, x multiplier).
    """
    n = np.unique(np.geomspace(max(1.0, float(n_min)), max(float(n_max), float(n_min) + 1.0), points))
    out = []
    for label, z in (("95%", stats.Z95), ("99.8%", stats.Z998)):
        lo, hi = stats.wilson_interval(n * p0, n, z)
        out.append(pd.DataFrame({"n": n, "level": label, "lower": lo * multiplier, "upper": hi * multiplier}))
    return pd.concat(out, ignore_index=True)


def funnel_points(
    table: pd.DataFrame, m: dict, names: dict[str, str], level: str, p0_value: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A funnel plot's points and control limits: each area of ``table`` (an
    :func:`lib.methods.indicators.area_comparison_table`, or a neighbourhood's practices) at its
    denominator, and :func:`funnel_limits` around ``p0_value`` from half the smallest to 1.5x the
    largest denominator."""
    pts = comparison_bar_data(table, m, names, level=level).merge(
        table[["area_code", "area_name", "denominator"]], on="area_code"
    )
    multiplier = float(m["multiplier"])
    limits = funnel_limits(
        p0_value / multiplier, pts["denominator"].min() * 0.5, pts["denominator"].max() * 1.5, multiplier
    )
    return pts, limits


def trend_indicators(ds: Dataset) -> list[str]:
    """Indicators with more than one neighbourhood period that may be read as a trend
    (:func:`lib.core.contract.trend_across_periods`)."""
    v = ds.values[ds.values["area_type"] == "neighbourhood"]
    ps = v.assign(period=v["period"].astype(str)).groupby("indicator_id")["period"].unique()
    return [
        i
        for i, vt, unit in zip(ds.indicators["indicator_id"], ds.indicators["value_type"], ds.indicators["unit"])
        if len(ps.get(i, ())) > 1 and trend_across_periods(str(vt), str(unit), ps[i])
    ]


def no_trend_reason(ds: Dataset, indicator_id: str) -> str | None:
    """Why an indicator has no trend chart (the words follow its short name), or None if it has one."""
    v = ds.values[(ds.values["area_type"] == "neighbourhood") & (ds.values["indicator_id"] == indicator_id)]
    ps = sorted(set(v["period"].astype(str)))
    if len(ps) < 2:
        return "has one period only, so there is no trend to show."
    m = meta(ds.indicators, indicator_id)
    if not trend_across_periods(str(m["value_type"]), str(m["unit"]), ps):
        return NOT_A_TREND
    return None


def trend_data(ds: Dataset, indicator_id: str, nbhd: str, level: str = "95") -> pd.DataFrame:
    """The indicator over time for a neighbourhood, Manchester and England.

    Columns: ``series`` (area name), ``area_type, period, value, lower, upper`` (interval at
    ``level``; NaN where none), ``value_text``.
    """
    sfx = suffix(level)
    m = meta(ds.indicators, indicator_id)
    v = ds.values[ds.values["indicator_id"] == indicator_id]
    sel = ((v["area_type"] == "neighbourhood") & (v["area_code"] == nbhd)) | v["area_type"].isin(["city", "england"])
    nb_periods = set(v.loc[(v["area_type"] == "neighbourhood"), "period"])
    t = v[sel & v["period"].isin(nb_periods)]
    out = pd.DataFrame(
        {
            "series": t["area_name"],
            "area_type": t["area_type"],
            "period": t["period"].astype(str),
            "value": t["value"],
            "lower": t[f"lower_{sfx}"],
            "upper": t[f"upper_{sfx}"],
        }
    )
    out.loc[out["area_type"] != "neighbourhood", ["lower", "upper"]] = np.nan
    out["value_text"] = value_texts(out["value"], m)
    kind = {"neighbourhood": 0, "city": 1, "england": 2}
    return out.sort_values(
        ["period", "area_type"], key=lambda s: s.map(kind) if s.name == "area_type" else s
    ).reset_index(drop=True)


def trend_rows(ds: Dataset, indicator_id: str, nbhd: str) -> pd.DataFrame:
    """The value rows :func:`trend_data` draws (the neighbourhood, Manchester and England in each
    period the neighbourhoods have), for a download."""
    v = ds.values[ds.values["indicator_id"] == indicator_id]
    sel = ((v["area_type"] == "neighbourhood") & (v["area_code"] == nbhd)) | v["area_type"].isin(["city", "england"])
    nb_periods = set(v.loc[(v["area_type"] == "neighbourhood"), "period"])
    return v[sel & v["period"].isin(nb_periods)]


def trend_gap_note(trend: pd.DataFrame) -> str | None:
    """A plain note for the months a monthly trend has no figures for (:func:`trend_data`), e.g.
    "No figures for Jan–Oct 2023 in the source data, so the lines break there."; None without gaps."""
    gaps = month_gaps(sorted(trend["period"].astype(str).unique()))
    if not gaps:
        return None
    words = " or ".join(gap_label(first, last) for first, last in gaps)
    return f"No figures for {words} in the source data, so the lines break there."


def trend_others(ds: Dataset, indicator_id: str, nbhd: str) -> pd.DataFrame:
    """The other neighbourhoods' values of the indicator in every period, drawn faint behind the
    selected one. Columns: ``series`` (code and name), ``area_code, period, value, value_text``."""
    m = meta(ds.indicators, indicator_id)
    v = ds.values
    t = v[(v["indicator_id"] == indicator_id) & (v["area_type"] == "neighbourhood") & (v["area_code"] != nbhd)]
    out = pd.DataFrame(
        {
            "series": t["area_code"].astype(str) + " " + t["area_name"].astype(str),
            "area_code": t["area_code"],
            "period": t["period"].astype(str),
            "value": t["value"],
        }
    ).dropna(subset=["value"])
    out["value_text"] = value_texts(out["value"], m)
    return out.sort_values(["area_code", "period"]).reset_index(drop=True)


def trend_tests(ds: Dataset, indicator_id: str, nbhd: str, level: str = "95") -> tuple[pd.DataFrame, str]:
    """Fingertips' recent trend (:func:`lib.methods.trend.recent_trend`) for the neighbourhood,
    Manchester and England, and a sentence saying which test on which points (or why none).

    The test runs only for a proportion with counts that is not an estimate (a modelled figure is
    never tested as if observed). Columns: ``area_code, area_name, area_type, recent_trend,
    periods_tested, chi_squared, p_value``.
    """
    m = meta(ds.indicators, indicator_id)
    rows = trend_rows(ds, indicator_id, nbhd)
    if str(m["status"]) == "modelled":
        why = "Not tested for a trend: these figures are estimates (modelled), and estimates are not tested as if observed."
    elif str(m["value_type"]) != "proportion":
        why = "The recent-trend test is for proportions with counts; this indicator is not a proportion."
    else:
        why = None
    kind = {"neighbourhood": 0, "city": 1, "england": 2}
    out = []
    for (atype, code, name), g in sorted(
        rows.groupby(["area_type", "area_code", "area_name"]), key=lambda kv: kind.get(kv[0][0], 9)
    ):
        g = g.assign(period=g["period"].astype(str)).sort_values("period")
        if why:
            res = {"text": "Not tested", "periods": [], "chi2": np.nan, "p_value": np.nan}
        else:
            res = trend.recent_trend(
                list(g["period"]), list(g["numerator"]), list(g["denominator"]), str(m["polarity"]), level
            )
        out.append(
            {
                "area_code": code,
                "area_name": name,
                "area_type": atype,
                "recent_trend": res["text"],
                "periods_tested": " to ".join([res["periods"][0], res["periods"][-1]]) if res["periods"] else "",
                "chi_squared": res["chi2"],
                "p_value": res["p_value"],
            }
        )
    table = pd.DataFrame(out)
    if why:
        return table, why
    n_periods = rows["period"].astype(str).nunique()
    if n_periods < trend.POINTS:
        return table, (
            f"Not enough points for a trend test: {n_periods} periods, and the recent-trend test needs the latest {trend.POINTS}."
        )
    latest = sorted(rows["period"].astype(str).unique())[-trend.POINTS :]
    return table, (
        f"Recent trend: the {trend.TEST_NAME} on the latest {trend.POINTS} points ({latest[0]} to {latest[-1]}), "
        f"significant at {level}% confidence, as Fingertips tests it."
    )
