"""Saved data on the pages (AppTest): a file saved on Your data is there in a new session (a new
AppTest), on Compare areas and the profile through ``?ind=``; a bad file after it changes nothing;
Replace, Roll back, Delete (confirmed) and Undo; a second editor's save is refused in plain words;
a saved grouping and threshold are what a new session uses."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.imports.geography import load_geography
from lib.imports.indicator_file import read_indicator_file
from lib.render.format import md_text
from lib.workspace import kinds
from lib.workspace.store import Store
from tests.appcopy import GARBAGE
from tests.conftest import REPO, shown_tables

FILE = REPO / "tests" / "data" / "fingertips_ward_example_SYNTHETIC.csv"
NAME = "SYNTHETIC test indicator (not real data)"
TIMEOUT = 180


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    monkeypatch.setenv("NP_DATABASE_URL", url)
    yield url


def _open(page: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page != "pages/overview.py":
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def _save_upload(at: AppTest, name: str, raw: bytes) -> AppTest:
    at.radio(key="ws_save_choice").set_value("save").run()
    at.file_uploader(key="own_upload").upload(name, raw, "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    return "\n".join(
        [m.value for m in at.markdown]
        + [m.value for m in at.caption]
        + [m.value for m in at.title]
        + [m.value for m in at.header]
        + [m.value for m in at.subheader]
    )


def _counts(url: str) -> tuple:
    s = Store(url)
    try:
        return tuple((i.kind, i.key, i.version, i.latest_version) for i in s.current()), len(s.audit())
    finally:
        s.dispose()


def test_a_saved_file_is_there_in_a_new_session_and_a_bad_file_changes_nothing(db):
    at = _save_upload(_open("pages/own_data.py"), "ft.csv", FILE.read_bytes())
    assert any("Saved “ft\\.csv” in the workspace (version 1)" in s.value for s in at.success), [
        s.value for s in at.success
    ]
    store = Store(db)
    [item] = store.current()
    assert (item.kind, item.key, item.version, item.file_name) == ("indicators", "ft.csv", 1, "ft.csv")
    assert store.load("indicators", "ft.csv").raw == FILE.read_bytes()
    ind_id = item.meta["indicator_ids"][0]

    # the saved rows are what the importer makes of the file (an independent read of the raw file)
    direct = read_indicator_file(FILE.read_bytes(), "ft.csv", _geography())
    again = kinds.indicators_from_store(store.load("indicators", "ft.csv"))
    pd.testing.assert_frame_equal(_plain(again.values), _plain(direct.values), check_dtype=False)
    assert direct.values["numerator"].notna().any()

    # a bad file after it: an error in plain words, and the workspace exactly as it was
    before = _counts(db)
    at = _save_upload(at, "bad.csv", GARBAGE)
    assert at.error, "a bad file must say what is wrong"
    assert _counts(db) == before
    assert store.load("indicators", "ft.csv").raw == FILE.read_bytes()
    store.dispose()

    # a new session (a new AppTest: no session state), by a link, on Compare areas and the profile
    compare = _open("pages/compare.py", {"ind": ind_id})
    assert ind_id in [sb.value for sb in compare.selectbox], [sb.value for sb in compare.selectbox]
    assert md_text(NAME) in _texts(compare)
    assert "saved in the workspace by this computer" in _texts(compare).replace("\\", "")
    profile = _open("pages/profile.py", {"ind": ind_id, "nbhd": "C1"})
    assert any(NAME in t.to_string() for t in shown_tables(profile)), "the profile's table lists the saved indicator"


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Missing as None and every cell an object (Parquet gives text columns back as strings)."""
    return df.astype(object).where(df.notna(), None)


def _geography():
    from lib.core import data

    ds = data.for_population(data.load_dataset(population=None), "residents")
    return load_geography(definition=ds.definition, values=ds.values)


def test_replace_roll_back_delete_and_undo(db):
    raw = FILE.read_bytes()
    at = _save_upload(_open("pages/own_data.py"), "ft.csv", raw)
    changed = raw.replace(b'"50","1000"', b'"60","1000"', 1)
    assert changed != raw
    replace = [u for u in at.get("file_uploader") if "ws_replace" in (u.key or "")]
    assert len(replace) == 1
    at.file_uploader(key=replace[0].key).upload("ft_v2.csv", changed, "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    store = Store(db)
    assert store.current()[0].version == 2 and store.load("indicators", "ft.csv").raw == changed
    assert any("version 2 is in use" in s.value for s in at.success)

    roll = [b for b in at.button if b.label == "Roll back"]
    assert len(roll) == 1
    roll[0].click().run()
    assert store.current()[0].version == 1 and store.load("indicators", "ft.csv").raw == raw

    [b for b in at.button if b.label == "Delete"][0].click().run()
    assert store.current(), "Delete asks first"
    assert any("Delete “ft\\.csv” for everyone?" in w.value for w in at.warning)
    [b for b in at.button if b.label == "Yes, delete it"][0].click().run()
    assert store.current() == []
    assert "ft.csv" not in " ".join(m.value for m in at.markdown if m.value.startswith("**Indicator file"))
    [b for b in at.button if b.label == "Undo"][0].click().run()
    assert [i.key for i in store.current()] == ["ft.csv"]
    assert [a["action"] for a in store.audit()] == ["undelete", "delete", "rollback", "replace", "load"]
    store.dispose()


def test_a_second_editor_is_told_theirs_was_not_saved(db):
    raw = FILE.read_bytes()
    first = _save_upload(_open("pages/own_data.py"), "ft.csv", raw)
    second = _open("pages/own_data.py")  # another editor opens the page: version 1 in force
    # the first editor replaces it meanwhile
    key = [u for u in first.get("file_uploader") if "ws_replace" in (u.key or "")][0].key
    first.file_uploader(key=key).upload("ft_v2.csv", raw + b"\n", "text/csv").run()
    assert Store(db).current()[0].version == 2
    before = _counts(db)
    second.file_uploader(key=key).upload("ft_mine.csv", raw.replace(b'"50"', b'"55"', 1), "text/csv").run()
    assert not second.exception
    msgs = " ".join(e.value for e in second.error)
    assert "saved a new version of “ft\\.csv” at" in msgs and "yours was not saved" in msgs, msgs
    assert "Reload to see theirs" in msgs
    assert _counts(db) == before


def test_a_saved_grouping_and_threshold_are_what_a_new_session_uses(db):
    at = _open("pages/own_data.py")
    at.radio(key="own_grouping_choice").set_value("thirteen").run()
    assert not at.exception, [e.value for e in at.exception]
    grouping_buttons = [b for b in at.button if b.label == "Save this grouping in the workspace"]
    assert grouping_buttons
    grouping_buttons[0].click().run()
    at.number_input(key="own_threshold_input").set_value(11).run()
    [b for b in at.button if b.label == "Save 11 as the workspace's threshold"][0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    s = Store(db)
    assert sorted(i.kind for i in s.current()) == ["grouping", "threshold"]
    saved_def = s.load("grouping", "current").tables["definition"]
    s.dispose()

    fresh = _open("pages/own_data.py")
    assert fresh.number_input(key="own_threshold_input").value == 11
    assert "Counts of 1 to 10 are hidden" in _texts(fresh)
    n_codes = saved_def["neighbourhood_code"].nunique()
    assert n_codes != 12
    overview = _open("pages/overview.py")
    tables = shown_tables(overview)
    assert any(len(t) == n_codes for t in tables), [len(t) for t in tables]


def test_many_saved_items_list_every_one_and_draw_one_box_for_the_item_picked(db):
    """Beyond ``BOXES_SHOWN`` saved items, Your data lists them all in its table and draws the
    Replace/Roll back/Delete box of the one picked (50 boxes made the page twice as slow to open)."""
    from bench.store import fill_with_indicators
    from pages.shared.workspace_ui import BOXES_SHOWN

    n = BOXES_SHOWN + 3
    fill_with_indicators(db, n)
    at = _open("pages/own_data.py")
    [table] = [t for t in shown_tables(at) if "Name" in t.columns]
    assert sorted(table["Name"]) == [f"SYNTHETIC_saved_{i:02d}.csv" for i in range(n)], table
    assert len([b for b in at.button if b.label == "Delete"]) == 1
    pick = at.selectbox(key="ws_manage")
    assert len(pick.options) == n
    boxes = [m.value for m in at.markdown if m.value.startswith("**Indicator file")]
    assert len(boxes) == 1 and md_text("SYNTHETIC_saved_00.csv") in boxes[0], boxes
    pick.set_value(("indicators", f"SYNTHETIC_saved_{n - 1:02d}.csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    boxes = [m.value for m in at.markdown if m.value.startswith("**Indicator file")]
    assert len(boxes) == 1 and md_text(f"SYNTHETIC_saved_{n - 1:02d}.csv") in boxes[0], boxes
    # the box acts on the item picked
    [b for b in at.button if b.label == "Delete"][0].click().run()
    [b for b in at.button if b.label == "Yes, delete it"][0].click().run()
    assert f"SYNTHETIC_saved_{n - 1:02d}.csv" not in [i.key for i in Store(db).current()]
    assert len(Store(db).current()) == n - 1


def test_a_few_saved_items_each_have_their_box(db):
    from bench.store import fill_with_indicators
    from pages.shared.workspace_ui import BOXES_SHOWN

    fill_with_indicators(db, 2)
    at = _open("pages/own_data.py")
    assert len([b for b in at.button if b.label == "Delete"]) == 2 <= BOXES_SHOWN
    assert not [s for s in at.selectbox if s.key == "ws_manage"]
