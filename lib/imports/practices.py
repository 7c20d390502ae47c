"""Reading a GP practice assignment a user uploads (the shape of ``geodata/practices.csv``).

The file is read as text and checked by :func:`lib.core.practices.validate_practices` against the
neighbourhoods in use and the practices the app has figures for (the committed assignment's):
every problem is listed with its row number as a spreadsheet shows it (the header is row 1). A
file that fails raises :class:`PracticeAssignmentError` and changes nothing.

Pure functions, no Streamlit.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import pandas as pd

from lib.core.practices import PRACTICE_COLUMNS, PracticeAssignmentError, validate_practices

#: Largest file accepted (a full assignment of ~80 practices is about 15 KB).
MAX_BYTES = 2_000_000


def read_practice_assignment(
    raw: bytes, filename: str, neighbourhoods: Iterable[str], known_practices: Iterable[str]
) -> pd.DataFrame:
    """An uploaded practice assignment, validated (sorted as :func:`validate_practices` returns
    it). Raises :class:`PracticeAssignmentError` with a message naming the file and, for each
    problem, the rows to fix."""
    columns = ", ".join(PRACTICE_COLUMNS)
    if not raw or not raw.strip():
        raise PracticeAssignmentError(f"“{filename}” is empty. Upload a CSV with the columns {columns}.")
    if len(raw) > MAX_BYTES:
        raise PracticeAssignmentError(
            f"“{filename}” is {len(raw) / 1e6:.1f} MB: a practice assignment is a small table (one row per practice). "
            f"Upload a CSV with the columns {columns}."
        )
    try:
        text = raw.decode("utf-8-sig")
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    except UnicodeDecodeError:
        raise PracticeAssignmentError(
            f"“{filename}” is not UTF-8 text. Save it as 'CSV UTF-8 (comma delimited)'."
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise PracticeAssignmentError(
            f"“{filename}” could not be read as CSV ({exc}). Save it as 'CSV UTF-8 (comma delimited)'."
        ) from None
    df.columns = [str(c).strip() for c in df.columns]
    try:
        return validate_practices(df, neighbourhoods, known_practices)
    except PracticeAssignmentError as exc:
        raise PracticeAssignmentError(f"“{filename}”: {exc}") from None
