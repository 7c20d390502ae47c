"""One neighbourhood's profile: every indicator against Manchester and England, a plain-English
summary, its population by age and the variation between its wards.

Pure functions over the frames of :class:`lib.core.data.Dataset` (no Streamlit).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from lib.core.contract import FAMILIES, POPULATION_LABELS
from lib.core.data import Dataset
from lib.core.disclosure import DEFAULT_THRESHOLD, display_count, display_count_or_reason
from lib.core.selection import BENCHMARK_PHRASES, BENCHMARKS, Selection, suffix
from lib.core.wording import in_sentence
from lib.methods.indicators import (
    area_comparison_table,
    comparison_frame,
    has_neighbourhoods,
    meta,
    periods,
    slice_values,
)
from lib.render.format import comparison_label, format_count, format_interval, format_value

#: The age indicators of the population section, with their plain labels.
AGE_BANDS: dict[str, str] = {
    "population_age_0_15": "Aged 0-15",
    "population_age_65plus": "Aged 65+",
    "population_age_75plus": "Aged 75+",
    "population_age_85plus": "Aged 85+",
}


def profile_indicators(ds: Dataset) -> list[str]:
    """Indicator ids with neighbourhood values, by family (catalogue order within a family)."""
    have = set(has_neighbourhoods(ds.values))
    ind = ds.indicators[ds.indicators["indicator_id"].isin(have)]
    ind = ind.assign(_f=ind["family"].map({f: i for i, f in enumerate(FAMILIES)})).sort_values("_f", kind="stable")
    return list(ind["indicator_id"])


def profile_table(ds: Dataset, sel: Selection) -> pd.DataFrame:
    """One row per indicator with the values of the neighbourhood ``sel.nbhd`` (latest period of the
    neighbourhoods), compared with ``sel.bench`` at ``sel.level``.

    Columns: ``indicator_id, short_name, family, unit, polarity, ci_method, status, period,
    value_type, value, lower, upper`` (interval at ``level``), ``numerator, denominator, manchester,
    england, nbhd_min, nbhd_max, spread`` (max |x - England| over the 12 neighbourhoods and
    Manchester), ``vs_city, vs_england, vs_bench`` (comparisons at ``level``; ``vs_bench``
    against the chosen benchmark), ``note`` and ``rest`` (the rest of Manchester: the city without
    the neighbourhood, for summed indicators; else blank).
    """
    return _one_profile(_profile_parts(ds, sel.level), sel.nbhd, sel.bench)


def profile_tables(ds: Dataset, level: str = "95", bench: str = "england") -> dict[str, pd.DataFrame]:
    """:func:`profile_table` for every neighbourhood, keyed by code: the comparisons are made once
    for all of them (what a neighbourhood's profile costs is then a slice)."""
    return _tables(ds, _profile_parts(ds, level), [bench])[bench]


def profile_tables_by_benchmark(ds: Dataset, level: str = "95") -> dict[str, dict[str, pd.DataFrame]]:
    """:func:`profile_tables` for each benchmark of :data:`lib.core.selection.BENCHMARKS` (keyed by
    it), from one set of comparisons: changing the benchmark then costs no new comparison."""
    return _tables(ds, _profile_parts(ds, level), list(BENCHMARKS))


def _tables(ds: Dataset, parts: _ProfileParts, benches: list[str]) -> dict[str, dict[str, pd.DataFrame]]:
    # Every neighbourhood of the grouping (one with no figures gets an empty profile, as from
    # profile_table), then any other with figures.
    codes = dict.fromkeys([*ds.definition["neighbourhood_code"], *parts.vs_eng["area_code"]])
    together = _all_profiles(parts, benches)
    return {
        bench: {
            code: together[bench][code] if code in together[bench] else _one_profile(parts, code, bench)
            for code in codes
        }
        for bench in benches
    }


def _all_profiles(parts: _ProfileParts, benches: list[str]) -> dict[str, dict[str, pd.DataFrame]]:
    """:func:`_one_profile` for every neighbourhood with figures and each of ``benches``, built in
    one pass (the same frames; about a tenth of the time of twelve separate slices). Only the
    ``vs_bench`` column differs between benchmarks."""
    me = parts.vs_eng.drop_duplicates(["area_code", "indicator_id"])
    me = me[me["indicator_id"].isin(parts.ids)]
    rank = {i: n for n, i in enumerate(parts.ids)}
    me = me.assign(_rank=me["indicator_id"].map(rank)).sort_values(["area_code", "_rank"], kind="stable")
    key = pd.MultiIndex.from_arrays([me["area_code"], me["indicator_id"]])

    def words(frame: pd.DataFrame, column: str = "comparison") -> np.ndarray:
        first = frame.drop_duplicates(["area_code", "indicator_id"]).set_index(["area_code", "indicator_id"])[column]
        return first.reindex(key).to_numpy(object)

    first = _profile_frame(
        me["indicator_id"].to_numpy(object),
        me,
        parts.ind,
        parts.spread,
        words(parts.vs_city),
        words(parts.against(benches[0])),
        parts.sfx,
        words(parts.vs_rest, "benchmark_value").astype(float),
    )
    codes = me["area_code"].to_numpy(object)
    rows = {code: codes == code for code in dict.fromkeys(codes)}
    out = {}
    for bench in benches:
        frame = first if bench == benches[0] else first.assign(vs_bench=words(parts.against(bench)))
        out[bench] = {code: frame[mask].reset_index(drop=True) for code, mask in rows.items()}
    return out


def _profile_frame(
    ids: np.ndarray,
    me: pd.DataFrame,
    ind: pd.DataFrame,
    spread: pd.DataFrame,
    vs_city: np.ndarray,
    vs_bench: np.ndarray,
    sfx: str,
    rest: np.ndarray,
) -> pd.DataFrame:
    """The profile table's columns from rows ``me`` of the comparisons with England (one per id in
    ``ids``, in that order), the catalogue ``ind`` and ``spread`` (indexed by indicator), the
    words compared with the city and the benchmark and the rest of Manchester's value, row for row."""
    m, sp = ind.loc[ids], spread.loc[ids]
    return pd.DataFrame(
        {
            "indicator_id": ids,
            **{
                c: m[c].to_numpy(object)
                for c in ("short_name", "family", "unit", "value_type", "polarity", "ci_method", "status")
            },
            "period": me["period"].astype(str).to_numpy(object),
            "value": me["value"].to_numpy(float),
            "lower": me[f"lower_{sfx}"].to_numpy(float),
            "upper": me[f"upper_{sfx}"].to_numpy(float),
            **{c: me[c].to_numpy(float) for c in ("numerator", "denominator", "manchester", "england")},
            **{c: sp[c].to_numpy(float) for c in ("nbhd_min", "nbhd_max", "spread")},
            "vs_city": vs_city,
            "vs_england": me["comparison"].to_numpy(object),
            "vs_bench": vs_bench,
            "note": me["note"].map(lambda x: "" if pd.isna(x) else str(x)).to_numpy(object),
            "rest": rest,
        }
    )


class _ProfileParts(NamedTuple):
    """The neighbourhood-independent part of a profile (see :func:`_profile_parts`)."""

    vs_eng: pd.DataFrame
    vs_city: pd.DataFrame
    vs_rest: pd.DataFrame
    spread: pd.DataFrame
    ind: pd.DataFrame
    ids: list[str]
    sfx: str

    def against(self, bench: str) -> pd.DataFrame:
        """The comparisons with ``bench`` (a key of :data:`lib.core.selection.BENCHMARKS`)."""
        return {"england": self.vs_eng, "city": self.vs_city, "rest": self.vs_rest}[bench]


def _profile_parts(ds: Dataset, level: str) -> _ProfileParts:
    """The neighbourhood-independent part of :func:`profile_table`: every neighbourhood's
    comparisons (with England, the city and the rest of the city) and each indicator's spread."""
    ids = profile_indicators(ds)
    v = ds.values[
        ds.values["area_type"].isin(["neighbourhood", "city", "england"]) & ds.values["indicator_id"].isin(ids)
    ]
    # The latest neighbourhood period of each indicator, and the rows of that period only.
    nb = v[v["area_type"] == "neighbourhood"]
    latest = nb.assign(period=nb["period"].astype(str)).groupby("indicator_id")["period"].max()
    v = v[v["period"].astype(str) == v["indicator_id"].map(latest)]
    vs_eng = comparison_frame(v, ds.indicators, "neighbourhood", "england", level)
    vs_city = comparison_frame(v, ds.indicators, "neighbourhood", "city", level)
    vs_rest = comparison_frame(v, ds.indicators, "neighbourhood", "rest", level)
    # Spread: the largest distance from England among the neighbourhoods and Manchester.
    dist = (vs_eng["value"] - vs_eng["england"]).abs()
    city_dist = (vs_eng["manchester"] - vs_eng["england"]).abs()
    per_ind = pd.DataFrame(
        {"indicator_id": vs_eng["indicator_id"], "value": vs_eng["value"], "d": dist, "c": city_dist}
    )
    spread = per_ind.groupby("indicator_id").agg(
        nbhd_min=("value", "min"), nbhd_max=("value", "max"), d=("d", "max"), c=("c", "max")
    )
    spread["spread"] = spread[["d", "c"]].max(axis=1)
    ind = ds.indicators.drop_duplicates("indicator_id").set_index("indicator_id")
    return _ProfileParts(vs_eng, vs_city, vs_rest, spread, ind, ids, suffix(level))


def _one_profile(parts: _ProfileParts, nbhd: str, bench: str) -> pd.DataFrame:
    vs_eng, vs_city, vs_b, ids = parts.vs_eng, parts.vs_city, parts.against(bench), parts.ids
    me = vs_eng[vs_eng["area_code"] == nbhd].drop_duplicates("indicator_id").set_index("indicator_id")
    me_city = (
        vs_city[vs_city["area_code"] == nbhd].drop_duplicates("indicator_id").set_index("indicator_id")["comparison"]
    )
    me_b = vs_b[vs_b["area_code"] == nbhd].drop_duplicates("indicator_id").set_index("indicator_id")["comparison"]
    vs_rest = parts.vs_rest
    me_rest = (
        vs_rest[vs_rest["area_code"] == nbhd]
        .drop_duplicates("indicator_id")
        .set_index("indicator_id")["benchmark_value"]
    )
    order = [i for i in ids if i in me.index]
    return _profile_frame(
        np.asarray(order, dtype=object),
        me.loc[order],
        parts.ind,
        parts.spread,
        me_city.loc[order].to_numpy(object),
        me_b.loc[order].to_numpy(object),
        parts.sfx,
        me_rest.reindex(order).to_numpy(float),
    )


def display_profile_table(
    table: pd.DataFrame,
    indicators: pd.DataFrame,
    level: str = "95",
    threshold: int = DEFAULT_THRESHOLD,
    bench: str = "england",
) -> pd.DataFrame:
    """The profile table as people read it: formatted text and plain column names (counts at the
    disclosure ``threshold`` in force, ``Dataset.threshold``). With ``bench`` ``"rest"``, the rest of
    Manchester's value and the comparison with it too (after Manchester's). A modelled figure's count is never
    shown as an observed one: a modelled count indicator (expected dementia cases, a share of a
    city target) reads as a whole number labelled "expected, modelled" (or "modelled"), its Count
    cell says it is not an observed count, and its Manchester and England cells say they are
    totals; a modelled rate's count reads "about N (modelled estimate)"."""
    ms = {i: meta(indicators, i) for i in table["indicator_id"]}
    lvl = "99.8%" if level == "99.8" else "95%"
    out = _display_columns(table, ms, lvl, threshold)
    if bench == "rest" and "rest" in table.columns:
        rest = BENCHMARKS["rest"]
        out.insert(
            out.columns.get_loc("Manchester") + 1,
            rest,
            [format_value(v, ms[i]) for v, i in zip(table["rest"], table["indicator_id"])],
        )
        out.insert(
            out.columns.get_loc("Compared with England") + 1,
            f"Compared with {BENCHMARK_PHRASES['rest']}",
            table["vs_bench"].map(lambda w: comparison_label(w, BENCHMARK_PHRASES["rest"])).to_numpy(object),
        )
    return out


def _display_columns(table: pd.DataFrame, ms: dict, lvl: str, threshold: int) -> pd.DataFrame:
    notes = table.get("note", pd.Series(None, index=table.index))
    rows = list(zip(table["indicator_id"], table["status"], table["value_type"]))
    return pd.DataFrame(
        {
            "Indicator": table["short_name"],
            "Period": table["period"],
            "Value": [
                _modelled_value(v, ms[i], threshold) if _modelled_count(s, vt) else format_value(v, ms[i])
                for v, (i, s, vt) in zip(table["value"], rows)
            ],
            f"{lvl} confidence interval": [
                format_interval(lo, hi, ms[i])
                for lo, hi, i in zip(table["lower"], table["upper"], table["indicator_id"])
            ],
            "Count": [
                _modelled_count_text(x, ms[i], threshold)
                if s == "modelled"
                else display_count_or_reason(x, n, threshold, fmt=format_count)
                for x, n, (i, s, _) in zip(table["numerator"], notes, rows)
            ],
            "Manchester": [
                _total_text(v, "Manchester", threshold) if _modelled_count(s, vt) else format_value(v, ms[i])
                for v, (i, s, vt) in zip(table["manchester"], rows)
            ],
            "England": [
                _total_text(v, "England", threshold) if _modelled_count(s, vt) else format_value(v, ms[i])
                for v, (i, s, vt) in zip(table["england"], rows)
            ],
            "Compared with Manchester": table["vs_city"].map(lambda w: comparison_label(w, "Manchester")),
            "Compared with England": table["vs_england"].map(lambda w: comparison_label(w, "England")),
            "Status": table["status"].str.capitalize(),
            "Population": [POPULATION_LABELS.get(ms[i].get("population"), "") for i in table["indicator_id"]],
            "Unit": table["unit"],
        }
    )


#: What the profile's Count column says of a modelled count indicator (its value is the estimate).
MODELLED_COUNT_TEXT = "not an observed count: the value is {kind}"


def _modelled_count(status: str, value_type: str) -> bool:
    """A modelled figure that is itself a count (expected dementia cases, a share of a city target)."""
    return status == "modelled" and value_type == "count"


def _whole_estimate(x: float, threshold: int) -> str:
    return display_count(round(float(x)), threshold, fmt=lambda n: f"{n:,.0f}")


def _modelled_value(x: float | None, m: dict, threshold: int) -> str:
    """A modelled count as the profile shows it: a whole number, labelled an estimate."""
    if x is None or pd.isna(x):
        return "–"
    return f"{_whole_estimate(x, threshold)} ({_kind(m)})"


def _kind(m: dict) -> str:
    return "expected, modelled" if "expected" in str(m.get("unit", "")) else "modelled"


def _modelled_count_text(x: float | None, m: dict, threshold: int) -> str:
    """The Count cell of a modelled row: never a fractional number shown as if people were counted."""
    if m.get("value_type") == "count":
        return MODELLED_COUNT_TEXT.format(kind=_kind(m))
    if x is None or pd.isna(x):
        return "–"
    return f"about {_whole_estimate(x, threshold)} (modelled estimate)"


def _total_text(x: float | None, area: str, threshold: int) -> str:
    """A benchmark cell of a modelled count: the whole area's total, which a neighbourhood's count is
    a part of, not a figure to compare it with."""
    if x is None or pd.isna(x):
        return f"– (no {area} total)"
    return f"{_whole_estimate(x, threshold)} ({area} total)"


#: Why an indicator is not on the spine, by reason (the keys are :func:`not_on_spine`'s).
OFF_SPINE_REASONS: dict[str, str] = {
    "city_only": "published for Manchester only, no neighbourhood figure",
    "msoa_only": "published for middle-sized areas (MSOAs) only, so there is no neighbourhood figure (see Life expectancy below)",
    "count": "a count or total, which is not comparable between areas of different sizes (in the All indicators table)",
    "no_england": "no England figure to centre the row on (in the All indicators table)",
    "no_value": "no figure for this neighbourhood (in the All indicators table)",
}


def not_on_spine(ds: Dataset, table: pd.DataFrame, spine: pd.DataFrame) -> dict[str, list[str]]:
    """The indicators of the dataset ``ds`` that the spine leaves out, grouped by why
    (:data:`OFF_SPINE_REASONS`; only the reasons with indicators): those in the profile ``table`` but
    not in ``spine`` (a count, no England figure or no value), and those the table itself cannot
    hold because they have no neighbourhood figure (QOF prevalence, the Health Index: published
    for Manchester only; life expectancy: MSOAs only). Short names, catalogue order."""
    on_spine = set(spine["indicator_id"]) if "indicator_id" in spine else set()
    in_table = set(table["indicator_id"])
    # the area types of each indicator, from its distinct (indicator, area type) pairs (a row-wise
    # groupby of every value took most of a profile run)
    pairs = ds.values[["indicator_id", "area_type"]].drop_duplicates()
    area_types: dict[str, set[str]] = {}
    for i, at in zip(pairs["indicator_id"], pairs["area_type"]):
        area_types.setdefault(i, set()).add(str(at))
    by_id = {
        r["indicator_id"]: r
        for r in table.drop_duplicates("indicator_id")[["indicator_id", "value_type", "value", "england"]].to_dict(
            "records"
        )
    }
    out: dict[str, list[str]] = {k: [] for k in OFF_SPINE_REASONS}
    for ind, short in zip(ds.indicators["indicator_id"], ds.indicators["short_name"]):
        if ind in on_spine or ind not in area_types:
            continue
        if ind in in_table:
            r = by_id[ind]
            reason = (
                "count"
                if r["value_type"] == "count"
                else "no_value"
                if pd.isna(r["value"])
                else "no_england"
                if pd.isna(r["england"])
                else None
            )
        elif "neighbourhood" in area_types[ind]:
            continue  # a neighbourhood figure, just not for this profile's latest period
        elif "msoa" in area_types[ind]:
            reason = "msoa_only"
        elif "city" in area_types[ind]:
            reason = "city_only"
        else:
            reason = None
        if reason:
            out[reason].append(str(short))
    return {k: v for k, v in out.items() if v}


def not_on_spine_sentences(groups: dict[str, list[str]]) -> list[str]:
    """:func:`not_on_spine` in plain sentences, one per reason: "Not on the spine, published for
    Manchester only, no neighbourhood figure: Diabetes (QOF, modelled), ..."."""
    return [f"Not on the spine, {OFF_SPINE_REASONS[k]}: {', '.join(names)}." for k, names in groups.items()]


def age_profile(ds: Dataset, nbhd: str) -> pd.DataFrame:
    """Population by age: one row per (age band, area) for the neighbourhood, Manchester and England.

    Columns: ``band, area, count, total, share`` (share in % of all residents), plus
    ``period``. The ``All ages`` band has share 100.
    """
    rows = []
    for ind, band in {"population": "All ages", **AGE_BANDS}.items():
        p = periods(ds.values, ind)[-1]
        for area_type, area in (("neighbourhood", None), ("city", "Manchester"), ("england", "England")):
            s = slice_values(ds.values, ind, p, area_type)
            if area_type == "neighbourhood":
                s = s[s["area_code"] == nbhd]
            if s.empty:
                continue
            r = s.iloc[0]
            if ind == "population":
                count, total, share = float(r["value"]), float(r["value"]), 100.0
            else:
                count, total, share = float(r["numerator"]), float(r["denominator"]), float(r["value"])
            rows.append(
                {
                    "band": band,
                    "area": area or str(r["area_name"]),
                    "count": count,
                    "total": total,
                    "share": share,
                    "period": p,
                }
            )
    return pd.DataFrame(rows)


def age_rows(ds: Dataset, nbhd: str) -> pd.DataFrame:
    """The value rows :func:`age_profile` reads (each age indicator's latest period, for the
    neighbourhood, Manchester and England), for a download."""
    v = ds.values
    keep = []
    for ind in ("population", *AGE_BANDS):
        p = periods(v, ind)[-1]
        keep.append(
            v[
                (v["indicator_id"] == ind)
                & (v["period"] == p)
                & (
                    ((v["area_type"] == "neighbourhood") & (v["area_code"] == nbhd))
                    | v["area_type"].isin(["city", "england"])
                )
            ]
        )
    return pd.concat(keep, ignore_index=True)


def display_age_table(age: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The age profile as a wide, readable table (count and share per area; counts at ``threshold``)."""
    out = pd.DataFrame({"Age": age["band"].unique()})
    for area in age["area"].unique():
        a = age[age["area"] == area].set_index("band")
        out[f"{area}: people"] = out["Age"].map(a["count"]).map(lambda x: display_count(x, threshold, fmt=format_count))
        out[f"{area}: % of residents"] = (
            out["Age"].map(a["share"]).map(lambda v: format_value(v, {"unit": "%", "value_type": "proportion"}))
        )
    return out


def ward_indicators(ds: Dataset) -> list[str]:
    """Indicator ids with ward values (catalogue order)."""
    have = set(ds.values.loc[ds.values["area_type"] == "ward", "indicator_id"])
    return [i for i in ds.indicators["indicator_id"] if i in have]


def ward_table(ds: Dataset, nbhd: str, indicator_id: str, level: str = "95") -> pd.DataFrame:
    """The neighbourhood's wards for one indicator (latest period with ward values), highest first.

    Columns: ``area_code, area_name, period, value, lower, upper, numerator, denominator,
    nbhd_value, manchester, england, vs_city, vs_england`` (comparisons at ``level``).
    """
    sfx = suffix(level)
    ps = [p for p in periods(ds.values, indicator_id) if not slice_values(ds.values, indicator_id, p, "ward").empty]
    if not ps:
        return pd.DataFrame()
    period = ps[-1]
    eng = area_comparison_table(ds.values, ds.indicators, indicator_id, period, "ward", "england", level)
    city = area_comparison_table(ds.values, ds.indicators, indicator_id, period, "ward", "city", level)
    nb = slice_values(ds.values, indicator_id, period, "neighbourhood")
    nb = nb[nb["area_code"] == nbhd]
    t = eng[eng["parent_code"] == nbhd].drop(columns=["vs_england", "vs_city"]).copy()
    t["vs_city"] = t["area_code"].map(city.set_index("area_code")["comparison"])
    t = t.rename(columns={"comparison": "vs_england", f"lower_{sfx}": "lower", f"upper_{sfx}": "upper"})
    t["nbhd_value"] = float(nb.iloc[0]["value"]) if len(nb) else np.nan
    cols = [
        "area_code",
        "area_name",
        "period",
        "value",
        "lower",
        "upper",
        "numerator",
        "denominator",
        "nbhd_value",
        "manchester",
        "england",
        "vs_city",
        "vs_england",
        "note",
    ]
    return t[cols].sort_values("value", ascending=False).reset_index(drop=True)


def display_ward_table(
    wards: pd.DataFrame, m: dict, level: str = "95", threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """The ward table as people read it (counts at the disclosure ``threshold``)."""
    lvl = "99.8%" if level == "99.8" else "95%"
    return pd.DataFrame(
        {
            "Ward": wards["area_name"],
            "Ward code": wards["area_code"],
            "Period": wards["period"],
            f"Value ({m['unit']})": wards["value"].map(lambda v: format_value(v, m)),
            f"{lvl} confidence interval": [
                format_interval(lo, hi, m) for lo, hi in zip(wards["lower"], wards["upper"])
            ],
            "Count": [
                display_count_or_reason(x, n, threshold, fmt=format_count)
                for x, n in zip(wards["numerator"], wards.get("note", pd.Series(None, index=wards.index)))
            ],
            "Neighbourhood": wards["nbhd_value"].map(lambda v: format_value(v, m)),
            "Manchester": wards["manchester"].map(lambda v: format_value(v, m)),
            "England": wards["england"].map(lambda v: format_value(v, m)),
            "Compared with Manchester": wards["vs_city"].map(lambda w: comparison_label(w, "Manchester")),
            "Compared with England": wards["vs_england"].map(lambda w: comparison_label(w, "England")),
        }
    )


def ward_sentence(wards: pd.DataFrame, m: dict, nbhd_name: str) -> str:
    """One sentence naming the ward with the highest and lowest value."""
    if wards.empty:
        return f"There are no ward figures for {in_sentence(m['short_name'])}."
    top, low = wards.iloc[0], wards.iloc[-1]
    s = f"In {nbhd_name}, {top['area_name']} has the highest {in_sentence(m['short_name'])} ({format_value(top['value'], m)}, {top['period']})"
    if len(wards) > 1:
        s += f" and {low['area_name']} the lowest ({format_value(low['value'], m)})"
    return s + "."


# --------------------------------------------------------------------------- board summary
