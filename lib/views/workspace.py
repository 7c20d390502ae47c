"""What the Your data page says about the workspace (saved data): the list of saved items, an
item's history, and the plain messages for a conflict, a refused or failed save.

Works on any objects with the store's attributes (``lib.workspace.store.SavedItem`` and
``VersionInfo``); pure functions, no Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import pandas as pd

#: Plain names of the kinds of saved data.
KIND_LABELS = {
    "indicators": "Indicator file",
    "activity": "Monthly activity",
    "grouping": "Neighbourhood grouping",
    "practices": "GP practice assignment",
    "threshold": "Disclosure threshold",
}


def when(at: datetime | None) -> str:
    """``7 Dec 2026 14:02`` (UTC), or "" when unknown."""
    return f"{at.day} {at:%b %Y %H:%M}" if at else ""


def item_label(kind: str, key: str) -> str:
    """How the page names an item: an indicator file by its name, the others by their kind."""
    if kind == "indicators":
        return f"“{key}”"
    return {
        "activity": "the monthly activity",
        "grouping": "the neighbourhood grouping",
        "practices": "the GP practice assignment",
        "threshold": "the disclosure threshold",
    }.get(kind, kind)


def item_name(item) -> str:
    """What the item holds, in a few words (the file's name; the threshold's number)."""
    meta = getattr(item, "meta", {}) or {}
    if item.kind == "threshold":
        return f"Hide counts below {meta.get('threshold', '?')}"
    if item.kind == "grouping":
        return str(meta.get("label") or item.file_name)
    return str(item.key if item.kind == "indicators" else (meta.get("name") or item.file_name))


def saved_table(items: Iterable) -> pd.DataFrame:
    """One row per saved item: ``Kind, Name, Version, Saved by, Saved on (UTC), File``."""
    rows = [
        {
            "Kind": KIND_LABELS.get(i.kind, i.kind),
            "Name": item_name(i),
            "Version": f"{i.version} of {i.latest_version}" if i.latest_version != i.version else str(i.version),
            "Saved by": i.loaded_by,
            "Saved on (UTC)": when(i.loaded_at),
            "File": i.file_name,
        }
        for i in items
    ]
    return pd.DataFrame(rows, columns=["Kind", "Name", "Version", "Saved by", "Saved on (UTC)", "File"])


def history_table(versions: Iterable) -> pd.DataFrame:
    """An item's versions, newest first: ``Version, In use, Saved by, Saved on (UTC), File, Size``."""
    rows = [
        {
            "Version": v.version,
            "In use": "yes" if v.in_use else "",
            "Saved by": v.loaded_by,
            "Saved on (UTC)": when(v.loaded_at),
            "File": v.file_name,
            "Size": size_text(v.size),
        }
        for v in versions
    ]
    return pd.DataFrame(rows, columns=["Version", "In use", "Saved by", "Saved on (UTC)", "File", "Size"])


def audit_table(rows: Iterable[dict]) -> pd.DataFrame:
    """The audit log as a table (newest first)."""
    words = {
        "load": "loaded",
        "replace": "replaced",
        "rollback": "rolled back",
        "delete": "deleted",
        "undelete": "restored",
        "member_set": "member added or changed",
        "member_remove": "member removed",
    }
    out = [
        {
            "When (UTC)": when(r["at"]),
            "Who": r["who"],
            "What": words.get(r["action"], r["action"]),
            "Item": item_label(r["kind"], r["key"]) if r.get("kind") else "",
            "Version": "" if r.get("version") is None else str(r["version"]),
            "Detail": r.get("detail") or "",
        }
        for r in rows
    ]
    return pd.DataFrame(out, columns=["When (UTC)", "Who", "What", "Item", "Version", "Detail"])


def size_text(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1e6:.1f} MB"
    if n >= 1000:
        return f"{n / 1e3:.0f} KB"
    return f"{n} bytes"


def conflict_message(label: str, by: str, at: datetime | None, version: int | None) -> str:
    """Two editors at once: the second is told, in plain words, that theirs was not saved."""
    if version is None:
        return (
            f"Someone else changed {label} while you were working (it is not in the workspace now); yours was not "
            "saved. Reload to see the workspace as it is, then load yours again if it should be saved."
        )
    at_text = f" at {at:%H:%M}" if at else ""
    by_text = f" ({by})" if by else ""
    return (
        f"Someone else{by_text} saved a new version of {label}{at_text} while you were working; yours was not saved. "
        "Reload to see theirs, then load yours again if it should replace it."
    )


def save_failed_message(label: str, exc: Exception) -> str:
    return (
        f"{label[0].upper() + label[1:]} could not be saved in the workspace ({exc.__class__.__name__}); nothing "
        "saved before has changed. Try again; if it fails again, tell whoever runs this app."
    )


def not_allowed_message() -> str:
    return "Only editors and admins can change what is saved in the workspace; nothing was changed."


def unavailable_message(exc: Exception) -> str:
    return (
        f"The workspace database cannot be reached ({exc.__class__.__name__}), so saved data are not shown. "
        "The app's own data and anything you try without saving still work."
    )


def indicator_key(file_name: str, indicator_ids: Iterable[str], saved: Iterable) -> tuple[str | None, str | None]:
    """Where a checked indicator file is saved: under its own name, or as a new version of the saved
    file that already holds one of its indicators. Returns (key, None), or (None, message) when its
    indicators are in two saved files."""
    ids = set(indicator_ids)
    holders = sorted(
        {i.key for i in saved if i.kind == "indicators" and set((i.meta or {}).get("indicator_ids", [])) & ids}
        - {file_name}
    )
    names = {i.key for i in saved if i.kind == "indicators"}
    if not holders:
        return file_name, None
    if len(holders) == 1 and file_name not in names:
        return holders[0], None
    return None, (
        f"“{file_name}” was not saved: its indicators are already in "
        + ", ".join(f"“{h}”" for h in holders + ([file_name] if file_name in names else []))
        + ". Replace one of them (Saved in the workspace, below), or delete the others first."
    )
