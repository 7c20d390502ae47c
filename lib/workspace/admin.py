"""The admin views' logic (members and the audit log), pure: what a member change would do, whether
it is allowed, and the audit log as a table on screen and as an analysis-ready CSV.
``pages/shared/admin_views.py`` draws them on *Your data* for admins."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

import pandas as pd

from lib.workspace.access import ROLE_HELP, ROLES, normalise_email, valid_email

#: The audit log's actions in plain words (the store records the short names).
ACTION_LABELS: dict[str, str] = {
    "load": "loaded",
    "replace": "replaced",
    "rollback": "rolled back",
    "delete": "deleted",
    "undelete": "restored",
    "member_set": "set a member's role",
    "member_remove": "removed a member",
}
#: What each kind of saved item is called on screen.
KIND_LABELS: dict[str, str] = {
    "indicators": "indicator file",
    "activity": "monthly activity",
    "grouping": "neighbourhood grouping",
    "practices": "GP practice assignment",
    "threshold": "disclosure threshold",
    "member": "member",
}
#: The analysis-ready audit CSV: one row per event, times in UTC (ISO 8601), the store's own codes.
AUDIT_COLUMNS = ("at", "who", "action", "kind", "key", "version", "detail")


def members_frame(members: Mapping[str, str], admins: Iterable[str] = ()) -> pd.DataFrame:
    """The members as a table (email, role, what the role allows, where it comes from), sorted by
    email; ``NP_ADMINS`` admins are listed too (their role is the server's setting, not the list's)."""
    admins = {normalise_email(a) for a in admins}
    rows = [
        {
            "Email": normalise_email(e),
            "Role": r,
            "May": ROLE_HELP.get(r, ""),
            "Set by": "this list" + (" (and NP_ADMINS: admin)" if normalise_email(e) in admins else ""),
        }
        for e, r in members.items()
    ]
    listed = {r["Email"] for r in rows}
    rows += [
        {"Email": a, "Role": "admin", "May": ROLE_HELP["admin"], "Set by": "NP_ADMINS (the server's setting)"}
        for a in admins - listed
    ]
    return pd.DataFrame(rows, columns=["Email", "Role", "May", "Set by"]).sort_values("Email", ignore_index=True)


def check_member_change(
    email: str, role: str | None, by: str, members: Mapping[str, str], admins: Iterable[str] = ()
) -> str:
    """Why an admin (``by``) may not give ``email`` the ``role`` (None: remove them), in plain
    words; empty when they may. Admins cannot remove or demote themselves (so a workspace always
    keeps the admin who is using it), and ``NP_ADMINS`` admins are the server's to change."""
    email = normalise_email(email)
    if not valid_email(email):
        return f"“{email or '(blank)'}” is not an email address: type the address the person signs in with."
    if role is not None and role not in ROLES:
        return f"“{role}” is not a role: one of {', '.join(ROLES)}."
    if email == normalise_email(by) and role != "admin":
        return "You cannot remove yourself or take away your own admin role: ask another admin."
    if role is None and email not in {normalise_email(e) for e in members}:
        if email in {normalise_email(a) for a in admins}:
            return f"{email} is an admin set by the server (NP_ADMINS), not by this list: the server's manager can change it."
        return f"{email} is not a member."
    return ""


def change_sentence(email: str, role: str | None, members: Mapping[str, str]) -> str:
    """What a member change will do, for the confirmation."""
    email = normalise_email(email)
    before = {normalise_email(e): r for e, r in members.items()}.get(email)
    if role is None:
        return f"Remove {email} from the workspace? They will see the public data only."
    if before is None:
        return f"Add {email} as {role} ({ROLE_HELP[role]})?"
    if before == role:
        return f"{email} is already {role}."
    return f"Make {email} {role} instead of {before} ({ROLE_HELP[role]})?"


def _when(value: object) -> pd.Timestamp | None:
    if value is None or value == "":
        return None
    ts = pd.Timestamp(value)
    return ts.tz_localize(UTC) if ts.tzinfo is None else ts.tz_convert(UTC)


def audit_csv_frame(rows: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """The audit log, analysis-ready: :data:`AUDIT_COLUMNS`, times in UTC as ISO 8601 text, the
    version a whole number (blank where an event has none, e.g. a member change), in the store's
    order (newest first)."""
    df = pd.DataFrame([{c: r.get(c) for c in AUDIT_COLUMNS} for r in rows], columns=list(AUDIT_COLUMNS))
    at = [_when(v) for v in df["at"]]
    df["at"] = [t.isoformat() if t is not None else None for t in at]
    df["version"] = pd.to_numeric(df["version"], errors="coerce").astype("Int64")
    for c in ("who", "action", "kind", "key", "detail"):
        df[c] = df[c].astype("string")
    return df


def audit_screen_frame(rows: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """The audit log as the admin reads it: who, when (UTC, to the second), what they did, to what,
    which version, and the detail."""
    df = audit_csv_frame(rows)
    when = [datetime.fromisoformat(a).strftime("%d %b %Y %H:%M:%S UTC") if isinstance(a, str) else "" for a in df["at"]]
    what = [
        f"{KIND_LABELS.get(k, k or '')}: {key}" if key else KIND_LABELS.get(k, k or "")
        for k, key in zip(df["kind"].fillna(""), df["key"].fillna(""))
    ]
    return pd.DataFrame(
        {
            "Who": df["who"].fillna(""),
            "When": when,
            "Action": [ACTION_LABELS.get(a, a) for a in df["action"].fillna("")],
            "What": what,
            "Version": ["" if pd.isna(v) else str(v) for v in df["version"]],
            "Detail": df["detail"].fillna(""),
        }
    )
