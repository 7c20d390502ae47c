"""Who is using this session, and the sidebar's sign-in: Streamlit's built-in OpenID Connect login
(``st.login`` / ``st.logout`` / ``st.user``) on a team server, nobody to sign in on a laptop.

* Laptop mode (the default): :func:`current_user` is the local admin ("this computer"), as long
  as the server listens on this machine only and the request did not come through a proxy
  (unless ``NP_TRUSTED_PROXY=1``: ``lib.workspace.access.local_user``).
* Team mode (``NP_SIGN_IN=1``): the signed-in person from ``st.user``, their role from the
  workspace's members and ``NP_ADMINS`` (``lib.workspace.access.role_for``). Signed out or not a
  member: no role (the public data only). Sign-in configured wrongly: nobody signs in, and the
  sidebar says what is missing.

The gates the pages use are :func:`may_view_saved`, :func:`may_load` and :func:`may_admin`; the
rules are in ``lib/workspace/access.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import streamlit as st
from streamlit.logger import get_logger

from lib.render.format import md_text
from lib.workspace import access
from lib.workspace.access import User

LOG = get_logger(__name__)
#: How long (seconds) a server keeps the members list before reading it again: a removed member
#: loses access within this time on every server process.
MEMBERS_TTL = 15


def store():
    """The workspace's store, shared by the sessions of this server (``pages/shared/workspace.py``)."""
    from pages.shared import workspace  # imported here: it imports this module

    return workspace.store()


def _store_members() -> Mapping[str, str]:
    """The members saved in the workspace (email → role)."""
    return store().members()


#: Where :func:`current_user` reads the members from (tests replace it).
members_source: Callable[[], Mapping[str, str]] = _store_members


@st.cache_data(ttl=MEMBERS_TTL, show_spinner=False)
def _members_cached() -> dict[str, str]:
    return dict(members_source())


def members() -> dict[str, str]:
    """The workspace's members; empty (with a log line) if the store cannot be read, so only
    ``NP_ADMINS`` have a role until it can."""
    try:
        return _members_cached()
    except Exception:  # the database is down or not migrated: nobody gets a role from it
        LOG.exception("Could not read the workspace's members")
        return {}


def forget_members() -> None:
    """Read the members again on the next run (after an admin changed them)."""
    _members_cached.clear()


def team_mode() -> bool:
    return access.team_mode()


def auth_section() -> dict:
    """The ``[auth]`` section of the secrets (empty when there is none or no secrets file)."""
    try:
        if not st.secrets.load_if_toml_exists():
            return {}
        section = st.secrets.get("auth")
    except Exception:  # a secrets file that does not parse: the same as none, and the sidebar says so
        LOG.exception("Could not read the secrets file")
        return {}
    return section.to_dict() if hasattr(section, "to_dict") else dict(section or {})


def sign_in_problems() -> list[str]:
    """What team mode's sign-in lacks (empty when it is configured, or in laptop mode)."""
    return access.auth_problems(auth_section()) if team_mode() else []


def server_address() -> str:
    """The address this server listens on (``server.address``; blank: every interface)."""
    return st.get_option("server.address") or ""


def request_proxied() -> bool:
    """Whether this session's request came through a reverse proxy (``lib.workspace.access.proxied``)."""
    try:
        return access.proxied(st.context.headers)
    except Exception:  # no request (e.g. AppTest): this machine's own
        return False


def current_user() -> User:
    """The person using this session (see the module's docstring)."""
    if not team_mode():
        return access.local_user(server_address(), request_proxied(), access.trusted_proxy())
    if sign_in_problems():
        return access.SIGNED_OUT
    claims = st.user.to_dict()
    if not claims.get("is_logged_in"):
        return access.SIGNED_OUT
    return access.signed_in_user(claims, members(), access.admins_from_env())


def may_view_saved() -> bool:
    return current_user().can("view_saved")


def may_load() -> bool:
    return current_user().can("load")


def may_admin() -> bool:
    return current_user().can("admin")


def why_not(action: str) -> str:
    """Plain words for why this session may not do ``action`` (empty when it may)."""
    return access.why_not(current_user(), action, team_mode())


def sidebar() -> None:
    """Who is signed in and the Sign in / Sign out button (team mode); nothing on a laptop
    unless it is open to other computers."""
    if not team_mode():
        user = current_user()
        if user.role is None:
            st.warning(access.why_not(user, "view_saved", team=False), icon=":material/lock_open:")
        return
    problems = sign_in_problems()
    if problems:
        st.error(
            "Sign-in is turned on (NP_SIGN_IN=1) but not set up, so nobody can sign in and saved data stays "
            "hidden; the public data still shows. Missing: " + "; ".join(problems) + ". See “Sign-in on a team "
            "server” in the README.",
            icon=":material/key_off:",
        )
        return
    user = current_user()
    if user.signed_in:
        role = f"({access.ROLE_LABELS[user.role]})" if user.role else "(not a member: public data only)"
        st.markdown(f"Signed in as **{md_text(user.name)}** {role}")
        if st.button("Sign out", key="signin_out", icon=":material/logout:"):
            st.logout()
    else:
        st.caption("The public data is open to all. Sign in to see your team's saved data.")
        if st.button("Sign in", key="signin_in", icon=":material/login:", type="primary"):
            st.login()
