"""The workspace store (lib/workspace/store.py) against BOTH SQLite and PostgreSQL: every test
takes ``database_url`` (tests/servers/postgres.py), a fresh database of each backend."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, inspect, select

from lib.workspace import models
from lib.workspace.store import Store, StoreConflict, StoreError
from tests.servers.postgres import database_url, postgres_server  # noqa: F401  (fixtures)


@pytest.fixture
def store(database_url):  # noqa: F811
    s = Store(database_url)
    s.upgrade()
    yield s
    s.dispose()


def frames() -> dict[str, pd.DataFrame]:
    """Tables shaped like a parsed indicator file: text with blanks, counts with a withheld
    (missing) one, floats, booleans."""
    values = pd.DataFrame(
        {
            "indicator_id": ["user_a", "user_a", "user_a"],
            "area_code": ["E05000687", "E05000688", "N1"],
            "numerator": [12.0, np.nan, 40.0],
            "denominator": [100.0, 120.0, 400.0],
            "note": [None, "withheld at source", None],
        }
    )
    indicators = pd.DataFrame({"indicator_id": ["user_a"], "multiplier": [100.0], "user_data": [True]})
    return {"values": values, "indicators": indicators}


def counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (models.items, models.versions, models.version_tables, models.audit)
        }


def test_round_trip_of_bytes_and_rows(store):
    raw = b"indicator_id,period,area_code,numerator\nA,2020,E05000687,12\n" + bytes(range(256))
    v = store.save(
        "indicators",
        "mine.csv",
        file_name="mine.csv",
        raw=raw,
        parsed=frames(),
        by="ann",
        expected_version=None,
        meta={"fmt": "tidy", "messages": ["ok “quoted”"]},
    )
    assert v == 1
    got = store.load("indicators", "mine.csv")
    assert got.raw == raw
    assert got.file_name == "mine.csv" and got.loaded_by == "ann" and got.version == 1
    assert got.meta == {"fmt": "tidy", "messages": ["ok “quoted”"]}
    for name, df in frames().items():
        pd.testing.assert_frame_equal(got.tables[name], df, check_dtype=False)
    assert np.isnan(got.tables["values"]["numerator"][1])  # a withheld count stays missing, never 0
    [item] = store.current()
    assert (item.kind, item.key, item.version, item.file_name, item.loaded_by) == (
        "indicators",
        "mine.csv",
        1,
        "mine.csv",
        "ann",
    )
    assert item.loaded_at.tzinfo is not None


def test_versions_and_history(store):
    store.save("grouping", "current", file_name="g1.csv", raw=b"1", parsed=None, by="ann", expected_version=None)
    v2 = store.save("grouping", "current", file_name="g2.csv", raw=b"22", parsed=None, by="bob", expected_version=1)
    assert v2 == 2
    assert store.load("grouping", "current").raw == b"22"
    assert store.load("grouping", "current", version=1).raw == b"1"
    hist = store.history("grouping", "current")
    assert [(h.version, h.file_name, h.loaded_by, h.size, h.in_use) for h in hist] == [
        (2, "g2.csv", "bob", 2, True),
        (1, "g1.csv", "ann", 1, False),
    ]
    assert [a["action"] for a in store.audit()] == ["replace", "load"]
    with pytest.raises(StoreError):
        store.load("grouping", "current", version=3)
    with pytest.raises(StoreError):
        store.save("nonsense", "k", file_name="", raw=b"", parsed=None, by="x", expected_version=None)


def test_rollback(store):
    for i, expected in enumerate([None, 1, 2], start=1):
        store.save(
            "activity",
            "current",
            file_name=f"a{i}.csv",
            raw=f"v{i}".encode(),
            parsed=None,
            by="ann",
            expected_version=expected,
        )
    store.rollback("activity", "current", 1, by="bob")
    [item] = store.current("activity")
    assert item.version == 1 and item.latest_version == 3 and item.file_name == "a1.csv"
    assert store.load("activity", "current").raw == b"v1"
    assert [h.version for h in store.history("activity", "current") if h.in_use] == [1]
    last = store.audit(limit=1)[0]
    assert (last["action"], last["who"], last["version"]) == ("rollback", "bob", 1)
    # the next save is version 4, on top of the one in force
    assert (
        store.save("activity", "current", file_name="a4.csv", raw=b"v4", parsed=None, by="ann", expected_version=1) == 4
    )
    with pytest.raises(StoreError):
        store.rollback("activity", "current", 9, by="bob")


def test_delete_and_undelete(store):
    store.save("indicators", "a.csv", file_name="a.csv", raw=b"a", parsed=frames(), by="ann", expected_version=None)
    store.save("indicators", "b.csv", file_name="b.csv", raw=b"b", parsed=frames(), by="ann", expected_version=None)
    store.delete("indicators", "a.csv", by="bob")
    assert [i.key for i in store.current("indicators")] == ["b.csv"]
    assert [(i.key, i.deleted) for i in store.current("indicators", include_deleted=True)] == [
        ("a.csv", True),
        ("b.csv", False),
    ]
    assert not any(h.in_use for h in store.history("indicators", "a.csv"))
    with pytest.raises(StoreError):
        store.delete("indicators", "a.csv", by="bob")
    store.undelete("indicators", "a.csv", by="bob")
    assert [i.key for i in store.current("indicators")] == ["a.csv", "b.csv"]
    assert store.load("indicators", "a.csv").raw == b"a"
    assert [a["action"] for a in store.audit()][:2] == ["undelete", "delete"]
    # a file saved again under a deleted key: a new version, in force, not deleted
    store.delete("indicators", "b.csv", by="bob")
    assert (
        store.save("indicators", "b.csv", file_name="b.csv", raw=b"b2", parsed=None, by="ann", expected_version=None)
        == 2
    )
    assert store.load("indicators", "b.csv").raw == b"b2"


@pytest.mark.parametrize("checkpoint", ["version_written", "audit_written"])
def test_a_failure_mid_save_leaves_nothing(store, checkpoint):
    store.save("indicators", "a.csv", file_name="a.csv", raw=b"first", parsed=frames(), by="ann", expected_version=None)
    before = counts(store)

    def fail(name):
        if name == checkpoint:
            raise OSError("disk full (injected)")

    store.fault_hook = fail
    with pytest.raises(OSError):
        store.save(
            "indicators", "a.csv", file_name="a2.csv", raw=b"second", parsed=frames(), by="bob", expected_version=1
        )
    with pytest.raises(OSError):
        store.save(
            "indicators", "new.csv", file_name="new.csv", raw=b"new", parsed=frames(), by="bob", expected_version=None
        )
    store.fault_hook = None
    assert counts(store) == before  # no item, no version, no tables, no audit row
    [item] = store.current()
    assert (item.key, item.version, item.latest_version) == ("a.csv", 1, 1)
    assert store.load("indicators", "a.csv").raw == b"first"
    assert [a["action"] for a in store.audit()] == ["load"]


def test_unsaveable_rows_fail_before_the_transaction(store):
    bad = pd.DataFrame({"x": [1, "text", 2.5]})  # mixed types: Parquet refuses them
    with pytest.raises(Exception):  # noqa: B017
        store.save(
            "indicators",
            "bad.csv",
            file_name="bad.csv",
            raw=b"x",
            parsed={"rows": bad},
            by="ann",
            expected_version=None,
        )
    assert counts(store) == {"items": 0, "versions": 0, "version_tables": 0, "audit": 0}


def test_second_editor_gets_a_conflict_and_changes_nothing(database_url):  # noqa: F811
    a, b = Store(database_url), Store(database_url)  # two app processes: two engines
    try:
        a.upgrade()
        a.save("practices", "current", file_name="p1.csv", raw=b"p1", parsed=None, by="ann", expected_version=None)
        seen_by_b = b.current("practices")[0].version  # both editors open version 1
        a.save("practices", "current", file_name="p2.csv", raw=b"p2", parsed=None, by="ann", expected_version=1)
        before = counts(a)
        with pytest.raises(StoreConflict) as exc:
            b.save(
                "practices", "current", file_name="p3.csv", raw=b"p3", parsed=None, by="bob", expected_version=seen_by_b
            )
        assert (exc.value.version, exc.value.by, exc.value.expected) == (2, "ann", 1)
        assert exc.value.at is not None
        assert counts(a) == before
        assert a.load("practices", "current").raw == b"p2"
        # a new item both editors load at once under the same name
        with pytest.raises(StoreConflict):
            b.save("practices", "current", file_name="p3.csv", raw=b"p3", parsed=None, by="bob", expected_version=None)
        # roll back and delete check the version too, when given
        with pytest.raises(StoreConflict):
            b.rollback("practices", "current", 1, by="bob", expected_version=1)
        with pytest.raises(StoreConflict):
            b.delete("practices", "current", by="bob", expected_version=1)
        assert counts(a) == before
    finally:
        a.dispose()
        b.dispose()


@pytest.mark.parametrize("existing", [False, True])
def test_concurrent_savers_exactly_one_wins(database_url, existing):  # noqa: F811
    stores = [Store(database_url), Store(database_url)]
    stores[0].upgrade()
    expected = None
    if existing:
        stores[0].save(
            "indicators", "k.csv", file_name="k.csv", raw=b"0", parsed=frames(), by="ann", expected_version=None
        )
        expected = 1
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = stores[i].save(
                "indicators",
                "k.csv",
                file_name=f"{i}.csv",
                raw=f"editor{i}".encode(),
                parsed=frames(),
                by=f"editor{i}",
                expected_version=expected,
            )
        except StoreConflict as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        wins = [r for r in results if isinstance(r, int)]
        conflicts = [r for r in results if isinstance(r, StoreConflict)]
        assert len(wins) == 1 and len(conflicts) == 1, results
        winner = results.index(wins[0])
        got = stores[0].load("indicators", "k.csv")
        assert got.raw == f"editor{winner}".encode() and got.version == wins[0] == (2 if existing else 1)
        assert len(stores[0].history("indicators", "k.csv")) == (2 if existing else 1)
        assert sum(a["key"] == "k.csv" for a in stores[0].audit()) == (2 if existing else 1)
    finally:
        for s in stores:
            s.dispose()


def test_migrations_build_a_fresh_database_to_head_matching_the_models(database_url):  # noqa: F811
    from alembic.script import ScriptDirectory

    s = Store(database_url)
    try:
        assert s.schema_revision() is None
        s.upgrade()
        head = ScriptDirectory.from_config(s.alembic_config()).get_current_head()
        assert s.schema_revision() == head
        assert s.schema_differences() == []  # alembic check: the models match the migrations
        s.upgrade()  # a second run (the next start) changes nothing
        assert s.schema_revision() == head
        s.downgrade("base")  # and every migration can be undone
        assert s.schema_revision() is None
        with s.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    finally:
        s.dispose()


def test_members_and_their_audit(store):
    store.set_member("Ann@Example.org", "editor", by="admin@example.org")
    store.set_member("bob@example.org", "viewer", by="admin@example.org")
    store.set_member("ann@example.org", "admin", by="admin@example.org")
    assert store.members() == {"ann@example.org": "admin", "bob@example.org": "viewer"}
    store.remove_member("bob@example.org", by="admin@example.org")
    assert store.members() == {"ann@example.org": "admin"}
    with pytest.raises(StoreError):
        store.set_member("c@example.org", "owner", by="admin@example.org")
    with pytest.raises(StoreError):
        store.remove_member("nobody@example.org", by="admin@example.org")
    log = store.audit()
    assert [a["action"] for a in log] == ["member_remove", "member_set", "member_set", "member_set"]
    assert all(a["who"] == "admin@example.org" for a in log)
    assert "bob@example.org" in log[0]["detail"]


def test_state_token_changes_with_every_change(store):
    t0 = store.state_token()
    store.save(
        "threshold",
        "current",
        file_name="",
        raw=b"10",
        parsed=None,
        by="ann",
        expected_version=None,
        meta={"threshold": 10},
    )
    t1 = store.state_token()
    store.delete("threshold", "current", by="ann")
    t2 = store.state_token()
    assert t0 < t1 < t2
    assert store.state_token() == t2
