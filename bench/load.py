"""Bench section 8: the team deployment under load, and when one of its processes dies.

Run alone: ``.venv/bin/python -m bench.run --only deploy`` (writes this section into BENCHMARKS.md,
leaving the other sections as they are); ``make bench`` runs it with the rest.

The deployment is the one the tests run (``tests/servers/deployment.py``): nginx with
``deploy/nginx.conf.template`` in front of two app processes, on a throw-away PostgreSQL workspace
migrated first, as ``compose.yaml`` runs them (no containers). One indicator file is saved in the
workspace before the run (``tests/servers/saved.py``, as *Your data*'s "Save in the workspace" does);
sessions open its link (``compare?ind=<its id>``) and check its name is drawn.

Sessions speak Streamlit's own WebSocket protocol (``bench/protocol.py``), as a browser does through
nginx: a first HTTP request gets nginx's route cookie, and the session's WebSocket carries it, so
nginx keeps the session on one process. 100 browsers would not fit on the load machine; these cost
it almost nothing.

1. **Load**: after one warm-up visit to every page on each process (their first users), ``users``
   sessions start together; each opens a page then makes ``interactions`` interactions (change
   indicator, select neighbourhood, change benchmark, move page, open the saved indicator's link)
   with a think time before each. Errors, interaction time (p50/p95/max, target p95 < 1 s), and
   memory per session: the app processes' resident memory (summed) at its peak during the run and
   after it, less before, divided by the sessions.
2. **Failover**: the same workload again; once 40% of its interactions are done one app process is
   killed (SIGKILL, as a crash). Sessions on the other must carry on without an error. The killed
   process's sessions lose their WebSocket mid-interaction (that interaction is counted as cut off,
   not as an error); each then does what a user's reload does: a new page request through nginx
   (the same cookie), a new WebSocket, the saved indicator's link opened, and the rest of its
   interactions. Where each reload was served, how long it took and whether the saved indicator was
   there are reported.
"""

from __future__ import annotations

import asyncio
import random
import re
import subprocess
import time
import urllib.request
from collections import Counter
from pathlib import Path

import numpy as np

from bench.protocol import Session
from tests.servers import postgres
from tests.servers.deployment import Deployment, team_deployment
from tests.servers.nginx import NGINX, UPSTREAM_HEADER
from tests.servers.saved import save_indicator

REPO = Path(__file__).resolve().parents[1]


def machine_note(load_at_start: str) -> str:
    """Whether the machine was quiet when the run began (its 1-minute load average under 1 on these 2
    cores: nothing else running) or shared, in words for the report."""
    try:
        first = float(str(load_at_start).split()[0])
    except (ValueError, IndexError):
        return "The machine's load when the run began is not on record."
    if first < 1.0:
        return f"A quiet machine: nothing else was running when the run began (load average {first:.2f})."
    return (
        f"**A shared machine**: other work was running when the run began (load average {first:.2f}), so "
        "read the ratios, not the absolute times, and re-run it on a quiet machine."
    )


HEADING = "## 8. Team deployment: two app processes behind nginx, PostgreSQL"
TARGET_P95_S = 1.0
PAGES = ["overview", "map", "profile", "compare", "cohorts", "activity", "own_data", "present", "methods"]

#: What a session does, in turn from a random start: (page, the widget to change or None to move
#: to the page, or "saved" to open the saved indicator's link).
PLAN = [
    ("map", "Indicator"),
    ("map", "Neighbourhood"),
    ("map", "Compare with"),
    ("profile", None),
    ("profile", "Neighbourhood"),
    ("compare", "saved"),
    ("compare", None),
    ("compare", "Indicator"),
    ("compare", "Compare with"),
    ("overview", None),
    ("overview", "Indicator"),
]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q * 100)) if xs else float("nan")


# --------------------------------------------------------------------------- the saved indicator


def saved_shown(texts: list[str], saved: dict) -> bool:
    """The saved indicator is on the page: its name in a heading or text (as the pages write it)."""
    return any(saved["shown"] in t or saved["name"] in t for t in texts)


# --------------------------------------------------------------------------- one user


def route(url: str, cookie: str | None = None) -> tuple[str, str]:
    """A browser's page request through nginx: (its route cookie, the app process that answered)."""
    req = urllib.request.Request(url + "/", headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=60) as r:
        r.read()
        set_cookie = r.headers.get("Set-Cookie") or ""
        served = r.headers.get(UPSTREAM_HEADER, "").split(",")[-1].strip()
    return (cookie or set_cookie.split(";")[0]), served


class Recorder:
    def __init__(self) -> None:
        self.open: list[float] = []
        self.times: list[float] = []
        self.times_after_kill: list[float] = []
        self.errors: list[str] = []
        self.cut_off = 0
        self.reloads: list[dict] = []
        self.saved_checks: list[bool] = []
        self.sessions_by_process: Counter = Counter()
        self.killed_at: float | None = None
        self.done = 0


async def one_user(d: Deployment, n: int, think: tuple[float, float], rng: random.Random, rec: Recorder, saved):
    url = d.url
    cookie, addr = await asyncio.to_thread(route, url)
    rec.sessions_by_process[addr] += 1
    start = rng.randrange(len(PLAN))
    i, reload_started, reload = 0, None, None
    while i < n:
        try:
            async with Session(url, headers={"Cookie": cookie}) as s:
                if reload_started is None:
                    r = await s.open(rng.choice(["overview", "map", "profile"]))
                    rec.open.append(r.seconds)
                else:  # after a reload: the saved indicator's link, as the user's own page would be
                    r = await s.open("compare", saved["query"] if saved else "")
                    reload["seconds"] = time.perf_counter() - reload_started
                    if saved:
                        reload["saved found"] = saved_shown(r.texts, saved)
                rec.errors += r.exceptions
                while i < n:
                    await asyncio.sleep(rng.uniform(*think))
                    page, label = PLAN[(start + i) % len(PLAN)]
                    if label == "saved":  # a link opens in a new tab: a new session (its own ?ind= wins)
                        async with Session(url, headers={"Cookie": cookie}) as tab:
                            r = await tab.open(page, saved["query"] if saved else "")
                        if saved:
                            rec.saved_checks.append(saved_shown(r.texts, saved))
                    elif label is None or s.page != page:
                        r = await s.go(page)
                    else:
                        r = await s.choose(label)
                    (rec.times_after_kill if rec.killed_at else rec.times).append(r.seconds)
                    rec.errors += r.exceptions
                    i += 1
                    rec.done += 1
        except Exception as exc:
            killed = not d.app_at(addr).alive()
            if not killed:  # a dropped connection or a timeout on a process that is up: an error
                rec.errors.append(f"{type(exc).__name__}: {exc}")
                return
            # This user's process was killed under them: the interaction in flight is cut off,
            # and the user reloads the page (the same browser: the same cookie).
            rec.cut_off += 1
            reload_started = time.perf_counter()
            _, served = await asyncio.to_thread(route, url, cookie)
            reload = {"from": addr, "to": served, "seconds": float("nan"), "saved found": None}
            rec.reloads.append(reload)
            addr = served


async def warm_up(d: Deployment) -> None:
    """One session on each process visits every page, as each process's first user would."""
    for app in d.apps:
        async with Session(app.url) as s:
            await s.open(PAGES[0])
            for p in PAGES[1:]:
                await s.go(p)


async def run_sessions(d: Deployment, users: int, interactions: int, think, saved, seed: int, kill_after: float | None):
    rng = random.Random(seed)
    rec = Recorder()
    pids = [a.pid for a in d.apps]
    rss0 = sum(rss_mb(p) for p in pids)
    peak = [rss0]
    total = users * interactions

    async def watch() -> None:
        while True:
            peak.append(sum(rss_mb(a.pid) for a in d.apps if a.alive()))
            await asyncio.sleep(0.5)

    async def killer() -> None:
        while rec.done < kill_after * total:
            await asyncio.sleep(0.2)
        rec.killed_at = time.perf_counter() - t0
        d.apps[0].kill()

    watcher = asyncio.create_task(watch())
    kill_task = asyncio.create_task(killer()) if kill_after is not None else None
    t0 = time.perf_counter()
    await asyncio.gather(
        *(one_user(d, interactions, think, random.Random(rng.random()), rec, saved) for _ in range(users))
    )
    wall = time.perf_counter() - t0
    watcher.cancel()
    if kill_task:
        kill_task.cancel()
    alive = [a for a in d.apps if a.alive()]
    return {
        "users": users,
        "interactions": interactions,
        "think_s": list(think),
        "wall_s": wall,
        "rss_before_mb": rss0,
        "rss_peak_mb": max(peak),
        "rss_after_mb": sum(rss_mb(a.pid) for a in alive),
        "open": rec.open,
        "times": rec.times,
        "times_after_kill": rec.times_after_kill,
        "errors": rec.errors,
        "cut_off": rec.cut_off,
        "reloads": rec.reloads,
        "saved_checks": rec.saved_checks,
        "sessions_by_process": dict(rec.sessions_by_process),
        "killed": d.apps[0].addr if kill_after is not None else None,
        "killed_at_s": rec.killed_at,
        "interactions_done": rec.done,
    }


def deploy_section(users: int = 100, interactions: int = 20, think=(2.0, 8.0)) -> dict:
    """Both runs on one deployment (fresh processes; the failover run after the load run)."""
    if not postgres.available():
        return {"skipped": "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)"}
    with team_deployment(2, database="postgresql") as d:
        saved = save_indicator(d.database_url)  # before any page is drawn
        asyncio.run(warm_up(d))
        load = asyncio.run(run_sessions(d, users, interactions, think, saved, 20261207, None))
        failover = asyncio.run(run_sessions(d, users, interactions, think, saved, 20261208, 0.4))
        return {
            "saved": saved,
            "load": load,
            "failover": failover,
            "apps": [a.addr for a in d.apps],
            "nginx": _version([str(NGINX), "-v"]).split("/")[-1],
            "postgresql": re.sub(
                r".*\(PostgreSQL\) (\S+).*", r"\1", _version([str(postgres.find_bin_dir() / "postgres"), "--version"])
            ),
        }


def _version(cmd: list[str]) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    return (out.stdout or out.stderr).strip()


# --------------------------------------------------------------------------- report


def _saved_line(checks: list[bool], saved) -> str:
    if not saved:
        return "not measured: no indicator saved"
    return f"{sum(checks)} of {len(checks)}"


def report(res: dict) -> tuple[list[str], bool]:
    lines = [HEADING, ""]
    if "skipped" in res:
        return lines + [f"Skipped: {res['skipped']}.", ""], False
    load, fo, saved = res["load"], res["failover"], res["saved"]
    times = load["times"]
    p95 = pct(times, 0.95)
    expected = load["users"] * load["interactions"]
    ok_load = not load["errors"] and len(times) == expected and p95 < TARGET_P95_S
    per_peak = (load["rss_peak_mb"] - load["rss_before_mb"]) / load["users"]
    per_after = (load["rss_after_mb"] - load["rss_before_mb"]) / load["users"]
    spread = ", ".join(f"{n} on {a}" for a, n in sorted(load["sessions_by_process"].items()))
    lines += [
        "nginx (`deploy/nginx.conf.template`, the file compose.yaml ships) in front of two app processes on one "
        "PostgreSQL workspace, all on this machine's loopback (`bench/load.py`). "
        + (
            f"One indicator file saved in the workspace first ({saved['name']}); "
            if saved
            else "No indicator saved first; "
        )
        + f"after one warm-up visit to every page on each process, {load['users']} sessions start together, each opens "
        f"a page then makes {load['interactions']} interactions (change indicator, select neighbourhood, change "
        "benchmark, move page, open the saved indicator's link) with a think time of "
        f"{load['think_s'][0]:g}–{load['think_s'][1]:g} s before each, over Streamlit's WebSocket protocol through "
        "nginx with its route cookie. Time = from sending the interaction to the end of its script run.",
        "",
        "### Load",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| sessions per process (nginx's sticky route) | {spread} | – |",
        f"| interactions completed | {len(times)} of {expected} | all |",
        f"| errors | {len(load['errors'])} | 0 |",
        f"| interaction p50 / p95 / max | {pct(times, 0.5):.2f} / {p95:.2f} / {max(times, default=float('nan')):.2f} s | "
        f"p95 < {TARGET_P95_S:g} s: {'met' if p95 < TARGET_P95_S else '**NOT MET**'} |",
        f"| first page load p50 / p95 | {pct(load['open'], 0.5):.2f} / {pct(load['open'], 0.95):.2f} s | – |",
        f"| saved indicator shown on its link | {_saved_line(load['saved_checks'], saved)} | all |",
        f"| app processes' memory (both) before / peak / after | {load['rss_before_mb']:.0f} / {load['rss_peak_mb']:.0f} / "
        f"{load['rss_after_mb']:.0f} MiB | – |",
        f"| memory per session: (peak − before) ÷ sessions; (after − before) ÷ sessions | {per_peak:.1f} MiB; "
        f"{per_after:.1f} MiB | reported |",
        f"| wall time | {load['wall_s']:.0f} s | – |",
    ]
    if load["errors"]:
        lines += ["", "Errors: " + "; ".join(sorted(set(load["errors"]))[:10])]
    reloads = fo["reloads"]
    killed = fo["killed"]
    moved_ok = [r for r in reloads if r["to"] and r["to"] != killed]
    found = [r for r in reloads if r["saved found"]]
    on_survivor = sum(n for a, n in fo["sessions_by_process"].items() if a != killed)
    on_killed = fo["sessions_by_process"].get(killed, 0)
    reload_s = [r["seconds"] for r in reloads if r["seconds"] == r["seconds"]]
    all_done = fo["interactions_done"] == fo["users"] * fo["interactions"]
    ok_fo = (
        not fo["errors"]
        and len(reloads) == on_killed
        and len(moved_ok) == len(reloads)
        and all_done
        and (not saved or len(found) == len(reloads))
    )
    lines += [
        "",
        "### Failover: one app process killed during the run",
        "",
        f"The same workload again ({fo['users']} sessions × {fo['interactions']} interactions); once 40% of the "
        f"interactions were done ({fo['killed_at_s']:.0f} s in), the app process at {killed} was killed (SIGKILL). "
        "Its sessions' interactions in flight were cut off; each of those users then reloaded (a new page request "
        "through nginx with the same cookie, a new WebSocket, the saved indicator's link) and made the rest of its "
        "interactions, starting with the one that was cut off.",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| sessions on the process that was killed / on the other | {on_killed} / {on_survivor} | – |",
        f"| errors (any session) | {len(fo['errors'])} | 0 |",
        f"| interactions completed | {fo['interactions_done']} of {fo['users'] * fo['interactions']} "
        f"({fo['cut_off']} cut off by the kill, made again after the reload) | all |",
        f"| reloads served by the other process | {len(moved_ok)} of {len(reloads)} | all |",
        f"| reload to the saved indicator drawn, p50 / max | {pct(reload_s, 0.5):.2f} / "
        f"{max(reload_s, default=float('nan')):.2f} s | – |",
        "| saved indicator found after the reload | "
        + (f"{len(found)} of {len(reloads)}" if saved else _saved_line([], saved))
        + " | all |",
        f"| interaction p50 / p95 before the kill (two processes) | {pct(fo['times'], 0.5):.2f} / {pct(fo['times'], 0.95):.2f} s | – |",
        f"| interaction p50 / p95 after the kill (one process, every session) | {pct(fo['times_after_kill'], 0.5):.2f} / "
        f"{pct(fo['times_after_kill'], 0.95):.2f} s | – |",
    ]
    if fo["errors"]:
        lines += ["", "Errors: " + "; ".join(sorted(set(fo["errors"]))[:10])]
    m = res.get("machine") or {}
    lines += [
        "",
        (
            f"Machine: {m.get('cpu', '?')}, {m.get('memory', '?')}, {m.get('os', '?')}, Python {m.get('python', '?')}, "
            f"Streamlit {m.get('streamlit', '?')}, nginx {res.get('nginx', '?')}, PostgreSQL {res.get('postgresql', '?')}; "
            f"{m.get('date', '?')}, commit {m.get('commit', '?')}, load average at start {m.get('load average at start', '?')}."
        ),
        "",
        machine_note(m.get("load average at start", ""))
        + " nginx, both app processes, PostgreSQL and the sessions' client share the machine's 2 cores, so after "
        "the kill one process serves every session on about one core.",
        "",
        f"**Load: {'every target met' if ok_load else 'NOT every target met'}. Failover: "
        f"{'as required' if ok_fo else 'NOT as required'}.**",
        "",
    ]
    return lines, ok_load and ok_fo


def replace_section(text: str, section: list[str]) -> str:
    """``text`` (BENCHMARKS.md) with this section put in place of its old one, or before "## How to
    run" (else at the end)."""
    lines = text.split("\n")
    new = "\n".join(section).rstrip("\n") + "\n"
    starts = [i for i, ln in enumerate(lines) if ln.startswith("## ")]
    if HEADING in lines:
        i = lines.index(HEADING)
        nxt = next((j for j in starts if j > i), len(lines))
        return "\n".join(lines[:i]) + "\n" + new + ("\n" + "\n".join(lines[nxt:]) if nxt < len(lines) else "")
    how = next((j for j in starts if lines[j] == "## Reproduce"), None)
    if how is None:
        return text.rstrip("\n") + "\n\n" + new
    return "\n".join(lines[:how]) + "\n" + new + "\n" + "\n".join(lines[how:])
