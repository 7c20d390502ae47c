"""The Your data page's logic: loading a file without losing what is loaded, and showing it safely.

Reading and validating a file is :mod:`lib.imports.indicator_file`; this module is what the page
does with the result: :func:`accept_upload` adds a file to the session's list (a file that fails
changes nothing), :func:`combined` gives every loaded file as one pair of contract tables for the
other pages, and :func:`safe_preview` shows a file's first rows back with disclosure control.

Pure functions, no Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from lib.core.contract import INDICATOR_COLUMNS, VALUE_COLUMNS
from lib.core.disclosure import TOO_FEW
from lib.imports.geography import Geography
from lib.imports.indicator_file import USER_PREFIX, ImportedData, read_indicator_file
from lib.imports.reading import ImportFileError, to_number


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


def safe_preview(preview: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The first rows of a file as shown back on screen, with disclosure control: a count or
    denominator of 1 to threshold − 1 reads "too few to show", and that row's value and interval
    cells are blanked (they would give the count back)."""
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
        num, _, _ = to_number(out[c])
        small = (num > 0) & (num < threshold)
        out.loc[small, c] = TOO_FEW
        hide |= small
    for c in reveal_cols:
        out.loc[hide, c] = ""
    return out


def practice_moves(committed: pd.DataFrame, uploaded: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The practices an uploaded assignment puts in another neighbourhood (or PCN) than the app's
    (``geodata/practices.csv``): ``Practice code, Practice, From, To`` (neighbourhoods as
    ``code · name``) and ``PCN`` (from → to where it changed); no rows if nothing moved."""
    c = committed.set_index("practice_code")
    u = uploaded.set_index("practice_code").reindex(c.index)

    def label(code) -> str:
        return f"{code} · {names.get(code, code)}"

    moved = c.index[(c["neighbourhood_code"] != u["neighbourhood_code"]) | (c["pcn_code"] != u["pcn_code"])]
    return pd.DataFrame(
        {
            "Practice code": list(moved),
            "Practice": [u.at[k, "practice_name"] for k in moved],
            "From": [label(c.at[k, "neighbourhood_code"]) for k in moved],
            "To": [label(u.at[k, "neighbourhood_code"]) for k in moved],
            "PCN": [
                c.at[k, "pcn_code"]
                if c.at[k, "pcn_code"] == u.at[k, "pcn_code"]
                else f"{c.at[k, 'pcn_code']} → {u.at[k, 'pcn_code']}"
                for k in moved
            ],
        }
    )
