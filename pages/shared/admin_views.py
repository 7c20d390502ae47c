"""The admin views on *Your data* (admins only): the workspace's members (add by email with a role,
change a role, remove; each confirmed) and the audit log (who did what, when, to which version) with
an analysis-ready CSV download. Logic in ``lib/workspace/admin.py``; the gate is
``signin.may_admin()``."""

from __future__ import annotations

import streamlit as st

from lib.render.format import md_text
from lib.workspace import access, admin
from pages.shared import signin, widgets

PENDING = "admin_pending_member_change"


def show(store) -> None:
    """Draw both views for an admin (``store``: the workspace's ``Store``); for anyone else, nothing."""
    if not signin.may_admin():
        return
    user = signin.current_user()
    st.header("Members and audit log")
    st.caption("Only admins see this part.")
    if signin.team_mode():
        members_view(store, user)
    else:
        st.info(
            "On this computer there is no sign-in, so no members: you are the workspace's admin. On a team "
            "server (NP_SIGN_IN=1) admins list here who may see and load the saved data.",
            icon=":material/computer:",
        )
    audit_view(store)


def members_view(store, user: access.User) -> None:
    st.subheader("Members")
    st.markdown(
        "People you add here see the saved data when they sign in with that email address. "
        + " ".join(f"**{r.capitalize()}**: {h}." for r, h in access.ROLE_HELP.items())
        + " Anyone else sees the public data only."
    )
    members = store.members()
    admins = access.admins_from_env()
    widgets.show_table(admin.members_frame(members, admins), "The workspace's members", row_header=None)

    with st.form("admin_add_member", clear_on_submit=False, border=True):
        st.markdown("**Add a member, or change a member's role**")
        email = st.text_input("Email address they sign in with", key="admin_member_email")
        role = st.radio(
            "Role", list(access.ROLES), format_func=str.capitalize, horizontal=True, key="admin_member_role"
        )
        if st.form_submit_button("Add or change", icon=":material/person_add:"):
            _ask(email, role, user, members, admins)
    listed = sorted(members)
    if listed:
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        gone = c1.selectbox("Remove a member", listed, index=None, placeholder="Choose an email", key="admin_remove")
        if c2.button("Remove…", key="admin_remove_button", icon=":material/person_remove:", disabled=gone is None):
            _ask(gone, None, user, members, admins)
    _confirm(store, user, members)


def _ask(email: str, role: str | None, user: access.User, members, admins) -> None:
    problem = admin.check_member_change(email, role, user.who, members, admins)
    if problem:
        st.session_state[PENDING] = {"error": problem}
    else:
        st.session_state[PENDING] = {"email": access.normalise_email(email), "role": role}


def _confirm(store, user: access.User, members) -> None:
    pending = st.session_state.get(PENDING)
    if not pending:
        return
    if "error" in pending:
        st.error(md_text(pending["error"]), icon=":material/error:")
        if st.button("OK", key="admin_error_ok"):
            st.session_state.pop(PENDING, None)
            st.rerun()
        return
    if "done" in pending:
        st.success(md_text(pending["done"]), icon=":material/check:")
        st.session_state.pop(PENDING, None)
        return
    email, role = pending["email"], pending["role"]
    sentence = admin.change_sentence(email, role, members)
    with st.container(border=True):
        st.markdown(md_text(sentence))
        yes, no = st.columns(2)
        if yes.button("Yes, remove" if role is None else "Yes, save", key="admin_confirm_yes", type="primary"):
            try:
                if role is None:
                    store.remove_member(email, by=user.who)
                    done = f"{email} is no longer a member."
                else:
                    store.set_member(email, role, by=user.who)
                    done = f"{email} is now {role}."
            except Exception as exc:  # the database refused: nothing changed, say so
                st.session_state[PENDING] = {"error": f"The change was not saved ({type(exc).__name__}): try again."}
            else:
                st.session_state[PENDING] = {"done": done}
            signin.forget_members()
            st.rerun()
        if no.button("Cancel", key="admin_confirm_no"):
            st.session_state.pop(PENDING, None)
            st.rerun()


def audit_view(store, limit: int = 200) -> None:
    st.subheader("Audit log")
    rows = store.audit(limit=limit)
    st.caption(
        f"Every load, replace, roll-back, delete and restore of saved data, and every member change: the newest "
        f"{limit} here, times in UTC."
    )
    if not rows:
        st.info("Nothing has been saved or changed yet.", icon=":material/info:")
        return
    widgets.show_table(admin.audit_screen_frame(rows), "The audit log, newest first", row_header=None, max_height=420)
    widgets.download_csv(
        lambda: admin.audit_csv_frame(store.audit(limit=100_000)),
        "workspace_audit_log.csv",
        "Download the whole audit log (CSV)",
        key="admin_dl_audit",
    )


def show_workspace() -> None:
    """:func:`show` for the workspace's store (admins only)."""
    if signin.may_admin():
        show(signin.store())
