"""Presentation conventions shared by every view: number formats, comparison colours and symbols,
and text from the data made safe to embed in Markdown (:func:`md_text`).

Comparison colours use the Okabe-Ito colour-blind-safe palette and always come with a symbol
and a word, never colour alone.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from lib.core.contract import POPULATION_LABELS, POPULATION_WORDS

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


def is_missing(x: object) -> bool:
    """None, NaN or ``pd.NA``: nothing to show."""
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def format_value(value: float | None, meta: dict | None = None, digits: int | None = None) -> str:
    """A number as people read it: counts with thousands separators, shares with one decimal."""
    if is_missing(value):
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
    if is_missing(x):
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


def source_text(meta: dict, period: str, bold_status: bool = True) -> str:
    """The source line under a chart or table (markdown): status (in bold unless ``bold_status``
    is false), the population the figures describe (residents or registered patients), source and licence, period, method. The catalogue's text and the period are shown
    literally (:func:`md_text`): they may come from the user's own file."""
    status = md_text(STATUS_BADGE.get(meta["status"], meta["status"]))
    who = f" · {POPULATION_LABELS[meta['population']]}" if meta.get("population") in POPULATION_LABELS else ""
    return (
        f"{f'**{status}**' if bold_status else status}{who} · Source: {md_text(meta['source'])} ({md_text(meta['licence'])}) · "
        f"Period: {md_text(period)} · Method: {md_text(meta['method_note'])}"
    )


def population_text(population: str) -> str:
    """Whom a view's figures describe, in a sentence: ``'Registered patients: patients registered
    with the area's GP practices, wherever they live.'``"""
    return f"{POPULATION_LABELS[population]}: {POPULATION_WORDS[population]}."


def sources_markdown(indicators: pd.DataFrame, ids, periods) -> str:
    """One markdown list: each indicator's short name and :func:`source_text` for its period.
    Unknown ids are listed by id alone. Names, ids and periods are shown literally (:func:`md_text`)."""
    rows = indicators.set_index("indicator_id")
    lines = []
    for ind_id, period in zip(ids, periods):
        if ind_id in rows.index:
            m = rows.loc[ind_id].to_dict()
            lines.append(f"- **{md_text(m['short_name'])}**: {source_text(m, str(period))}")
        else:
            lines.append(f"- **{md_text(ind_id)}**: period {md_text(period)}")
    return "\n".join(lines)


# --- text from the data inside Markdown

#: Every ASCII punctuation character. CommonMark lets a backslash escape any of them, and each can
#: mean something to Markdown, GitHub's extensions or Streamlit's (``*_~`#[]()!<>|&\``, ``:red[..]``,
#: ``:material/..:``, ``$..$``, ``- `` and ``1. `` at the start of a line, ...).
_MD_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
#: U+2060 WORD JOINER: invisible, zero width, no break. See :func:`md_text`.
WORD_JOINER = "\u2060"
#: Where Streamlit would still turn literal text into something else after Markdown has read
#: the backslash escapes: emoji shortcodes and its logo (``:smile:``, ``:streamlit:``, ``:+1:``),
#: GitHub's bare links (``https://``, ``www.``) and e-mail addresses. A word joiner goes after
#: each match (after the colon, after ``www``, after ``@``), so no such pattern is left whole.
_MD_TEXT_TRANSFORMS = (
    re.compile(r":(?=[\w+-]+:)"),
    re.compile(r":(?=/)"),
    re.compile(r"(?i)www(?=\.)"),
    re.compile(r"@"),
)
_WHITESPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def md_text(text: object) -> str:
    """``text`` (a name, unit, file name or period, possibly the user's own) ready to embed in a
    Streamlit element that renders Markdown (``st.markdown``, captions, titles, alerts, labels,
    tabs, ...), so that it is shown exactly as written, never as formatting, a link, an emoji,
    an icon, a colour or maths.

    * Every ASCII punctuation character gets a backslash (CommonMark allows one before any of them;
      Streamlit's ``\\$`` and ``\\:`` are escapes too, so ``$x$``, ``:red[x]`` and
      ``:material/home:`` stay text).
    * Streamlit replaces emoji shortcodes (``:smile:``) and its logo (``:streamlit:``), and GitHub
      Markdown links bare addresses (``https://...``, ``www.``, ``a@b.org``), in the text *after*
      the escapes are read, so escapes alone do not stop them: an invisible word joiner (U+2060)
      goes after the colon, ``www`` or ``@`` that would start one. The text reads and copies the
      same, bar that zero-width character.
    * Line breaks, tabs and runs of spaces become one space (a line break could start a list or a
      heading), and the ends are trimmed, as a browser shows them anyway.
    * ``None``, NaN and ``pd.NA`` give ``""``; anything else is shown as ``str(text)``.

    Only for Markdown: plain-text places (select box options, HTML tables from
    :mod:`lib.render.tables`, charts, maps, CSV, slides) take the text as it is.
    """
    if is_missing(text):
        return ""
    s = _WHITESPACE.sub(" ", _CONTROL.sub(" ", str(text))).strip()
    for pattern in _MD_TEXT_TRANSFORMS:
        s = pattern.sub(lambda m: m.group(0) + WORD_JOINER, s)
    return _MD_PUNCTUATION.sub(r"\\\1", s)


def md_message(text: object) -> str:
    """A plain-text message (a first paragraph, then ``- `` bullet lines, as :mod:`lib.imports.indicator_file`,
    :mod:`lib.imports.activity_file` and :mod:`lib.core.definitions` write them, with the user's file name and
    values in them) as Markdown: its lines and bullets kept, every line's text shown literally
    (:func:`md_text`). A blank line stays a paragraph break."""
    if is_missing(text):
        return ""
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join("- " + md_text(line[2:]) if line.startswith("- ") else md_text(line) for line in lines).strip()


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
