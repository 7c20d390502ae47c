"""The team deployment, on loopback without containers: two app processes behind nginx, one workspace database.

nginx runs ``deploy/nginx.conf.template`` (the file compose.yaml ships) with a response header naming
the app process that answered (tests/servers/nginx.py), so a test can tell which process serves a browser.
Checked in headless Chromium: the app loads and draws through nginx (its WebSocket proxied), a browser
stays on one process, and when one process is killed a session on the other carries on while a
session on the killed one, reloading, is served by the other and finds the indicator saved in the
workspace (PostgreSQL) before the run.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_no_exception, screenshot, wait_ready
from tests.servers import postgres
from tests.servers.deployment import team_deployment
from tests.servers.nginx import NGINX, UPSTREAM_HEADER
from tests.servers.saved import save_indicator

pytestmark = pytest.mark.skipif(not NGINX.exists(), reason=f"nginx not found at {NGINX}: apt-get install nginx")


@pytest.fixture(scope="module")
def deployment():
    """Two app processes behind nginx on one PostgreSQL workspace (as compose.yaml runs them)."""
    if not postgres.available():
        pytest.skip("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin: apt-get install postgresql")
    with team_deployment(2, database="postgresql") as d:
        d.saved = save_indicator(d.database_url, by="an editor")  # before any page is drawn
        yield d


def served_by(response) -> str:
    """The app process that answered a response through nginx (after a retry nginx lists every
    process it tried, the one that answered last)."""
    return response.headers[UPSTREAM_HEADER.lower()].split(",")[-1].strip()


def open_app(context, url: str, path: str = ""):
    """A page of ``context`` at ``url/path``, drawn; returns (page, the app process that served it)."""
    page = context.new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    response = page.goto(f"{url}/{path}")
    wait_ready(page, timeout=60_000)
    assert_no_exception(page)
    page.sockets = sockets
    return page, served_by(response)


def contexts_on_each_app(browser, deployment, tries: int = 24):
    """Browser contexts (each its own cookies: another user) until one is served by each app process."""
    found, spare = {}, []
    for _ in range(tries):
        ctx = browser.new_context()
        r = ctx.request.get(f"{deployment.url}/_stcore/health")
        addr = served_by(r)
        if addr in found:
            spare.append(ctx)
        else:
            found[addr] = ctx
        if len(found) == len(deployment.apps):
            break
    for ctx in spare:
        ctx.close()
    assert len(found) == len(deployment.apps), f"{tries} browsers all went to {list(found)}"
    return found


def test_the_app_loads_through_nginx_with_its_websocket_proxied(browser, deployment):
    ctx = browser.new_context()
    page, addr = open_app(ctx, deployment.url)
    assert addr in {a.addr for a in deployment.apps}
    assert page.locator("h1").first.inner_text().startswith("Manchester's 12 neighbourhoods")
    # The page spoke to the server over a WebSocket through nginx, not to an app process directly.
    assert page.sockets and all(
        s.startswith(deployment.url.replace("http", "ws") + "/_stcore/stream") for s in page.sockets
    )
    screenshot(page, "team_deploy_overview")
    ctx.close()


def test_a_browser_stays_on_one_app_process(browser, deployment):
    """Every request of one browser (pages, their files, health checks) reaches the same process,
    while different browsers spread over both."""
    contexts = contexts_on_each_app(browser, deployment)
    for addr, ctx in contexts.items():
        page, first = open_app(ctx, deployment.url, "profile?nbhd=N2")
        assert first == addr
        seen: set[str] = set()

        def record(r, seen=seen):
            if r.headers.get(UPSTREAM_HEADER.lower()):
                seen.add(served_by(r))

        page.on("response", record)
        page.goto(f"{deployment.url}/compare")
        wait_ready(page, timeout=60_000)
        for _ in range(3):
            seen.add(served_by(ctx.request.get(f"{deployment.url}/_stcore/health")))
        assert seen == {addr}
        ctx.close()


def choose_next_indicator(page) -> str:
    """On the Overview: pick the next indicator in its box (a widget interaction); return the new heading."""
    before = page.locator("h2").first.inner_text()
    box = page.locator('[data-testid="stSelectbox"]', has_text="Indicator").first
    box.click()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(before) => { const h = document.querySelector('h2'); return h && h.innerText !== before; }",
        arg=before,
        timeout=30_000,
    )
    wait_ready(page, timeout=60_000)
    assert_no_exception(page)
    return page.locator("h2").first.inner_text()


def test_when_one_app_process_is_killed_the_other_carries_on(browser, deployment):
    contexts = contexts_on_each_app(browser, deployment)
    victim = deployment.apps[0]
    survivor = deployment.other_than(victim)
    doomed_page, a = open_app(contexts[victim.addr], deployment.url)
    living_page, b = open_app(contexts[survivor.addr], deployment.url)
    assert (a, b) == (victim.addr, survivor.addr)
    first = choose_next_indicator(living_page)
    try:
        victim.kill()
        # The session on the other process carries on: a widget interaction still works.
        second = choose_next_indicator(living_page)
        assert second != first
        # The killed process's browser loses its connection; reloading, it is served by the other.
        response = doomed_page.reload()
        wait_ready(doomed_page, timeout=60_000)
        assert_no_exception(doomed_page)
        assert served_by(response) == survivor.addr
        assert doomed_page.locator("h1").first.inner_text().startswith("Manchester's 12 neighbourhoods")
        assert choose_next_indicator(doomed_page)
        # and finds the saved data: the saved indicator's link opens it, from the other process
        response = doomed_page.goto(f"{deployment.url}/compare?{deployment.saved['query']}")
        wait_ready(doomed_page, timeout=60_000)
        assert_no_exception(doomed_page)
        assert served_by(response) == survivor.addr
        heading = doomed_page.locator("h2", has_text=deployment.saved["name"]).first
        heading.wait_for(timeout=30_000)
        assert doomed_page.get_by_text("saved in the workspace by an editor", exact=False).count() >= 1
        screenshot(doomed_page, "team_deploy_after_failover")
    finally:
        for ctx in contexts.values():
            ctx.close()
        victim.start().wait_healthy()  # for any test after this one


def test_without_sign_in_a_proxy_does_not_make_its_users_the_local_admin(browser):
    """A laptop-mode app behind nginx on this machine: a browser through nginx is not this computer's
    own user (the saved data stays hidden, and Your data says why and what to do), while the same
    app opened directly on loopback is. Before, anyone nginx served was the local admin."""
    with team_deployment(1, database="sqlite", env={"NP_TRUSTED_PROXY": ""}) as d:
        saved = save_indicator(d.database_url, by="an editor")
        ctx = browser.new_context()
        try:
            page, _ = open_app(ctx, d.url, "own_data")
            page.get_by_text("a proxy passes other people's requests on to it", exact=False).first.wait_for(
                timeout=30_000
            )
            assert page.get_by_text("NP_TRUSTED_PROXY=1", exact=False).count() >= 1
            page.goto(f"{d.url}/compare?{saved['query']}")
            wait_ready(page, timeout=60_000)
            assert_no_exception(page)
            assert page.locator("h2", has_text=saved["name"]).count() == 0
            # the same app on loopback, no proxy: this computer's own user sees the saved indicator
            page.goto(f"{d.apps[0].url}/compare?{saved['query']}")
            wait_ready(page, timeout=60_000)
            page.locator("h2", has_text=saved["name"]).first.wait_for(timeout=30_000)
        finally:
            ctx.close()
