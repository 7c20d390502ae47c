"""The benchmark's page-ready targets: the Map page has its own (issue 17's decision), every other
page the standing 1.5x."""

from __future__ import annotations

from bench import run


def test_the_map_page_has_its_own_target_and_every_other_page_the_standing_one() -> None:
    assert "map" in run.PAGES
    assert run.page_target("map") == 1.7
    others = [p for p in run.PAGES if p != "map"]
    assert others and all(run.page_target(p) == run.TARGETS["page_ratio"] == 1.5 for p in others)
