"""Section 8 of the bench: the workspace store's cost (``python -m bench.run --only store``).

* Save and load of a 20 MB indicator file of SYNTHETIC rows (generated here, labelled synthetic):
  the original bytes and the parsed rows (the file read as a table), one transaction each way, on
  SQLite (a file in a temporary folder) and on PostgreSQL (a throw-away server from
  ``tests/servers/postgres.py``). Parsing and checking the file is the importer's cost, not the
  store's, and is not timed here.
* Page ready (section 1's measure: navigation to Streamlit's ready signal, first visit) on every
  page with 50 saved indicator files against none, two app servers in the same run.
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.load import machine_note
from lib.imports.geography import load_geography
from lib.imports.indicator_file import read_indicator_file
from lib.workspace import kinds
from lib.workspace.store import Store
from tests.e2e.conftest import start_server, stop_server
from tests.servers.postgres import PostgresServer, available

REPO = Path(__file__).resolve().parents[1]
TARGET_BYTES = 20_000_000 - 50_000  # just under the app's 20 MB upload limit


def synthetic_file(target: int = TARGET_BYTES) -> bytes:
    """A tidy indicator file of SYNTHETIC rows (LSOA codes, made-up counts) of about ``target`` bytes."""
    lsoas = pd.read_csv(REPO / "profiles" / "values.csv", usecols=["area_type", "area_code"])
    codes = sorted(set(lsoas.loc[lsoas["area_type"] == "lsoa", "area_code"]))
    head = "indicator_id,period,area_code,indicator_name,numerator,denominator,data_status\n"
    out, size, k = [head], len(head), 0
    while size < target:
        ind, period = f"synthetic_{k // 40:04d}", str(2000 + k % 40)
        for j, c in enumerate(codes):
            line = f"{ind},{period},{c},SYNTHETIC bench indicator {k // 40},{(j * 7 + k) % 90 + 5},{1000 + j % 500},SYNTHETIC\n"
            out.append(line)
            size += len(line)
        k += 1
    return "".join(out).encode()[:target].rsplit(b"\n", 1)[0] + b"\n"


def time_save_load(url: str, raw: bytes, rounds: int) -> dict:
    parsed = pd.read_csv(io.BytesIO(raw), dtype={"period": str})
    s = Store(url)
    s.upgrade()
    save_ms, load_ms = [], []
    try:
        for r in range(rounds):
            t0 = time.perf_counter()
            s.save(
                "indicators",
                "SYNTHETIC_bench.csv",
                file_name="SYNTHETIC_bench.csv",
                raw=raw,
                parsed={"values": parsed},
                by="bench",
                expected_version=r or None,
            )
            save_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            got = s.load("indicators", "SYNTHETIC_bench.csv")
            load_ms.append((time.perf_counter() - t0) * 1000)
            assert got.raw == raw and len(got.tables["values"]) == len(parsed)
    finally:
        s.dispose()
    return {"rows": len(parsed), "bytes": len(raw), "save_ms": save_ms, "load_ms": load_ms}


def fill_with_indicators(url: str, n: int) -> None:
    """``n`` small SYNTHETIC indicator files (ward level) saved as the page would save them."""
    from lib.core import data

    ds = data.for_population(data.load_dataset(population=None), "residents")
    geo = load_geography(definition=ds.definition, values=ds.values)
    wards = sorted(ds.definition["ward_code"])
    s = Store(url)
    s.upgrade()
    try:
        for i in range(n):
            text = "indicator_id,period,area_code,indicator_name,numerator,denominator\n" + "".join(
                f"bench_{i:02d},2021,{c},SYNTHETIC saved {i:02d},{10 + (i + j) % 40},{800 + j}\n"
                for j, c in enumerate(wards)
            )
            item = read_indicator_file(text.encode(), f"SYNTHETIC_saved_{i:02d}.csv", geo)
            tables, meta = kinds.indicators_to_store(item)
            s.save(
                "indicators",
                item.name,
                file_name=item.name,
                raw=text.encode(),
                parsed=tables,
                by="bench",
                expected_version=None,
                meta=meta,
            )
    finally:
        s.dispose()


def store_section(rounds: int, page_rounds: int, pages: list[str], page_ready) -> dict:
    import os

    raw = synthetic_file()
    out: dict = {"sqlite": None, "postgresql": None, "ready": {}}
    with tempfile.TemporaryDirectory() as tmp:
        print("8a. save/load on SQLite…", flush=True)
        out["sqlite"] = time_save_load(f"sqlite:///{tmp}/bench.sqlite", raw, rounds)
        if available():
            print("8b. save/load on PostgreSQL…", flush=True)
            with PostgresServer() as pg:
                out["postgresql"] = time_save_load(pg.create_database("bench"), raw, rounds)
        print("8c. page ready with 50 saved indicators against none…", flush=True)
        none_url, fifty_url = f"sqlite:///{tmp}/none.sqlite", f"sqlite:///{tmp}/fifty.sqlite"
        Store(none_url).upgrade()
        fill_with_indicators(fifty_url, 50)
        bare_dir = Path(tmp) / "bare"
        bare_dir.mkdir()
        from bench.run import write_bare_page

        bproc, burl = start_server(write_bare_page(bare_dir), cwd=bare_dir)
        old = os.environ.get("NP_DATABASE_URL")
        try:
            for name, url in (("none", none_url), ("50 saved", fifty_url)):
                os.environ["NP_DATABASE_URL"] = url
                aproc, aurl = start_server(REPO / "app.py")
                try:
                    out["ready"][name] = page_ready(aurl, burl, page_rounds)
                finally:
                    stop_server(aproc)
        finally:
            stop_server(bproc)
            if old is None:
                os.environ.pop("NP_DATABASE_URL", None)
            else:
                os.environ["NP_DATABASE_URL"] = old
    return out


def _med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def store_report(res: dict, info: dict, pages: list[str]) -> list[str]:
    lines = [
        "## 9. Workspace store (saved data)",
        "",
        f"Run {info.get('date', '')} on {info.get('cpu', '')}, {info.get('memory', '')}, {info.get('os', '')}, "
        f"Python {info.get('python', '')}, Streamlit {info.get('streamlit', '')}, commit {info.get('commit', '')}. "
        + machine_note(info.get("load average at start", "")),
        "",
        "A 20 MB indicator file of **SYNTHETIC** rows (generated by `bench/store.py`), saved as its original bytes "
        "and its parsed rows (Parquet) in one transaction, then loaded back; median of the rounds (each save a new "
        "version). Parsing and checking the file are the importer's cost, not timed here.",
        "",
        "| backend | file | rows | save, median ms | load, median ms | rounds |",
        "|---|---|---|---|---|---|",
    ]
    for backend in ("sqlite", "postgresql"):
        r = res.get(backend)
        if not r:
            lines.append(f"| {backend} | not run (PostgreSQL binaries absent) | | | | |")
            continue
        lines.append(
            f"| {'SQLite (file)' if backend == 'sqlite' else 'PostgreSQL 15 (loopback)'} | {r['bytes'] / 1e6:.1f} MB | "
            f"{r['rows']:,} | {_med(r['save_ms']):,.0f} | {_med(r['load_ms']):,.0f} | {len(r['save_ms'])} |"
        )
    ready = res.get("ready") or {}
    if ready:
        lines += [
            "",
            "Page ready (section 1's measure, first visit, median ms) with **50 saved indicator files** (SYNTHETIC, "
            "ward level) against **none**, two app servers on SQLite in the same run; ratio = 50 saved / none.",
            "",
            "| page | none | 50 saved | ratio |",
            "|---|---|---|---|",
        ]
        for p in ["bare page", *pages]:
            a, b = _med(ready["none"].get(p, [])), _med(ready["50 saved"].get(p, []))
            lines.append(f"| {p} | {a:,.0f} | {b:,.0f} | {b / a:.2f} |")
    return lines + [""]
