"""Your own indicator data: read, validate, map to the neighbourhoods and aggregate.

Two formats are accepted, told apart by the header:

* **Tidy** (the ``values.csv`` contract): required ``indicator_id, period, area_code`` and either
  ``numerator`` (with or without ``denominator``) or ``value``. Optional: ``area_type``
  (otherwise read from the code), ``indicator_name``, ``value_type`` (proportion, rate, count,
  score), ``multiplier``, ``polarity``, ``unit``. Other ``values.csv`` columns (intervals,
  comparisons, notes) are ignored and recomputed, so a downloaded ``values.csv`` extract loads.
* **Fingertips "all data" export** (``Indicator ID, Indicator Name, Area Code, Area Type, Sex,
  Age, Time period, Value, Lower CI 95.0 limit, Upper CI 95.0 limit, Count, Denominator`` …).
  Rows with a ``Category`` (breakdowns such as deprivation deciles) are left out; ``Sex`` is
  filtered to ``Persons``; if an indicator has several ``Age`` groups the one with the most
  Manchester rows is used (the user is told). Rows for areas outside Manchester (other wards,
  regions, other councils) are ignored, and the user is told how many.

Areas: LSOA 2011 (``E01``; best-fit to 2004–2018 wards from ``geodata/lsoa.geojson``), MSOA
2011 (``E02``; ONS best-fit to wards, ``geodata/lookups/msoa11_ward17_bestfit.csv``, a rough
fit), 2004–2018 wards (``E05000687``–``E05000718``), May-2018 wards (``E05011350``–``E05011381``:
each assigned wholly to one neighbourhood by ``geodata/wards2018_bestfit.csv``, approximate) and
the neighbourhood codes themselves. One level per indicator and period, every area of that level
present (a withheld figure may be left blank). ``E08000003`` (Manchester) and ``E92000001``
(England) rows are benchmarks: England's is used as the England benchmark; Manchester is
recomputed from the areas (the user is told if the file's figure differs).

How each indicator is computed (the same engine and methods as the embedded data,
:mod:`lib.methods.aggregate`):

* count and denominator, value = count ÷ denominator × 100 and no count above its denominator:
  a **proportion** (Wilson intervals);
* count and denominator with another consistent multiplier (1, 100, 1,000, 10,000, 100,000):
  a **rate** (Byar / exact Poisson intervals). A standardised ratio published as O ÷ E × 100 is
  handled by this rule: observed and expected are summed, as the guide asks;
* count only: a **count** (Poisson intervals);
* value only (or a value that is not count ÷ denominator, e.g. age-standardised): a
  **population-weighted mean** (weights: the denominator if given, else the mid-2020 population
  of each area), flagged as an estimate, with no interval and no significance test.

Validation messages name the file, the rows (as a spreadsheet shows them, header = row 1; at
most ten, then "and N more"), what is wrong and how to fix it.

Pure functions, no Streamlit.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lib.core.contract import FAMILIES, INDICATOR_COLUMNS, POLARITIES, VALUE_COLUMNS
from lib.core.definitions import CITY_CODE, ENGLAND_CODE
from lib.methods import aggregate

ROOT = Path(__file__).resolve().parents[2]
MAX_BYTES = 20_000_000
MAX_ROWS = 500_000
MAX_ROWS_NAMED = 10
USER_PREFIX = "user_"
USER_SUFFIX = " (your data)"
MULTIPLIERS = (1, 100, 1_000, 10_000, 100_000)

TIDY_REQUIRED = ("indicator_id", "period", "area_code")
FINGERTIPS_REQUIRED = ("Indicator ID", "Indicator Name", "Area Code", "Time period", "Value")
FINGERTIPS_MAP = {
    "indicator id": "indicator_id",
    "indicator name": "indicator_name",
    "area code": "area_code",
    "area name": "area_name",
    "area type": "area_type_text",
    "sex": "sex",
    "age": "age",
    "category type": "category_type",
    "category": "category",
    "time period": "period",
    "value": "value",
    "count": "numerator",
    "denominator": "denominator",
    "compared to england value or percentiles": "compared_england",
}
LEVEL_WORDS = {
    "lsoa": "LSOAs (2011)",
    "msoa": "MSOAs (2011)",
    "ward": "wards (2004–2018)",
    "ward2018": "wards (May 2018 onwards)",
    "neighbourhood": "neighbourhoods",
}
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a zip file or an Excel workbook (.xlsx)",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
}


class ImportFileError(ValueError):
    """A file that cannot be used. ``problems`` holds one plain sentence per problem."""

    def __init__(self, filename: str, problems: list[str]):
        self.filename = filename
        self.problems = problems
        head = f"“{filename}” was not loaded (nothing you loaded before has changed)."
        super().__init__(head + "\n" + "\n".join(f"- {p}" for p in problems))


@dataclass(frozen=True)
class Geography:
    """What the importer needs to place areas: the 12-neighbourhood definition and the lookups."""

    definition: pd.DataFrame
    lsoa_to_ward: pd.Series
    lsoa_names: pd.Series
    msoa_to_ward: pd.Series
    msoa_names: pd.Series
    ward2018: pd.DataFrame  # ward2018_code, ward2018_name, neighbourhood_code, confidence, note
    population: pd.DataFrame  # area_type, area_code, population (mid-2020)


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


def load_geography(
    root: Path = ROOT, definition: pd.DataFrame | None = None, values: pd.DataFrame | None = None
) -> Geography:
    """Read the lookups from the embedded dataset (``geodata/``, population from ``values``);
    :class:`lib.core.data.DataFileError` names a missing or damaged file."""
    from lib.core import data

    if definition is None or values is None:
        ds = data.load_dataset(root)
        definition, values = ds.definition, ds.values
    lsoa = data.load_geojson("geodata/lsoa.geojson", ["code", "ward_code", "name"], root)
    props = pd.DataFrame([f["properties"] for f in lsoa["features"]])
    msoa = data.load_csv(
        "geodata/lookups/msoa11_ward17_bestfit.csv",
        ["msoa_code", "ward_code", "msoa_name"],
        root,
        dtype=str,
        keep_default_na=True,
        na_values=None,
    )
    w18 = data.load_csv(
        "geodata/wards2018_bestfit.csv",
        ["ward2018_code", "ward2018_name", "neighbourhood_code"],
        root,
        dtype=str,
        na_values=None,
    )
    pop = values.loc[(values["indicator_id"] == "population"), ["period", "area_type", "area_code", "numerator"]]
    pop = pop.sort_values("period").drop_duplicates(["area_type", "area_code"], keep="last")
    return Geography(
        definition=definition,
        lsoa_to_ward=props.set_index("code")["ward_code"],
        lsoa_names=props.set_index("code")["name"],
        msoa_to_ward=msoa.set_index("msoa_code")["ward_code"],
        msoa_names=msoa.set_index("msoa_code")["msoa_name"],
        ward2018=w18,
        population=pop.rename(columns={"numerator": "population"})[["area_type", "area_code", "population"]],
    )


def rows_text(rows: Iterable[int], limit: int = MAX_ROWS_NAMED) -> str:
    """``'rows 3, 5 and 9'``; beyond ``limit`` rows, ``'rows 1, 2, … and 12 more'``."""
    rows = sorted(set(int(r) for r in rows))
    word = "row" if len(rows) == 1 else "rows"
    if len(rows) <= limit:
        shown = [str(r) for r in rows]
        return f"{word} " + (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0])
    return f"{word} " + ", ".join(str(r) for r in rows[:limit]) + f" and {len(rows) - limit} more"


def _list(items: Iterable[str], limit: int = MAX_ROWS_NAMED) -> str:
    items = list(dict.fromkeys(str(i) for i in items))
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


# ---------------------------------------------------------------- reading bytes into rows


def _decode(raw: bytes, fail) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for magic, what in _MAGIC.items():
        if raw.startswith(magic):
            fail(
                f"This file is not a CSV: it looks like {what}. Open it in Excel and use Save As → "
                "'CSV UTF-8 (comma delimited)', then upload the .csv file."
            )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        fail(
            "The file is in UTF-16 encoding, not UTF-8. In Excel use Save As → 'CSV UTF-8 (comma delimited)' "
            "and upload that file."
        )
    if b"\x00" in raw[:4096]:
        fail(
            "This file is not a CSV: it contains binary data. Save your data as 'CSV UTF-8 (comma delimited)' "
            "and upload that."
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        fail(
            f"The file is not in UTF-8 encoding (the first character that is not UTF-8 is on row {line}; "
            "it is probably a Windows 'ANSI' file). In Excel use Save As → 'CSV UTF-8 (comma delimited)'; "
            "in other tools choose the UTF-8 encoding."
        )
    start = text.lstrip()[:200].lower()
    if start.startswith(("<!doctype", "<html", "<?xml", "<table")):
        fail(
            "This file is not a CSV: it is a web page or XML. If you saved it from a website, download the "
            "CSV instead (on Fingertips: Download → 'Export table as CSV file' / all data)."
        )
    if start.startswith(("{", "[")):
        fail("This file is not a CSV: it looks like JSON. Upload a comma-separated file with one header row.")
    return text


def _parse(text: str, fail, max_rows: int) -> tuple[list[str], list[tuple[int, list[str]]]]:
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    header_row = 0
    rows: list[tuple[int, list[str]]] = []
    ragged: list[int] = []
    try:
        prev = 0
        for rec in reader:
            line, start, prev = reader.line_num, prev + 1, reader.line_num
            if not rec or all(not c.strip() for c in rec):
                continue
            if header is None:
                if rec[0].lstrip().startswith("#"):
                    continue
                header, header_row = [h.strip() for h in rec], line
                continue
            if any("\n" in c for c in rec):
                fail(
                    f"Row {start} has a quotation mark that is never closed, so the rest of the file is read as one "
                    "cell. Remove the stray \" or close it, then save the file again as 'CSV UTF-8 (comma delimited)'."
                )
            if len(rec) != len(header):
                ragged.append(line)
            rows.append((line, rec))
            if len(rows) > max_rows:
                fail(
                    f"The file has more than {max_rows:,} data rows, the limit. Upload fewer indicators, periods "
                    "or areas at a time (for a Fingertips export, download the data for Manchester's wards only)."
                )
    except csv.Error as exc:
        fail(
            f"The file could not be read as CSV near row {reader.line_num} ({exc}). Check for an unclosed "
            "quotation mark, then save it again as 'CSV UTF-8 (comma delimited)'."
        )
    if header is None:
        fail(
            "The file has no header row and no data (only blank lines or comments). Upload a CSV with a header "
            "row and one row per indicator, period and area."
        )
    assert header is not None
    if len(header) == 1:
        h = header[0]
        for delim, word in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if delim in h:
                fail(
                    f"The columns are separated by {word}, not commas (row {header_row}). Save the file as "
                    "'CSV UTF-8 (comma delimited)' and upload it again."
                )
        fail(
            f"This does not look like a CSV: the header (row {header_row}) has a single column and no commas. "
            "Expected columns such as indicator_id, period, area_code, numerator, denominator separated by commas."
        )
    if ragged:
        fail(
            f"{rows_text(ragged).capitalize()} {'has' if len(ragged) == 1 else 'have'} a different number of cells from the header ({len(header)}). "
            "A value with a comma in it must be in quotation marks; remove stray commas or extra cells."
        )
    dups = sorted({h for h in header if h and header.count(h) > 1})
    if dups:
        fail(
            f"The header (row {header_row}) repeats column(s) {', '.join(dups)}. Give each column one name and "
            "remove the copy."
        )
    if not rows:
        fail(
            f"The file has a header (row {header_row}) but no data rows. Add one row per indicator, period and "
            "area, then upload again."
        )
    return header, rows


def _to_number(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Numbers from text; returns (numbers, bad mask, percent-sign mask). Thousands commas allowed."""
    t = s.fillna("").astype(str).str.strip()
    pct = t.str.endswith("%")
    clean = t.str.replace(",", "", regex=False).str.rstrip("%").str.strip()
    num = pd.to_numeric(clean.where(clean != "", None), errors="coerce")
    bad = (clean != "") & num.isna()
    return num.astype(float), bad | pct, pct


# ---------------------------------------------------------------- the reader


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
    problems: list[str] = []

    def fail(msg: str):
        raise ImportFileError(filename, [msg])

    if raw is None or len(raw.strip()) == 0:
        fail("The file is empty. Upload a CSV with a header row and one row per indicator, period and area.")
    if len(raw) > max_bytes:
        fail(
            f"The file is too large ({len(raw) / 1e6:.1f} MB); the limit is {max_bytes / 1e6:.0f} MB. Upload "
            "fewer indicators or periods at a time, or for a Fingertips export choose Manchester's wards only."
        )
    text = _decode(raw, fail)
    header, rows = _parse(text, fail, max_rows)
    lower = [h.lower() for h in header]
    frame = pd.DataFrame([r for _, r in rows], columns=header, dtype="object")
    frame["_row"] = [n for n, _ in rows]
    preview = frame.drop(columns="_row").head(10)

    ft_missing = [c for c in FINGERTIPS_REQUIRED if c.lower() not in lower]
    tidy_missing = [c for c in TIDY_REQUIRED if c not in lower]
    if len(ft_missing) <= 2 and sum(c.lower() in lower for c in ("Indicator ID", "Area Code", "Time period")) >= 2:
        if ft_missing:
            fail(
                f"This looks like a Fingertips export but is missing column(s) {', '.join(ft_missing)}. Download the "
                "full data again from Fingertips (Download → 'Export all data as CSV') without removing columns."
            )
        fmt = "fingertips"
        df = frame.rename(columns={h: FINGERTIPS_MAP[h.lower()] for h in header if h.lower() in FINGERTIPS_MAP})
    elif len(tidy_missing) < len(TIDY_REQUIRED) or any(c in lower for c in ("numerator", "denominator")):
        if tidy_missing:
            fail(
                f"Missing column(s): {', '.join(tidy_missing)}. The header (row 1) has: {', '.join(header)}. "
                f"Your own format needs {', '.join(TIDY_REQUIRED)} and numerator, denominator or value; "
                "rename the columns (spelling as shown) and upload again."
            )
        fmt = "tidy"
        df = frame.rename(columns={h: h.lower() for h in header})
    else:
        fail(
            f"The columns are not ones this app recognises (found: {_list(header)}). Upload either a Fingertips "
            "'all data' CSV export (Indicator ID, Area Code, Time period, Value, Count, Denominator …) or your "
            "own file with the columns indicator_id, period, area_code and numerator, denominator or value."
        )
    if fmt == "tidy" and not any(c in df.columns for c in ("numerator", "value")):
        fail("The file has neither a numerator nor a value column. Add numerator (and denominator), or value.")
    for col in (
        "indicator_name",
        "area_type_text",
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
    ):
        if col not in df.columns:
            df[col] = ""
    for col in (
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
        "area_type_text",
        "compared_england",
    ):
        df[col] = df[col].fillna("").astype(str).str.strip()
    messages: list[str] = []

    # ---- numbers
    for col in ("numerator", "denominator", "value", "multiplier"):
        num, bad, pct = _to_number(df[col])
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
    if problems:
        raise ImportFileError(filename, problems)

    # ---- fingertips filters
    if fmt == "fingertips":
        cat = df["category"].fillna("").astype(str).str.strip()
        if (cat != "").any():
            messages.append(
                f"{int((cat != '').sum())} breakdown row(s) (Category, e.g. deprivation deciles) were left out."
            )
            df = df[cat == ""]
        sexes = sorted(set(df["sex"]) - {""})
        if "Persons" in sexes:
            if len(sexes) > 1:
                messages.append(f"Only Sex = Persons is used ({_list(s for s in sexes if s != 'Persons')} left out).")
            df = df[df["sex"] == "Persons"]
        elif len(sexes) > 1:
            fail(
                f"The file has figures for {', '.join(sexes)} but none for Persons. Download the Persons figures, "
                "or remove all but one Sex from the file."
            )
        elif sexes:
            messages.append(f"The figures are for {sexes[0]} only.")

    # ---- blanks in key columns
    for col in ("indicator_id", "period", "area_code"):
        blank = df[col] == ""
        if blank.any():
            problems.append(
                f"{rows_text(df.loc[blank, '_row'])}: the {_label(col, fmt)} is blank. Fill it in on "
                "every row (or delete rows that are not data)."
            )
    if problems:
        raise ImportFileError(filename, problems)

    # ---- area types
    df["level"] = _classify(df["area_code"], geography)
    nb = {c.upper(): c for c in geography.definition["neighbourhood_code"].unique()}
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
        hint = _unknown_hint(codes)
        problems.append(
            f"{rows_text(df.loc[unknown, '_row'])}: area code(s) {_list(codes)} are not Manchester "
            f"areas this app knows.{hint}"
        )
    df = df[df["level"] != "locality"] if (df["level"] == "locality").any() else df
    if problems:
        raise ImportFileError(filename, problems)

    small = df[df["level"].isin(LEVEL_WORDS)]
    if small.empty:
        fail(
            "The file has no rows for Manchester's LSOAs, MSOAs, wards or neighbourhoods (only England, "
            "Manchester or other areas). For Fingertips, choose 'Ward' as the area type and Manchester as the "
            "parent area before downloading."
        )

    # ---- per indicator checks
    key = ["indicator_id", "period", "area_code"]
    if fmt == "fingertips":
        df = _main_age(df, messages)
    if fmt == "tidy" and (df["area_type"] != "").any():
        df = _finest_level_only(df, messages)
    dup = df.duplicated(key, keep=False)
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
                f"Indicator {ind}: the periods are written in different ways ({_list(by_shape['period'])}; "
                f"{rows_text(by_shape['_row'])}). Write every period of an indicator the same way "
                "(e.g. 2019/20 throughout)."
            )
        for period, gp in g.groupby("period", sort=False):
            levels = sorted(set(gp["level"]) & set(LEVEL_WORDS))
            if len(levels) > 1:
                first = gp[gp["level"].isin(levels)].drop_duplicates("level")
                problems.append(
                    f"Indicator {ind}, {period}: the file mixes {' and '.join(LEVEL_WORDS[lv] for lv in levels)} "
                    f"(e.g. {rows_text(first['_row'])}). Upload one kind of area per indicator and period, "
                    "so that no area is counted twice."
                )
            elif levels:
                missing = _missing_units(gp, levels[0], geography)
                if missing:
                    problems.append(
                        f"Indicator {ind}, {period}: {len(missing)} of Manchester's {LEVEL_WORDS[levels[0]]} have no "
                        f"row ({_list(missing)}). Neighbourhood figures need every area: add a row for each "
                        "(leave the figures blank if they were withheld)."
                    )
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
    if problems:
        raise ImportFileError(filename, problems)

    # ---- methods per indicator
    existing = set()
    ind_rows: list[dict] = []
    value_frames: list[pd.DataFrame] = []
    for ind, g in df.groupby("indicator_id", sort=False):
        spec = _method(g, fmt)
        if spec.get("problem"):
            problems.append(f"Indicator {ind}: {spec['problem']}")
            continue
        if spec["value_type"] == "proportion":
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
        if problems:
            continue
        uid = USER_PREFIX + _slug(ind)
        if uid in existing:
            uid = uid + "_" + str(len(existing))
        existing.add(uid)
        try:
            vals, notes = _aggregate(g, uid, spec, geography)
        except ImportFileError as exc:
            problems.extend(f"Indicator {ind}: {p}" for p in exc.problems)
            continue
        value_frames.append(vals)
        name = g["indicator_name"].iloc[0] or ind
        pol = polarity if polarity in POLARITIES else (spec.get("polarity") or "no_judgement")
        periods = sorted(set(g["period"]))
        ind_rows.append(
            {
                "indicator_id": uid,
                "name": f"{name}{USER_SUFFIX}",
                "short_name": f"{name[:40]}{USER_SUFFIX}",
                "family": family if family in FAMILIES else "outcome",
                "unit": spec["unit"],
                "value_type": spec["value_type"],
                "multiplier": float(spec["multiplier"]),
                "polarity": pol,
                "ci_method": spec["ci_method"],
                "status": "derived",
                "source": f"Your data: {filename}",
                "licence": "Your own data, loaded in this session only",
                "period": ", ".join(periods),
                "definition": f"{name} (indicator {ind} in {filename}).",
                "method_note": spec["note"] + " " + notes,
                "caveats": " ".join(messages) or "Loaded from your file; checked for format, areas and ranges only.",
                "user_data": True,
            }
        )
        messages_for = spec.get("message")
        if messages_for:
            messages.append(f"{ind}: {messages_for}")
    if problems:
        raise ImportFileError(filename, problems)
    indicators = pd.DataFrame(ind_rows, columns=INDICATOR_COLUMNS + ["user_data"])
    values = pd.concat(value_frames, ignore_index=True)[VALUE_COLUMNS]
    values = aggregate.add_comparisons(values, indicators)
    for ind_row in ind_rows:
        messages.append(f"Loaded “{ind_row['name']}” ({ind_row['value_type']}, {ind_row['period']}).")
    return ImportedData(
        name=filename, fmt=fmt, indicators=indicators, values=values, messages=messages, preview=preview
    )


def accept_upload(
    current: list[ImportedData], raw: bytes, filename: str, geography: Geography, **kwargs
) -> tuple[list[ImportedData], str | None]:
    """Import a file; on success return the loaded list with it added (a file of the same name
    replaces its earlier version), on failure return ``current`` unchanged and the message."""
    try:
        new = read_indicator_file(raw, filename, geography, **kwargs)
    except ImportFileError as exc:
        return list(current), str(exc)
    except Exception as exc:  # a defect must never cost the user their data
        return list(current), (
            f"“{filename}” was not loaded (nothing you loaded before has changed).\n- The file "
            f"could not be processed ({exc.__class__.__name__}). Check it is a CSV in one of the "
            "two formats described on this page."
        )
    kept = [d for d in current if d.name != filename and not set(d.indicator_ids) & set(new.indicator_ids)]
    return kept + [new], None


def combined(loaded: Iterable[ImportedData]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All loaded imports as (indicators, values)."""
    loaded = list(loaded)
    if not loaded:
        return pd.DataFrame(columns=INDICATOR_COLUMNS + ["user_data"]), pd.DataFrame(columns=VALUE_COLUMNS)
    return (
        pd.concat([d.indicators for d in loaded], ignore_index=True),
        pd.concat([d.values for d in loaded], ignore_index=True),
    )


def is_user_indicator(indicator_id: str) -> bool:
    return str(indicator_id).startswith(USER_PREFIX)


# ---------------------------------------------------------------- helpers


def _label(col: str, fmt: str) -> str:
    if fmt == "fingertips":
        return {
            "numerator": "Count",
            "denominator": "Denominator",
            "value": "Value",
            "indicator_id": "Indicator ID",
            "period": "Time period",
            "area_code": "Area Code",
            "multiplier": "multiplier",
        }.get(col, col)
    return col


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")
    return s[:40] or "indicator"


def _period_shape(p: str) -> str:
    return re.sub(r"\d", "9", str(p)).replace(" ", "")


def _classify(codes: pd.Series, geo: Geography) -> pd.Series:
    wards = set(geo.definition["ward_code"])
    nbhds = {c.upper() for c in geo.definition["neighbourhood_code"]}
    locs = {c.upper() for c in geo.definition["locality_code"]}
    w18 = set(geo.ward2018["ward2018_code"])
    lsoa, msoa = set(geo.lsoa_to_ward.index), set(geo.msoa_to_ward.index)

    def one(c: str) -> str:
        u = c.upper()
        if u == ENGLAND_CODE:
            return "england"
        if u == CITY_CODE:
            return "city"
        if u in wards:
            return "ward"
        if u in w18:
            return "ward2018"
        if u in lsoa:
            return "lsoa"
        if u in msoa:
            return "msoa"
        if u in nbhds:
            return "neighbourhood"
        if u in locs:
            return "locality"
        return "unknown"

    return codes.map(one)


def _unknown_hint(codes: pd.Series) -> str:
    c = codes.astype(str).str.upper()
    if c.str.startswith("E01").any():
        return (
            " LSOA codes must be the 2011 set (Manchester's 282); LSOA 2021 codes that changed in 2021 are not "
            "accepted: convert them to 2011 codes or aggregate to wards first."
        )
    if c.str.startswith("E05").any():
        return (
            " Ward codes must be Manchester's 2004–2018 wards (E05000687–E05000718) or May-2018 wards "
            "(E05011350–E05011381); wards of other councils are not accepted here."
        )
    return (
        " Use ONS codes for Manchester's LSOAs (E01…), MSOAs (E02…) or wards (E05…), or the neighbourhood "
        "codes (N1–N4, C1–C4, S1–S4). Check for typing errors."
    )


def _units(level: str, geo: Geography) -> pd.Series:
    """All units of a level, code -> name."""
    d = geo.definition
    if level == "ward":
        return d.set_index("ward_code")["ward_name"]
    if level == "ward2018":
        return geo.ward2018.set_index("ward2018_code")["ward2018_name"]
    if level == "lsoa":
        return geo.lsoa_names
    if level == "msoa":
        return geo.msoa_names
    return d.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")["neighbourhood_name"]


def _missing_units(g: pd.DataFrame, level: str, geo: Geography) -> list[str]:
    units = _units(level, geo)
    have = set(g.loc[g["level"] == level, "area_code"].str.upper())
    return [f"{name} ({code})" for code, name in units.items() if code.upper() not in have]


FINEST_FIRST = ("lsoa", "msoa", "ward", "ward2018", "neighbourhood")


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


def _main_age(df: pd.DataFrame, messages: list[str]) -> pd.DataFrame:
    keep = []
    for ind, g in df.groupby("indicator_id", sort=False):
        ages = g.loc[g["level"].isin(LEVEL_WORDS), "age"].value_counts()
        if len(ages) > 1:
            main = ages.index[0]
            messages.append(
                f"Indicator {ind} has several age groups; the one with the most Manchester rows "
                f"({main}) is used ({_list(a for a in ages.index[1:])} left out)."
            )
            g = g[g["age"] == main]
        keep.append(g)
    return pd.concat(keep) if keep else df


def _method(g: pd.DataFrame, fmt: str) -> dict:
    """How to aggregate one indicator: value type, multiplier, CI method, unit, a note."""
    s = g[g["level"].isin(LEVEL_WORDS)]
    num, den, val = s["numerator"], s["denominator"], s["value"]
    declared = (g["value_type"].iloc[0] or "").lower() if "value_type" in g else ""
    declared_mult = g["multiplier"].dropna()
    pol = None
    if (g["polarity"] != "").any():
        p = g.loc[g["polarity"] != "", "polarity"].iloc[0]
        if p not in POLARITIES:
            return {"problem": f"polarity “{p}” is not one of {', '.join(POLARITIES)}."}
        pol = p
    elif fmt == "fingertips":
        pol = _polarity_from_fingertips(g)
    unit = g["unit"].iloc[0] if (g["unit"] != "").any() else ""
    has_num, has_den, has_val = num.notna().any(), den.notna().any(), val.notna().any()
    if declared and declared not in ("proportion", "rate", "count", "score", "share", "ratio"):
        return {"problem": f"value_type “{declared}” is not one of proportion, rate, count, score."}
    if declared in ("score", "ratio") or (not has_num and has_val):
        return {
            "value_type": "score",
            "multiplier": 1,
            "ci_method": "none",
            "unit": unit or "value",
            "polarity": pol,
            "weighted": True,
            "note": (
                "Population-weighted mean of the area values (weights: "
                + ("the denominator" if has_den else "mid-2020 population")
                + "); an estimate, with no confidence interval and no significance test."
            ),
            "message": "values without counts: neighbourhood figures are population-weighted means (an estimate, not tested).",
        }
    if not has_num:
        return {"problem": "no counts and no values: fill in numerator (Count) or value."}
    if not has_den:
        return {
            "value_type": "count",
            "multiplier": 1,
            "ci_method": "byar",
            "unit": unit or "count",
            "polarity": pol,
            "note": "Counts summed from the areas; Byar (exact Poisson below 10) confidence intervals.",
        }
    both = num.notna() & den.notna() & (den > 0)
    if declared in ("proportion", "share", "rate") or not val[both].notna().any():
        m = float(declared_mult.iloc[0]) if len(declared_mult) else 100.0
        vt = (
            declared
            if declared in ("proportion", "rate")
            else ("proportion" if _mostly_parts(num[both], den[both]) and m == 100 else "rate")
        )
        if declared == "share":
            vt = "proportion"
        return _ratio_spec(vt, m, unit, pol)
    implied = (val[both] / (num[both] / den[both])).replace([np.inf, -np.inf], np.nan).dropna()
    implied = implied[implied > 0]
    if implied.empty:
        return _ratio_spec("proportion" if _mostly_parts(num[both], den[both]) else "rate", 100.0, unit, pol)
    m = min(MULTIPLIERS, key=lambda x: abs(np.log(implied.median() / x)))
    consistent = (np.abs(implied / m - 1) < 0.02).mean() >= 0.9
    if not consistent:
        return {
            "value_type": "score",
            "multiplier": 1,
            "ci_method": "none",
            "unit": unit or "value",
            "polarity": pol,
            "weighted": True,
            "use_denominator_weights": True,
            "note": (
                "The values are not count ÷ denominator (e.g. age-standardised), so they cannot be rebuilt "
                "from sums: population-weighted mean of the area values (weights: the denominator); an "
                "estimate, with no confidence interval and no significance test."
            ),
            "message": "values are not count ÷ denominator (e.g. standardised): neighbourhood figures are weighted means (an estimate, not tested).",
        }
    vt = "proportion" if m == 100 and _mostly_parts(num[both], den[both]) else "rate"
    return _ratio_spec(vt, float(m), unit, pol)


def _mostly_parts(num: pd.Series, den: pd.Series) -> bool:
    """Counts that are parts of their denominators, bar a few rows (≤ 10%, which are then
    reported as errors): a percentage. Many counts above their denominators (e.g. observed
    above expected) mean a ratio or rate."""
    return bool(len(num)) and float((num > den).mean()) <= 0.1


def _ratio_spec(vt: str, m: float, unit: str, pol: str | None) -> dict:
    if vt == "proportion":
        return {
            "value_type": "proportion",
            "multiplier": m,
            "ci_method": "wilson",
            "unit": unit or "%",
            "polarity": pol,
            "note": "Counts and denominators summed from the areas, value recomputed as a percentage; Wilson score confidence intervals.",
        }
    return {
        "value_type": "rate",
        "multiplier": m,
        "ci_method": "byar",
        "unit": unit or f"per {m:,.0f}",
        "polarity": pol,
        "note": f"Counts and denominators summed from the areas, value recomputed as count ÷ denominator × {m:,.0f}; "
        "Byar (exact Poisson below 10) confidence intervals.",
    }


def _polarity_from_fingertips(g: pd.DataFrame) -> str | None:
    """Read polarity from Fingertips' own comparison words, where there are any."""
    words = g["compared_england"].str.lower()
    eng = g.loc[g["level"] == "england", ["period", "value"]].drop_duplicates("period").set_index("period")["value"]
    if eng.empty or not words.str.contains("better|worse").any():
        return None
    r = g.assign(eng=g["period"].map(eng)).dropna(subset=["value", "eng"])
    hb = ((r["compared_england"].str.lower().str.startswith("better")) & (r["value"] > r["eng"])) | (
        (r["compared_england"].str.lower().str.startswith("worse")) & (r["value"] < r["eng"])
    )
    lb = ((r["compared_england"].str.lower().str.startswith("better")) & (r["value"] < r["eng"])) | (
        (r["compared_england"].str.lower().str.startswith("worse")) & (r["value"] > r["eng"])
    )
    if hb.sum() > lb.sum():
        return "higher_is_better"
    if lb.sum() > hb.sum():
        return "lower_is_better"
    return None


def _aggregate(g: pd.DataFrame, uid: str, spec: dict, geo: Geography) -> tuple[pd.DataFrame, str]:
    """Roll one indicator up with the engine; return values-shaped rows and a note."""
    ind_meta = pd.DataFrame(
        [
            {
                "indicator_id": uid,
                "value_type": spec["value_type"],
                "ci_method": spec["ci_method"],
                "multiplier": float(spec["multiplier"]),
                "polarity": spec.get("polarity") or "no_judgement",
            }
        ]
    )
    level = [lv for lv in FINEST_FIRST if (g["level"] == lv).any()][0]
    s = g[g["level"] == level].copy()
    notes: list[str] = []
    if spec.get("weighted"):
        if s["denominator"].notna().all() and (s["denominator"] > 0).all():
            w = s["denominator"]
        else:
            pop_type = {"lsoa": "lsoa", "ward": "ward", "neighbourhood": "neighbourhood"}.get(level)
            pop = (
                geo.population[geo.population["area_type"] == pop_type].set_index("area_code")["population"]
                if pop_type
                else pd.Series(dtype=float)
            )
            w = s["area_code"].map(pop)
            if w.isna().any():
                raise ImportFileError(
                    "",
                    [
                        f"Values without counts for {LEVEL_WORDS[level]} cannot be combined without "
                        "weights: add a denominator (e.g. the population) to each row."
                    ],
                )
            notes.append("Weights: ONS mid-2020 population.")
        withheld = s["value"].isna()
        s["numerator"] = (s["value"] * w).where(~withheld, np.nan)
        s["denominator"] = w.where(~withheld, np.nan)
        if withheld.any():
            notes.append(f"{int(withheld.sum())} area(s) without a value were left out of the weighted mean.")
    else:
        withheld = s["numerator"].isna()
        s["suppressed"] = withheld
        s["numerator"] = s["numerator"].fillna(0.0)
        if withheld.any():
            notes.append(f"{int(withheld.sum())} area(s) with the count withheld at source, counted as 0.")
    s["unit_code"] = s["area_code"]
    s["indicator_id"] = uid
    definition = geo.definition
    unit_type, unit_names = None, None
    if level == "ward":
        to_ward = pd.Series(definition["ward_code"].to_numpy(), index=definition["ward_code"])
    elif level == "lsoa":
        to_ward, unit_type, unit_names = geo.lsoa_to_ward, "lsoa", geo.lsoa_names
    elif level == "msoa":
        to_ward = geo.msoa_to_ward
        notes.append("MSOAs placed in wards by the ONS best-fit lookup (a rough fit: an MSOA is about half a ward).")
    elif level == "ward2018":
        definition = ward2018_definition(geo)
        to_ward = pd.Series(definition["ward_code"].to_numpy(), index=definition["ward_code"])
        notes.append(
            "May-2018 wards placed wholly, by best-fit, in the neighbourhood holding most of each ward "
            "(geodata/wards2018_bestfit.csv): an approximation; Longsight and Piccadilly are split about 50/50."
        )
    else:  # neighbourhood: place each on one of its wards, then drop the ward rows
        first = definition.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")["ward_code"]
        to_ward = first
    rolled = aggregate.roll_up(
        s[aggregate.MEASURE_COLUMNS + ["suppressed"] if "suppressed" in s else aggregate.MEASURE_COLUMNS],
        to_ward,
        definition,
        unit_type=unit_type,
        unit_names=unit_names,
    )
    if level == "neighbourhood":
        rolled = rolled[rolled["area_type"] != "ward"]
    if level == "msoa":
        rolled = rolled[rolled["area_type"] != "ward"]
        notes.append("No ward figures are shown (MSOAs do not nest in wards).")
    eng = g[g["level"] == "england"]
    if not eng.empty:
        e = eng.drop_duplicates("period")
        rows = []
        for r in e.itertuples():
            num = r.numerator if not spec.get("weighted") else np.nan
            rows.append(
                aggregate.england_row(uid, r.period, num, r.denominator if not spec.get("weighted") else np.nan)
            )
        ef = pd.DataFrame(rows)
        ef["value"] = e["value"].to_numpy() if (spec.get("weighted") or e["value"].notna().all()) else np.nan
        rolled = pd.concat([rolled, ef], ignore_index=True)
    out = aggregate.compute_values(rolled, ind_meta)
    if spec.get("weighted"):
        for col in ("lower_95", "upper_95", "lower_998", "upper_998"):
            out[col] = np.nan
    out["note"] = np.where(
        out["n_suppressed"].fillna(0) > 0,
        out["n_suppressed"].fillna(0).astype(int).astype(str) + " area(s) withheld at source, counted as 0",
        None,
    )
    if spec.get("weighted"):
        out.loc[out["area_type"] != "england", "note"] = "Estimate: population-weighted mean"
    if level == "ward2018":
        conf = geo.ward2018.set_index("ward2018_code")["confidence"]
        wsel = out["area_type"] == "ward"
        out.loc[wsel, "note"] = (
            "May-2018 ward; best-fit to neighbourhood (" + out.loc[wsel, "area_code"].map(conf).fillna("") + ")"
        )
    city = g[g["level"] == "city"].drop_duplicates("period")
    for r in city.itertuples():
        ours = out.loc[(out["area_type"] == "city") & (out["period"] == r.period), "value"]
        if len(ours) and pd.notna(r.value) and pd.notna(ours.iloc[0]) and r.value:
            if abs(ours.iloc[0] / r.value - 1) > 0.02:
                notes.append(
                    f"Manchester {r.period}: the file says {r.value:,.4g}, the sum of the areas gives "
                    f"{ours.iloc[0]:,.4g} (differences come from rounding, withheld counts or best-fit)."
                )
    for col in ("vs_england", "vs_city"):
        out[col] = "not_compared"
    return out.reindex(columns=VALUE_COLUMNS), " ".join(notes)


def ward2018_definition(geo: Geography) -> pd.DataFrame:
    """A definition table on the May-2018 wards (best-fit to the 12 neighbourhoods)."""
    d = geo.definition.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")
    w = geo.ward2018
    return pd.DataFrame(
        {
            "ward_code": w["ward2018_code"],
            "ward_name": w["ward2018_name"],
            "neighbourhood_code": w["neighbourhood_code"],
            "neighbourhood_name": w["neighbourhood_code"].map(d["neighbourhood_name"]),
            "locality_code": w["neighbourhood_code"].map(d["locality_code"]),
            "locality_name": w["neighbourhood_code"].map(d["locality_name"]),
        }
    )


def safe_preview(preview: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The first rows of a file as shown back on screen, with disclosure control: a count or
    denominator of 1 to threshold − 1 reads "too few to show", and that row's value and interval
    cells are blanked (they would give the count back)."""
    from lib.core.disclosure import TOO_FEW

    out = preview.copy().astype("object")
    count_cols = [c for c in out.columns if str(c).strip().lower() in ("numerator", "count", "denominator")]
    reveal_cols = [
        c
        for c in out.columns
        if str(c).strip().lower() in ("value", "lower_95", "upper_95", "lower_998", "upper_998")
        or str(c).strip().lower().startswith(("lower ci", "upper ci"))
    ]
    hide = pd.Series(False, index=out.index)
    for c in count_cols:
        num, _, _ = _to_number(out[c])
        small = (num > 0) & (num < threshold)
        out.loc[small, c] = TOO_FEW
        hide |= small
    for c in reveal_cols:
        out.loc[hide, c] = ""
    return out
