"""The sign-in rules (lib/workspace/access.py) and the admin views' logic (lib/workspace/admin.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.workspace import access, admin

# What each role may do, written out from the issue (viewer sees saved data; editor loads, replaces,
# rolls back and deletes; admin also members and the audit log; strangers nothing saved).
EXPECTED = {
    None: set(),
    "viewer": {"view_saved"},
    "editor": {"view_saved", "load"},
    "admin": {"view_saved", "load", "admin"},
}


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("action", access.ACTIONS)
def test_can_matches_the_roles_of_the_issue(role, action):
    assert access.can(role, action) is (action in EXPECTED[role])


def test_can_refuses_an_unknown_role_and_rejects_an_unknown_action():
    assert not access.can("owner", "view_saved")
    assert not access.can("", "view_saved")
    with pytest.raises(ValueError):
        access.can("admin", "delete_everything")


def test_role_for_members_admins_and_strangers():
    members = {"Ed@Example.org": "editor", "vi@example.org": "viewer", "odd@example.org": "superuser"}
    admins = ["Boss@example.org"]
    assert access.role_for("ed@example.org", members, admins) == "editor"
    assert access.role_for("  ED@EXAMPLE.ORG ", members, admins) == "editor"  # case and spaces
    assert access.role_for("vi@example.org", members, admins) == "viewer"
    assert access.role_for("boss@example.org", members, admins) == "admin"  # NP_ADMINS, not a member
    assert access.role_for("stranger@example.org", members, admins) is None
    assert access.role_for("odd@example.org", members, admins) is None  # not a role: no access
    assert access.role_for("", members, admins) is None
    assert access.role_for(None, members, admins) is None
    # NP_ADMINS wins over a lower role in the list
    assert access.role_for("vi@example.org", members, ["VI@example.org"]) == "admin"


def test_np_admins_is_read_from_the_environment():
    env = {"NP_ADMINS": " a@x.org, B@Y.org ;c@z.org  d@w.org,,"}
    assert access.admins_from_env(env) == {"a@x.org", "b@y.org", "c@z.org", "d@w.org"}
    assert access.admins_from_env({}) == frozenset()
    assert access.admins_from_env({"NP_ADMINS": " , "}) == frozenset()


@pytest.mark.parametrize(
    ("value", "team"),
    [(None, False), ("", False), ("0", False), ("no", False), ("1", True), ("true", True), (" YES ", True)],
)
def test_team_mode_is_the_explicit_switch(value, team):
    env = {} if value is None else {"NP_SIGN_IN": value}
    assert access.team_mode(env) is team


def test_signed_in_user_takes_the_role_by_email_and_distrusts_an_unverified_email():
    members = {"ed@example.org": "editor"}
    u = access.signed_in_user({"is_logged_in": True, "email": "Ed@example.org", "name": "Ed Itor"}, members)
    assert (u.name, u.email, u.role, u.signed_in, u.who) == (
        "Ed Itor",
        "ed@example.org",
        "editor",
        True,
        "ed@example.org",
    )
    assert u.can("load") and not u.can("admin")
    unverified = access.signed_in_user({"email": "ed@example.org", "email_verified": False}, members)
    assert unverified.role is None and unverified.signed_in
    assert access.signed_in_user({"email": "ed@example.org", "email_verified": "false"}, members).role is None
    nameless = access.signed_in_user({"email": "ed@example.org"}, members)
    assert nameless.name == "ed@example.org"
    stranger = access.signed_in_user({"email": "who@example.org", "name": "Who"}, members)
    assert stranger.role is None and not stranger.can("view_saved")


def test_laptop_user_is_the_local_admin_only_on_this_machine():
    for address in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"):
        assert access.local_user(address) == access.LOCAL_USER, address
        assert access.local_user(address).can("admin")
    for address in ("", None, "0.0.0.0", "::", "192.168.1.20", "example.org"):
        assert access.local_user(address).role is None, address
    assert access.LOCAL_USER.name == "this computer" and not access.LOCAL_USER.signed_in


def test_auth_problems_name_what_is_missing():
    complete = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "s",
        "client_id": "c",
        "client_secret": "cs",
        "server_metadata_url": "http://idp/.well-known/openid-configuration",
    }
    assert access.auth_problems(complete) == []
    assert access.auth_problems({}) and access.auth_problems(None)
    for key in access.AUTH_KEYS:
        problems = access.auth_problems({k: v for k, v in complete.items() if k != key})
        assert any(key in p for p in problems), (key, problems)
    # a named provider section holds the provider's keys
    named = {
        "redirect_uri": complete["redirect_uri"],
        "cookie_secret": "s",
        "entra": {k: complete[k] for k in access._PROVIDER_KEYS},
    }
    assert access.auth_problems(named) == []
    wrong_uri = {**complete, "redirect_uri": "http://localhost:8501/"}
    assert any("oauth2callback" in p for p in access.auth_problems(wrong_uri))


def test_why_not_says_what_to_do():
    viewer = access.User("Vi", "vi@example.org", "viewer", True)
    assert (
        access.why_not(viewer, "load", team=True) == "Viewers can see saved data; ask an admin to make you an editor."
    )
    assert access.why_not(viewer, "view_saved", team=True) == ""
    stranger = access.User("Who", "who@example.org", None, True)
    assert "not a member" in access.why_not(stranger, "view_saved", team=True)
    assert "Sign in" in access.why_not(access.SIGNED_OUT, "load", team=True)
    assert "NP_SIGN_IN=1" in access.why_not(access.local_user("0.0.0.0"), "load", team=False)


def test_member_changes_are_checked():
    members = {"ed@example.org": "editor", "me@example.org": "admin"}
    admins = ["boss@example.org"]
    ok = admin.check_member_change
    assert ok("new@example.org", "viewer", "me@example.org", members, admins) == ""
    assert ok("ed@example.org", None, "me@example.org", members, admins) == ""
    assert "not an email" in ok("not an email", "viewer", "me@example.org", members, admins)
    assert "not a role" in ok("new@example.org", "owner", "me@example.org", members, admins)
    assert "yourself" in ok("ME@example.org", None, "me@example.org", members, admins)
    assert "yourself" in ok("me@example.org", "editor", "me@example.org", members, admins)
    assert ok("me@example.org", "admin", "me@example.org", members, admins) == ""
    assert "NP_ADMINS" in ok("boss@example.org", None, "me@example.org", members, admins)
    assert "not a member" in ok("nobody@example.org", None, "me@example.org", members, admins)
    assert "instead of editor" in admin.change_sentence("ed@example.org", "viewer", members)
    assert admin.change_sentence("x@example.org", "viewer", members).startswith("Add x@example.org")
    assert admin.change_sentence("ed@example.org", None, members).startswith("Remove ed@example.org")


def test_members_frame_lists_np_admins_too():
    df = admin.members_frame({"b@x.org": "viewer", "a@x.org": "editor"}, ["c@x.org", "A@x.org"])
    assert list(df["Email"]) == ["a@x.org", "b@x.org", "c@x.org"]
    assert list(df["Role"]) == ["editor", "viewer", "admin"]
    assert "NP_ADMINS" in df.loc[0, "Set by"] and "NP_ADMINS" in df.loc[2, "Set by"]


def test_audit_csv_is_analysis_ready():
    rows = [
        {
            "at": pd.Timestamp("2026-12-07 15:00:05", tz="Europe/London").to_pydatetime(),
            "who": "=ed@example.org",
            "action": "replace",
            "kind": "indicators",
            "key": "my file",
            "version": 2,
            "detail": "x.csv (10 bytes)",
        },
        {
            "at": "2026-12-07T14:00:00",
            "who": "me@example.org",
            "action": "member_set",
            "kind": None,
            "key": None,
            "version": None,
            "detail": "ed@example.org: not a member → editor",
        },
    ]
    df = admin.audit_csv_frame(rows)
    assert list(df.columns) == list(admin.AUDIT_COLUMNS)
    assert list(df["at"]) == ["2026-12-07T15:00:05+00:00", "2026-12-07T14:00:00+00:00"]  # UTC, order kept
    assert str(df["version"].dtype) == "Int64" and df["version"].iloc[0] == 2 and pd.isna(df["version"].iloc[1])
    screen = admin.audit_screen_frame(rows)
    assert list(screen.columns) == ["Who", "When", "Action", "What", "Version", "Detail"]
    assert list(screen["Action"]) == ["replaced", "set a member's role"]
    assert screen.loc[0, "What"] == "indicator file: my file" and screen.loc[1, "Version"] == ""
    assert screen.loc[0, "When"] == "07 Dec 2026 15:00:05 UTC"


def test_the_laptop_default_serves_this_computer_only():
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())
    assert access.is_loopback(config["server"]["address"])
    ignored = (Path(__file__).resolve().parents[1] / ".gitignore").read_text().splitlines()
    assert ".streamlit/secrets.toml" in ignored
    example = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "secrets.example.toml").read_text())
    assert set(access.AUTH_KEYS) <= set(example["auth"])  # the shape, with placeholders only


@pytest.mark.parametrize("value", [None, "", "0", "off", "1", "true", "YES", "on", "2"])
def test_the_store_and_sign_in_read_the_switch_alike(monkeypatch, value):
    from lib.workspace import config

    if value is None:
        monkeypatch.delenv("NP_SIGN_IN", raising=False)
    else:
        monkeypatch.setenv("NP_SIGN_IN", value)
    assert config.team_mode() is access.team_mode()


def test_through_a_proxy_the_laptop_user_is_nobody_unless_the_proxy_is_trusted():
    # nginx on this machine reaches a loopback server: without this rule, anyone it serves is the local admin
    assert access.proxied({"X-Forwarded-For": "203.0.113.9"}) and access.proxied({"x-real-ip": "203.0.113.9"})
    assert access.proxied({"Forwarded": "for=203.0.113.9"})
    assert not access.proxied({"Host": "127.0.0.1:8501", "User-Agent": "x"}) and not access.proxied(None)
    assert access.local_user("127.0.0.1", via_proxy=True).role is None
    assert access.local_user("127.0.0.1", via_proxy=True, proxy_trusted=True) == access.LOCAL_USER
    assert access.local_user("0.0.0.0", via_proxy=True, proxy_trusted=True).role is None  # exposed anyway
    assert access.trusted_proxy({"NP_TRUSTED_PROXY": "1"}) and access.trusted_proxy({"NP_TRUSTED_PROXY": "yes"})
    assert not access.trusted_proxy({}) and not access.trusted_proxy({"NP_TRUSTED_PROXY": "0"})
    assert "NP_TRUSTED_PROXY=1" in access.why_not(access.local_user("127.0.0.1", True), "load", team=False)
