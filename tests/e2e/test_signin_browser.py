"""Sign-in end to end in headless Chromium, against a local OpenID Connect provider
(``oidc-provider-mock`` on a loopback port, its users picked on its authorize page) and the app
in team mode (``NP_SIGN_IN=1``, the ``[auth]`` secrets in a temporary file named by
``--secrets.files``: nothing committed). The workspace (a temporary SQLite file) is seeded through
the store before the app starts: an editor, a viewer and one saved indicator file.

* signed out: the public data, a Sign in button, no saved indicator, no upload;
* an editor signs in: the saved indicator, and files can be loaded;
* a stranger signs in (not a member): the public data only, no saved indicator, no upload;
* a viewer signs in: the saved indicator, no upload, and why.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.e2e.conftest import (
    REPO,
    assert_no_exception,
    page_url,
    screenshot,
    start_server,
    stop_server,
    wait_ready,
)

EDITOR = "ed.itor@example.org"
VIEWER = "vi.ewer@example.org"
STRANGER = "stranger@example.org"
NAMES = {EDITOR: "Ed Itor", VIEWER: "Vi Ewer", STRANGER: "Stan Ger"}
SAVED_NAME = "SYNTHETIC team-only indicator"
SAVED_FILE = "team_only_SYNTHETIC.csv"
SAVED_ID = "user_team_only"  # the importer's id for the file's indicator "team_only"
WARDS = sorted(pd.read_csv(REPO / "geodata" / "neighbourhoods.csv")["ward_code"])
SAVED_CSV = (
    "indicator_id,period,area_code,indicator_name,numerator,denominator\n"
    + "".join(f"team_only,2024,{c},{SAVED_NAME},{20 + k},{900 + 7 * k}\n" for k, c in enumerate(WARDS))
).encode()
TRIED_CSV = SAVED_CSV.replace(b"team_only", b"tried_here").replace(SAVED_NAME.encode(), b"SYNTHETIC tried here")
UPLOADER = '[data-testid="stFileUploader"]'
#: The saved data on the pages is store20's part (``pages/shared/workspace.py``, ``lib/workspace/kinds.py``);
#: until it is merged the checks of the saved indicator skip, saying so.
SAVED_ON_PAGES = (REPO / "pages" / "shared" / "workspace.py").exists() and (
    REPO / "lib" / "workspace" / "kinds.py"
).exists()
needs_saved_data = pytest.mark.skipif(
    not SAVED_ON_PAGES, reason="store20's saved data on the pages (pages/shared/workspace.py) is not merged yet"
)


def _seed(url: str) -> None:
    """The workspace before the app starts: two members and one saved indicator file, saved as
    Your data saves one (checked by the importer, stored through lib.workspace.kinds)."""
    from lib.workspace.store import Store

    store = Store(url)
    store.upgrade()
    store.set_member(EDITOR, "editor", by="test")
    store.set_member(VIEWER, "viewer", by="test")
    if not SAVED_ON_PAGES:
        store.dispose()
        return
    from lib.core import data
    from lib.imports.geography import load_geography
    from lib.views import own_data
    from lib.workspace import kinds

    ds = data.load_dataset()
    loaded, error = own_data.accept_upload(
        [], SAVED_CSV, SAVED_FILE, load_geography(definition=ds.definition, values=ds.values), family="outcomes"
    )
    assert not error, error
    tables, meta = kinds.indicators_to_store(loaded[0])
    store.save(
        "indicators", SAVED_FILE, file_name=SAVED_FILE, raw=SAVED_CSV, parsed=tables, meta=meta, by=EDITOR,
        expected_version=None,
    )  # fmt: skip
    store.dispose()


@pytest.fixture(scope="module")
def team_app(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """(app URL, provider URL): the provider and the app in team mode, stopped at the end."""
    from oidc_provider_mock import User, run_server_in_thread

    folder: Path = tmp_path_factory.mktemp("signin")
    url = f"sqlite:///{folder / 'workspace.sqlite'}"
    _seed(url)
    users = [User(sub=e, claims={"email": e, "email_verified": True, "name": n}) for e, n in NAMES.items()]
    with run_server_in_thread(user_claims=users) as idp:
        idp_url = f"http://localhost:{idp.server_port}"
        secrets = folder / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'  # Streamlit fills in its port
            'cookie_secret = "a-throw-away-secret-for-this-test-only"\n'
            'client_id = "neighbourhood-profiles-test"\n'
            'client_secret = "any-secret-the-mock-accepts"\n'
            f'server_metadata_url = "{idp_url}/.well-known/openid-configuration"\n'
        )
        proc, app_url = start_server(
            REPO / "app.py",
            extra_args=["--secrets.files", str(secrets)],
            env={"NP_SIGN_IN": "1", "NP_ADMINS": "", "NP_DATABASE_URL": url},
        )
        try:
            yield app_url, idp_url
        finally:
            stop_server(proc)


@pytest.fixture
def browser_page(page):
    page.set_viewport_size({"width": 1400, "height": 900})
    return page


def _sign_in(page, app_url: str, idp_url: str, email: str) -> None:
    page.goto(page_url(app_url, "overview"))
    wait_ready(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(idp_url) + r"/oauth2/authorize.*"), timeout=30_000)
    page.get_by_role("button", name=email, exact=True).click()  # the provider's predefined user
    page.wait_for_url(re.compile(re.escape(app_url) + r"/.*"), timeout=30_000)
    wait_ready(page)
    page.get_by_text("Signed in as", exact=False).wait_for(timeout=30_000)


def _signed_in_as(page) -> str:
    return page.locator('[data-testid="stSidebar"]').get_by_text("Signed in as", exact=False).inner_text()


def _your_data(page, app_url: str) -> str:
    page.goto(page_url(app_url, "own_data"))
    wait_ready(page)
    page.get_by_role("heading", name="Load a file").wait_for(timeout=30_000)
    wait_ready(page)
    assert_no_exception(page)
    return page.locator('[data-testid="stMain"]').inner_text()


def _public_overview(page, app_url: str) -> str:
    page.goto(page_url(app_url, "overview"))
    wait_ready(page)
    assert_no_exception(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "Manchester's 12 neighbourhoods" in text  # the public page is drawn
    return text


def _upload(page, name: str, content: bytes) -> None:
    page.locator(f'{UPLOADER} input[type="file"]').first.set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )


def test_signed_out_sees_public_data_only(browser_page, team_app):
    app_url, _ = team_app
    page = browser_page
    overview = _public_overview(page, app_url)
    assert SAVED_NAME not in overview
    assert page.get_by_role("button", name="Sign in").count() == 1
    text = _your_data(page, app_url)
    assert SAVED_NAME not in text and SAVED_FILE not in text
    assert page.locator(UPLOADER).count() == 0
    assert "Sign in (in the sidebar)" in text
    screenshot(page, "signin_signed_out_your_data")


def test_an_editor_sees_the_saved_data_and_can_upload(browser_page, team_app):
    app_url, idp_url = team_app
    page = browser_page
    _sign_in(page, app_url, idp_url, EDITOR)
    assert _signed_in_as(page) == f"Signed in as {NAMES[EDITOR]} (editor)"
    _your_data(page, app_url)
    assert page.locator(UPLOADER).count() >= 1
    _upload(page, "tried_here_SYNTHETIC.csv", TRIED_CSV)
    page.get_by_text("SYNTHETIC tried here", exact=False).first.wait_for(timeout=60_000)
    wait_ready(page)
    assert_no_exception(page)
    assert "Members and audit log" not in page.locator('[data-testid="stMain"]').inner_text()  # admins only
    screenshot(page, "signin_editor_your_data")


def test_a_stranger_sees_public_data_only(browser_page, team_app):
    app_url, idp_url = team_app
    page = browser_page
    _sign_in(page, app_url, idp_url, STRANGER)
    assert _signed_in_as(page) == f"Signed in as {NAMES[STRANGER]} (not a member: public data only)"
    assert SAVED_NAME not in _public_overview(page, app_url)
    text = _your_data(page, app_url)
    assert SAVED_NAME not in text
    assert page.locator(UPLOADER).count() == 0
    assert "not a member of this workspace" in text
    screenshot(page, "signin_stranger_your_data")


def test_a_viewer_sees_the_saved_data_but_cannot_upload(browser_page, team_app):
    app_url, idp_url = team_app
    page = browser_page
    _sign_in(page, app_url, idp_url, VIEWER)
    assert _signed_in_as(page) == f"Signed in as {NAMES[VIEWER]} (viewer)"
    text = _your_data(page, app_url)
    assert page.locator(UPLOADER).count() == 0
    assert "Viewers can see saved data; ask an admin to make you an editor." in text
    screenshot(page, "signin_viewer_your_data")
    # signing out leaves the public data
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(re.escape(idp_url) + r"/oauth2/end_session.*"), timeout=30_000)
    page.get_by_role("button", name="End session").click()  # the provider ends its session too
    page.wait_for_url(re.compile(re.escape(app_url) + r"/.*"), timeout=30_000)
    page.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    wait_ready(page)
    assert SAVED_NAME not in _your_data(page, app_url)
    assert page.locator(UPLOADER).count() == 0


@needs_saved_data
@pytest.mark.parametrize("email", [EDITOR, VIEWER])
def test_members_see_the_saved_indicator(browser_page, team_app, email):
    app_url, idp_url = team_app
    page = browser_page
    _sign_in(page, app_url, idp_url, email)
    text = _your_data(page, app_url)
    assert SAVED_FILE in text  # the workspace's saved file, listed from the store
    page.goto(f"{app_url}/compare?ind={SAVED_ID}")  # and on another page, from a link
    wait_ready(page)
    page.get_by_text(SAVED_NAME, exact=False).first.wait_for(timeout=30_000)
    assert_no_exception(page)


@needs_saved_data
def test_the_saved_indicator_is_hidden_from_a_stranger(browser_page, team_app):
    app_url, idp_url = team_app
    page = browser_page
    _sign_in(page, app_url, idp_url, STRANGER)
    text = _your_data(page, app_url)
    assert SAVED_FILE not in text and SAVED_NAME not in text
    page.goto(f"{app_url}/compare?ind={SAVED_ID}")
    wait_ready(page)
    assert_no_exception(page)
    assert "Compare" in page.locator('[data-testid="stMain"]').inner_text()
    assert SAVED_NAME not in page.content()
