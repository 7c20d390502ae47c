"""GP practices in neighbourhoods: the assignment is data, not code.

``geodata/practices.csv`` has one row per GP practice of Manchester (sub-ICB 14L) that appears in
any of the registered-population sources (the QOF years and the July 2026 practice list): its
code and name, its primary care network (PCN), the neighbourhood its patients are counted in, the
basis for that assignment, and what happened to the practice. Edit it (or upload another on *Your
data*) and every registered-patient figure is rebuilt from it, like the ward definition.

Why a table and not a rule: the 14 PCNs' names follow the neighbourhoods', but not one to one
(14 PCNs, 12 neighbourhoods), and a few names settle nothing (*Better Health MCR*, *City Centre &
Ancoats*). Where the name does not settle it, the row says ``basis = judgement`` and its ``note``
says why, and the app shows that note wherever the practice appears.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from lib.core.definitions import read_text_table, row_numbers

PRACTICE_COLUMNS = [
    "practice_code",
    "practice_name",
    "pcn_code",
    "pcn_name",
    "neighbourhood_code",
    "basis",
    "status",
    "note",
]
#: How a practice's neighbourhood was decided.
BASES = {
    "pcn_name": "its PCN's name names the neighbourhood",
    "judgement": "a stated judgement (see the note)",
}
#: What happened to a practice between the sources (QOF 2022-23, QOF 2024-25, the July 2026 list).
STATUSES = {
    "open": "in the July 2026 practice list",
    "closed": "not in the later sources (closed or merged; the note says what is known)",
}
#: Columns that may be blank.
OPTIONAL = ("note",)
_PRACTICE_CODE = re.compile(r"^[A-Z]\d{5}$")
_PCN_CODE = re.compile(r"^U\d{5}$")


class PracticeAssignmentError(ValueError):
    """The practice assignment CSV is not usable; the message says what to fix."""


def validate_practices(
    df: pd.DataFrame, neighbourhoods: Iterable[str], known_practices: Iterable[str] | None = None
) -> pd.DataFrame:
    """Check a practice -> PCN -> neighbourhood table and return a clean copy.

    Rules: every :data:`PRACTICE_COLUMNS` present; all but ``note`` non-blank; practice codes are
    ODS codes (a letter and 5 digits), PCN codes ``U`` and 5 digits; each practice once; each
    neighbourhood code one of ``neighbourhoods`` (the ward definition's); ``basis`` and
    ``status`` from :data:`BASES` and :data:`STATUSES`; a judgement says why in its note; each
    PCN one name; when ``known_practices`` is given, the practices are exactly that set.

    Raises :class:`PracticeAssignmentError` listing every problem, with the row numbers as a
    spreadsheet user sees them (header = row 1).
    """
    missing = [c for c in PRACTICE_COLUMNS if c not in df.columns]
    if missing:
        raise PracticeAssignmentError(
            "The practice assignment is missing column(s) "
            + ", ".join(missing)
            + ". It needs: "
            + ", ".join(PRACTICE_COLUMNS)
            + "."
        )
    out = df[PRACTICE_COLUMNS].copy()
    for col in PRACTICE_COLUMNS:
        out[col] = out[col].astype("string").str.strip()
    problems: list[str] = []
    for col in PRACTICE_COLUMNS:
        if col in OPTIONAL:
            continue
        blank = out.index[out[col].isna() | (out[col] == "")]
        if len(blank):
            problems.append(f"blank {col} in row(s) {row_numbers(blank)}")
    for col, pattern, what in (
        ("practice_code", _PRACTICE_CODE, "an ODS practice code (a letter and 5 digits, e.g. P84001)"),
        ("pcn_code", _PCN_CODE, "an ODS PCN code (U and 5 digits, e.g. U07506)"),
    ):
        bad = out.index[out[col].notna() & (out[col] != "") & ~out[col].fillna("").str.match(pattern)]
        if len(bad):
            problems.append(f"{col} is not {what} in row(s) {row_numbers(bad)}")
    dup = out["practice_code"].duplicated(keep=False) & out["practice_code"].notna()
    for code, idx in out[dup].groupby("practice_code").groups.items():
        problems.append(
            f"practice {code} appears more than once (rows {row_numbers(idx)}); each practice belongs to one neighbourhood"
        )
    known_nbhd = set(neighbourhoods)
    bad = out.index[out["neighbourhood_code"].notna() & ~out["neighbourhood_code"].isin(known_nbhd)]
    if len(bad):
        problems.append(
            f"neighbourhood_code is not one of the neighbourhoods ({', '.join(sorted(known_nbhd))}) "
            f"in row(s) {row_numbers(bad)}"
        )
    for col, allowed in (("basis", BASES), ("status", STATUSES)):
        bad = out.index[out[col].notna() & (out[col] != "") & ~out[col].isin(list(allowed))]
        if len(bad):
            problems.append(f"{col} must be one of {', '.join(allowed)} in row(s) {row_numbers(bad)}")
    unexplained = out.index[(out["basis"] == "judgement") & (out["note"].isna() | (out["note"] == ""))]
    if len(unexplained):
        problems.append(f"a judgement needs a note saying why, in row(s) {row_numbers(unexplained)}")
    names = out.dropna(subset=["pcn_code"]).groupby("pcn_code")["pcn_name"].nunique()
    for code in names[names > 1].index:
        problems.append(
            f"PCN {code} has more than one name: "
            + ", ".join(sorted(out.loc[out["pcn_code"] == code, "pcn_name"].dropna().unique()))
            + f" (rows {row_numbers(out.index[out['pcn_code'] == code])})"
        )
    if known_practices is not None:
        known = set(known_practices)
        present = set(out["practice_code"].dropna())
        if unknown := sorted(present - known):
            rows = out.index[out["practice_code"].isin(unknown)]
            problems.append(f"practice code(s) not in the sources: {', '.join(unknown)} (row(s) {row_numbers(rows)})")
        if absent := sorted(known - present):
            problems.append(
                "Manchester practice(s) missing from the assignment (every practice must be assigned once): "
                + ", ".join(absent)
            )
    if problems:
        raise PracticeAssignmentError("The practice assignment has problems:\n- " + "\n- ".join(problems))
    return out.sort_values(["neighbourhood_code", "pcn_code", "practice_code"]).reset_index(drop=True)


def read_practices(
    path: str | Path, neighbourhoods: Iterable[str], known_practices: Iterable[str] | None = None
) -> pd.DataFrame:
    """Read and validate a practice assignment CSV (see :func:`validate_practices`)."""
    df = read_text_table(path, PracticeAssignmentError, "practice assignment", PRACTICE_COLUMNS)
    return validate_practices(df, neighbourhoods, known_practices)
