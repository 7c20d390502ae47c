"""The overview: the 12 neighbourhoods with their population and one indicator against
Manchester and England, and a plain-English headline."""

from __future__ import annotations

import pandas as pd

from lib.core.data import Dataset
from lib.core.disclosure import DEFAULT_THRESHOLD, display_count
from lib.methods.indicators import area_comparison_table, neighbourhood_order, periods, slice_values
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
