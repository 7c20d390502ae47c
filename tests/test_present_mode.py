"""Presentation mode: step order and clamping, URLs, the key indicator, projector styling, the
board summary (against values.csv), and every step of the page through the router (AppTest)."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.core.selection import Selection
from lib.render.format import md_text
from lib.render.spine import spine_chart, spine_data
from lib.views import present as present_mode
from lib.views import profile, profile_summary
from lib.web import urlstate
from tests.conftest import REPO, read_profile_csv

TIMEOUT = 120
IDS = present_mode.STEP_IDS


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return read_profile_csv(REPO / "profiles" / "values.csv")


# --------------------------------------------------------------------------- steps and URLs


def test_step_order_follows_the_issue():
    assert IDS == ("map", "profile", "compare", "cohorts", "activity")
    assert all(s.title and s.shows for s in present_mode.STEPS)


def test_next_and_previous_clamp():
    assert [present_mode.next_step(s) for s in IDS] == list(IDS[1:]) + [IDS[-1]]
    assert [present_mode.prev_step(s) for s in IDS] == [IDS[0]] + list(IDS[:-1])
    assert present_mode.next_step("nonsense") == IDS[1] and present_mode.prev_step("nonsense") == IDS[0]


def test_step_url_params():
    for s in IDS:
        p = present_mode.step_url_params(Selection("C3", "city", "99.8"), s)
        assert p == {"present": "1", "step": s, "nbhd": "C3", "bench": "city", "level": "99.8"}
        assert set(p) <= set(urlstate.PARAMETERS)  # allow-listed
    with pytest.raises(KeyError):
        present_mode.step_url_params(Selection("C3"), "nope")


def test_step_label():
    assert present_mode.step_label("profile") == f"Step 2 of {len(IDS)}: {present_mode.step('profile').title}"


def test_keys_are_ones_streamlit_accepts():
    from streamlit.elements.lib.shortcut_utils import normalize_shortcut

    keys = [present_mode.NEXT_KEY, present_mode.PREV_KEY, present_mode.CLICKER_NEXT_KEY, present_mode.CLICKER_PREV_KEY]
    assert [normalize_shortcut(k) for k in keys] == ["right", "left", "pagedown", "pageup"]


# --------------------------------------------------------------------------- key indicator


@pytest.mark.parametrize("nbhd", ["N1", "C3", "S1", "S4"])
def test_key_indicator_is_the_largest_significant_difference(ds, nbhd):
    t = profile.profile_table(ds, Selection(nbhd))
    key = present_mode.key_indicator(ds, nbhd, table=t)
    assert key == present_mode.key_indicator(ds, nbhd)  # deterministic
    tested = t[(t["ci_method"] != "none") & t["england"].notna()]
    row = tested.set_index("indicator_id").loc[key]
    dist = (tested["value"] - tested["england"]).abs() / tested["spread"]
    if (tested["vs_england"] == "worse").any():
        assert row["vs_england"] == "worse"
        assert dist[tested["vs_england"] == "worse"].max() == pytest.approx(
            abs(row["value"] - row["england"]) / row["spread"]
        )


# --------------------------------------------------------------------------- projector styling


def test_projector_spec_enlarges_type_without_changing_the_input(ds):
    chart = spine_chart(spine_data(profile.profile_table(ds, Selection("C3"))))
    spec = chart.to_dict()
    before = repr(spec)
    big = present_mode.projector_spec(spec)
    assert repr(spec) == before
    assert big["config"]["axis"]["labelFontSize"] >= 18 and big["config"]["axis"]["titleFontSize"] >= 20
    assert big["config"]["legend"]["labelFontSize"] >= 18
    assert big["height"] > spec["height"]


# --------------------------------------------------------------------------- board summary


def _nb_latest(values: pd.DataFrame, ind: str, nbhd: str) -> pd.Series:
    v = values[
        (values["indicator_id"] == ind) & (values["area_type"] == "neighbourhood") & (values["area_code"] == nbhd)
    ]
    return v.sort_values("period").iloc[-1]


@pytest.mark.parametrize("nbhd", ["N1", "N2", "C3", "S1", "S4"])
def test_board_summary_three_to_five_plain_sentences(ds, values, nbhd):
    sentences = profile_summary.board_summary(ds, Selection(nbhd))
    assert 3 <= len(sentences) <= 5
    assert all(s.endswith(".") and "nan" not in s for s in sentences)
    text = " ".join(sentences)
    assert "estimate" in text
    # a significantly worse indicator (vs England, 95%, latest period) from values.csv is named
    ind = pd.read_csv(REPO / "profiles" / "indicators.csv").set_index("indicator_id")
    worse = []
    for i in ind.index[ind["ci_method"] != "none"]:
        if ((values["indicator_id"] == i) & (values["area_type"] == "neighbourhood")).any():
            r = _nb_latest(values, i, nbhd)
            if r["vs_england"] == "worse":
                worse.append(ind.loc[i, "short_name"].lower())
    if worse:
        assert any(w in sentences[0].lower() for w in worse)
        assert "worse" in sentences[0]


@pytest.mark.parametrize("nbhd", ["N1", "C3", "S4"])
def test_worse_and_getting_worse_follows_values_csv(ds, values, nbhd):
    """Said only when the latest value is significantly worse than England AND rose (lower is better)."""
    sentences = [x.lower() for x in profile_summary.board_summary(ds, Selection(nbhd))]
    part = next((x for x in sentences if x.startswith("worse than england and getting worse:")), "")
    for ind, prev_of in (
        ("children_low_income", lambda ps: ps[-2]),
        ("universal_credit_households", lambda ps: f"{int(ps[-1][:4]) - 1}{ps[-1][4:]}"),
    ):
        v = values[
            (values["indicator_id"] == ind) & (values["area_type"] == "neighbourhood") & (values["area_code"] == nbhd)
        ]
        ps = sorted(v["period"].astype(str))
        latest = v[v["period"].astype(str) == ps[-1]].iloc[0]
        prev = v[v["period"].astype(str) == prev_of(ps)].iloc[0]
        bad = latest["vs_england"] == "worse" and latest["value"] > prev["value"]
        name = {
            "children_low_income": "children in low-income families",
            "universal_credit_households": "households on universal credit",
        }[ind]
        assert (name in part) == bad, (ind, bad, sentences)


def test_board_summary_rest_of_manchester_and_strict_level(ds):
    s = profile_summary.board_summary(ds, Selection("C3", "rest", "99.8"))
    assert "99.8%" in s[0] and "rest of Manchester" in s[1]


def test_summary_sentences_unchanged(ds):
    """The older summary keeps its behaviour (other tests and pages rely on it)."""
    out = profile_summary.summary_sentences(profile.profile_table(ds, Selection("C3")), "X")
    assert out[0].startswith("X has ")


# --------------------------------------------------------------------------- the page (AppTest, through app.py)


def _present(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("step", IDS)
def test_every_step_runs(step):
    at = _present({"present": "1", "step": step, "nbhd": "C3"})
    assert not at.warning, [w.value for w in at.warning]
    assert at.title[0].value.startswith("C3 · ")
    assert any(present_mode.step_label(step) in m.value for m in at.markdown)
    assert at.query_params["step"] == step and at.query_params["present"] == "1"
    assert len(at.sidebar.children) == 0  # no sidebar frame in presentation mode
    assert at.session_state["frame_values"]["nbhd"] == "C3"
    text = " ".join(c.value for c in at.caption)
    assert "Source" in text or "MODELLED" in text


def test_profile_step_shows_the_board_summary():
    at = _present({"present": "1", "step": "profile", "nbhd": "N2", "bench": "city", "level": "99.8"})
    assert any(md_text("Compared with England (at 99.8% confidence)") in m.value for m in at.markdown)


def test_next_and_previous_buttons_move_and_the_url_follows():
    at = _present({"present": "1", "step": IDS[0], "nbhd": "S1"})
    assert at.button(key="np_prev").disabled
    for expected in IDS[1:]:
        at.button(key="np_next").click().run()
        assert not at.exception
        assert at.query_params["step"] == expected
    assert at.button(key="np_next").disabled
    at.button(key="np_prev").click().run()
    assert at.query_params["step"] == IDS[-2]
    assert at.query_params["nbhd"] == "S1"


def test_invalid_step_falls_back_with_a_notice():
    at = _present({"present": "1", "step": "<script>", "nbhd": "C3"})
    assert any("no presentation step" in w.value for w in at.warning)
    assert at.query_params["step"] == IDS[0]


def test_present_parameter_on_another_page_opens_presentation():
    at = _present({"present": "1", "nbhd": "C2"})
    assert at.query_params["step"] == IDS[0]
    assert any(present_mode.step_label(IDS[0]) in m.value for m in at.markdown)


def test_normal_mode_keeps_the_sidebar():
    at = _present({"nbhd": "C2"})
    assert len(at.sidebar.children) > 0
