"""Your own indicator data: read, validate, map to the neighbourhoods and aggregate.

Two formats are accepted, told apart by the header:

* **Tidy** (the ``values.csv`` contract): required ``indicator_id, period, area_code`` and either
  ``numerator`` (with or without ``denominator``) or ``value``. Optional: ``area_type``
  (otherwise read from the code), ``indicator_name``, ``value_type`` (proportion, rate, count,
  score), ``multiplier``, ``polarity``, ``unit``. Other ``values.csv`` columns (intervals,
  comparisons, notes) are ignored and recomputed, so a downloaded ``values.csv`` extract loads.
* **Fingertips "all data" export** (``Indicator ID, Indicator Name, Area Code, Area Type, Sex,
  Age, Time period, Value, Lower CI 95.0 limit, Upper CI 95.0 limit, Count, Denominator`` …;
  the columns and their meaning are :mod:`lib.imports.fingertips`). Rows with a ``Category``
  (breakdowns such as deprivation deciles) are left out; ``Sex`` is filtered to ``Persons``; if an
  indicator has several ``Age`` groups the one with the most Manchester rows is used (the user is
  told). Rows for areas outside Manchester (other wards, regions, other councils) are ignored, and
  the user is told how many.

Areas (:mod:`lib.imports.geography`): LSOA 2011, MSOA 2011, 2004–2018 wards, May-2018 wards and the
neighbourhood codes. One level per indicator and period, every area of that level present (a
withheld figure may be left blank). ``E08000003`` (Manchester) and ``E92000001`` (England) rows are
benchmarks. How each indicator is computed is :mod:`lib.imports.aggregation`.

:func:`read_indicator_file` is a pipeline of named steps; each step either returns the table for
the next or raises :class:`~lib.imports.reading.ImportFileError` with every problem it found.
Validation messages name the file, the rows (as a spreadsheet shows them, header = row 1; at
most ten, then "and N more"), what is wrong and how to fix it.

Pure functions, no Streamlit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from lib.core.contract import FAMILIES, INDICATOR_COLUMNS, POLARITIES, VALUE_COLUMNS
from lib.core.wording import USER_SUFFIX, shorten
from lib.imports import fingertips
from lib.imports.aggregation import aggregate_indicator, method_for
from lib.imports.geography import FINEST_FIRST, LEVEL_WORDS, Geography, classify, missing_units, unknown_hint
from lib.imports.reading import (
    MAX_BYTES,
    MAX_ROWS,
    ImportFileError,
    check_size,
    decode,
    list_text,
    parse,
    rows_text,
    to_number,
)
from lib.methods import aggregate

USER_PREFIX = "user_"
TIDY_REQUIRED = ("indicator_id", "period", "area_code")
_TEXT_COLUMNS = (
    "indicator_id",
    "period",
    "area_code",
    "indicator_name",
    "sex",
    "age",
    "category",
    "area_type",
    "value_type",
    "polarity",
    "unit",
    "area_type_label",
    "compared_england",
)
_OPTIONAL_COLUMNS = (
    "indicator_name",
    "area_type_label",
    "sex",
    "age",
    "category_type",
    "category",
    "value",
    "numerator",
    "denominator",
    "area_type",
    "value_type",
    "multiplier",
    "polarity",
    "unit",
    "compared_england",
    "area_name",
)


@dataclass(frozen=True)
class ImportedData:
    """A validated, aggregated import: ``indicators`` and ``values`` follow the contract."""

    name: str
    fmt: str
    indicators: pd.DataFrame
    values: pd.DataFrame
    messages: list[str] = field(default_factory=list)
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def indicator_ids(self) -> list[str]:
        return list(self.indicators["indicator_id"])


def read_indicator_file(
    raw: bytes,
    filename: str,
    geography: Geography,
    family: str = "outcome",
    polarity: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> ImportedData:
    """Validate and import one file. Raises :class:`ImportFileError` with every problem found."""

    def fail(msg: str):
        raise ImportFileError(filename, [msg])

    check_size(raw, max_bytes, fail)
    header, rows = parse(decode(raw, fail), fail, max_rows)
    frame = pd.DataFrame([r for _, r in rows], columns=header, dtype="object")
    frame["_row"] = [n for n, _ in rows]
    preview = frame.drop(columns="_row").head(10)
    fmt, df = _recognise_format(frame, header, fail)
    messages: list[str] = []
    df = _read_numbers(_with_every_column(df), fmt, filename)
    if fmt == "fingertips":
        df = fingertips.keep_persons_totals(df, messages, fail)
    _check_key_columns(df, fmt, filename)
    df = _place_areas(df, fmt, geography, messages, filename, fail)
    df = _one_age_one_level(df, fmt, messages)
    _check_areas_and_periods(df, geography, filename)
    _check_ranges(df, fmt, filename)
    ind_rows, value_frames = _compute_indicators(df, fmt, filename, geography, family, polarity, messages)
    indicators = pd.DataFrame(ind_rows, columns=INDICATOR_COLUMNS + ["user_data"])
    values = pd.concat(value_frames, ignore_index=True)[VALUE_COLUMNS]
    values = aggregate.add_comparisons(values, indicators)
    for ind_row in ind_rows:
        messages.append(f"Loaded “{ind_row['name']}” ({ind_row['value_type']}, {ind_row['period']}).")
    return ImportedData(
        name=filename, fmt=fmt, indicators=indicators, values=values, messages=messages, preview=preview
    )


# ---------------------------------------------------------------- the steps


def _recognise_format(frame: pd.DataFrame, header: list[str], fail) -> tuple[str, pd.DataFrame]:
    """A Fingertips export or our tidy format, told apart by the header; columns renamed to ours."""
    lower = [h.lower() for h in header]
    ft_missing = [c for c in fingertips.UPLOAD_REQUIRED if c.lower() not in lower]
    tidy_missing = [c for c in TIDY_REQUIRED if c not in lower]
    if len(ft_missing) <= 2 and sum(c.lower() in lower for c in ("Indicator ID", "Area Code", "Time period")) >= 2:
        if ft_missing:
            fail(
                f"This looks like a Fingertips export but is missing column(s) {', '.join(ft_missing)}. Download the "
                "full data again from Fingertips (Download → 'Export all data as CSV') without removing columns."
            )
        names = fingertips.UPLOAD_COLUMNS
        return "fingertips", frame.rename(columns={h: names[h.lower()] for h in header if h.lower() in names})
    if len(tidy_missing) < len(TIDY_REQUIRED) or any(c in lower for c in ("numerator", "denominator")):
        if tidy_missing:
            fail(
                f"Missing column(s): {', '.join(tidy_missing)}. The header (row 1) has: {', '.join(header)}. "
                f"Your own format needs {', '.join(TIDY_REQUIRED)} and numerator, denominator or value; "
                "rename the columns (spelling as shown) and upload again."
            )
        df = frame.rename(columns={h: h.lower() for h in header})
        if not any(c in df.columns for c in ("numerator", "value")):
            fail("The file has neither a numerator nor a value column. Add numerator (and denominator), or value.")
        return "tidy", df
    fail(
        f"The columns are not ones this app recognises (found: {list_text(header)}). Upload either a Fingertips "
        "'all data' CSV export (Indicator ID, Area Code, Time period, Value, Count, Denominator …) or your "
        "own file with the columns indicator_id, period, area_code and numerator, denominator or value."
    )


def _with_every_column(df: pd.DataFrame) -> pd.DataFrame:
    """Optional columns added blank; text columns stripped, so later steps need not ask."""
    for col in _OPTIONAL_COLUMNS:
        if col not in df.columns:
            df[col] = ""
    for col in _TEXT_COLUMNS:
        df[col] = df[col].fillna("").astype(str).str.strip()
    return df


def _read_numbers(df: pd.DataFrame, fmt: str, filename: str) -> pd.DataFrame:
    problems = []
    for col in ("numerator", "denominator", "value", "multiplier"):
        num, bad, pct = to_number(df[col])
        if bad.any():
            extra = (
                " Remove the % sign: give the number only (e.g. 12.5)."
                if pct.any()
                else " Use digits only (e.g. 1234 or 12.5); leave the cell blank if the figure is withheld."
            )
            problems.append(
                f"{rows_text(df.loc[bad, '_row'])}: the {_label(col, fmt)} is not a number "
                f"(e.g. “{df.loc[bad, col].iloc[0]}”).{extra}"
            )
        df[col] = num
    _raise_if(problems, filename)
    return df


def _check_key_columns(df: pd.DataFrame, fmt: str, filename: str) -> None:
    problems = []
    for col in ("indicator_id", "period", "area_code"):
        blank = df[col] == ""
        if blank.any():
            problems.append(
                f"{rows_text(df.loc[blank, '_row'])}: the {_label(col, fmt)} is blank. Fill it in on "
                "every row (or delete rows that are not data)."
            )
    _raise_if(problems, filename)


def _place_areas(df: pd.DataFrame, fmt: str, geo: Geography, messages: list[str], filename: str, fail) -> pd.DataFrame:
    """Each row's level from its area code; areas outside Manchester are ignored in a Fingertips export
    (which holds all of England) and refused in one's own file."""
    problems = []
    df["level"] = classify(df["area_code"], geo)
    nb = {c.upper(): c for c in geo.definition["neighbourhood_code"].unique()}
    df.loc[df["level"] == "neighbourhood", "area_code"] = (
        df.loc[df["level"] == "neighbourhood", "area_code"].str.upper().map(nb)
    )
    unknown = df["level"] == "unknown"
    if fmt == "fingertips":
        if unknown.any():
            messages.append(
                f"{int(unknown.sum())} row(s) for areas outside Manchester (other councils, their wards, "
                "regions) were ignored."
            )
        df = df[~unknown]
    elif unknown.any():
        codes = df.loc[unknown, "area_code"]
        problems.append(
            f"{rows_text(df.loc[unknown, '_row'])}: area code(s) {list_text(codes)} are not Manchester "
            f"areas this app knows.{unknown_hint(codes)}"
        )
    df = df[df["level"] != "locality"] if (df["level"] == "locality").any() else df
    _raise_if(problems, filename)
    if df[df["level"].isin(LEVEL_WORDS)].empty:
        fail(
            "The file has no rows for Manchester's LSOAs, MSOAs, wards or neighbourhoods (only England, "
            "Manchester or other areas). For Fingertips, choose 'Ward' as the area type and Manchester as the "
            "parent area before downloading."
        )
    return df


def _one_age_one_level(df: pd.DataFrame, fmt: str, messages: list[str]) -> pd.DataFrame:
    if fmt == "fingertips":
        df = fingertips.keep_main_age(df, messages, tuple(LEVEL_WORDS))
    if fmt == "tidy" and (df["area_type"] != "").any():
        df = _finest_level_only(df, messages)
    return df


def _finest_level_only(df: pd.DataFrame, messages: list[str]) -> pd.DataFrame:
    """A file in the values.csv contract (it has ``area_type``) may hold several levels, each the
    sum of the one below: keep the finest per indicator and period and recompute the rest."""
    drop = pd.Series(False, index=df.index)
    for _, g in df.groupby(["indicator_id", "period"], sort=False):
        levels = [lv for lv in FINEST_FIRST if (g["level"] == lv).any()]
        if len(levels) > 1:
            drop.loc[g.index[g["level"].isin(levels[1:])]] = True
    if drop.any():
        messages.append(
            f"{int(drop.sum())} row(s) for larger areas (e.g. neighbourhoods, localities) were recomputed "
            "from the smallest areas in the file rather than read."
        )
    return df[~drop]


def _check_areas_and_periods(df: pd.DataFrame, geo: Geography, filename: str) -> None:
    """One row per indicator, period and area; periods written one way; one complete level per period."""
    problems = []
    dup = df.duplicated(["indicator_id", "period", "area_code"], keep=False)
    if dup.any():
        problems.append(
            f"{rows_text(df.loc[dup, '_row'])}: the same indicator, period and area appear more than once "
            f"(e.g. {df.loc[dup, 'area_code'].iloc[0]}, {df.loc[dup, 'period'].iloc[0]}). Keep one row per "
            "indicator, period and area."
        )
    for ind, g in df.groupby("indicator_id", sort=False):
        shapes = g["period"].map(_period_shape)
        if shapes.nunique() > 1:
            by_shape = g.assign(_s=shapes).drop_duplicates("_s")
            problems.append(
                f"Indicator {ind}: the periods are written in different ways ({list_text(by_shape['period'])}; "
                f"{rows_text(by_shape['_row'])}). Write every period of an indicator the same way "
                "(e.g. 2019/20 throughout)."
            )
        for period, gp in g.groupby("period", sort=False):
            problems.extend(_level_problems(ind, period, gp, geo))
    _raise_if(problems, filename)


def _level_problems(ind: str, period: str, gp: pd.DataFrame, geo: Geography) -> list[str]:
    levels = sorted(set(gp["level"]) & set(LEVEL_WORDS))
    if len(levels) > 1:
        first = gp[gp["level"].isin(levels)].drop_duplicates("level")
        return [
            f"Indicator {ind}, {period}: the file mixes {' and '.join(LEVEL_WORDS[lv] for lv in levels)} "
            f"(e.g. {rows_text(first['_row'])}). Upload one kind of area per indicator and period, "
            "so that no area is counted twice."
        ]
    missing = missing_units(gp, levels[0], geo) if levels else []
    if missing:
        return [
            f"Indicator {ind}, {period}: {len(missing)} of Manchester's {LEVEL_WORDS[levels[0]]} have no "
            f"row ({list_text(missing)}). Neighbourhood figures need every area: add a row for each "
            "(leave the figures blank if they were withheld)."
        ]
    return []


def _check_ranges(df: pd.DataFrame, fmt: str, filename: str) -> None:
    problems = []
    for col in ("numerator", "denominator", "value"):
        neg = df[col] < 0
        if neg.any():
            problems.append(
                f"{rows_text(df.loc[neg, '_row'])}: the {_label(col, fmt)} is negative. Counts, "
                "denominators and values must be 0 or more; check these rows."
            )
    declared_pct = df["value_type"].str.lower().isin(["proportion", "share"]) & (df["multiplier"].fillna(100) == 100)
    over = declared_pct & (df["value"] > 100)
    if over.any():
        problems.append(
            f"{rows_text(df.loc[over, '_row'])}: the value is above 100 for a percentage (value_type "
            "proportion). Percentages lie between 0 and 100: check for a misplaced decimal point or a rate."
        )
    zero_den = (df["denominator"] == 0) & (df["numerator"] > 0)
    if zero_den.any():
        problems.append(
            f"{rows_text(df.loc[zero_den, '_row'])}: the {_label('denominator', fmt)} is 0 but the "
            f"{_label('numerator', fmt)} is not. A count needs a population (denominator) above 0."
        )
    _raise_if(problems, filename)


def _compute_indicators(
    df: pd.DataFrame, fmt: str, filename: str, geo: Geography, family: str, polarity: str | None, messages: list[str]
) -> tuple[list[dict], list[pd.DataFrame]]:
    """Each indicator's method and neighbourhood figures, and its ``indicators.csv`` row."""
    problems: list[str] = []
    existing: set[str] = set()
    ind_rows: list[dict] = []
    value_frames: list[pd.DataFrame] = []
    for ind, g in df.groupby("indicator_id", sort=False):
        spec = method_for(g, fmt)
        if spec.get("problem"):
            problems.append(f"Indicator {ind}: {spec['problem']}")
            continue
        problems.extend(_percentage_problems(ind, g, spec, fmt))
        if problems:
            continue
        uid = USER_PREFIX + _slug(ind)
        if uid in existing:
            uid = uid + "_" + str(len(existing))
        existing.add(uid)
        try:
            vals, notes = aggregate_indicator(g, uid, spec, geo)
        except ImportFileError as exc:
            problems.extend(f"Indicator {ind}: {p}" for p in exc.problems)
            continue
        value_frames.append(vals)
        ind_rows.append(_indicator_row(ind, g, uid, spec, notes, filename, family, polarity, messages))
        if spec.get("message"):
            messages.append(f"{ind}: {spec['message']}")
    _raise_if(problems, filename)
    return ind_rows, value_frames


def _percentage_problems(ind: str, g: pd.DataFrame, spec: dict, fmt: str) -> list[str]:
    if spec["value_type"] != "proportion":
        return []
    problems = []
    over = g["numerator"] > g["denominator"]
    if over.any():
        problems.append(
            f"{rows_text(g.loc[over, '_row'])}: the {_label('numerator', fmt)} is above the "
            f"{_label('denominator', fmt)} for a percentage (indicator {ind}). A part cannot be "
            "larger than its whole: check that the two columns are not swapped."
        )
    if (g["value"] > 100).any() and spec["multiplier"] == 100:
        bad = g["value"] > 100
        problems.append(
            f"{rows_text(g.loc[bad, '_row'])}: the value is above 100 for a percentage "
            f"(indicator {ind}). Percentages lie between 0 and 100."
        )
    return problems


def _indicator_row(
    ind: str,
    g: pd.DataFrame,
    uid: str,
    spec: dict,
    notes: str,
    filename: str,
    family: str,
    polarity: str | None,
    messages: list[str],
) -> dict:
    name = g["indicator_name"].iloc[0] or ind
    return {
        "indicator_id": uid,
        "name": f"{name}{USER_SUFFIX}",
        "short_name": f"{shorten(name)}{USER_SUFFIX}",  # cut at a word, with "…"
        "family": family if family in FAMILIES else "outcome",
        "population": "residents",  # figures for wards, small areas and neighbourhoods: their residents
        "unit": spec["unit"],
        "value_type": spec["value_type"],
        "multiplier": float(spec["multiplier"]),
        "polarity": polarity if polarity in POLARITIES else (spec.get("polarity") or "no_judgement"),
        "ci_method": spec["ci_method"],
        "status": "derived",
        "source": f"Your data: {filename}",
        "licence": "Your own data, loaded in this session only",
        "period": ", ".join(sorted(set(g["period"]))),
        "definition": f"{name} (indicator {ind} in {filename}).",
        "method_note": spec["note"] + " " + notes,
        "caveats": " ".join(messages) or "Loaded from your file; checked for format, areas and ranges only.",
        "user_data": True,
    }


# ---------------------------------------------------------------- helpers


def _raise_if(problems: list[str], filename: str) -> None:
    if problems:
        raise ImportFileError(filename, problems)


def _label(col: str, fmt: str) -> str:
    """A column as the user's file names it (a Fingertips export's own names)."""
    return fingertips.PUBLISHED_NAMES.get(col, col) if fmt == "fingertips" else col


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")
    return s[:40] or "indicator"


def _period_shape(p: str) -> str:
    return re.sub(r"\d", "9", str(p)).replace(" ", "")
