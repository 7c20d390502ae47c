"""Analysis-ready CSV downloads: the one rule every page's download of indicator figures follows.

A page passes the rows it displayed (anything keyed by ``indicator_id, period, area_code``, and
``area_type`` where it has it: e.g. :func:`lib.methods.indicators.area_comparison_table` rows, a
profile table, a ward table) and the dataset's ``values`` and ``indicators``; :func:`analysis_frame`
looks the figures up in the value rows themselves (so both the 95% and the 99.8% limits are
there, whichever level the screen shows) and adds the indicator's metadata. Numbers stay
numbers; the screen keeps its formatted tables.

Columns (:data:`DOWNLOAD_COLUMNS`): the indicator (id, name, unit, value type), period, area
(type, code, name), ``value``, ``lower_95, upper_95, lower_998, upper_998``, ``count`` (the
numerator) and ``denominator``, the comparisons (:data:`COMPARISONS_MADE`: with England, Manchester
and the rest of Manchester, at 95%, ``vs_england, vs_city`` as in the data contract, and at 99.8%;
``better | similar | worse | higher | lower | not_compared``, by the app's one rule), whichever
benchmark and level the screen shows; ``england_value, manchester_value``; ``status`` (real |
derived | modelled), ``population`` (residents | registered), ``source``, ``count_note`` (why a
count is blank, or that it is modelled) and ``note`` (the value row's note); then the map's
``quartile`` where the rows carry one.

Disclosure: a count the view would hide (:func:`lib.core.disclosure.too_few` at the threshold in
force) is blank, with ``count_note`` saying :data:`lib.core.disclosure.TOO_FEW`; a count withheld
at source is blank and says so. A blank is never 0. Text a spreadsheet would run as a formula is
neutralised when the bytes are written (:func:`lib.render.format.csv_bytes`).

Pure functions, no Streamlit.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lib.core.contract import COMPARISONS, NOT_COMPARED
from lib.core.disclosure import DEFAULT_THRESHOLD, LOWER_BOUND, TOO_FEW, blank_count_reason, too_few
from lib.core.selection import LIMIT_COLUMNS
from lib.methods.indicators import comparison_frame

#: The comparisons of a download: (column, benchmark, level). 95% first, as the data contract's
#: ``vs_england`` and ``vs_city``; "rest of Manchester" only for neighbourhoods and localities
#: (blank, ``not_compared``, for other areas).
COMPARISONS_MADE: tuple[tuple[str, str, str], ...] = (
    ("vs_england", "england", "95"),
    ("vs_city", "city", "95"),
    ("vs_rest_of_city", "rest", "95"),
    ("vs_england_998", "england", "99.8"),
    ("vs_city_998", "city", "99.8"),
    ("vs_rest_of_city_998", "rest", "99.8"),
)
COMPARISON_COLUMNS: tuple[str, ...] = tuple(c for c, _, _ in COMPARISONS_MADE)
#: The columns of every analysis-ready download of indicator figures, in order.
DOWNLOAD_COLUMNS: list[str] = [
    "indicator_id",
    "indicator",
    "period",
    "area_type",
    "area_code",
    "area_name",
    "value",
    *LIMIT_COLUMNS,
    "count",
    "denominator",
    *COMPARISON_COLUMNS,
    "england_value",
    "manchester_value",
    "unit",
    "value_type",
    "status",
    "population",
    "source",
    "count_note",
    "note",
]
#: The columns that are numbers (float, blank where there is no figure).
NUMERIC_COLUMNS: tuple[str, ...] = (
    "value",
    *LIMIT_COLUMNS,
    "count",
    "denominator",
    "england_value",
    "manchester_value",
)
#: Columns of the shown rows carried into the download as they are (after :data:`DOWNLOAD_COLUMNS`).
CARRIED: tuple[str, ...] = ("quartile",)
#: ``count_note`` of a modelled figure's count: an estimate, not people counted.
MODELLED_COUNT = "expected, modelled: an estimate, not an observed count"
WITHHELD_NOTE = "withheld at source"
LOWER_BOUND_NOTE = "a lower bound: some of its parts were withheld at source and are counted as 0"
#: Where a comparison does not apply to an area (itself, or "rest" of a ward).
_SELF = {"vs_england": "england", "vs_city": "city"}

_KEY = ["indicator_id", "period", "area_code"]
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str) -> str:
    """A download's file name with no spaces or path characters: ``"map 2021/22.csv"`` ->
    ``"map_2021-22.csv"`` (a "/" in a period becomes "-"; any other run of unsafe characters "_")."""
    stem = str(name).replace("/", "-").replace("\\", "-")
    stem = _UNSAFE.sub("_", stem).strip("_")
    return stem or "download.csv"


def _comparisons(rows: pd.DataFrame, values: pd.DataFrame, indicators: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each of :data:`COMPARISONS_MADE` for ``rows`` (value rows), by the app's one rule
    (:func:`lib.methods.indicators.comparison_frame`: polarity, withheld notes, rest of the city)."""
    keys = ["indicator_id", "period", "area_type", "area_code"]
    at = values["indicator_id"].isin(set(rows["indicator_id"])) & values["period"].isin(set(rows["period"]))
    pool = values.loc[at]
    index = pd.MultiIndex.from_frame(rows[keys].astype(str))
    out = {}
    for col, bench, level in COMPARISONS_MADE:
        words = np.full(len(rows), NOT_COMPARED, dtype=object)
        for area_type in rows["area_type"].dropna().unique():
            if bench == "rest" and area_type not in ("neighbourhood", "locality"):
                continue
            if _SELF.get(col.removesuffix("_998")) == area_type:
                continue
            cf = comparison_frame(pool, indicators, area_type, bench, level)
            if cf.empty:
                continue
            found = cf.drop_duplicates(keys).set_index(keys)["comparison"]
            found.index = pd.MultiIndex.from_frame(found.index.to_frame().astype(str))
            got = found.reindex(index).to_numpy(object)
            words = np.where(pd.notna(got) & (rows["area_type"].astype(str).to_numpy() == area_type), got, words)
        out[col] = np.where(np.isin(words, COMPARISONS), words, NOT_COMPARED)
    return out


def analysis_frame(
    shown: pd.DataFrame,
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """The analysis-ready download of the figures a view displayed (see the module's doc).

    ``shown``: one row per figure shown, with ``indicator_id, period, area_code`` (and
    ``area_type`` where a code could be of two types). ``values``: the dataset's value rows
    (``values.csv`` shape, disclosure already applied), where the figures are looked up (a row of
    ``shown`` with no value row is left out: a download holds only figures that exist);
    ``indicators``: the catalogue; ``threshold``: the disclosure threshold in force."""
    cols = list(DOWNLOAD_COLUMNS)
    if shown is None or shown.empty:
        return pd.DataFrame(columns=cols)
    keys = list(_KEY) + (["area_type"] if "area_type" in shown.columns else [])
    carried = [c for c in CARRIED if c in shown.columns]
    base = shown[keys].astype(str).assign(**{c: shown[c].to_numpy() for c in carried}).drop_duplicates(keys)
    v = values.loc[values["indicator_id"].isin(set(base["indicator_id"]))].copy()
    v_keys = v[keys].astype(str)
    v = v.assign(**{c: v_keys[c] for c in keys}).drop_duplicates(keys)
    rows = base.merge(v.drop(columns=carried, errors="ignore"), on=keys, how="inner", validate="one_to_one")
    rows = rows.reset_index(drop=True)
    rows["area_type"] = rows["area_type"].astype(str)
    ind = indicators.drop_duplicates("indicator_id").set_index("indicator_id")

    def info(col: str) -> np.ndarray:
        if col not in ind.columns:
            return np.full(len(rows), "", dtype=object)
        return rows["indicator_id"].map(ind[col]).fillna("").to_numpy(object)

    def num(col: str) -> np.ndarray:
        return pd.to_numeric(rows[col], errors="coerce").to_numpy(float, copy=True)

    status, value_type = info("status"), info("value_type")
    count, value, denominator = num("numerator"), num("value"), num("denominator")
    limits = {c: num(c) for c in LIMIT_COLUMNS}
    notes = rows["note"].astype(object).where(rows["note"].notna(), "").to_numpy(object)
    count_note = np.full(len(rows), "", dtype=object)
    for i, (x, note) in enumerate(zip(count, notes)):
        reason = blank_count_reason(x, note)
        if reason:
            count_note[i] = TOO_FEW if reason == TOO_FEW else WITHHELD_NOTE
        elif too_few(x, threshold):
            count[i] = np.nan
            count_note[i] = TOO_FEW
        elif status[i] == "modelled" and not np.isnan(x):
            count_note[i] = MODELLED_COUNT
        elif isinstance(note, str) and note.startswith(LOWER_BOUND):
            count_note[i] = LOWER_BOUND_NOTE
    # a count indicator's value is the count: hidden by the same rule, with its intervals
    small_value = (value_type == "count") & too_few(np.nan_to_num(value), threshold)
    value = np.where(small_value, np.nan, value)
    for c in LIMIT_COLUMNS:
        limits[c] = np.where(small_value, np.nan, limits[c])
    count_note = np.where(small_value & (count_note == ""), TOO_FEW, count_note)
    denominator = np.where(too_few(np.nan_to_num(denominator), threshold), np.nan, denominator)
    eng_city = _benchmark_values(rows, values)
    out = pd.DataFrame(
        {
            "indicator_id": rows["indicator_id"].to_numpy(object),
            "indicator": info("name"),
            "period": rows["period"].to_numpy(object),
            "area_type": rows["area_type"].to_numpy(object),
            "area_code": rows["area_code"].to_numpy(object),
            "area_name": rows["area_name"].to_numpy(object),
            "value": value,
            **limits,
            "count": count,
            "denominator": denominator,
            **_comparisons(rows, values, indicators),
            **eng_city,
            "unit": info("unit"),
            "value_type": value_type,
            "status": status,
            "population": info("population"),
            "source": info("source"),
            "count_note": count_note,
            "note": notes,
        }
    )
    for c in ("count", "denominator"):  # whole numbers written as such ("47", not "47.0")
        x = out[c].to_numpy(float)
        if np.all(np.isnan(x) | (x == np.round(x))):
            out[c] = pd.array(np.round(x), dtype="Float64").astype("Int64")
    for c in carried:
        out[c] = pd.to_numeric(rows[c], errors="coerce").to_numpy(float)
    return out[cols + carried]


def _benchmark_values(rows: pd.DataFrame, values: pd.DataFrame) -> dict[str, np.ndarray]:
    """England's and Manchester's value of each row's indicator and period."""
    out = {}
    for col, area_type in (("england_value", "england"), ("manchester_value", "city")):
        b = values.loc[values["area_type"] == area_type]
        b = b.assign(indicator_id=b["indicator_id"].astype(str), period=b["period"].astype(str))
        found = b.drop_duplicates(["indicator_id", "period"]).set_index(["indicator_id", "period"])["value"]
        idx = pd.MultiIndex.from_arrays([rows["indicator_id"], rows["period"]])
        out[col] = pd.to_numeric(found.reindex(idx), errors="coerce").to_numpy(float)
    return out
