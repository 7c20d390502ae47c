"""What each kind of saved data looks like in the store, and back: the tables and ``meta`` a
checked file is saved as, and the object the pages use (the same one a session upload gives).

* ``indicators``: :class:`lib.imports.indicator_file.ImportedData` (tables ``indicators``,
  ``values``, ``preview``); key: the file's name.
* ``activity``: :class:`lib.imports.activity_file.ActivityData` (table ``frame``).
* ``grouping``: the Your data page's grouping (``key``, ``label``, ``notes``, ``csv``; table
  ``definition``).
* ``practices``: an uploaded GP practice assignment (``name``, ``csv``; table ``practices``).
* ``threshold``: the disclosure threshold (``meta["threshold"]``).

Pure functions, no Streamlit.
"""

from __future__ import annotations

import io
from datetime import datetime

import pandas as pd

from lib.imports.activity_file import ActivityData
from lib.imports.indicator_file import ImportedData
from lib.workspace.store import SINGLE_KEY, SavedVersion


def when_text(at: datetime) -> str:
    """A save's time as the page shows it: ``7 Dec 2026 14:02`` (UTC)."""
    return f"{at.day} {at:%b %Y %H:%M}"


def saved_licence(by: str, at: datetime) -> str:
    return f"Your team's own data, saved in the workspace by {by} on {when_text(at)} UTC"


# ---------------------------------------------------------------- indicator files
def indicators_to_store(item: ImportedData) -> tuple[dict[str, pd.DataFrame], dict]:
    preview = item.preview.astype("object").fillna("").astype(str)  # the file's cells as text
    tables = {"indicators": item.indicators, "values": item.values, "preview": preview}
    return tables, {"fmt": item.fmt, "messages": list(item.messages), "indicator_ids": item.indicator_ids}


def indicators_from_store(v: SavedVersion) -> ImportedData:
    ind = v.tables["indicators"].copy()
    ind["licence"] = saved_licence(v.loaded_by, v.loaded_at)
    if "user_data" in ind:
        ind["user_data"] = ind["user_data"].astype(bool)
    return ImportedData(
        name=v.file_name or v.key,
        fmt=v.meta.get("fmt", "tidy"),
        indicators=ind,
        values=v.tables["values"],
        messages=list(v.meta.get("messages", [])),
        preview=v.tables.get("preview", pd.DataFrame()),
    )


# ---------------------------------------------------------------- activity
def activity_to_store(a: ActivityData) -> tuple[dict[str, pd.DataFrame], dict]:
    return {"frame": a.frame}, {"synthetic": bool(a.synthetic), "warnings": list(a.warnings), "name": a.name}


def activity_from_store(v: SavedVersion) -> ActivityData:
    frame = v.tables["frame"].copy()
    frame["count"] = frame["count"].astype("int64")
    frame["population"] = frame["population"].astype(float)
    return ActivityData(
        frame=frame,
        synthetic=bool(v.meta.get("synthetic")),
        warnings=list(v.meta.get("warnings", [])),
        name=v.meta.get("name") or v.file_name,
    )


# ---------------------------------------------------------------- grouping and practices
def _frame(csv_text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(csv_text), dtype=str, keep_default_na=False, na_values=[""])


def grouping_to_store(g: dict) -> tuple[dict[str, pd.DataFrame], dict]:
    """The session's grouping (``key, label, notes, csv``)."""
    return {"definition": _frame(g["csv"])}, {"key": g["key"], "label": g["label"], "notes": list(g.get("notes", []))}


def grouping_from_store(v: SavedVersion) -> dict:
    return {
        "key": v.meta.get("key", "saved"),
        "label": v.meta.get("label") or v.file_name,
        "notes": list(v.meta.get("notes", [])),
        "csv": v.tables["definition"].to_csv(index=False),
    }


def practices_to_store(p: dict) -> tuple[dict[str, pd.DataFrame], dict]:
    """The session's practice assignment (``name, csv``)."""
    return {"practices": _frame(p["csv"])}, {"name": p["name"]}


def practices_from_store(v: SavedVersion) -> dict:
    return {"name": v.meta.get("name") or v.file_name, "csv": v.tables["practices"].to_csv(index=False)}


# ---------------------------------------------------------------- threshold
def threshold_to_store(t: int) -> tuple[dict[str, pd.DataFrame], dict]:
    return {}, {"threshold": int(t)}


def threshold_from_store(v: SavedVersion) -> int:
    return int(v.meta["threshold"])


FROM_STORE = {
    "indicators": indicators_from_store,
    "activity": activity_from_store,
    "grouping": grouping_from_store,
    "practices": practices_from_store,
    "threshold": threshold_from_store,
}

__all__ = ["FROM_STORE", "SINGLE_KEY"]
