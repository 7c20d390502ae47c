"""The overview: the 12 neighbourhoods with their population and one indicator against
Manchester and England, a plain-English headline, and a city-wide summary of which neighbourhoods
stand out across every tested indicator (:func:`city_summary`, by a stated rule)."""

from __future__ import annotations

import pandas as pd

from lib.core.data import Dataset
from lib.core.disclosure import DEFAULT_THRESHOLD, display_count
from lib.core.selection import CONFIDENCE
from lib.methods.indicators import area_comparison_table, comparison_frame, neighbourhood_order, periods, slice_values
from lib.render.format import comparison_label, format_count, format_interval, format_value

#: Each lens's head-count column: (indicator, column label). The latest period is used.
HEADCOUNT: dict[str, tuple[str, str]] = {
    "residents": ("population", "Population"),
    "registered": ("reg_patients", "Registered patients"),
}


def _headcount_source(ds: Dataset) -> tuple[str, str, str]:
    ind, label = HEADCOUNT["registered" if ds.population == "registered" else "residents"]
    period = "mid-2020" if ind == "population" else periods(ds.values, ind)[-1]
    return ind, period, f"{label} ({period})"


def headcount(ds: Dataset) -> pd.Series:
    """The neighbourhoods' head count for the dataset's lens (residents mid-2020, or registered
    patients at the latest count) by code."""
    ind, period, _ = _headcount_source(ds)
    return slice_values(ds.values, ind, period, "neighbourhood").set_index("area_code")["value"]


def headcount_label(ds: Dataset) -> str:
    """The head-count column's label, with its period: ``'Registered patients (July 2026)'``."""
    return _headcount_source(ds)[2]


def neighbourhood_summary(ds: Dataset, indicator_id: str, period: str, level: str = "95") -> pd.DataFrame:
    """One row per neighbourhood (display order): locality, head count (residents mid-2020, or
    registered patients for the registered lens: :func:`headcount`), the indicator's value,
    interval, count, and comparison with Manchester and with England."""
    vs_eng = area_comparison_table(ds.values, ds.indicators, indicator_id, period, "neighbourhood", "england", level)
    vs_city = area_comparison_table(ds.values, ds.indicators, indicator_id, period, "neighbourhood", "city", level)
    out = vs_eng.rename(columns={"comparison": "vs_england_at_level"})
    out["vs_city_at_level"] = out["area_code"].map(vs_city.set_index("area_code")["comparison"])
    out["population"] = out["area_code"].map(headcount(ds))
    loc = ds.definition.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")["locality_name"]
    out["locality"] = out["area_code"].map(loc)
    order = {c: i for i, c in enumerate(neighbourhood_order(ds.definition))}
    return out.sort_values("area_code", key=lambda s: s.map(order)).reset_index(drop=True)


def display_table(
    summary: pd.DataFrame,
    meta: dict,
    threshold: int = DEFAULT_THRESHOLD,
    population_label: str = "Population (mid-2020)",
) -> pd.DataFrame:
    """The summary as people read it (formatted text, plain column names; counts at the disclosure
    ``threshold`` in force; the head count under ``population_label``: :func:`headcount_label`)."""
    return pd.DataFrame(
        {
            "Code": summary["area_code"],
            "Neighbourhood": summary["area_name"],
            "Locality": summary["locality"],
            population_label: summary["population"].map(format_count),
            f"Value ({meta['unit']})": summary["value"].map(lambda v: format_value(v, meta)),
            "95% confidence interval": [
                format_interval(lo, hi, meta) for lo, hi in zip(summary["lower_95"], summary["upper_95"])
            ],
            "Count": summary["numerator"].map(lambda x: display_count(x, threshold, fmt=format_count)),
            "Compared with Manchester": summary["vs_city_at_level"].map(lambda w: comparison_label(w, "Manchester")),
            "Compared with England": summary["vs_england_at_level"].map(lambda w: comparison_label(w, "England")),
            "Note": summary["note"].fillna(""),
        }
    )


def headline(summary: pd.DataFrame, meta: dict, level: str = "95%") -> str:
    """A plain-English sentence: how many neighbourhoods are significantly better or worse
    than England and Manchester, or why no test was made."""
    eng = summary["england"].iloc[0] if len(summary) else float("nan")
    city = summary["manchester"].iloc[0] if len(summary) else float("nan")
    bench = f"Manchester: {format_value(city, meta)}; England: {format_value(eng, meta)}."
    if meta["ci_method"] == "none":
        if meta.get("status") == "modelled":
            why = "a modelled estimate (the method is on the Data and methods page)"
        else:
            why = "an estimate" if meta["value_type"] in ("score", "ratio") else "a whole-population figure"
        return f"{bench} This figure is {why}, so differences are described, not tested for significance."
    parts = []
    for col, name in (("vs_england_at_level", "England"), ("vs_city_at_level", "Manchester")):
        counts = summary[col].value_counts()
        if meta["polarity"] == "no_judgement":
            parts.append(
                f"{counts.get('higher', 0)} of {len(summary)} are significantly higher than {name} and {counts.get('lower', 0)} lower"
            )
        else:
            parts.append(
                f"{counts.get('worse', 0)} of {len(summary)} are significantly worse than {name} and {counts.get('better', 0)} better"
            )
    return f"{bench} At {level} confidence, " + "; ".join(parts) + "."


#: The verdicts the city-wide summary counts: (the one it ranks by, its opposite). Significance tests
#: with a judgement (better/worse) where the lens has any; otherwise (e.g. the registered lens, whose
#: registers are recorded prevalence: higher is not in itself worse) the no-judgement ones.
JUDGED = ("worse", "better")
UNJUDGED = ("higher", "lower")


def latest_comparisons(ds: Dataset, level: str = "95", benchmark: str = "england") -> pd.DataFrame:
    """Every indicator of the dataset's lens with neighbourhood figures, at its latest neighbourhood
    period (as the tartan rug takes it), each neighbourhood compared with ``benchmark`` at ``level``:
    the rows of :func:`lib.methods.indicators.comparison_frame` (one pass over all indicators)."""
    v = ds.values
    known = set(ds.indicators["indicator_id"])
    nb = v.loc[(v["area_type"] == "neighbourhood") & v["indicator_id"].isin(known), ["indicator_id", "period"]]
    latest = nb.assign(period=nb["period"].astype(str)).groupby("indicator_id", sort=False)["period"].max()
    keys = pd.MultiIndex.from_arrays([v["indicator_id"], v["period"].astype(str)])
    wanted = keys.isin(list(latest.items())) & v["area_type"].isin(["neighbourhood", "england", "city"]).to_numpy()
    out = comparison_frame(v.loc[wanted], ds.indicators, "neighbourhood", benchmark, level)
    polarity = dict(zip(ds.indicators["indicator_id"], ds.indicators["polarity"]))
    out["judged"] = out["indicator_id"].map(polarity).ne("no_judgement")  # better/worse, or higher/lower
    return out


def _names_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def standouts(
    comparisons: pd.DataFrame,
    names: dict[str, str],
    short_names: dict[str, str],
    level: str = "95%",
    population: str = "residents",
) -> str:
    """The city-wide summary in two sentences, by a stated rule.

    The indicators *tested* are those (from :func:`latest_comparisons`) with a judgement (polarity)
    on which at least one neighbourhood was tested (better, similar or worse than England); where
    there are none, those with no judgement (higher, similar or lower: :data:`UNJUDGED`). Count for each neighbourhood
    the tested indicators on which it is significantly worse (or higher). Name the neighbourhoods
    with the highest count (all that tie, up to three; else how many tie) and the first (in display
    order) of those most often significantly better (or lower); then the indicators on which most
    neighbourhoods are significantly worse (or higher), all that tie up to three, in catalogue
    order. ``names``: neighbourhood code -> name, in display order."""
    whom = "registered patients" if population == "registered" else "residents"
    judged = comparisons["judged"].astype(bool)
    verdicts = comparisons["comparison"]
    if (judged & verdicts.isin((*JUDGED, "similar"))).any():
        bad, good, rows = *JUDGED, judged
    else:
        bad, good, rows = *UNJUDGED, ~judged
    c = comparisons[rows & verdicts.isin((bad, good, "similar"))]
    tested = list(dict.fromkeys(c["indicator_id"]))
    if not tested:
        return (
            f"None of the indicators for {whom} can be tested against England for significance, "
            "so no neighbourhood is said to stand out."
        )
    n, of = len(tested), len(names)
    per_nbhd = c.loc[c["comparison"] == bad, "area_code"].value_counts().reindex(list(names), fill_value=0)
    per_good = c.loc[c["comparison"] == good, "area_code"].value_counts().reindex(list(names), fill_value=0)
    lead = f"Across the {n} indicators for {whom} tested against England ({level} confidence, latest period of each)"
    note = "" if bad == "worse" else " (with no judgement: higher is not in itself worse)"
    top = int(per_nbhd.max())
    if top == 0:
        return f"{lead}, no neighbourhood is significantly {bad} than England{note}."
    leaders = [code for code in names if per_nbhd[code] == top]
    if len(leaders) <= 3:
        who = _names_list([f"{code} {names[code]}" for code in leaders])
        verb, each = ("is", "") if len(leaders) == 1 else ("are", "each ")
        first = f"{lead}, {who} {verb} most often significantly {bad} than England{note}: {each}on {top} of {n}"
    else:
        first = f"{lead}, {len(leaders)} neighbourhoods are most often significantly {bad} than England{note}: each on {top} of {n}"
    if int(per_good.max()) > 0:
        best = next(code for code in names if per_good[code] == per_good.max())
        others = int((per_good == per_good.max()).sum()) - 1
        first += f"; {best} {names[best]} is most often significantly {good} ({int(per_good[best])} of {n}" + (
            f", as {others} other{'s are' if others > 1 else ' is'})" if others else ")"
        )
    per_ind = c.loc[c["comparison"] == bad, "indicator_id"].value_counts().reindex(tested, fill_value=0)
    most = int(per_ind.max())
    inds = [i for i in tested if per_ind[i] == most][:3]
    second = (
        f"Most neighbourhoods are significantly {bad} than England on "
        + _names_list([f"{short_names.get(i, i)} ({most} of {of})" for i in inds])
        + "."
    )
    return f"{first}. {second}"


#: The rule of :func:`city_summary`, in plain words (shown under it).
SUMMARY_RULE = (
    "How this is worked out: for every indicator with a significance test against England, at its latest "
    "period, each neighbourhood is counted as significantly worse, similar or better (its confidence interval "
    "against England's value; for registered patients' registers, which carry no judgement, higher or lower). "
    "The neighbourhoods counted worse (or higher) most often are named, then the indicators on which most "
    "neighbourhoods are. Indicators without a confidence interval are not counted."
)


def city_summary(ds: Dataset, level: str = "95") -> str:
    """:func:`standouts` of the dataset's lens (its indicators, its neighbourhoods in display order)
    at ``level``: the Overview's city-wide summary."""
    d = ds.definition.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")["neighbourhood_name"]
    names = {code: str(d[code]) for code in neighbourhood_order(ds.definition)}
    short = dict(zip(ds.indicators["indicator_id"], ds.indicators["short_name"]))
    return standouts(latest_comparisons(ds, level), names, short, CONFIDENCE.get(level, level), ds.population)
