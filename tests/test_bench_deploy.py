"""Bench section 8 (bench/load.py): its verdicts follow the numbers, and it replaces only its own
section of BENCHMARKS.md."""

from __future__ import annotations

import copy

from bench import load

RUN = {
    "users": 2,
    "interactions": 2,
    "think_s": [1.0, 2.0],
    "wall_s": 10.0,
    "rss_before_mb": 800.0,
    "rss_peak_mb": 810.0,
    "rss_after_mb": 806.0,
    "open": [0.2, 0.3],
    "times": [0.1, 0.2, 0.3, 0.4],
    "times_after_kill": [],
    "errors": [],
    "cut_off": 0,
    "reloads": [],
    "saved_checks": [True, True],
    "sessions_by_process": {"127.0.0.1:1": 1, "127.0.0.1:2": 1},
    "killed": None,
    "killed_at_s": None,
    "interactions_done": 4,
}
SAVED = {"id": "u1", "name": "My indicator", "query": "ind=u1"}


def result(**failover) -> dict:
    fo = copy.deepcopy(RUN) | {
        "killed": "127.0.0.1:1",
        "killed_at_s": 3.0,
        "cut_off": 1,
        "times": [0.1, 0.2],
        "times_after_kill": [0.3, 0.4],
        "reloads": [{"from": "127.0.0.1:1", "to": "127.0.0.1:2", "seconds": 0.5, "saved found": True}],
    }
    fo.update(failover)
    return {"saved": SAVED, "load": copy.deepcopy(RUN), "failover": fo, "nginx": "1.22.1", "postgresql": "15"}


def test_a_clean_run_meets_its_targets():
    lines, ok = load.report(result())
    assert ok
    text = "\n".join(lines)
    assert "| errors | 0 | 0 |" in text and "800 / 810 / 806 MiB" in text
    assert "| memory per session: (peak − before) ÷ sessions; (after − before) ÷ sessions | 5.0 MiB; 3.0 MiB |" in text


def test_each_failure_is_reported_as_one():
    assert not load.report(result(errors=["ConnectionClosed"]))[1]
    assert not load.report(
        result(reloads=[{"from": "127.0.0.1:1", "to": "127.0.0.1:1", "seconds": 0.5, "saved found": True}])
    )[1]
    assert not load.report(
        result(reloads=[{"from": "127.0.0.1:1", "to": "127.0.0.1:2", "seconds": 0.5, "saved found": False}])
    )[1]
    assert not load.report(result(interactions_done=3))[1]
    slow = result()
    slow["load"]["times"] = [0.1, 0.2, 0.3, 1.5]
    lines, ok = load.report(slow)
    assert not ok and "**NOT MET**" in "\n".join(lines)


def test_only_its_own_section_is_replaced():
    doc = "# Benchmarks\n\n## 7. Clicks\n\nold 7\n\n## Reproduce\n\nmake bench\n"
    section = [load.HEADING, "", "new 8", ""]
    once = load.replace_section(doc, section)
    assert once.index("## 7. Clicks") < once.index(load.HEADING) < once.index("## Reproduce")
    twice = load.replace_section(once, [load.HEADING, "", "newer 8", ""])
    assert "new 8" not in twice and "newer 8" in twice and "old 7" in twice and twice.count(load.HEADING) == 1
    assert twice.endswith("make bench\n")


def test_the_report_says_whether_the_machine_was_quiet_from_its_load_average():
    from bench.load import machine_note

    assert machine_note("0.31 0.13 0.05").startswith("A quiet machine")
    shared = machine_note("6.50 4.00 2.00")
    assert "shared machine" in shared and "6.50" in shared and "re-run" in shared
    assert "not on record" in machine_note("")
