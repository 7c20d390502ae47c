"""The profile's plain-English summary for a board: what stands out in a neighbourhood against its
benchmark, and what changed since the previous period (pure: no Streamlit).
"""

from __future__ import annotations

import math

import pandas as pd

from lib.core.contract import trend_across_periods
from lib.core.data import Dataset
from lib.core.selection import Selection
from lib.core.wording import in_sentence
from lib.render.format import format_value
from lib.views.profile import profile_table


def _names(table: pd.DataFrame, col: str, word: str) -> list[str]:
    return list(table.loc[table[col] == word, "short_name"])


def _join(items: list[str], limit: int = 5) -> str:
    items = [in_sentence(i) for i in items]  # the user's capitals kept (lib.core.wording)
    if len(items) > limit:
        items = items[:limit] + [f"{len(items) - limit} more"]
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def summary_sentences(table: pd.DataFrame, name: str, level: str = "95") -> list[str]:
    """A plain-English summary (3-5 sentences) of a profile table from :func:`profile_table`.

    Says where the neighbourhood is significantly better or worse than Manchester and than
    England (at the confidence ``level``), naming indicators by short name, and which figures
    are estimates or whole-population figures and so were not tested.
    """
    lvl = "99.8%" if level == "99.8" else "95%"
    tested = table[table["ci_method"] != "none"]
    out = [
        f"{name} has {len(table)} indicators in this profile; {len(tested)} of them can be tested for a real "
        f"difference from Manchester and England (at {lvl} confidence)."
    ]
    for col, bench in (("vs_city", "Manchester"), ("vs_england", "England")):
        worse, better = _names(tested, col, "worse"), _names(tested, col, "better")
        higher, lower = _names(tested, col, "higher"), _names(tested, col, "lower")
        parts = []
        if worse:
            parts.append(f"worse than {bench} on {_join(worse)}")
        if better:
            parts.append(f"better than {bench} on {_join(better)}")
        if higher or lower:
            parts.append(f"different from {bench} (no better or worse) on {_join(higher + lower)}")
        if parts:
            out.append(f"It is significantly {'; and '.join(parts)}.")
        else:
            out.append(f"It is not significantly different from {bench} on any tested indicator.")
    untested = table[table["ci_method"] == "none"]
    est = untested[(untested["status"] == "modelled") | untested["value_type"].isin(["score", "ratio"])]
    whole = untested[~untested.index.isin(est.index)]
    if len(est):
        out.append(
            f"Some figures are estimates ({_join(list(est['short_name']), 4)}), so they are shown but not tested for significance."
        )
    if len(whole):
        out.append(
            f"Others count everyone who lives there ({_join(list(whole['short_name']), 4)}), so there is no sampling error to test; they are described, not tested."
        )
    return out[:5]


def _previous_period(ps: list[str]) -> str | None:
    """The period to compare the latest with: a year earlier for monthly series (``YYYY-MM``),
    else the period before the latest. ``None`` when there is no earlier period."""
    if len(ps) < 2:
        return None
    latest = ps[-1]
    if len(latest) == 7 and latest[4] == "-" and latest[:4].isdigit():
        year_before = f"{int(latest[:4]) - 1}{latest[4:]}"
        return year_before if year_before in ps else ps[-2]
    return ps[-2]


def _series_by_indicator(ds: Dataset, nbhd: str) -> dict[str, dict[str, float]]:
    """The neighbourhood's values, as ``{indicator_id: {period: value}}`` (first row of each)."""
    v = ds.values
    mine = (v["area_type"].to_numpy(object) == "neighbourhood") & (v["area_code"].to_numpy(object) == nbhd)
    out: dict[str, dict[str, float]] = {}
    for ind, period, value in zip(
        v["indicator_id"].to_numpy(object)[mine], v["period"].to_numpy(object)[mine], v["value"].to_numpy(float)[mine]
    ):
        out.setdefault(ind, {}).setdefault(str(period), float(value))
    return out


TREND_COLUMNS = [
    "indicator_id",
    "short_name",
    "period",
    "previous_period",
    "value",
    "previous",
    "vs_england",
    "rose",
    "got_worse",
    "unit",
    "value_type",
]


def trend_rows(ds: Dataset, nbhd: str, level: str = "95", table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tested indicators with an earlier neighbourhood period: latest vs previous (a year earlier
    for monthly series), the direction and whether the change is for the worse (polarity-aware).

    Columns: ``indicator_id, short_name, period, previous_period, value, previous, vs_england,
    rose, got_worse``. The change itself is not significance-tested: it is described. ``table``
    is :func:`profile_table` for this neighbourhood and level (any benchmark), if the caller has it.
    """
    table = profile_table(ds, Selection(nbhd, "england", level)) if table is None else table
    return pd.DataFrame(_trends(ds, nbhd, table.to_dict("records")), columns=TREND_COLUMNS)


def _trends(ds: Dataset, nbhd: str, records: list[dict]) -> list[dict]:
    """The rows of :func:`trend_rows` from the profile table's ``records``."""
    series = _series_by_indicator(ds, nbhd)
    rows = []
    for r in records:
        nb = series.get(r["indicator_id"]) if r["ci_method"] != "none" else None
        if nb is None or not trend_across_periods(r["value_type"], r["unit"], nb):
            continue
        ps = sorted(nb)
        prev = _previous_period(ps)
        if prev is None or ps[-1] != r["period"]:
            continue
        before = nb[prev]
        if math.isnan(before) or math.isnan(r["value"]) or before == r["value"]:
            rose, worse = None, False
        else:
            rose = r["value"] > before
            worse = (rose and r["polarity"] == "lower_is_better") or (not rose and r["polarity"] == "higher_is_better")
        rows.append(
            {
                "indicator_id": r["indicator_id"],
                "short_name": r["short_name"],
                "period": r["period"],
                "previous_period": prev,
                "value": r["value"],
                "previous": before,
                "vs_england": r["vs_england"],
                "rose": rose,
                "got_worse": worse,
                "unit": r["unit"],
                "value_type": r["value_type"],
            }
        )
    return rows


#: How the board summary's sentence on estimates begins (a slide moves it to its footnote).
ESTIMATES_LEAD = "Some figures are estimates, not observed counts: "


def board_summary(ds: Dataset, sel: Selection, table: pd.DataFrame | None = None) -> list[str]:
    """Three to five plain-English sentences for a board: where the neighbourhood is significantly
    better or worse than England and than Manchester (or the rest of Manchester when ``bench`` is
    ``"rest"``), what is worse than England and getting worse (indicators with earlier periods:
    the latest against a year earlier for monthly series, else the period before), and which
    figures are estimates. ``table`` is :func:`profile_table` for the same arguments, if the
    caller already has it.

    "Worse than England and getting worse" is said only when the latest value is significantly
    worse than England (at ``level``) AND it moved the wrong way (rose, for lower-is-better). The
    change over time is described, not tested.
    """
    nbhd, bench, level = sel.nbhd, sel.bench, sel.level
    d = ds.definition
    name = str(d["neighbourhood_name"].to_numpy(object)[d["neighbourhood_code"].to_numpy(object) == nbhd][0])
    lvl = "99.8%" if level == "99.8" else "95%"
    table = profile_table(ds, sel) if table is None else table
    records = table.to_dict("records")  # a few dozen rows: plain Python is quicker than frame filters here
    tested = [r for r in records if r["ci_method"] != "none"]
    out: list[str] = []
    other = ("vs_bench", "the rest of Manchester") if bench == "rest" else ("vs_city", "Manchester")
    for col, bench_name in (("vs_england", "England"), other):
        at = f" (at {lvl} confidence)" if col == "vs_england" else ""
        worse = [r["short_name"] for r in tested if r[col] == "worse"]
        better = [r["short_name"] for r in tested if r[col] == "better"]
        # figures with no better or worse (GP registers, unpaid care): higher or lower, said as such
        higher = [r["short_name"] for r in tested if r[col] == "higher"]
        lower = [r["short_name"] for r in tested if r[col] == "lower"]
        unjudged = "; ".join(
            f"{w} on {_join(items, 8)}" for w, items in (("higher", higher), ("lower", lower)) if items
        )
        tail = f"; significantly {unjudged} (no better or worse is judged for these)" if unjudged else ""
        if worse and better:
            out.append(
                f"Compared with {bench_name}{at}, {name} is significantly worse on {_join(worse, 8)}, and better on {_join(better, 8)}{tail}."
            )
        elif worse:
            out.append(f"Compared with {bench_name}{at}, {name} is significantly worse on {_join(worse, 8)}{tail}.")
        elif better:
            out.append(
                f"Compared with {bench_name}{at}, {name} is significantly better on {_join(better, 8)}, and not worse on any tested figure{tail}."
            )
        elif unjudged:
            out.append(
                f"Compared with {bench_name}{at}, {name} is significantly {unjudged} (no better or worse is judged for these)."
            )
        else:
            out.append(
                f"{name} is not significantly different from {bench_name} on any of the {len(tested)} figures that can be tested."
            )
    trends = _trends(ds, nbhd, records)
    if trends:

        def change(r: dict) -> str:
            m = {"unit": r["unit"], "value_type": r["value_type"]}
            verb = "up" if r["rose"] else "down"
            return f"{in_sentence(r['short_name'])} ({verb} from {format_value(r['previous'], m)} in {r['previous_period']} to {format_value(r['value'], m)} in {r['period']})"

        bad = [change(r) for r in trends if r["vs_england"] == "worse" and r["got_worse"]]
        if bad:
            out.append(f"Worse than England and getting worse: {_join(bad)}.")
        else:
            improving = [
                change(r) for r in trends if r["vs_england"] == "worse" and r["rose"] is not None and not r["got_worse"]
            ]
            tail = f"; worse than England but improving: {_join(improving)}" if improving else ""
            out.append(
                f"Of the {len(trends)} tested figures with earlier years, none is both worse than England and getting worse{tail}."
            )
    untested = [r for r in records if r["ci_method"] == "none"]
    modelled = [r for r in untested if r["status"] == "modelled"]
    averaged = [r for r in untested if r["status"] != "modelled" and r["value_type"] in ("score", "ratio")]
    parts = []
    expected = [r for r in modelled if r["family"] != "activity"]
    if expected:
        parts.append(
            f"{len(expected)} modelled expected counts (such as {_join([r['short_name'].split(':')[0] for r in expected], 2)})"
        )
    targets = [r for r in modelled if r["family"] == "activity"]
    if targets:
        parts.append(f"{len(targets)} modelled shares of the city's activity-shift targets")
    if averaged:
        parts.append(
            f"{len(averaged)} scores and ratios averaged from small areas (such as {_join([r['short_name'] for r in averaged], 2)})"
        )
    if parts:
        out.append(ESTIMATES_LEAD + _join(parts) + "; they are shown but not tested for significance.")
    else:
        out.append(
            "No figure in this profile is an estimate: every figure is observed or computed from published counts."
        )
    return out[:5]
