"""The team deployment's files: the nginx template (checked by nginx itself and exercised against
stand-in app processes), compose.yaml, the Dockerfile, the secrets kept off git, and CI's installs.

The real app behind nginx, in a browser, is tests/e2e/test_team_deploy_browser.py; these need no
browser and take a couple of seconds.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lib.exports.footer import request_base_url
from tests.servers import compose, nginx

REPO = Path(__file__).resolve().parents[1]
needs_nginx = pytest.mark.skipif(
    not nginx.NGINX.exists(), reason=f"nginx not found at {nginx.NGINX}: apt-get install nginx"
)


@pytest.fixture(scope="module")
def spec() -> dict:
    return compose.load(REPO / "compose.yaml")


# --------------------------------------------------------------------------- the template and compose


def test_the_template_takes_exactly_the_variables_compose_gives_nginx(spec):
    env = spec["services"]["nginx"]["environment"]
    assert env["NGINX_ENVSUBST_FILTER"] == nginx.ENVSUBST_FILTER.pattern
    given = {k for k in env if nginx.ENVSUBST_FILTER.match(k)}
    assert nginx.placeholders(nginx.TEMPLATE.read_text()) == given
    # and the template is what the image renders: mounted where its envsubst step looks
    assert (
        "./deploy/nginx.conf.template:/etc/nginx/templates/default.conf.template:ro"
        in spec["services"]["nginx"]["volumes"]
    )


def test_rendering_replaces_only_the_np_variables():
    text = nginx.render(nginx.loopback_variables("127.0.0.1:1", ["127.0.0.1:2"]))
    assert nginx.placeholders(text) == set()
    assert "$np_route" in text and "$request_id" in text and "$http_upgrade" in text  # nginx's own, kept
    with pytest.raises(KeyError):
        nginx.render({"NP_LISTEN": "80"})


@needs_nginx
def test_compose_s_rendering_of_the_template_passes_nginx_t(spec, tmp_path):
    """The configuration compose.yaml gives the nginx image, checked by nginx (Docker's service
    name ``app`` swapped for the loopback address, which nginx must resolve to check it)."""
    env = dict(spec["services"]["nginx"]["environment"])
    assert "server app:8501" in env["NP_UPSTREAM_SERVERS"]
    env["NP_UPSTREAM_SERVERS"] = env["NP_UPSTREAM_SERVERS"].replace("app:8501", "127.0.0.1:8501")
    env["NP_LISTEN"] = "127.0.0.1:8080"  # not port 80: nothing is started, but stay off privileged ports
    checked = nginx.check_config(nginx.write_config(tmp_path, {k: v for k, v in env.items() if k.startswith("NP_")}))
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


@needs_nginx
def test_nginx_t_fails_on_a_broken_rendering(tmp_path):
    """The check can fail: a variable rendered into nonsense is refused."""
    variables = nginx.loopback_variables("127.0.0.1:8080", ["127.0.0.1:8501"])
    variables["NP_UPSTREAM_SERVERS"] = "server"  # no address, no semicolon
    assert nginx.check_config(nginx.write_config(tmp_path, variables)).returncode != 0


def test_compose_runs_replicas_of_the_app_behind_nginx_with_postgresql(spec):
    services = spec["services"]
    app, db, web = services["app"], services["db"], services["nginx"]
    assert app["deploy"]["replicas"].startswith("${NP_REPLICAS")
    assert app["build"] == "." and app["image"] == services["migrate"]["image"]
    assert app["environment"]["NP_DATABASE_URL"].startswith("postgresql+psycopg://np:${POSTGRES_PASSWORD}@db:5432/")
    assert app["environment"]["NP_DATABASE_URL"] == services["migrate"]["environment"]["NP_DATABASE_URL"]
    assert app["environment"]["NP_SIGN_IN"] == "1"
    assert db["image"].startswith("postgres:")
    assert "db-data:/var/lib/postgresql/data" in db["volumes"] and "db-data" in spec["volumes"]
    assert db["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")  # refuses to start without one
    # order: the database healthy, then the one migration run, then the apps, then nginx
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert "Store.from_env().upgrade()" in " ".join(services["migrate"]["command"])
    assert app["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert web["depends_on"] == {"app": {"condition": "service_healthy"}}
    assert web["image"].startswith("nginx:")
    assert any(p.endswith(":80") for p in web["ports"]) and web["environment"]["NP_LISTEN"] == "80"
    assert "ports" not in app  # the app processes are reached through nginx only
    assert web["environment"]["NP_EXTRA_DIRECTIVES"] == ""  # the tests' upstream header is not shipped


def test_secrets_come_from_untracked_files_whose_examples_hold_none(spec):
    app = spec["services"]["app"]
    env_file, secrets_file = app["env_file"][0], spec["secrets"]["streamlit_secrets"]["file"]
    assert app["secrets"] == [{"source": "streamlit_secrets", "target": "/app/.streamlit/secrets.toml"}]
    for path in (env_file, secrets_file):
        ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO)
        assert ignored.returncode == 0, f"{path} is not git-ignored"
        assert (REPO / (path + ".example")).exists()
        assert not subprocess.run(["git", "ls-files", path], cwd=REPO, capture_output=True, text=True).stdout
        assert path in (REPO / ".dockerignore").read_text().split()  # nor baked into the image
    values = dict(
        line.split("=", 1)
        for line in (REPO / (env_file + ".example")).read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert values["POSTGRES_PASSWORD"] == "" and values["NP_ADMINS"] == ""
    import tomllib

    auth = tomllib.loads((REPO / (secrets_file + ".example")).read_text())["auth"]
    assert auth["cookie_secret"] == "" and auth["client_secret"] == "" and auth["client_id"] == ""


def test_the_image_runs_the_app_headless_on_8501_with_its_assets_built_in():
    lines = [ln.strip() for ln in (REPO / "Dockerfile").read_text().splitlines()]
    assert lines[[i for i, ln in enumerate(lines) if ln.startswith("FROM")][0]] == "FROM python:3.11-slim"
    text = "\n".join(lines)
    assert "pip install -r requirements.txt" in text
    assert "RUN python -m lib.web.assets" in text  # at build: no internet needed at run time
    cmd = json.loads([ln for ln in lines if ln.startswith("CMD ")][-1][4:])  # the last CMD (not HEALTHCHECK's)
    assert cmd[:3] == ["streamlit", "run", "app.py"]
    assert {"--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true"} <= set(cmd)
    assert "EXPOSE 8501" in lines and any(ln.startswith("USER ") and "root" not in ln for ln in lines)


def test_ci_installs_what_the_deployment_tests_need():
    run = (REPO / ".ci" / "run").read_text()
    for package in ("chromium", "postgresql", "nginx"):
        assert f"missing+=({package})" in run
    assert run.count("apt-get update") == 1 and run.rstrip().endswith("make test")


# --------------------------------------------------------------------------- nginx in front of stand-ins


class Echo(BaseHTTPRequestHandler):
    """A stand-in app process: answers with its name and the headers it received."""

    def _answer(self, body_len: int = 0) -> None:
        body = json.dumps({"name": self.server.name, "headers": dict(self.headers), "received": body_len}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        self._answer()

    def do_PUT(self):  # noqa: N802
        n = int(self.headers.get("Content-Length", 0))
        received = 0
        while received < n:
            received += len(self.rfile.read(min(1 << 16, n - received)))
        self._answer(received)

    def log_message(self, *args):
        pass


def echo_server(name: str) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    server.name = name
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def proxied():
    backends = [echo_server("a"), echo_server("b")]
    proxy = nginx.Nginx([f"127.0.0.1:{b.server_address[1]}" for b in backends])
    with proxy:
        yield proxy, backends
    for b in backends:
        b.shutdown()
        b.server_close()


def ask(proxy, path="/", method="GET", headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r, (json.loads(data) if r.status == 200 else data)


@needs_nginx
def test_export_links_point_at_the_address_the_user_opened(proxied):
    """What nginx tells the app (X-Forwarded-Host, X-Forwarded-Proto) makes the app's links back to a
    view name nginx's address, not the app process's."""
    proxy, _ = proxied
    _, seen = ask(proxy, "/profile")
    sent = {k.lower(): v for k, v in seen["headers"].items()}
    assert sent["x-forwarded-host"] == sent["host"] == f"127.0.0.1:{proxy.port}"
    assert sent["x-forwarded-proto"] == "http" and sent["x-real-ip"] == "127.0.0.1"
    assert request_base_url(headers=seen["headers"]) == proxy.url
    # behind a TLS terminator that says so, the links are https
    _, seen = ask(proxy, "/profile", headers={"X-Forwarded-Proto": "https", "Host": "profiles.example.org"})
    assert request_base_url(headers=seen["headers"]) == "https://profiles.example.org"


@needs_nginx
def test_a_browser_keeps_to_one_process_and_browsers_spread(proxied):
    proxy, _ = proxied
    names, cookies = set(), set()
    for _ in range(16):
        r, seen = ask(proxy)
        names.add(seen["name"])
        cookie = r.getheader("Set-Cookie")
        assert cookie.startswith("np_route=") and "HttpOnly" in cookie
        cookies.add(cookie.split(";")[0])
        # the same browser (its cookie) always reaches the same process, and gets no new cookie
        again = {ask(proxy, "/_stcore/health", headers={"Cookie": cookie.split(";")[0]})[1]["name"] for _ in range(6)}
        assert again == {seen["name"]}
        assert ask(proxy, headers={"Cookie": cookie.split(";")[0]})[0].getheader("Set-Cookie") is None
    assert names == {"a", "b"} and len(cookies) == 16
    # a forged cookie that is not a route is replaced
    r, _ = ask(proxy, headers={"Cookie": "np_route=../../etc"})
    assert r.getheader("Set-Cookie").startswith("np_route=")


@needs_nginx
def test_when_a_process_goes_its_browsers_move_to_the_other(proxied):
    proxy, backends = proxied
    by_name = {}
    while len(by_name) < 2:
        r, seen = ask(proxy)
        by_name.setdefault(seen["name"], r.getheader("Set-Cookie").split(";")[0])
    gone = backends[0]
    gone.shutdown()
    gone.server_close()
    for cookie in by_name.values():
        r, seen = ask(proxy, headers={"Cookie": cookie})
        assert r.status == 200 and seen["name"] == "b"  # a's browser moved; b's stayed


@needs_nginx
def test_a_20_mb_upload_reaches_the_app(proxied):
    """The app accepts files up to 20 MB (server.maxUploadSize): nginx must not refuse them first."""
    proxy, _ = proxied
    body = b"x" * (20 * 1024 * 1024 + 4096)
    r, seen = ask(proxy, "/_stcore/upload_file/s/f", method="PUT", body=body)
    assert r.status == 200 and seen["received"] == len(body)
