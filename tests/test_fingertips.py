"""Fingertips refresh: recorded responses round-trip into the contract; network failures change nothing.

The refresh is :mod:`lib.pipeline.fingertips` (``ft``), its HTTP client :mod:`lib.pipeline.fingertips_api`
(``ft_api``) and the columns and conversion :mod:`lib.imports.fingertips` (``ft_data``).

No test touches the network: the recorded responses in ``tests/data/fingertips/`` are hand-made fixtures
in the published format (see the README there), served by fake fetchers or by a local HTTP server.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import http.server
import io
import json
import socket
import subprocess
import sys
import threading
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from lib.core import contract
from lib.imports import fingertips as ft_data
from lib.pipeline import fingertips as ft
from lib.pipeline import fingertips_api as ft_api

REPO = Path(__file__).resolve().parents[1]
REC = REPO / "tests" / "data" / "fingertips"
CSV_99901 = REC / "recorded_all_data_99901_ward.csv"
CSV_99902 = REC / "recorded_all_data_99902_ward.csv"
META = REC / "recorded_metadata_99901_99902.json"
HTML = REC / "recorded_error_page.html"
BASE = "https://fingertips.example.test/api"
TODAY = dt.date(2024, 5, 17)
PROTECTED = [
    REPO / "profiles" / "values.csv",
    REPO / "profiles" / "registered_values.csv",
    REPO / "profiles" / "lsoa21_values.csv",
    REPO / "profiles" / "indicators.csv",
    REPO / "geodata" / "neighbourhoods.csv",
]


def recorded_fetcher(url: str) -> bytes:
    """Serve the recorded responses by URL, as the live service would."""
    if "/all_data/csv/by_indicator_id?indicator_ids=99901&" in url:
        return CSV_99901.read_bytes()
    if "/all_data/csv/by_indicator_id?indicator_ids=99902&" in url:
        return CSV_99902.read_bytes()
    if "/indicator_metadata/by_indicator_id?indicator_ids=99901,99902" in url:
        return META.read_bytes()
    raise AssertionError(f"unexpected URL {url}")


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _protected_hashes() -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in PROTECTED if p.exists()}


@pytest.fixture
def cache(tmp_path: Path) -> tuple[Path, ft.RefreshResult]:
    out = tmp_path / "fingertips"
    res = ft.refresh([99901, 99902], out, area_type=8, base_url=BASE, fetcher=recorded_fetcher, today=TODAY)
    return out, res


# ------------------------------------------------------------------------------------------ URLs


def test_all_data_url_exact() -> None:
    assert ft_api.all_data_url([93283, "93284"], child_area_type_id=8, parent_area_type_id=101) == (
        "https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id"
        "?indicator_ids=93283,93284&child_area_type_id=8&parent_area_type_id=101"
    )
    assert ft_api.all_data_url([1], child_area_type_id=3, parent_area_type_id=502, base_url="http://h:1/api/") == (
        "http://h:1/api/all_data/csv/by_indicator_id?indicator_ids=1&child_area_type_id=3&parent_area_type_id=502"
    )


def test_metadata_url_exact() -> None:
    assert ft_api.metadata_url([90366, 90362]) == (
        "https://fingertips.phe.org.uk/api/indicator_metadata/by_indicator_id?indicator_ids=90366,90362"
    )


@pytest.mark.parametrize("bad", [[], ["1;DROP"], ["abc"], [" "], ["1&child_area_type_id=3"]])
def test_ids_are_validated(bad: list[str]) -> None:
    with pytest.raises(ValueError):
        ft_api.all_data_url(bad, child_area_type_id=8)


def test_local_health_ids_are_not_claimed_verified() -> None:
    assert ft.LOCAL_HEALTH_WARD_INDICATORS, "the list of Local Health ward indicators is there"
    assert all(v is None for v in ft.LOCAL_HEALTH_WARD_INDICATORS.values())
    assert "to verify" in Path(ft.__file__).read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------ round trip


def test_refresh_writes_cache_and_manifest(cache: tuple[Path, ft.RefreshResult]) -> None:
    out, res = cache
    assert sorted(p.name for p in out.iterdir()) == ["99901.csv", "99902.csv", "manifest.json", "metadata.json"]
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["retrieved"] == "2024-05-17"
    assert man["area_type_id"] == 8 and man["parent_area_type_id"] == 101 and man["parent_code"] == "E08000003"
    f1 = man["files"]["99901.csv"]
    assert f1["source_url"] == (
        f"{BASE}/all_data/csv/by_indicator_id?indicator_ids=99901&child_area_type_id=8&parent_area_type_id=101"
    )
    assert f1["retrieved"] == "2024-05-17"
    assert (f1["rows"], f1["rows_received"]) == (5, 6)  # the Salford ward is dropped
    assert man["files"]["99902.csv"]["rows"] == 6
    for name, info in man["files"].items():
        assert info["sha256"] == hashlib.sha256((out / name).read_bytes()).hexdigest()
    assert man["metadata"]["source_url"] == f"{BASE}/indicator_metadata/by_indicator_id?indicator_ids=99901,99902"
    assert man["metadata"]["sha256"] == hashlib.sha256(META.read_bytes()).hexdigest()
    assert (out / "metadata.json").read_bytes() == META.read_bytes()
    assert not list(out.glob(".*.tmp")), "no temporary files left behind"
    assert "99901.csv: 5 rows" in res.summary() and "manifest.json" in res.summary()


def test_cached_rows_are_the_published_fields_exactly(cache: tuple[Path, ft.RefreshResult]) -> None:
    out, _ = cache
    for iid, rec in (("99901", CSV_99901), ("99902", CSV_99902)):
        published = _rows(rec)
        cached = _rows(out / f"{iid}.csv")
        assert cached[0] == published[0] == ft_data.FT_COLUMNS
        expected = [r for r in published[1:] if r[4] in ("E92000001", "E08000003") or r[2] == "E08000003"]
        assert cached[1:] == expected
        assert all("Salford" not in ",".join(r) for r in cached)


def test_round_trip_into_the_contract(cache: tuple[Path, ft.RefreshResult]) -> None:
    out, _ = cache
    ind, val = ft.load_cache(out)
    assert list(ind.columns) == contract.INDICATOR_COLUMNS
    assert list(val.columns) == contract.VALUE_COLUMNS
    assert contract.validate_indicators(ind) == []
    assert contract.validate_values(val, ind) == []
    # allowed words, column by column
    assert set(ind["family"]) <= set(contract.FAMILIES)
    assert set(ind["status"]) == {"real"}
    assert set(val["area_type"]) == {"england", "city", "ward"}
    assert set(val["vs_england"]) <= set(contract.COMPARISONS) and set(val["vs_city"]) == {"not_compared"}

    i1 = ind.set_index("indicator_id").loc["ft_99901"]
    assert (i1["value_type"], i1["ci_method"], i1["polarity"], i1["unit"], i1["multiplier"]) == (
        "proportion",
        "wilson",
        "lower_is_better",
        "%",
        100,
    )
    assert i1["licence"] == "Open Government Licence v3.0"
    assert i1["source"] == (
        "OHID Fingertips, Low birth weight of term babies, retrieved 2024-05-17 from "
        f"{BASE}/all_data/csv/by_indicator_id?indicator_ids=99901&child_area_type_id=8&parent_area_type_id=101"
    )
    assert i1["period"] == "2016 - 20"
    i2 = ind.set_index("indicator_id").loc["ft_99902"]
    assert (i2["value_type"], i2["ci_method"]) == ("ratio", "byar")

    # values preserved exactly, CIs carried, counts -> numerator/denominator
    published = pd.concat([ft_data.read_all_data(CSV_99901), ft_data.read_all_data(CSV_99902)])
    published = published[(published["Sex"] == "Persons") & (published["Area Code"] != "E05000770")]
    assert len(val) == len(published) == 10
    v = val.set_index(["indicator_id", "area_code"])
    for r in published.to_dict("records"):
        got = v.loc[(f"ft_{r['Indicator ID']}", r["Area Code"])]
        assert got["period"] == r["Time period"] and got["area_name"] == r["Area Name"]
        for ours, theirs in (
            ("value", "Value"),
            ("lower_95", "Lower CI 95.0 limit"),
            ("upper_95", "Upper CI 95.0 limit"),
            ("lower_998", "Lower CI 99.8 limit"),
            ("upper_998", "Upper CI 99.8 limit"),
            ("numerator", "Count"),
            ("denominator", "Denominator"),
        ):
            if r[theirs] == "":
                assert pd.isna(got[ours]), (ours, r)  # blank stays blank, never 0
            else:
                assert got[ours] == float(r[theirs]), (ours, r)
    anc = v.loc[("ft_99901", "E05000687")]
    assert (anc["value"], anc["lower_95"], anc["upper_95"], anc["numerator"], anc["denominator"]) == (
        4.133858,
        3.185522,
        5.349601,
        63.0,
        1524.0,
    )
    assert (anc["area_type"], anc["parent_code"], anc["vs_england"]) == ("ward", "E08000003", "worse")
    assert v.loc[("ft_99901", "E05000690"), "vs_england"] == "similar"
    chee = v.loc[("ft_99901", "E05000694")]
    assert pd.isna(chee["value"]) and chee["vs_england"] == "not_compared"
    assert chee["note"] == "Value suppressed for disclosure control due to small count"
    city = v.loc[("ft_99902", "E08000003")]
    assert (city["area_type"], city["parent_code"]) == ("city", "E92000001")
    eng = v.loc[("ft_99902", "E92000001")]
    assert (eng["area_type"], eng["vs_england"]) == ("england", "not_compared")
    assert pd.isna(eng["parent_code"])
    # Female row dropped (Sex = Persons by default)
    assert v.loc[("ft_99902", "E05000694"), "value"] == 98.6


def test_round_trip_through_a_written_csv(cache: tuple[Path, ft.RefreshResult], tmp_path: Path) -> None:
    """The converted tables survive being written and read back the way users' files are read."""
    ind, val = ft.load_cache(cache[0])
    ind.to_csv(tmp_path / "i.csv", index=False)
    val.to_csv(tmp_path / "v.csv", index=False)
    ind2 = pd.read_csv(tmp_path / "i.csv", keep_default_na=False, na_values=[""])
    val2 = pd.read_csv(tmp_path / "v.csv", keep_default_na=False, na_values=[""])
    assert contract.validate_indicators(ind2) == [] and contract.validate_values(val2, ind2) == []
    pd.testing.assert_series_equal(val2["value"], val["value"], check_exact=True)


def test_ward_parents_map_wards_to_neighbourhoods() -> None:
    df = ft_data.read_all_data(CSV_99901)
    _, val = ft_data.to_values_format(df, ward_parents={"E05000687": "N1", "E05000690": "N1", "E05000694": "N2"})
    wards = val[val["area_type"] == "ward"].set_index("area_code")["parent_code"].to_dict()
    assert wards == {"E05000687": "N1", "E05000690": "N1", "E05000694": "N2", "E05000770": "E08000006"}


def test_without_metadata_defaults_are_stated_and_valid() -> None:
    raw = ft_data.read_all_data(CSV_99902)
    ind, val = ft_data.to_values_format(raw)
    row = ind.iloc[0]
    assert (row["ci_method"], row["multiplier"]) == ("none", 1)
    assert row["unit"] == "as published by Fingertips"
    # no PolarityId: the polarity comes from the export's own words. Read from the raw rows here:
    # an area called "Worse" than England with a value above England's means lower is better.
    persons = raw[raw["Sex"] == "Persons"]
    eng = float(persons.loc[persons["Area Code"] == "E92000001", "Value"].iloc[0])
    worse_above = [
        float(v) > eng
        for v, w in zip(persons["Value"], persons["Compared to England value or percentiles"], strict=True)
        if w.startswith("Worse")
    ]
    assert worse_above and all(worse_above)
    assert row["polarity"] == "lower_is_better" and "comparisons with England" in row["method_note"]
    # so the better / worse words are kept, not dropped as "not compared"
    words = persons.set_index("Area Code")["Compared to England value or percentiles"].str.split().str[0].str.lower()
    got = val.set_index("area_code")["vs_england"]
    for code in ("E08000003", "E05000687", "E05000690"):
        assert got[code] == words[code] == "worse"
    assert contract.validate_indicators(ind) == [] and contract.validate_values(val, ind) == []


def test_without_metadata_higher_and_lower_words_mean_no_judgement() -> None:
    raw = ft_data.read_all_data(CSV_99902)
    col = "Compared to England value or percentiles"
    raw[col] = raw[col].str.replace("Worse 95%", "Higher")  # what Fingertips says of an indicator with no polarity
    ind, val = ft_data.to_values_format(raw)
    assert ind.iloc[0]["polarity"] == "no_judgement"
    assert val.set_index("area_code").loc["E05000687", "vs_england"] == "higher"


def test_metadata_polarity_wins_over_the_words() -> None:
    raw = ft_data.read_all_data(CSV_99902)
    meta = json.loads(META.read_text())
    meta = {k: {**v, "PolarityId": 0} for k, v in meta.items()}  # say "high is good", against the words
    ind, _ = ft_data.to_values_format(raw, metadata=meta)
    assert ind.iloc[0]["polarity"] == "higher_is_better"


def test_to_values_format_can_pick_another_sex() -> None:
    _, val = ft_data.to_values_format(ft_data.read_all_data(CSV_99902), sex="Female")
    assert val["area_code"].tolist() == ["E05000694"] and val["value"].tolist() == [101.2]


def test_contract_area_types() -> None:
    f = ft_data.contract_area_type
    assert f("England", "E92000001") == "england"
    assert f("Districts & UAs (2021/22-2022/23)", "E08000003") == "city"
    assert f("Ward", "E05011234") == "ward"
    assert f("MSOA", "E02001234") is None  # no contract equivalent: dropped
    assert f("Districts & UAs (2021/22-2022/23)", "E08000006") is None  # another district


# -------------------------------------------------------------------------------- network failures


class _FakeResponse(io.BytesIO):
    def __init__(self, body: bytes, status: int = 200) -> None:
        super().__init__(body)
        self.status = status


def _opener_raising(exc: BaseException):
    def opener(req, timeout):  # noqa: ANN001
        raise exc

    return opener


def _opener_returning(body: bytes, status: int = 200):
    def opener(req, timeout):  # noqa: ANN001
        return _FakeResponse(body, status)

    return opener


HTTP_500 = urllib.error.HTTPError(f"{BASE}/x", 500, "Internal Server Error", {}, io.BytesIO(b"oops"))  # type: ignore[arg-type]
FAILURES = {
    "no route": (
        _opener_raising(urllib.error.URLError(OSError(101, "Network is unreachable"))),
        "Could not reach Fingertips",
    ),
    "dns": (
        _opener_raising(urllib.error.URLError("[Errno -2] Name or service not known")),
        "Could not reach Fingertips",
    ),
    "timeout": (_opener_raising(TimeoutError("timed out")), "Could not reach Fingertips"),
    "connect timeout": (
        _opener_raising(urllib.error.URLError(TimeoutError("timed out"))),
        "Could not reach Fingertips",
    ),
    "refused": (_opener_raising(ConnectionRefusedError(111, "Connection refused")), "Could not reach Fingertips"),
    "http 500": (_opener_raising(HTTP_500), "HTTP 500"),
    "status 503": (_opener_returning(b"busy", 503), "HTTP 503"),
    "html": (_opener_returning(HTML.read_bytes()), "web page instead of CSV"),
    "empty": (_opener_returning(b""), "empty answer"),
    "wrong csv": (_opener_returning(b"a,b\n1,2\n"), "without the expected columns"),
    "binary": (_opener_returning(b"\xff\xfe\x00\x81"), "not text"),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_network_failure_is_clear_and_changes_nothing(case: str, cache: tuple[Path, ft.RefreshResult]) -> None:
    out, _ = cache
    before, protected = _hashes(out), _protected_hashes()
    opener, words = FAILURES[case]

    def fetcher(url: str) -> bytes:
        return ft_api.fetch(url, timeout=1, opener=opener)

    with pytest.raises(ft_api.FingertipsError) as info:
        ft.refresh([99901, 99902], out, area_type=8, base_url=BASE, fetcher=fetcher, today=dt.date(2030, 1, 1))
    msg = str(info.value)
    assert words in msg and "Fingertips" in msg
    assert msg.endswith("The embedded data has not been changed.")
    assert "Traceback" not in msg
    assert _hashes(out) == before, "the previous cache is byte-identical"
    assert _protected_hashes() == protected, "profiles/ and geodata/ untouched"


def test_failure_on_a_later_download_writes_nothing(cache: tuple[Path, ft.RefreshResult]) -> None:
    """The first indicator downloads fine, the second fails: nothing is written, not even the first."""
    out, _ = cache
    before = _hashes(out)
    changed = CSV_99901.read_bytes().replace(b"4.133858", b"9.999999")

    def fetcher(url: str) -> bytes:
        if "indicator_ids=99901&" in url:
            return changed
        return ft_api.fetch(url, timeout=1, opener=_opener_raising(TimeoutError("timed out")))

    with pytest.raises(ft_api.FingertipsError):
        ft.refresh([99901, 99902], out, area_type=8, base_url=BASE, fetcher=fetcher)
    assert _hashes(out) == before


def test_metadata_that_is_not_json_fails_cleanly(cache: tuple[Path, ft.RefreshResult]) -> None:
    out, _ = cache
    before = _hashes(out)

    def fetcher(url: str) -> bytes:
        return HTML.read_bytes() if "indicator_metadata" in url else recorded_fetcher(url)

    with pytest.raises(ft_api.FingertipsError, match="not JSON"):
        ft.refresh([99901, 99902], out, area_type=8, base_url=BASE, fetcher=fetcher)
    assert _hashes(out) == before


def test_no_manchester_rows_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ft_api.FingertipsError, match="no rows for areas in E08000009"):
        ft.refresh(
            [99901], tmp_path / "c", area_type=8, parent_code="E08000009", fetcher=recorded_fetcher, with_metadata=False
        )
    assert not (tmp_path / "c").exists()


# ------------------------------------------------------------------------------ a real local server


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str, bytes]] = {}

    def do_GET(self) -> None:  # noqa: N802
        for key, (status, ctype, body) in self.routes.items():
            if key in self.path:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
        self.send_error(404)

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/api"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_fetch_over_http_from_a_local_server(server: str, tmp_path: Path) -> None:
    _Handler.routes = {
        "indicator_ids=99901&": (200, "text/csv", CSV_99901.read_bytes()),
        "indicator_metadata": (200, "application/json", META.read_bytes()),
    }
    res = ft.refresh([99901], tmp_path, area_type=8, base_url=server, today=TODAY)
    assert res.rows["99901"] == 5
    assert json.loads((tmp_path / "manifest.json").read_text())["files"]["99901.csv"]["source_url"].startswith(server)


@pytest.mark.parametrize(
    "route, words",
    [
        ((500, "text/plain", b"error"), "HTTP 500"),
        ((200, "text/html", HTML.read_bytes()), "web page"),
        ((404, "", b""), "HTTP 404"),
    ],
)
def test_http_errors_from_a_local_server(server: str, tmp_path: Path, route, words: str) -> None:  # noqa: ANN001
    _Handler.routes = {"all_data": route} if route[0] != 404 else {}
    with pytest.raises(ft_api.FingertipsError, match=words):
        ft.refresh([99901], tmp_path / "c", area_type=8, base_url=server)
    assert not (tmp_path / "c").exists()


# ------------------------------------------------------------------------------------------- CLI


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lib.pipeline.fingertips", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )


def test_cli_network_failure_exit_2_clear_message(cache: tuple[Path, ft.RefreshResult]) -> None:
    out, _ = cache
    before, protected = _hashes(out), _protected_hashes()
    port = _closed_port()
    res = _cli(
        "refresh",
        "--ids",
        "99901,99902",
        "--area-type",
        "8",
        "--out",
        str(out),
        "--base-url",
        f"http://127.0.0.1:{port}/api",
        "--timeout",
        "5",
    )
    assert res.returncode == 2, res
    assert "Could not reach Fingertips (127.0.0.1:" in res.stderr
    assert "The embedded data has not been changed." in res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""
    assert _hashes(out) == before and _protected_hashes() == protected


def test_cli_refresh_and_convert_against_a_local_server(server: str, tmp_path: Path) -> None:
    _Handler.routes = {
        "indicator_ids=99901&": (200, "text/csv", CSV_99901.read_bytes()),
        "indicator_ids=99902&": (200, "text/csv", CSV_99902.read_bytes()),
        "indicator_metadata": (200, "application/json", META.read_bytes()),
    }
    res = _cli(
        "refresh", "--ids", "99901,99902", "--area-type", "8", "--out", str(tmp_path / "c"), "--base-url", server
    )
    assert res.returncode == 0, res.stderr
    assert "99901.csv: 5 rows" in res.stdout and "99902.csv: 6 rows" in res.stdout and server in res.stdout
    res = _cli("convert", "--cache", str(tmp_path / "c"), "--out", str(tmp_path / "contract"))
    assert res.returncode == 0, res.stderr
    ind = pd.read_csv(tmp_path / "contract" / "fingertips_indicators.csv", keep_default_na=False, na_values=[""])
    val = pd.read_csv(tmp_path / "contract" / "fingertips_values.csv", keep_default_na=False, na_values=[""])
    assert contract.validate_values(val, ind) == [] and len(val) == 10


def test_cli_requires_explicit_ids() -> None:
    res = _cli("refresh", "--area-type", "8")
    assert res.returncode == 2 and "--ids" in res.stderr
    res = _cli("refresh", "--ids", "life-expectancy", "--area-type", "8")
    assert res.returncode == 2 and "whole numbers" in res.stderr and "Traceback" not in res.stderr
    res = _cli("list")
    assert res.returncode == 0 and "not verified" in res.stdout


def test_cli_refuses_to_convert_into_profiles() -> None:
    protected = _protected_hashes()
    res = _cli("convert", "--cache", str(REC), "--out", "profiles")
    assert res.returncode == 2 and "Refusing" in res.stderr
    assert _protected_hashes() == protected
