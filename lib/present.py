"""Presentation conventions shared by every view: number formats, comparison colours and symbols.

Comparison colours use the Okabe-Ito colour-blind-safe palette and always come with a symbol
and a word, never colour alone.
"""

from __future__ import annotations

import math
import re

import pandas as pd

#: comparison word -> (symbol, fill colour, text colour, plain-English label)
COMPARISON_STYLE: dict[str, tuple[str, str, str, str]] = {
    "better": ("▲", "#0072B2", "#FFFFFF", "Better"),
    "similar": ("●", "#F0E442", "#000000", "Similar"),
    "worse": ("▼", "#D55E00", "#000000", "Worse"),
    "higher": ("▲", "#542788", "#FFFFFF", "Higher"),
    "lower": ("▼", "#B2ABD2", "#000000", "Lower"),
    "not_compared": ("○", "#BDBDBD", "#000000", "Not compared"),
}

#: Quartile fills (light to dark, sequential blue), 1 = lowest values.
QUARTILE_COLOURS = {1: "#DEEBF7", 2: "#9ECAE1", 3: "#4292C6", 4: "#08519C"}
NO_DATA_COLOUR = "#F2F2F2"

STATUS_BADGE = {"real": "REAL", "derived": "DERIVED", "modelled": "MODELLED ESTIMATE"}


def comparison_label(word: str, benchmark_name: str | None = None) -> str:
    """``'▼ Worse than England'``; ``'○ Not compared'`` for missing comparisons."""
    symbol, _, _, label = COMPARISON_STYLE.get(word, COMPARISON_STYLE["not_compared"])
    if word in ("better", "worse", "higher", "lower") and benchmark_name:
        return f"{symbol} {label} than {benchmark_name}"
    if word == "similar" and benchmark_name:
        return f"{symbol} Similar to {benchmark_name}"
    return f"{symbol} {label}"


def format_value(value: float | None, meta: dict | None = None, digits: int | None = None) -> str:
    """A number as people read it: counts with thousands separators, shares with one decimal."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    value = float(value)
    vt = (meta or {}).get("value_type", "")
    if digits is None:
        if vt == "count":
            digits = 0
        elif abs(value) >= 1000:
            digits = 0
        elif abs(value) >= 100:
            digits = 1
        else:
            digits = 1 if vt in ("proportion", "share", "rate") else 2
    text = f"{value:,.{digits}f}"
    unit = str((meta or {}).get("unit", ""))
    if unit.startswith("%"):
        text += "%"
    return text


def format_interval(lower: float | None, upper: float | None, meta: dict | None = None) -> str:
    """``'15.4% to 16.2%'`` or ``'–'`` when there is no interval."""
    if lower is None or upper is None or any(isinstance(x, float) and math.isnan(x) for x in (lower, upper)):
        return "–"
    return f"{format_value(lower, meta)} to {format_value(upper, meta)}"


def format_count(x: float | None) -> str:
    """A count with thousands separators (non-integers to one decimal)."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return "–"
    x = float(x)
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 else f"{x:,.1f}"


def status_sentence(status: str) -> str:
    """One sentence saying what the status means for a reader."""
    return {
        "real": "Real: a published figure, traceable to a source row.",
        "derived": "Derived: computed from published figures by the stated method.",
        "modelled": "Modelled: an estimate, not an observed figure.",
    }.get(status, status)


def source_text(meta: dict, period: str) -> str:
    """The source line under a chart or table (markdown): status, source and licence, period, method."""
    return (f"**{STATUS_BADGE.get(meta['status'], meta['status'])}** · Source: {meta['source']} ({meta['licence']}) · "
            f"Period: {period} · Method: {meta['method_note']}")


def sources_markdown(indicators: pd.DataFrame, ids, periods) -> str:
    """One markdown list: each indicator's short name and :func:`source_text` for its period.
    Unknown ids are listed by id alone."""
    rows = indicators.set_index("indicator_id")
    lines = []
    for ind_id, period in zip(ids, periods):
        if ind_id in rows.index:
            m = rows.loc[ind_id].to_dict()
            lines.append(f"- **{m['short_name']}**: {source_text(m, str(period))}")
        else:
            lines.append(f"- **{ind_id}**: period {period}")
    return "\n".join(lines)


#: A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_TEXT = re.compile(r"[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


def neutralise_formula(cell):
    """A text cell that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+cmd``,
    ``@SUM``, ...) gets a leading apostrophe, so Excel and LibreOffice show it as text (OWASP's
    advice for CSV injection). Numbers written as text (``-1.5``) and non-text cells are unchanged."""
    if isinstance(cell, str) and cell.startswith(FORMULA_TRIGGERS) and not _NUMBER_TEXT.fullmatch(cell.strip()):
        return "'" + cell
    return cell


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV for download, with formula-like text cells (and headers) neutralised
    (:func:`neutralise_formula`). Every other cell is written exactly as ``DataFrame.to_csv`` would."""
    out = df.rename(columns=lambda c: neutralise_formula(c) if isinstance(c, str) else c)
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(neutralise_formula)
    return out.to_csv(index=False).encode("utf-8")
