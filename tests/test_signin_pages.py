"""Sign-in on the pages (AppTest through app.py, team mode with ``st.user`` set by AppTest): what a
viewer, an editor, a stranger and an admin see on Your data; the admin's members and audit log
change the workspace's store (read back from the store, not from the page)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib.render.format import md_text
from lib.workspace import admin
from pages.shared import signin
from tests.conftest import REPO
from tests.conftest import TEAM_AUTH as AUTH

TIMEOUT = 120
ADMIN = "pages-admin@example.org"


@pytest.fixture
def team(monkeypatch):
    monkeypatch.setenv("NP_SIGN_IN", "1")
    monkeypatch.setenv("NP_ADMINS", ADMIN)
    store = signin.store()
    store.set_member("pages-editor@example.org", "editor", by="test")
    store.set_member("pages-viewer@example.org", "viewer", by="test")
    signin.forget_members()
    yield store
    signin.forget_members()


def _own_data(email: str | None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    at.secrets = {"auth": AUTH}
    at.user = {"is_logged_in": email is not None, **({"email": email, "name": email.split("@")[0]} if email else {})}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/own_data.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _uploaders(at) -> list:
    return at.get("file_uploader")


def _texts(at) -> str:
    return " ".join([i.value for i in at.info] + [m.value for m in at.markdown] + [h.value for h in at.header])


@pytest.mark.parametrize(
    ("email", "uploads", "says"),
    [
        ("pages-editor@example.org", True, None),
        ("pages-viewer@example.org", False, "Viewers can see saved data; ask an admin to make you an editor."),
        ("stranger@example.org", False, "who is not a member of this workspace"),
        (None, False, "Sign in (in the sidebar)"),
    ],
)
def test_your_data_offers_uploads_to_editors_only(team, email, uploads, says):
    at = _own_data(email)
    assert bool(_uploaders(at)) is uploads
    if says:
        assert says in _texts(at)
    assert "Members and audit log" not in _texts(at)  # admins only


def test_an_admin_adds_changes_and_removes_a_member_each_confirmed_and_audited(team):
    new = "pages-new@example.org"
    at = _own_data(ADMIN)
    assert "Members and audit log" in _texts(at)
    at.text_input(key="admin_member_email").input(new.upper())
    at.radio(key="admin_member_role").set_value("viewer")
    at.button[[b.label for b in at.button].index("Add or change")].click()
    at.run()
    assert new not in team.members()  # not before the confirmation
    assert md_text(admin.change_sentence(new, "viewer", {})) in [m.value for m in at.markdown]
    at.button(key="admin_confirm_yes").click()
    at.run()
    assert team.members()[new] == "viewer"
    newest = team.audit(limit=1)[0]
    assert (newest["who"], newest["action"]) == (ADMIN, "member_set") and new in newest["detail"]

    at.text_input(key="admin_member_email").input(new)
    at.radio(key="admin_member_role").set_value("editor")
    at.button[[b.label for b in at.button].index("Add or change")].click()
    at.run()
    at.button(key="admin_confirm_yes").click()
    at.run()
    assert team.members()[new] == "editor"

    at.selectbox(key="admin_remove").set_value(new)
    at.run()
    at.button(key="admin_remove_button").click()
    at.run()
    at.button(key="admin_confirm_no").click()  # cancelled: still a member
    at.run()
    assert new in team.members()
    at.selectbox(key="admin_remove").set_value(new)
    at.run()
    at.button(key="admin_remove_button").click()
    at.run()
    at.button(key="admin_confirm_yes").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert new not in team.members()
    newest = team.audit(limit=1)[0]
    assert (newest["who"], newest["action"]) == (ADMIN, "member_remove") and new in newest["detail"]
    # the audit log on the page lists the change, and its download is there
    assert any(new in h.value and "removed a member" in h.value for h in at.get("html") if hasattr(h, "value"))


def test_an_admin_cannot_remove_themself(team):
    team.set_member(ADMIN, "admin", by="test")
    at = _own_data(ADMIN)
    at.selectbox(key="admin_remove").set_value(ADMIN)
    at.run()
    at.button(key="admin_remove_button").click()
    at.run()
    assert any("cannot remove yourself" in e.value for e in at.error)
    assert ADMIN in team.members()
    team.remove_member(ADMIN, by="test")
