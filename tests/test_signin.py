"""pages/shared/signin.py in AppTest: who the session's user is in laptop and team mode (``st.user``
set by AppTest, the ``[auth]`` secrets by ``at.secrets``), and what the sidebar says."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from pages.shared import signin
from tests.conftest import TEAM_AUTH as AUTH

MEMBERS = {"ed@example.org": "editor", "vi@example.org": "viewer"}


def _script():
    import streamlit as st

    from pages.shared import signin

    with st.sidebar:
        signin.sidebar()
    u = signin.current_user()
    st.session_state["user"] = u
    st.session_state["gates"] = (signin.may_view_saved(), signin.may_load(), signin.may_admin())


@pytest.fixture(autouse=True)
def members(monkeypatch):
    monkeypatch.setattr(signin, "members_source", lambda: dict(MEMBERS))
    monkeypatch.delenv("NP_SIGN_IN", raising=False)
    monkeypatch.delenv("NP_ADMINS", raising=False)
    signin.forget_members()
    yield
    signin.forget_members()


def _run(user=None, secrets=None):
    at = AppTest.from_function(_script, default_timeout=30)
    if user is not None:
        at.user = user
    if secrets is not None:
        at.secrets = secrets
    at.run()
    assert not at.exception, at.exception
    return at


def _sidebar_text(at) -> str:
    return " ".join(
        [m.value for m in at.sidebar.markdown]
        + [e.value for e in at.sidebar.error]
        + [w.value for w in at.sidebar.warning]
        + [c.value for c in at.sidebar.caption]
    )


def test_laptop_mode_is_the_local_admin_without_sign_in():
    at = _run(user={"is_logged_in": True, "email": "vi@example.org"})  # st.user is not read on a laptop
    assert at.session_state["user"].name == "this computer"
    assert at.session_state["gates"] == (True, True, True)
    assert not at.sidebar.button  # no Sign in / Sign out


def test_team_mode_signed_out_sees_a_sign_in_button_and_no_saved_data(monkeypatch):
    monkeypatch.setenv("NP_SIGN_IN", "1")
    at = _run(user={"is_logged_in": False}, secrets={"auth": AUTH})
    assert at.session_state["gates"] == (False, False, False)
    assert [b.label for b in at.sidebar.button] == ["Sign in"]


@pytest.mark.parametrize(
    ("email", "gates", "label"),
    [
        ("ed@example.org", (True, True, False), "(editor)"),
        ("VI@example.org", (True, False, False), "(viewer)"),
        ("stranger@example.org", (False, False, False), "(not a member: public data only)"),
        ("boss@example.org", (True, True, True), "(admin)"),
    ],
)
def test_team_mode_roles_come_from_members_and_np_admins(monkeypatch, email, gates, label):
    monkeypatch.setenv("NP_SIGN_IN", "1")
    monkeypatch.setenv("NP_ADMINS", "boss@example.org")
    at = _run(user={"is_logged_in": True, "email": email, "name": "Pat Doe"}, secrets={"auth": AUTH})
    assert at.session_state["gates"] == gates
    assert f"Signed in as **Pat Doe** {label}" in _sidebar_text(at)
    assert [b.label for b in at.sidebar.button] == ["Sign out"]


def test_team_mode_without_auth_config_says_what_is_missing_and_trusts_nobody(monkeypatch):
    monkeypatch.setenv("NP_SIGN_IN", "1")
    monkeypatch.setenv("NP_ADMINS", "boss@example.org")
    partial = {k: v for k, v in AUTH.items() if k not in ("client_secret", "cookie_secret")}
    at = _run(user={"is_logged_in": True, "email": "boss@example.org"}, secrets={"auth": partial})
    assert at.session_state["gates"] == (False, False, False)
    text = _sidebar_text(at)
    assert "NP_SIGN_IN=1" in text and "client_secret" in text and "cookie_secret" in text
    assert not at.sidebar.button


def test_a_store_that_cannot_be_read_leaves_only_np_admins(monkeypatch):
    def broken():
        raise OSError("database is down")

    monkeypatch.setattr(signin, "members_source", broken)
    monkeypatch.setenv("NP_SIGN_IN", "1")
    monkeypatch.setenv("NP_ADMINS", "boss@example.org")
    at = _run(user={"is_logged_in": True, "email": "ed@example.org"}, secrets={"auth": AUTH})
    assert at.session_state["gates"] == (False, False, False)
    at = _run(user={"is_logged_in": True, "email": "boss@example.org"}, secrets={"auth": AUTH})
    assert at.session_state["gates"] == (True, True, True)


def test_laptop_mode_open_to_other_computers_trusts_nobody(monkeypatch):
    assert signin.server_address() == "127.0.0.1"  # .streamlit/config.toml: the laptop default
    monkeypatch.setattr(signin, "server_address", lambda: "0.0.0.0")
    at = _run()
    assert at.session_state["gates"] == (False, False, False)
    assert "NP_SIGN_IN=1" in _sidebar_text(at)
