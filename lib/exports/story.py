"""What a neighbourhood's slide deck and one-page PDF say, computed once for both.

The deck (:mod:`lib.exports.deck`) and the PDF (:mod:`lib.exports.pdf`) only lay out; the
content (the profile table, board summary, the indicator the presentation leads with, its map and
comparison chart, the cohorts and the activity targets, and each one's footer) is here, so the two
files tell the same story from the same numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from lib.core.data import Dataset
from lib.core.selection import BENCHMARK_PHRASES, Selection
from lib.core.wording import neighbourhood_count
from lib.exports.footer import (
    MAP_ATTRIBUTION,
    base_url,
    footer_lines,
    meta_footer,
    period_span,
    sources,
    status_words,
    view_url,
)
from lib.exports.images import text_block, with_footer
from lib.exports.static_map import latest_neighbourhood_period, neighbourhood_map
from lib.methods.indicators import area_comparison_table, meta
from lib.render import charts
from lib.render import spine as spines
from lib.render.format import STATUS_BADGE, comparison_label, format_count, format_value
from lib.views import cohorts, compare, profile, profile_summary
from lib.views import present as present_mode

APP_NAME = "Neighbourhood Profiles"


@dataclass(frozen=True)
class ActivitySplit:
    """The activity-shift shares as a presentation split them: ``shares`` (one row per
    neighbourhood x target line, :func:`lib.methods.apportion.target_shares`), the weighting's
    ``method`` (for the link back) and its ``words``."""

    shares: pd.DataFrame
    method: str
    words: str


class Story:
    """Everything a neighbourhood's deck and PDF show, computed once.

    ``sel`` is the neighbourhood, benchmark and confidence level; ``base`` the app's address for the
    links back (``None``: :func:`lib.exports.footer.base_url`); ``layers`` maps ``"neighbourhoods"``
    to the boundary layer the map is drawn from.
    """

    def __init__(
        self,
        ds: Dataset,
        sel: Selection,
        base: str | None,
        layers: Mapping[str, Any],
        day: dt.date | None = None,
        activity: ActivitySplit | None = None,
    ) -> None:
        nbhd, bench, level = sel.nbhd, sel.bench, sel.level
        self.ds, self.sel, self.nbhd, self.bench, self.level = ds, sel, nbhd, bench, level
        self.base = (base or base_url()).rstrip("/")
        self.day = day or dt.date.today()
        d = ds.definition.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")
        self.name = str(d.loc[nbhd, "neighbourhood_name"])
        self.locality = str(d.loc[nbhd, "locality_name"])
        self.bench_name = sel.bench_name
        self.level_label = sel.level_label
        self.table = profile.profile_table(ds, sel)
        self.summary = profile_summary.board_summary(ds, sel)
        self.spine = spines.spine_data(self.table)
        # the same indicator the presentation leads with (one rule, in lib.views.present)
        self.key = present_mode.key_indicator(ds, nbhd, level=level, table=self.table)
        self.key_meta = meta(ds.indicators, self.key)
        self.key_period = latest_neighbourhood_period(ds, self.key)
        self.layers = layers
        self.activity = activity

    def url(self, page: str, **extra: str) -> str:
        return view_url(self.base, page, {**self.sel.params(), **extra})

    def footer(self, ids: Sequence[str], url: str, period: str | None = None) -> list[str]:
        source, statuses = sources(self.ds, ids)
        if period is None:
            period = period_span(self.table.set_index("indicator_id").reindex(list(ids))["period"].dropna())
        return footer_lines(source, period, statuses, url, day=self.day)

    # -- charts
    def spine_spec(self, width: int = 1100, tested_only: bool = False) -> dict:
        """The spine chart; ``tested_only`` keeps the indicators with a significance test, so the
        chart is short enough to read on a slide (the full list is in the PDF and the app)."""
        url = self.url("profile")
        spine = self.spine
        if tested_only:
            tested = set(self.table.loc[self.table["ci_method"] != "none", "indicator_id"])
            spine = spine[spine["indicator_id"].isin(tested)] if spine["indicator_id"].isin(tested).any() else spine
        chart = spines.spine_chart(
            spine, area_name=self.name, bench_name=self.bench_name, n_nbhd=neighbourhood_count(self.ds.definition)
        )
        return with_footer(
            chart,
            f"{self.nbhd} · {self.name}: how it compares with {BENCHMARK_PHRASES[self.bench]}"
            + (" (indicators tested for significance)" if tested_only else ""),
            self.footer(list(spine["indicator_id"]), url),
            subtitle=f"Dot: {self.name}, compared with {self.bench_name} at {self.level_label} confidence. "
            "Better is always to the right.",
            width=width,
        )

    def map_spec(self) -> dict:
        url = self.url("map", ind=self.key, period=self.key_period, layer="neighbourhoods", colour="comparison")
        spec, _, _ = neighbourhood_map(
            self.ds,
            self.layers["neighbourhoods"],
            self.key,
            self.key_period,
            bench=self.bench,
            level=self.level,
            selected=self.nbhd,
        )
        footer = meta_footer(self.key_meta, self.key_period, url, day=self.day) + [MAP_ATTRIBUTION + "."]
        spec = dict(spec)
        title = spec.pop("title")
        return {
            "$schema": spec.pop("$schema"),
            "title": title,
            "vconcat": [spec, text_block(footer, 900)],
            "spacing": 14,
            "background": "white",
            "padding": 16,
            "config": {"view": {"stroke": None}},
        }

    def compare_spec(self, width: int = 1000) -> dict:
        m = self.key_meta
        names = dict(zip(self.ds.definition["neighbourhood_code"], self.ds.definition["neighbourhood_name"]))
        t = area_comparison_table(
            self.ds.values, self.ds.indicators, self.key, self.key_period, "neighbourhood", self.bench, self.level
        )
        bars = compare.comparison_bar_data(t, m, names, level=self.level)
        chart = charts.comparison_bars(
            bars,
            m,
            float(t["england"].iloc[0]),
            float(t["manchester"].iloc[0]),
            self.bench_name,
            self.level_label,
            selected=self.nbhd,
        )
        url = self.url("compare", family=str(m["family"]), ind=self.key, period=self.key_period)
        return with_footer(
            chart,
            f"{m['name']}, {self.key_period}: the {neighbourhood_count(self.ds.definition)} neighbourhoods",
            meta_footer(m, self.key_period, url, day=self.day),
            subtitle=f"Bars with {self.level_label} confidence intervals, compared with {self.bench_name}. "
            f"{charts.SELECTED_MARK} marks {self.nbhd} {self.name}.",
            width=width,
        )

    # -- tables
    def cohort_rows(self, limit: int = 7) -> pd.DataFrame:
        frames = []
        for c in cohorts.COHORTS:
            ct = cohorts.cohort_table(self.ds, c.cohort_id, self.sel)
            ct = ct[ct["neighbourhood_level"]].copy()
            ct["cohort"] = c.label.split(" (")[0]
            frames.append(ct)
        ct = pd.concat(frames, ignore_index=True).drop_duplicates("indicator_id").head(limit)
        out = []
        for r in ct.to_dict("records"):
            m = meta(self.ds.indicators, r["indicator_id"])
            val = format_value(r["value"], m)
            if r["status"] == "modelled":
                val += " (expected)"
            out.append(
                {
                    "Cohort": r["cohort"],
                    "Indicator": r["short_name"],
                    self.nbhd: val,
                    "Manchester": format_value(r["manchester"], m),
                    "England": format_value(r["england"], m),
                    f"vs {self.bench_name}": comparison_label(r["comparison"]),
                    "Status": STATUS_BADGE.get(r["status"], r["status"]),
                    "_id": r["indicator_id"],
                    "_period": r["period"],
                }
            )
        return pd.DataFrame(out)

    def activity_rows(self) -> pd.DataFrame:
        """The neighbourhood's modelled share of each 2020/21 target: as the presentation split
        them (``activity``), else the dataset's ``target_*`` rows (each line by its own driver)."""
        if self.activity is not None:
            mine = self.activity.shares[self.activity.shares["neighbourhood_code"] == self.nbhd]
            ids = {str(i) for i in self.ds.indicators["indicator_id"] if str(i).startswith("target_")}
            return pd.DataFrame(
                {
                    "Target (2020/21)": mine["measure"].astype(str),
                    "City reduction (published)": mine["city_target"].map(format_count),
                    f"{self.nbhd} share (MODELLED)": mine["share"].map(format_count),
                    "Unit as published": mine["unit_as_published"].astype(str),
                    "_id": [f"target_{m}" if f"target_{m}" in ids else "" for m in mine["measure_id"]],
                    "_period": "2020/21",
                }
            ).reset_index(drop=True)
        v = self.ds.values
        ids = [i for i in self.ds.indicators["indicator_id"] if str(i).startswith("target_")]
        rows = []
        for i in ids:
            m = meta(self.ds.indicators, i)
            mine = v[(v["indicator_id"] == i) & (v["area_type"] == "neighbourhood") & (v["area_code"] == self.nbhd)]
            city = v[(v["indicator_id"] == i) & (v["area_type"] == "city")]
            if mine.empty:
                continue
            unit = str(m["unit"]).split("(")[-1].rstrip(")") if "(" in str(m["unit"]) else str(m["unit"])
            rows.append(
                {
                    "Target (2020/21)": str(m["short_name"]).replace("Target share: ", ""),
                    "City reduction (published)": format_value(float(city["value"].iloc[0]), m) if len(city) else "–",
                    f"{self.nbhd} share (MODELLED)": format_value(float(mine["value"].iloc[0]), m),
                    "Unit as published": unit,
                    "_id": i,
                    "_period": str(mine["period"].iloc[0]),
                }
            )
        return pd.DataFrame(rows)

    def key_table(self, limit: int | None = None) -> pd.DataFrame:
        """Compact table of the tested indicators (then the rest; every one unless ``limit``),
        without the activity-shift targets, for the PDF. ``_id`` holds each row's indicator."""
        t = self.table.copy()
        t["_tested"] = (t["ci_method"] != "none").astype(int)
        t = t[~t["indicator_id"].str.startswith("target_")]
        t = t.sort_values("_tested", ascending=False, kind="stable")
        if limit is not None:
            t = t.head(limit)
        rows = []
        for r in t.to_dict("records"):
            m = meta(self.ds.indicators, r["indicator_id"])
            rows.append(
                {
                    "Indicator": r["short_name"],
                    "Period": str(r["period"]),
                    self.nbhd: format_value(r["value"], m),
                    "Manchester": format_value(r["manchester"], m),
                    "England": format_value(r["england"], m),
                    f"vs {self.bench_name}": comparison_label(r["vs_bench"]),
                    "Status": STATUS_BADGE.get(r["status"], r["status"]),
                    "_id": r["indicator_id"],
                }
            )
        return pd.DataFrame(rows)


def source_rows(ds: Dataset, ids: Sequence[str]) -> pd.DataFrame:
    """Distinct sources of some indicators with their indicators' statuses and count (the deck's
    sources slide: one row a source, not one an indicator, so it fits)."""
    ind = ds.indicators.set_index("indicator_id").loc[list(dict.fromkeys(ids))]
    rows: dict[str, dict] = {}
    for _, r in ind.iterrows():
        for p in str(r["source"]).split(";"):
            p = p.strip()
            if not p:
                continue
            e = rows.setdefault(p, {"statuses": [], "n": 0})
            e["statuses"].append(r["status"])
            e["n"] += 1
    return pd.DataFrame(
        [
            {"Source": k, "Status of indicators using it": status_words(v["statuses"]), "Indicators": str(v["n"])}
            for k, v in rows.items()
        ]
    )
