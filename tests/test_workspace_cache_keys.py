"""The shared cache keys (pages/shared/caching.py) say which data a result was computed from: the
registered lens's key has the practice assignment in force (an uploaded or saved one must not
share results with the committed one), the residents' key what the workspace has saved."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _keys_script():
    import streamlit as st

    from lib.core import data
    from pages.shared import caching, session_data

    reg = data.Dataset(None, None, None, 5, "registered")
    res = data.Dataset(None, None, None, 5, "residents")
    st.session_state["keys"] = []
    for practices in (None, {"name": "moved.csv", "csv": "practice_code\nP1\n"}):
        st.session_state[session_data.PRACTICES_KEY] = practices
        st.session_state["keys"].append((caching.shared_cache_key(reg), caching.shared_cache_key(res)))


def test_the_registered_key_follows_the_practice_assignment(tmp_path, monkeypatch):
    monkeypatch.setenv("NP_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    at = AppTest.from_function(_keys_script, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (reg_committed, res_a), (reg_uploaded, res_b) = at.session_state["keys"]
    assert reg_committed != reg_uploaded  # before the fix both were ("registered", threshold)
    assert res_a == res_b  # the practices do not change the residents' figures
