"""The profile's registered-patient view: a neighbourhood's GP practices, their QOF registers
against Manchester and England, and the variation between its practices.

Every figure here describes the **patients registered with the neighbourhood's practices**
(wherever they live), never its residents: the tables say so in their captions and carry the
population in their downloads. The practices are those ``geodata/practices.csv`` assigns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.core.contract import POPULATION_WORDS
from lib.core.data import Dataset
from lib.core.disclosure import DEFAULT_THRESHOLD, display_count
from lib.core.practices import BASES
from lib.core.selection import BENCHMARKS, Selection, limit_columns
from lib.methods.indicators import comparison_frame, meta
from lib.render.format import comparison_label, format_interval, format_value

#: The population these figures describe, in words (for captions and downloads).
LENS = POPULATION_WORDS["registered"]


def registers(ds: Dataset) -> list[str]:
    """The QOF register indicators of a registered-patient dataset, in catalogue order."""
    ids = ds.indicators["indicator_id"]
    return [i for i in ids if i.startswith("reg_") and i != "reg_patients" and not i.startswith("reg_age_")]


def periods(ds: Dataset, indicator_id: str) -> list[str]:
    return sorted(ds.values.loc[ds.values["indicator_id"] == indicator_id, "period"].astype(str).unique())


def practices_of(practices: pd.DataFrame, nbhd: str) -> pd.DataFrame:
    """The neighbourhood's practices as its page lists them: code, name, PCN, basis, status and note."""
    mine = practices[practices["neighbourhood_code"] == nbhd]
    return pd.DataFrame(
        {
            "Practice": mine["practice_name"].to_numpy(),
            "Code": mine["practice_code"].to_numpy(),
            "PCN": mine["pcn_name"].to_numpy(),
            "Why in this neighbourhood": [
                BASES[b] if b != "judgement" else f"judgement: {n}"
                for b, n in zip(mine["basis"], mine["note"].fillna(""))
            ],
            "Status": [
                "open" if s == "open" else f"closed: {n}" for s, n in zip(mine["status"], mine["note"].fillna(""))
            ],
        }
    )


def _area_rows(ds: Dataset, area_type: str, sel: Selection, ids: list[str] | None = None) -> pd.DataFrame:
    v = ds.values
    if ids is not None:
        v = v[v["indicator_id"].isin(ids)]
    return comparison_frame(v, ds.indicators, area_type, sel.bench, sel.level)


def neighbourhood_rows(ds: Dataset, sel: Selection, ids: list[str]) -> pd.DataFrame:
    """The neighbourhood's row of each indicator in ``ids`` at its latest period: value, interval
    (at ``sel.level``), count and list, Manchester, England and the comparison with ``sel.bench``.
    One row per indicator, numbers as numbers (the registers of the profile and the cohorts)."""
    t = _area_rows(ds, "neighbourhood", sel, ids)
    t = t[t["area_code"] == sel.nbhd]
    lo, hi = limit_columns(sel.level)
    rows = []
    for ind in ids:
        ps = periods(ds, ind)
        mine = t[(t["indicator_id"] == ind) & (t["period"] == (ps[-1] if ps else None))]
        if mine.empty:
            continue
        r = mine.iloc[0]
        m = meta(ds.indicators, ind)
        rows.append(
            {
                "indicator_id": ind,
                "short_name": m["short_name"],
                "unit": m["unit"],
                "population": "registered patients",
                "period": ps[-1],
                "value": float(r["value"]),
                "lower": float(r[lo]),
                "upper": float(r[hi]),
                "count": float(r["numerator"]),
                "list_size": float(r["denominator"]),
                "manchester": float(r["manchester"]),
                "england": float(r["england"]),
                "comparison": str(r["comparison"]),
            }
        )
    return pd.DataFrame(rows)


def register_table(ds: Dataset, sel: Selection) -> pd.DataFrame:
    """:func:`neighbourhood_rows` of every register, with the change from the earlier year
    (percentage points, described, not tested)."""
    t = neighbourhood_rows(ds, sel, registers(ds))
    if t.empty:
        return t
    v = ds.values[(ds.values["area_type"] == "neighbourhood") & (ds.values["area_code"] == sel.nbhd)]
    value_at = v.set_index(["indicator_id", "period"])["value"]
    first = [periods(ds, i)[0] for i in t["indicator_id"]]
    t["register"] = t["short_name"].str.removesuffix(" register")
    t["earlier_period"] = [f if f != p else "" for f, p in zip(first, t["period"])]
    t["earlier_value"] = [
        float(value_at.get((i, e), np.nan)) if e else np.nan for i, e in zip(t["indicator_id"], t["earlier_period"])
    ]
    t["change_points"] = t["value"] - t["earlier_value"]
    return t


def register_rows(table: pd.DataFrame, nbhd: str) -> pd.DataFrame:
    """The value rows :func:`register_table` shows, keyed for a download: each register's latest
    period and the earlier one it is compared with (so the change can be recomputed)."""
    if table.empty:
        return pd.DataFrame(columns=["indicator_id", "period", "area_type", "area_code"])
    earlier = table[table["earlier_period"] != ""].assign(period=lambda t: t["earlier_period"])
    both = pd.concat([table, earlier], ignore_index=True)
    return both[["indicator_id", "period"]].assign(area_type="neighbourhood", area_code=nbhd)


def display_register_table(table: pd.DataFrame, ds: Dataset, sel: Selection) -> pd.DataFrame:
    """:func:`register_table` as the screen shows it (formatted, counts through the disclosure rule)."""
    bench = BENCHMARKS[sel.bench]
    out = []
    for r in table.to_dict("records"):
        m = meta(ds.indicators, r["indicator_id"])
        out.append(
            {
                "Register (of registered patients)": f"{r['register']} ({m['unit'].removeprefix('% of registered patients ').strip('()')})",
                r["period"]: format_value(r["value"], m),
                f"{sel.level_label} CI": format_interval(r["lower"], r["upper"], m),
                "On the register": display_count(r["count"], ds.threshold),
                "Manchester": format_value(r["manchester"], m),
                "England": format_value(r["england"], m),
                f"Compared with {bench}": comparison_label(r["comparison"], bench),
                "Change since " + (r["earlier_period"] or "–"): (
                    "–" if np.isnan(r["change_points"]) else f"{r['change_points']:+.1f} points"
                ),
            }
        )
    return pd.DataFrame(out)


def practice_table(ds: Dataset, sel: Selection, indicator_id: str, period: str) -> pd.DataFrame:
    """The neighbourhood's practices on one register: value, interval, count and list, and each
    practice against Manchester and England (at ``sel.level``). Numbers as numbers; the
    neighbourhood itself as the last row."""
    v = ds.values[(ds.values["indicator_id"] == indicator_id) & (ds.values["period"] == period)]
    lo, hi = limit_columns(sel.level)
    frames = {
        bench: pd.concat(
            [comparison_frame(v, ds.indicators, t, bench, sel.level) for t in ("practice", "neighbourhood")],
            ignore_index=True,
        )
        for bench in ("england", "city")
    }
    t = frames["england"]
    keep = ((t["area_type"] == "practice") & (t["parent_code"] == sel.nbhd)) | (
        (t["area_type"] == "neighbourhood") & (t["area_code"] == sel.nbhd)
    )
    city = frames["city"].set_index(["area_type", "area_code"])["comparison"]
    t = t[keep]
    return (
        pd.DataFrame(
            {
                "area_type": t["area_type"].to_numpy(),
                "area_code": t["area_code"].to_numpy(),
                "area_name": t["area_name"].to_numpy(),
                "indicator_id": indicator_id,
                "period": period,
                "population": "registered patients",
                "value": t["value"].to_numpy(float),
                f"lower_{sel.suffix}": t[lo].to_numpy(float),
                f"upper_{sel.suffix}": t[hi].to_numpy(float),
                "numerator": t["numerator"].to_numpy(float),
                "denominator": t["denominator"].to_numpy(float),
                "vs_england": t["comparison"].to_numpy(),
                "vs_manchester": [city.get((a, c), "not_compared") for a, c in zip(t["area_type"], t["area_code"])],
                "manchester": t["manchester"].to_numpy(float),
                "england": t["england"].to_numpy(float),
                "note": t["note"].to_numpy(),
            }
        )
        .sort_values(["area_type", "value"], ascending=[False, False], kind="mergesort")
        .reset_index(drop=True)
    )


def display_practice_table(
    table: pd.DataFrame, ds: Dataset, sel: Selection, threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """:func:`practice_table` as the screen shows it."""
    m = meta(ds.indicators, table["indicator_id"].iloc[0]) if len(table) else {}
    lo, hi = f"lower_{sel.suffix}", f"upper_{sel.suffix}"
    return pd.DataFrame(
        {
            "Practice": [
                n if a == "practice" else f"{n} (all its practices)"
                for a, n in zip(table["area_type"], table["area_name"])
            ],
            "Code": table["area_code"],
            "Value": [format_value(x, m) for x in table["value"]],
            f"{sel.level_label} CI": [format_interval(a, b, m) for a, b in zip(table[lo], table[hi])],
            "On the register": [display_count(x, threshold) for x in table["numerator"]],
            "Patients (list)": [display_count(x, threshold) for x in table["denominator"]],
            "Compared with England": [comparison_label(w, "England") for w in table["vs_england"]],
            "Compared with Manchester": [comparison_label(w, "Manchester") for w in table["vs_manchester"]],
        }
    )


def variation_sentence(table: pd.DataFrame, name: str, register: str) -> str:
    """How many of the neighbourhood's practices differ from England, in plain words."""
    pr = table[table["area_type"] == "practice"]
    tested = pr[pr["vs_england"] != "not_compared"]
    hi = tested.loc[tested["vs_england"] == "higher", "area_name"].tolist()
    lo = tested.loc[tested["vs_england"] == "lower", "area_name"].tolist()
    parts = [f"Of {name}'s {len(pr)} practices, {len(tested)} could be tested on {register.lower()}"]
    if hi:
        parts.append(f"{len(hi)} record significantly more than England ({', '.join(hi)})")
    if lo:
        parts.append(f"{len(lo)} significantly fewer ({', '.join(lo)})")
    if not hi and not lo:
        parts.append("none differs significantly from England")
    return (
        "; ".join(parts) + ". A register records diagnoses: a high figure can mean more illness or better case-finding."
    )
