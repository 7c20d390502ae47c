"""Uploaded monthly activity: the CSV contract, its validation, and the modelled target path.

The contract (documented on the Activity shift page and in the sample file):

=====================  ========  =============================================================
column                 required  content
=====================  ========  =============================================================
``neighbourhood_code`` yes       one of the 12 codes (C1–C4, N1–N4, S1–S4; case is ignored)
``month``              yes       ``YYYY-MM`` (e.g. ``2019-04``)
``measure_id``         yes       a ``measure_id`` of the 2020/21 targets (e.g. ``ae_attendances``)
``count``              yes       a whole number ≥ 0 (activity in that month)
``population``         no        residents (> 0), if you want rates per 1,000
``data_status``        no        e.g. ``SYNTHETIC``; any row saying ``SYNTHETIC`` marks the data so
=====================  ========  =============================================================

Comma-separated, UTF-8 (a byte-order mark is fine), one header line. Lines starting with ``#``
are comments and are skipped. Other columns are ignored (and the user is told). Row numbers in
messages count every line of the file, as a spreadsheet shows them (header = row 1 when there
are no comment lines). One row per neighbourhood × month × measure.

Pure functions, no Streamlit.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ACTIVITY_COLUMNS = ("neighbourhood_code", "month", "measure_id", "count")
OPTIONAL_COLUMNS = ("population", "data_status")
MAX_BYTES = 5_000_000
MAX_ROWS = 100_000
MIN_SPC_POINTS = 12
BASELINE_MONTHS = 12
MAX_ROWS_NAMED = 10
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a zip file or an Excel workbook (.xlsx)",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
}


class ActivityUploadError(ValueError):
    """An upload that cannot be used. ``problems`` lists one plain sentence per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class ActivityData:
    """A validated upload: ``frame`` has ``neighbourhood_code, month, measure_id, count,
    population`` (NaN when not given), sorted; ``synthetic`` is True when any row says SYNTHETIC."""

    frame: pd.DataFrame
    synthetic: bool
    warnings: list[str] = field(default_factory=list)
    name: str = ""


def rows_text(rows: Iterable[int], limit: int = MAX_ROWS_NAMED) -> str:
    """``'rows 3, 5 and 9'``; beyond ``limit`` rows, ``'rows 1, 2, … and 12 more'``."""
    rows = list(rows)
    word = "row" if len(rows) == 1 else "rows"
    if len(rows) <= limit:
        shown = [str(r) for r in rows]
        return f"{word} " + (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0])
    return f"{word} " + ", ".join(str(r) for r in rows[:limit]) + f" and {len(rows) - limit} more"


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for magic, what in _MAGIC.items():
        if raw.startswith(magic):
            raise ActivityUploadError(
                [
                    f"This file is not a CSV: it looks like {what}. Save your data as 'CSV UTF-8 (comma delimited)' and upload that."
                ]
            )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ActivityUploadError(
            [
                "The file is in UTF-16 encoding, not UTF-8. In Excel use Save As → 'CSV UTF-8 (comma delimited)' and upload that file."
            ]
        )
    if b"\x00" in raw[:4096]:
        raise ActivityUploadError(
            [
                "This file is not a CSV: it contains binary data. Save your data as 'CSV UTF-8 (comma delimited)' and upload that."
            ]
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ActivityUploadError(
            [
                f"The file is not in UTF-8 encoding (the first character that is not UTF-8 is on row {line}). "
                "In Excel use Save As → 'CSV UTF-8 (comma delimited)'; in other tools choose the UTF-8 encoding."
            ]
        ) from None


def read_activity_csv(
    raw: bytes,
    known_codes: Iterable[str],
    known_measures: Iterable[str],
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    name: str = "",
) -> ActivityData:
    """Validate and read an uploaded activity CSV. Raises :class:`ActivityUploadError` naming the
    problem rows (at most ten per problem, then "and N more")."""
    known_codes = list(known_codes)
    known_measures = list(known_measures)
    if raw is None or len(raw.strip()) == 0:
        raise ActivityUploadError(
            ["The file is empty. Upload a CSV with a header line and one row per neighbourhood, month and measure."]
        )
    if len(raw) > max_bytes:
        raise ActivityUploadError(
            [
                f"The file is too large ({len(raw) / 1e6:.1f} MB); the limit is {max_bytes / 1e6:.0f} MB. Upload fewer months or measures at a time."
            ]
        )
    text = _decode(raw)
    lines = text.splitlines()
    body = [(i + 1, line) for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    if not body:
        raise ActivityUploadError(["The file has no header or data rows (only comments or blank lines)."])
    header_row, header_line = body[0]
    data_lines = body[1:]
    if len(data_lines) > max_rows:
        raise ActivityUploadError(
            [
                f"The file has too many rows ({len(data_lines):,}); the limit is {max_rows:,}. Upload fewer months or measures at a time."
            ]
        )
    if "," not in header_line:
        for delim, word in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if delim in header_line:
                raise ActivityUploadError(
                    [
                        f"The columns are separated by {word}, not commas (row {header_row}). Save the file as 'CSV UTF-8 (comma delimited)'."
                    ]
                )
        raise ActivityUploadError(
            [
                f"This does not look like a CSV: the header (row {header_row}) has a single column and no commas. "
                f"Expected the columns {', '.join(ACTIVITY_COLUMNS)} separated by commas."
            ]
        )
    header = [h.strip().lower() for h in next(csv.reader([header_line]))]
    missing = [c for c in ACTIVITY_COLUMNS if c not in header]
    if missing:
        found = ", ".join(h or "(blank)" for h in header)
        raise ActivityUploadError(
            [
                f"Missing column(s): {', '.join(missing)}. The header (row {header_row}) has: {found}. "
                f"Required: {', '.join(ACTIVITY_COLUMNS)}; optional: {', '.join(OPTIONAL_COLUMNS)}."
            ]
        )
    dupe_cols = sorted({h for h in header if header.count(h) > 1 and h})
    if dupe_cols:
        raise ActivityUploadError(
            [
                f"The header (row {header_row}) repeats the column(s) {', '.join(dupe_cols)}; each column must appear once."
            ]
        )
    warnings: list[str] = []
    ignored = [h for h in header if h not in ACTIVITY_COLUMNS + OPTIONAL_COLUMNS]
    if ignored:
        warnings.append(f"Ignored column(s) not in the contract: {', '.join(ignored)}.")
    if not data_lines:
        raise ActivityUploadError(["The file has a header but no data rows."])

    col = {h: header.index(h) for h in header}
    codes_ok = {c.upper(): c for c in known_codes}
    measures_ok = set(known_measures)
    bad: dict[str, list[int]] = {
        k: []
        for k in (
            "fields",
            "code",
            "measure",
            "month",
            "count_blank",
            "count_text",
            "count_negative",
            "count_fraction",
            "population",
        )
    }
    bad_codes: dict[str, None] = {}
    bad_measures: dict[str, None] = {}
    records = []
    for row, line in data_lines:
        cells = next(csv.reader([line]))
        if len(cells) != len(header):
            bad["fields"].append(row)
            continue
        cell = {h: cells[i].strip() for h, i in col.items()}
        ok = True
        code = cell["neighbourhood_code"].upper()
        if code not in codes_ok:
            bad["code"].append(row)
            bad_codes[cell["neighbourhood_code"] or "(blank)"] = None
            ok = False
        measure = cell["measure_id"].lower()
        if measure not in measures_ok:
            bad["measure"].append(row)
            bad_measures[cell["measure_id"] or "(blank)"] = None
            ok = False
        if not _MONTH.match(cell["month"]):
            bad["month"].append(row)
            ok = False
        count = _number(cell["count"])
        if cell["count"] == "":
            bad["count_blank"].append(row)
            ok = False
        elif count is None:
            bad["count_text"].append(row)
            ok = False
        elif count < 0:
            bad["count_negative"].append(row)
            ok = False
        elif count != int(count):
            bad["count_fraction"].append(row)
            ok = False
        pop = np.nan
        if "population" in cell and cell["population"] != "":
            p = _number(cell["population"])
            if p is None or p <= 0:
                bad["population"].append(row)
                ok = False
            else:
                pop = p
        if ok:
            records.append((row, codes_ok[code], cell["month"], measure, int(count), pop, cell.get("data_status", "")))

    problems = []
    if bad["fields"]:
        problems.append(f"Wrong number of values (the header has {len(header)} columns) on {rows_text(bad['fields'])}.")
    if bad["code"]:
        problems.append(
            f"Unknown neighbourhood code(s) {', '.join(list(bad_codes)[:MAX_ROWS_NAMED])} on {rows_text(bad['code'])}. Valid codes: {', '.join(sorted(known_codes))}."
        )
    if bad["measure"]:
        problems.append(
            f"Unknown measure id(s) {', '.join(list(bad_measures)[:MAX_ROWS_NAMED])} on {rows_text(bad['measure'])}. Valid measure ids: {', '.join(known_measures)}."
        )
    if bad["month"]:
        problems.append(f"Month not in the form YYYY-MM (e.g. 2019-04) on {rows_text(bad['month'])}.")
    if bad["count_blank"]:
        problems.append(f"Count is blank on {rows_text(bad['count_blank'])}; enter 0 if there was no activity.")
    if bad["count_text"]:
        problems.append(
            f"Count is not a number on {rows_text(bad['count_text'])}; use digits only (no commas, spaces or text)."
        )
    if bad["count_negative"]:
        problems.append(f"Count is negative on {rows_text(bad['count_negative'])}; counts must be 0 or more.")
    if bad["count_fraction"]:
        problems.append(
            f"Count is not a whole number on {rows_text(bad['count_fraction'])}; counts of activity must be whole numbers."
        )
    if bad["population"]:
        problems.append(
            f"Population is not a number greater than 0 on {rows_text(bad['population'])}; leave it blank if unknown."
        )
    df = pd.DataFrame(
        records, columns=["row", "neighbourhood_code", "month", "measure_id", "count", "population", "data_status"]
    )
    dupes = df[df.duplicated(["neighbourhood_code", "month", "measure_id"], keep=False)]
    if not dupes.empty:
        keys = dupes.groupby(["neighbourhood_code", "month", "measure_id"])["row"].apply(list)
        examples = "; ".join(f"{c} {m} {ms} ({rows_text(r)})" for (c, m, ms), r in list(keys.items())[:3])
        problems.append(
            f"Duplicate rows for the same neighbourhood, month and measure on {rows_text(sorted(dupes['row']))}: {examples}. Keep one row for each."
        )
    if problems:
        raise ActivityUploadError(problems)

    synthetic = bool((df["data_status"].str.upper() == "SYNTHETIC").any())
    frame = (
        df.drop(columns=["row", "data_status"])
        .sort_values(["neighbourhood_code", "measure_id", "month"])
        .reset_index(drop=True)
    )
    frame["count"] = frame["count"].astype("int64")
    frame["population"] = frame["population"].astype(float)
    warnings.extend(series_warnings(frame))
    return ActivityData(frame=frame, synthetic=synthetic, warnings=warnings, name=name)


def _number(text: str) -> float | None:
    try:
        v = float(text)
    except ValueError:
        return None
    return v if np.isfinite(v) else None


def series_warnings(frame: pd.DataFrame) -> list[str]:
    """Series too short for SPC (fewer than 12 months) or with missing months."""
    out = []
    short, gaps = [], []
    for (code, measure), g in frame.groupby(["neighbourhood_code", "measure_id"]):
        if len(g) < MIN_SPC_POINTS:
            short.append(f"{code} {measure} ({len(g)})")
        months = pd.PeriodIndex(g["month"], freq="M")
        if len(months) and (months.max() - months.min()).n + 1 != len(months):
            gaps.append(f"{code} {measure}")
    if short:
        out.append(
            f"SPC needs at least {MIN_SPC_POINTS} monthly points; these series have fewer, so they get no SPC chart (their monthly counts are still in the table): "
            + ", ".join(short[:MAX_ROWS_NAMED])
            + (f" and {len(short) - MAX_ROWS_NAMED} more" if len(short) > MAX_ROWS_NAMED else "")
            + "."
        )
    if gaps:
        out.append(
            "Some months are missing (the chart joins the months it has): "
            + ", ".join(gaps[:MAX_ROWS_NAMED])
            + (f" and {len(gaps) - MAX_ROWS_NAMED} more" if len(gaps) > MAX_ROWS_NAMED else "")
            + "."
        )
    return out


def series(frame: pd.DataFrame, code: str, measure_id: str) -> pd.DataFrame:
    """One neighbourhood's monthly counts of one measure, in month order."""
    g = frame[(frame["neighbourhood_code"] == code) & (frame["measure_id"] == measure_id)]
    return g.sort_values("month").reset_index(drop=True)


def trajectory(
    months: list[str], counts: list[float], annual_reduction: float, baseline_months: int = BASELINE_MONTHS
) -> pd.DataFrame:
    """The modelled target path for one neighbourhood × measure.

    Baseline = the mean of the first ``baseline_months`` months (fewer if the series is shorter).
    After the baseline the monthly target falls in a straight line, reaching
    baseline − annual_reduction ÷ 12 twelve months after the baseline ends, and stays there:
    ``target(k) = baseline − (annual_reduction / 12) × min(k / 12, 1)`` for the k-th month after the
    baseline (k = 0 for baseline months). ``annual_reduction`` is the neighbourhood's apportioned
    2020/21 target (a modelled estimate). Columns: ``month, target, baseline, progress_share``.
    """
    n_base = min(baseline_months, len(counts))
    if n_base == 0:
        return pd.DataFrame(columns=["month", "target", "baseline", "months_after_baseline"])
    baseline = float(np.mean(counts[:n_base]))
    k = np.maximum(np.arange(len(months)) - n_base + 1, 0)
    target = baseline - (annual_reduction / 12.0) * np.minimum(k / 12.0, 1.0)
    return pd.DataFrame({"month": months, "target": target, "baseline": baseline, "months_after_baseline": k})


def progress(
    counts: list[float], annual_reduction: float, baseline_months: int = BASELINE_MONTHS, recent: int = 3
) -> dict:
    """Observed change against the modelled target: baseline mean, mean of the latest ``recent``
    months, the reduction per month achieved, the target reduction per month, and the share of the
    target achieved (None when there are no months after the baseline)."""
    n_base = min(baseline_months, len(counts))
    baseline = float(np.mean(counts[:n_base])) if n_base else float("nan")
    after = counts[n_base:]
    if not after:
        return {
            "baseline": baseline,
            "latest": None,
            "reduction_per_month": None,
            "target_per_month": annual_reduction / 12.0,
            "achieved_pct": None,
        }
    latest = float(np.mean(after[-recent:]))
    achieved = baseline - latest
    target = annual_reduction / 12.0
    return {
        "baseline": baseline,
        "latest": latest,
        "reduction_per_month": achieved,
        "target_per_month": target,
        "achieved_pct": (100.0 * achieved / target) if target else None,
    }


def accept_upload(
    current: ActivityData | None,
    raw: bytes,
    known_codes: Iterable[str],
    known_measures: Iterable[str],
    name: str = "",
    **limits,
) -> tuple[ActivityData | None, str | None]:
    """Read an upload; on success return ``(new data, None)``, on failure keep ``current`` and
    return ``(current, message)``, so data already loaded stay as they were."""
    try:
        return read_activity_csv(raw, known_codes, known_measures, name=name, **limits), None
    except ActivityUploadError as exc:
        return current, str(exc)


def contract_table() -> pd.DataFrame:
    """The upload contract as a table for the page."""
    return pd.DataFrame(
        [
            ("neighbourhood_code", "yes", "One of the 12 codes, e.g. N1 (case ignored)"),
            ("month", "yes", "YYYY-MM, e.g. 2019-04"),
            ("measure_id", "yes", "A measure id of the 2020/21 targets, e.g. ae_attendances"),
            ("count", "yes", "Activity that month: a whole number, 0 or more"),
            ("population", "no", "Residents (> 0), for rates per 1,000; may be blank"),
            ("data_status", "no", "e.g. SYNTHETIC; a file with SYNTHETIC rows is flagged as synthetic"),
        ],
        columns=["column", "required", "content"],
    )


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")
