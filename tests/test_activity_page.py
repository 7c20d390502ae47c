"""The Activity shift page through the router (AppTest): targets, all 12 shares, money, and the
tracker, each a view of its own (only the open one is drawn)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from lib.render.format import md_text
from tests.conftest import open_page, shown_tables

TIMEOUT = 120


def _open(params: dict[str, str] | None = None) -> AppTest:
    return open_page("pages/activity.py", params, timeout=TIMEOUT)


def _charts(at: AppTest) -> int:
    count = 0

    def walk(node):
        nonlocal count
        for ch in node.children.values() if isinstance(getattr(node, "children", None), dict) else []:
            if getattr(ch, "type", "") in ("vega_lite_chart", "arrow_vega_lite_chart"):
                count += 1
            walk(ch)

    walk(at.main)
    return count


def test_page_opens_on_the_targets_with_the_other_views_one_click_away():
    at = _open({"nbhd": "C2"})
    assert at.title[0].value.startswith("Activity shift: C2")
    assert not at.warning
    text = " ".join(m.value for m in at.markdown)
    assert "MODELLED ESTIMATE" in text and "largest-remainder" in text
    captions = " ".join(c.value for c in at.caption)
    assert "229,192" in captions  # the published overall target, with its note
    assert len(shown_tables(at)) == 2  # C2's shares, and the method comparison in its expander
    assert _charts(at) == 0 and not at.get("file_uploader")
    assert at.query_params["view"] == "targets"
    assert [t.label for t in at.tabs][:4] == [
        "Targets and this neighbourhood's share",
        "All 12 neighbourhoods' shares",
        "The money",
        "Track your monthly activity",
    ]


def test_shares_and_money_views():
    at = _open({"nbhd": "N1", "view": "shares"})
    assert _charts(at) == 1  # the shares bar chart
    one = shown_tables(at)[0]
    assert len(one) == 12 and one.iloc[0, 0].startswith("N1")
    at = _open({"nbhd": "N1", "view": "money"})
    assert _charts(at) == 0 and len(shown_tables(at)) == 3
    assert "28,450" in " ".join(c.value for c in at.caption)  # a note on the money tables
    assert at.query_params["view"] == "money"


def test_method_switch_changes_shares():
    at = _open({"nbhd": "N1"})
    before = shown_tables(at)[0].iloc[:, 3].tolist()
    at.radio(key="activity_method").set_value("need").run()
    assert not at.exception
    after = shown_tables(at)[0].iloc[:, 3].tolist()
    assert before != after
    assert any("emergency admissions ratio" in m.value for m in at.markdown)


def test_sample_button_draws_spc_charts_with_synthetic_warning():
    at = _open({"nbhd": "N1", "view": "tracker"})
    assert any("No activity loaded yet" in i.value for i in at.info)
    at.button(key="activity_sample").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("SYNTHETIC SAMPLE DATA" in w.value and "not real activity" in w.value for w in at.warning)
    assert _charts(at) == 3
    assert any("Variation:" in m.value for m in at.markdown)
    assert any("Special cause variation: improvement" in m.value for m in at.markdown)
    assert any("Target path **MODELLED ESTIMATE**" in c.value for c in at.caption)
    # the data stay across views and a change of method
    at.session_state["activity_tab"] = "The money"
    at.run()
    assert _charts(at) == 0
    at.session_state["activity_tab"] = "Track your monthly activity"
    at.run()
    at.radio(key="activity_method").set_value("need").run()
    assert _charts(at) == 3 and not at.exception


def test_previous_data_stay_after_bad_upload_state():
    at = _open({"nbhd": "S1", "view": "tracker"})
    at.button(key="activity_sample").click().run()
    # a rejected upload leaves an error and the previous data (the page logic is lib.imports.activity_file.accept_upload)
    at.session_state["activity_error"] = ("bad.csv", "Missing column(s): count.")
    at.run()
    # the file name and the message are shown literally (escaped for markdown: lib.render.format.md_text)
    assert any(
        f"{md_text('bad.csv')} could not be used" in e.value
        and "previously loaded data is still shown" in e.value
        and md_text("Missing column(s): count.") in e.value
        for e in at.error
    )
    assert _charts(at) == 3
