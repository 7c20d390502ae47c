"""Who may do what in the team's workspace: the roles, the actions they allow, and the rule that
gives a signed-in person a role. Pure (no Streamlit); ``pages/shared/signin.py`` is the Streamlit
side (``st.user``, the sign-in and sign-out buttons).

**Two modes.**

* *Laptop mode* (the default): no sign-in. The app is one local workspace, served on this
  machine only (``server.address = "127.0.0.1"`` in ``.streamlit/config.toml``), and its one user,
  :data:`LOCAL_USER` ("this computer"), is an admin.
* *Team mode*: ``NP_SIGN_IN=1`` (see :func:`team_mode`). People sign in with Streamlit's built-in
  OpenID Connect login, configured in the ``[auth]`` section of ``.streamlit/secrets.toml``
  (:func:`auth_problems` says what is missing). A signed-in person's role comes from the
  workspace's members (kept in the store by admins) and ``NP_ADMINS`` (:func:`role_for`).

**Roles** (:data:`ROLES`): a *viewer* sees the saved data; an *editor* also loads, replaces, rolls
back and deletes it; an *admin* also manages the members and reads the audit log. Anyone else (signed
out, or signed in but not a member: a *stranger*) sees the public indicators only.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: The roles, from the least to the most allowed.
ROLES: tuple[str, ...] = ("viewer", "editor", "admin")
#: What each role is called on screen.
ROLE_LABELS: dict[str, str] = {"viewer": "viewer", "editor": "editor", "admin": "admin"}
#: What each role may do, in plain words (the admin page's key).
ROLE_HELP: dict[str, str] = {
    "viewer": "sees the saved data",
    "editor": "sees, loads, replaces, rolls back and deletes saved data",
    "admin": "as an editor, and manages the members and reads the audit log",
}
#: The actions :func:`can` answers for: ``view_saved`` (see the workspace's saved data), ``load``
#: (save, replace, roll back, delete, undelete) and ``admin`` (members and the audit log).
ACTIONS: tuple[str, ...] = ("view_saved", "load", "admin")
_ALLOWED: dict[str, frozenset[str]] = {
    "viewer": frozenset({"view_saved"}),
    "editor": frozenset({"view_saved", "load"}),
    "admin": frozenset({"view_saved", "load", "admin"}),
}

#: The environment switch of team mode.
SIGN_IN_ENV = "NP_SIGN_IN"
#: The environment variable naming the admins (comma-separated emails), so the first admin can sign in.
ADMINS_ENV = "NP_ADMINS"
_TRUE = ("1", "true", "yes", "on")

#: The settings the ``[auth]`` section of secrets.toml needs for one (the default) provider, as
#: Streamlit documents them for ``st.login()``.
AUTH_KEYS: tuple[str, ...] = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")

# An email address as an admin types it: something@something.something, no spaces. (Whether it
# exists is the provider's business; this only catches typing slips.)
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


@dataclass(frozen=True)
class User:
    """The person using this session. ``role`` is None for a stranger (signed out, or signed in but not
    a member); ``signed_in`` is False in laptop mode (nobody signs in) and for the signed out."""

    name: str
    email: str
    role: str | None
    signed_in: bool

    @property
    def who(self) -> str:
        """How the workspace records this person (``loaded_by``, the audit log): the email, else the name."""
        return self.email or self.name

    def can(self, action: str) -> bool:
        return can(self.role, action)


#: The one user of a laptop install: no sign-in, an admin of the local workspace.
LOCAL_USER = User(name="this computer", email="", role="admin", signed_in=False)
#: Nobody: signed out in team mode.
SIGNED_OUT = User(name="", email="", role=None, signed_in=False)


def team_mode(env: Mapping[str, str] | None = None) -> bool:
    """True on a team server: ``NP_SIGN_IN`` is ``1`` (or ``true``, ``yes``, ``on``). Anything else,
    or unset, is laptop mode. The switch is explicit on purpose: a secrets file alone never turns
    sign-in on or off, and a misconfigured team server shows no saved data (it says what is missing)
    instead of falling back to the laptop's local admin."""
    env = os.environ if env is None else env
    return env.get(SIGN_IN_ENV, "").strip().lower() in _TRUE


def normalise_email(email: str | None) -> str:
    """Emails compare without case and surrounding spaces."""
    return (email or "").strip().lower()


def valid_email(email: str) -> bool:
    return bool(_EMAIL.match(normalise_email(email)))


def admins_from_env(env: Mapping[str, str] | None = None) -> frozenset[str]:
    """The emails in ``NP_ADMINS`` (comma- or space-separated), normalised; blanks ignored."""
    env = os.environ if env is None else env
    raw = env.get(ADMINS_ENV, "")
    return frozenset(e for e in (normalise_email(p) for p in re.split(r"[,\s;]+", raw)) if e)


def can(role: str | None, action: str) -> bool:
    """May someone with ``role`` (None: a stranger) do ``action`` (one of :data:`ACTIONS`)?"""
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}: one of {', '.join(ACTIONS)}")
    return role is not None and action in _ALLOWED.get(role, frozenset())


def role_for(email: str | None, members: Mapping[str, str], admins: Iterable[str] = ()) -> str | None:
    """The role of the person signed in as ``email``: admin if ``admins`` (``NP_ADMINS``) names them,
    else their role among ``members`` (email → role), else None (a stranger). Emails compare
    without case; a member's role that is not one of :data:`ROLES` gives no access."""
    email = normalise_email(email)
    if not email:
        return None
    if email in {normalise_email(a) for a in admins}:
        return "admin"
    by_email = {normalise_email(k): v for k, v in members.items()}
    role = by_email.get(email)
    return role if role in ROLES else None


def signed_in_user(claims: Mapping[str, object], members: Mapping[str, str], admins: Iterable[str] = ()) -> User:
    """The :class:`User` for a signed-in person's identity claims (``st.user``): their name (else
    their email) and their role. The role goes by the ``email`` claim; a provider that says the
    email is not verified (``email_verified`` false) gets no role, as the address may not be theirs."""
    email = normalise_email(str(claims.get("email") or ""))
    name = str(claims.get("name") or claims.get("preferred_username") or email or "someone")
    verified = claims.get("email_verified", True)
    if isinstance(verified, str):
        verified = verified.strip().lower() not in ("false", "0", "no")
    role = role_for(email, members, admins) if verified else None
    return User(name=name, email=email, role=role, signed_in=True)


def auth_problems(auth: Mapping[str, object] | None) -> list[str]:
    """What the ``[auth]`` section of secrets.toml lacks for sign-in with one provider (empty: nothing).
    The provider's settings may sit in ``[auth]`` itself or in one ``[auth.<name>]`` section."""
    if not auth:
        return ["the [auth] section of .streamlit/secrets.toml (or the file named by STREAMLIT_SECRETS_FILES)"]
    missing = [k for k in ("redirect_uri", "cookie_secret") if not auth.get(k)]
    providers = [v for v in auth.values() if isinstance(v, Mapping) and any(k in v for k in _PROVIDER_KEYS)]
    source = providers[0] if len(providers) == 1 and not any(auth.get(k) for k in _PROVIDER_KEYS) else auth
    missing += [k for k in _PROVIDER_KEYS if not source.get(k)]
    uri = str(auth.get("redirect_uri") or "")
    if uri and not uri.rstrip("/").endswith("/oauth2callback"):
        missing.append("a redirect_uri ending in /oauth2callback (the app's address + /oauth2callback)")
    return missing


def is_loopback(address: str | None) -> bool:
    """Whether a server bound to ``address`` (``server.address``) is reachable from this machine only.
    Blank means every interface (Streamlit's default), so not loopback."""
    address = (address or "").strip().strip("[]")
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


#: Laptop mode on an address other machines can reach: nobody signs in, so nobody is trusted.
EXPOSED_LOCAL_USER = User(name="this computer", email="", role=None, signed_in=False)


#: Headers a reverse proxy adds to what it passes on (nginx's ``deploy/nginx.conf.template`` sets the
#: first two): a request carrying one came from elsewhere, even though it reaches a loopback server.
PROXY_HEADERS: tuple[str, ...] = ("X-Forwarded-For", "X-Real-IP", "Forwarded")
#: The environment switch that says a proxy in front of a laptop-mode server decides who reaches it
#: (e.g. a private network); only then are proxied requests this computer's own.
TRUSTED_PROXY_ENV = "NP_TRUSTED_PROXY"


def proxied(headers: Mapping[str, str] | None) -> bool:
    """Whether a request came through a reverse proxy (it carries one of :data:`PROXY_HEADERS`;
    header names in any case)."""
    names = {str(k).lower() for k in (headers or {})}
    return any(h.lower() in names for h in PROXY_HEADERS)


def trusted_proxy(env: Mapping[str, str] | None = None) -> bool:
    """True when ``NP_TRUSTED_PROXY`` is ``1`` (or ``true``, ``yes``, ``on``)."""
    env = os.environ if env is None else env
    return env.get(TRUSTED_PROXY_ENV, "").strip().lower() in _TRUE


def local_user(address: str | None, via_proxy: bool = False, proxy_trusted: bool = False) -> User:
    """The user of laptop mode: the local admin when the server listens on this machine only
    (``make app``: 127.0.0.1) and the request did not come through a proxy (``via_proxy``; a proxy
    on this machine, e.g. nginx, would make anyone it serves that admin) unless the proxy is
    trusted (``proxy_trusted``: :func:`trusted_proxy`); else nobody with a role (saved data stays
    hidden), because without sign-in anyone who can reach the server would be that admin."""
    if not is_loopback(address) or (via_proxy and not proxy_trusted):
        return EXPOSED_LOCAL_USER
    return LOCAL_USER


#: What a viewer is told where the controls to load files would be.
VIEWER_NO_LOAD = "Viewers can see saved data; ask an admin to make you an editor."


def why_not(user: User, action: str, team: bool) -> str:
    """Plain words for why ``user`` may not do ``action`` here (empty when they may)."""
    if user.can(action):
        return ""
    if not team:
        return (
            "This app is open to other computers without sign-in (it listens beyond this computer, or a proxy "
            "passes other people's requests on to it), so the saved data is hidden and files cannot be loaded or "
            "saved. Turn sign-in on (NP_SIGN_IN=1: see “Sign-in on a team server” in the README), serve it on this "
            "computer only (`make app` does) or, if the proxy in front decides who reaches it, set NP_TRUSTED_PROXY=1."
        )
    if not user.signed_in:
        return (
            "Sign in (in the sidebar) to see your team's saved data and to load files. The public data is open to all."
        )
    if user.role is None:
        return (
            f"You are signed in as {user.email or user.name}, who is not a member of this workspace: you see the "
            "public data. Ask an admin to add you."
        )
    if user.role == "viewer":
        return VIEWER_NO_LOAD if action == "load" else "Only admins manage the members and read the audit log."
    return "Only admins manage the members and read the audit log."
