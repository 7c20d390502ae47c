"""The workspace on the pages: the Your data page's "Saved in the workspace" section (each saved
item with Replace, Roll back, Delete and Undo, and its history), saving a checked upload, and the
Activity page's "Save this activity" button. The store side is ``pages/shared/workspace.py``; the
words and tables are ``lib/views/workspace.py``.

Streamlit code shared by the pages (``pages/shared/``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import streamlit as st

from lib.render.format import md_message, md_text
from lib.views import workspace as ws_view
from lib.views.own_data import accept_upload
from lib.workspace.store import SINGLE_KEY
from pages.shared import widgets, workspace

#: Session keys: the last message of a workspace change, a delete waiting for its confirmation, the last delete (for Undo).
NOTICE_KEY = "ws_notice"
CONFIRM_KEY = "ws_confirm_delete"
UNDO_KEY = "ws_undo"
SAVE_CHOICE = {
    "save": "Save it in the workspace (everyone who may see the workspace sees it, after a restart too)",
    "try": "Try without saving (this browser session only)",
}

#: kind -> a checker ``(raw, file name) -> (object, None) | (None, message)``: the page's own validators.
Checkers = dict[str, Callable[[bytes, str], tuple[object, str | None]]]


def _wkey(prefix: str, kind: str, key: str) -> str:
    return f"{prefix}_{kind}_{hashlib.sha1(key.encode()).hexdigest()[:10]}"


def notice(kind: str, text: str) -> None:
    """Keep a message for the next run (the page reruns after a change)."""
    st.session_state[NOTICE_KEY] = (kind, text)


def show_notice() -> None:
    n = st.session_state.pop(NOTICE_KEY, None)
    if n:
        (st.success if n[0] == "ok" else st.error)(
            n[1], icon=":material/check:" if n[0] == "ok" else ":material/error:"
        )


def save_or_try() -> bool:
    """Ask where an upload goes (only editors may save). True: save it in the workspace."""
    if not workspace.can("load") or workspace.unavailable():
        return False
    choice = st.radio(
        "Where should it go?", list(SAVE_CHOICE), format_func=SAVE_CHOICE.get, key="ws_save_choice", index=1
    )
    return choice == "save"


def save_indicator_upload(raw: bytes, file_name: str, geography, **kwargs) -> str | None:
    """Check an indicator file in full, then save it in one transaction (under its name, or as a new
    version of the saved file holding its indicators). None when saved, else the message (the
    importer's, or why the workspace refused it): then nothing saved has changed."""
    checked, error = accept_upload([], raw, file_name, geography, **kwargs)
    if error:
        return error
    item = checked[0]
    key, error = ws_view.indicator_key(file_name, item.indicator_ids, workspace.saved_items("indicators"))
    if error:
        return error
    version, error = workspace.save("indicators", key, item, file_name=file_name, raw=raw)
    if error:
        return error
    notice("ok", f"Saved {md_text(ws_view.item_label('indicators', key))} in the workspace (version {version}).")
    return None


def save_button(kind: str, obj, *, file_name: str, raw: bytes, label: str, key: str) -> None:
    """A button saving this session's choice (grouping, practices, threshold, activity) for everyone."""
    if obj is None or not workspace.can("load") or workspace.unavailable():
        return
    if st.button(label, key=key, icon=":material/save:"):
        version, error = workspace.save(kind, SINGLE_KEY, obj, file_name=file_name, raw=raw)
        if error:
            notice("error", md_message(error))
        else:
            notice("ok", f"Saved {ws_view.item_label(kind, SINGLE_KEY)} in the workspace (version {version}).")
        st.rerun()


def saved_caption(kind: str, overridden: bool) -> None:
    """Say that the item in force is the workspace's (and that this session's own choice overrides it)."""
    items = workspace.saved_items(kind)
    if not items:
        return
    i = items[0]
    text = (
        f"Saved in the workspace: **{md_text(ws_view.item_name(i))}** (version {i.version}, by {md_text(i.loaded_by)}, "
        f"{ws_view.when(i.loaded_at)} UTC)."
    )
    if overridden:
        text += " This session's own choice overrides it for you only, until you leave; nothing saved changes."
    else:
        text += " Your own upload here overrides it for a quick look (this session only)."
    st.caption(text)


def offer_activity_save(current) -> None:
    """The Activity page: the saved activity's line, or a button saving this session's upload."""
    own = st.session_state.get("activity_data")
    saved_caption("activity", overridden=own is not None)
    if own is not None and not getattr(own, "synthetic", False):
        from lib.imports.activity_file import to_csv_bytes

        save_button(
            "activity",
            own,
            file_name=own.name or "activity.csv",
            raw=to_csv_bytes(own.frame),
            label="Save this activity in the workspace",
            key="ws_save_activity",
        )
    show_notice()


# ---------------------------------------------------------------- the Your data section
def saved_section(checkers: Checkers) -> None:
    """'Saved in the workspace': every saved item (kind, name, version, who, when, file) with Replace,
    Roll back, Delete (confirmed, then Undo) and its history; deleted items can be restored."""
    st.header("Saved in the workspace")
    problem = workspace.unavailable()
    if problem:
        st.error(problem, icon=":material/error:")
        return
    if not workspace.can("view_saved"):
        st.info(
            "The workspace's saved data are for its members: sign in to see them. Everything else in the app is open.",
            icon=":material/lock:",
        )
        return
    show_notice()
    undo = st.session_state.get(UNDO_KEY)
    if undo and workspace.can("load"):
        c1, c2 = st.columns([4, 1])
        c1.info(f"Deleted {md_text(ws_view.item_label(*undo))}.", icon=":material/delete:")
        if c2.button("Undo", key="ws_undo_button", icon=":material/undo:"):
            error = workspace.change("undelete", *undo)
            st.session_state[UNDO_KEY] = None
            notice(
                "error" if error else "ok",
                md_message(error) if error else f"Restored {md_text(ws_view.item_label(*undo))}.",
            )
            st.rerun()
    items = workspace.saved_items()
    if not items:
        st.info(
            "Nothing is saved yet. Load a file above with *Save it in the workspace*, or save a grouping, practice "
            "assignment or threshold below.",
            icon=":material/info:",
        )
    else:
        st.markdown(
            "Every page shows these for everyone who may see the workspace, after a restart too. What you load "
            "with *Try without saving* overrides them for your session only."
        )
        widgets.show_table(ws_view.saved_table(items), "What is saved in the workspace", row_header="Name")
    editor = workspace.can("load")
    for item in _managed(items):
        _item_box(item, checkers, editor)
    deleted = [i for i in _deleted_items() if (i.kind, i.key) != tuple(undo or ())]
    if deleted and editor:
        with st.expander(f"Deleted items ({len(deleted)})"):
            for i in deleted:
                c1, c2 = st.columns([4, 1])
                c1.markdown(f"{md_text(ws_view.KIND_LABELS[i.kind])}: **{md_text(ws_view.item_name(i))}**")
                if c2.button("Restore", key=_wkey("ws_restore", i.kind, i.key), icon=":material/restore_from_trash:"):
                    error = workspace.change("undelete", i.kind, i.key)
                    notice(
                        "error" if error else "ok",
                        md_message(error) if error else f"Restored {md_text(ws_view.item_label(i.kind, i.key))}.",
                    )
                    st.rerun()
    # Admins: the members and the audit log are at the foot of the page (pages/shared/admin_views.py).
    workspace.remember_seen()  # a save made from this page expects what it showed


#: Up to this many saved items, each has its own box (Replace, Roll back, Delete, History); beyond it,
#: the table lists them all and one box shows the item picked, so a workspace of 50 files opens as fast.
BOXES_SHOWN = 6


def _managed(items: list) -> list:
    """The saved items to draw a box for: all of them, or beyond :data:`BOXES_SHOWN` the one picked."""
    if len(items) <= BOXES_SHOWN:
        return items
    labels = {(i.kind, i.key): f"{ws_view.KIND_LABELS[i.kind]}: {ws_view.item_name(i)}" for i in items}
    if st.session_state.get("ws_manage") not in labels:
        st.session_state["ws_manage"] = next(iter(labels))
    chosen = st.selectbox(
        f"Manage a saved item ({len(items)} saved)",
        list(labels),
        format_func=labels.get,
        key="ws_manage",
        help="Replace, roll back, delete or see the history of the item you pick; the table above lists every one.",
    )
    return [i for i in items if (i.kind, i.key) == chosen]


def _deleted_items():
    try:
        return [i for i in workspace.store().current(include_deleted=True) if i.deleted]
    except Exception:
        return []


def _item_box(item, checkers: Checkers, editor: bool) -> None:
    label = ws_view.item_label(item.kind, item.key)
    with st.container(border=True):
        st.markdown(
            f"**{md_text(ws_view.KIND_LABELS[item.kind])}: {md_text(ws_view.item_name(item))}** · version {item.version} · "
            f"saved by {md_text(item.loaded_by)} on {ws_view.when(item.loaded_at)} UTC"
            + (f" · file {md_text(item.file_name)}" if item.file_name else "")
        )
        history = workspace.store().history(item.kind, item.key)
        if editor:
            a, b, c = st.columns([2, 2, 1])
            check = checkers.get(item.kind)
            if check is not None:
                up = a.file_uploader("Replace (upload a new version)", key=_wkey("ws_replace", item.kind, item.key))
                seen_key = _wkey("ws_replace_seen", item.kind, item.key)
                if up is not None and st.session_state.get(seen_key) != up.file_id:
                    st.session_state[seen_key] = up.file_id
                    obj, error = check(up.getvalue(), up.name)
                    if error is None:
                        version, error = workspace.save(item.kind, item.key, obj, file_name=up.name, raw=up.getvalue())
                    if error:
                        notice("error", md_message(error) + "\n\nNothing saved has changed.")
                    else:
                        notice("ok", f"Replaced {md_text(label)}: version {version} is in use.")
                    st.rerun()
            earlier = [h.version for h in history if not h.in_use]
            if earlier:
                target = b.selectbox(
                    "Roll back to version",
                    earlier,
                    key=_wkey("ws_rollback_to", item.kind, item.key),
                    format_func=lambda v: f"version {v}",
                )
                if b.button("Roll back", key=_wkey("ws_rollback", item.kind, item.key), icon=":material/history:"):
                    error = workspace.change("rollback", item.kind, item.key, target)
                    notice(
                        "error" if error else "ok",
                        md_message(error) if error else f"Rolled {md_text(label)} back to version {target}.",
                    )
                    st.rerun()
            confirm = st.session_state.get(CONFIRM_KEY) == (item.kind, item.key)
            if not confirm:
                if c.button("Delete", key=_wkey("ws_delete", item.kind, item.key), icon=":material/delete:"):
                    st.session_state[CONFIRM_KEY] = (item.kind, item.key)
                    st.rerun()
            else:
                st.warning(
                    f"Delete {md_text(label)} for everyone? No page will show it; you can undo this.",
                    icon=":material/warning:",
                )
                y, n = st.columns(2)
                if y.button("Yes, delete it", key=_wkey("ws_delete_yes", item.kind, item.key), type="primary"):
                    st.session_state[CONFIRM_KEY] = None
                    error = workspace.change("delete", item.kind, item.key)
                    if error:
                        notice("error", md_message(error))
                    else:
                        st.session_state[UNDO_KEY] = (item.kind, item.key)
                    st.rerun()
                if n.button("Cancel", key=_wkey("ws_delete_no", item.kind, item.key)):
                    st.session_state[CONFIRM_KEY] = None
                    st.rerun()
        with st.expander("History"):
            widgets.show_table(
                ws_view.history_table(history), f"Every version of {ws_view.item_name(item)}", row_header=None
            )
