"""Links, addresses, groupings and wording (issue 19): each test failed on the code before its fix."""

from __future__ import annotations

from lib.web import urlstate

CHOICES = {"nbhd": ["N1", "C3", "S3"], "bench": ["england", "city", "rest"]}
DEFAULTS = {"nbhd": "N1", "bench": "england"}


def test_neighbourhood_codes_in_links_are_read_whatever_their_case():
    state = urlstate.parse({"nbhd": "s3"}, CHOICES, DEFAULTS)
    assert state.values["nbhd"] == "S3" and not state.notices  # the app's own spelling, no complaint
    assert urlstate.parse({"nbhd": " c3 "}, CHOICES, DEFAULTS).values["nbhd"] == "C3"


def test_other_link_settings_stay_exact():
    state = urlstate.parse({"bench": "England", "nbhd": "s9"}, CHOICES, DEFAULTS)
    assert state.values == DEFAULTS and len(state.notices) == 2


def test_a_lower_case_link_opens_that_neighbourhood():
    from tests.conftest import open_page

    at = open_page("pages/overview.py", {"nbhd": "s3"})
    assert at.session_state["frame_values"]["nbhd"] == "S3"
    assert any("S3" in m.value for m in at.sidebar.markdown)
    assert not [w.value for w in at.warning if "s3" in str(w.value)]  # no "not available" notice


# ---------------------------------------------------------------- 6. the user's indicator names

LONG_NAME = "Copied From Valuable NHS Records For The Board (Ward Level)"


def _long_named_upload():
    """The SYNTHETIC Fingertips example under a long capitalised name, lower is better."""
    import pandas as pd

    from lib.imports import geography, indicator_file
    from tests.test_imports import EXAMPLE

    df = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)
    df["Indicator Name"] = LONG_NAME
    raw = df.to_csv(index=False).encode("utf-8")
    return indicator_file.read_indicator_file(raw, "long.csv", geography.load_geography(), polarity="lower_is_better")


def test_shorten_cuts_at_a_word_with_an_ellipsis():
    from lib.core.wording import shorten

    assert shorten("Short name") == "Short name"
    out = shorten(LONG_NAME)
    assert out.endswith("…") and len(out) <= 40
    words = out[:-1].split()
    assert words == LONG_NAME.split()[: len(words)]  # whole words only, in order
    assert shorten("x" * 50, 10) == "x" * 9 + "…"  # one long word: cut inside it


def test_in_sentence_keeps_abbreviations_and_the_users_capitals():
    from lib.core.wording import in_sentence

    assert in_sentence("Children in low-income families") == "children in low-income families"
    assert in_sentence("COPD register") == "COPD register"
    assert in_sentence("Admissions for COPD in Manchester") == "admissions for COPD in Manchester"
    assert in_sentence("Copied From NHS (your data)") == "Copied From NHS (your data)"


def test_an_uploaded_long_name_is_shortened_at_a_word_and_keeps_its_capitals_in_the_summary():
    import pandas as pd

    from lib.core import data
    from lib.core.selection import Selection
    from lib.views.profile_summary import board_summary

    imported = _long_named_upload()
    short = imported.indicators["short_name"].iloc[0]
    stem = short.removesuffix(" (your data)")
    assert stem.endswith("…") and stem[:-1].split() == LONG_NAME.split()[: len(stem[:-1].split())], short
    base = data.load_dataset()
    ds = data.Dataset(
        indicators=pd.concat([base.indicators, imported.indicators], ignore_index=True),
        values=pd.concat([base.values, imported.values.reindex(columns=base.values.columns)], ignore_index=True),
        definition=base.definition,
        threshold=base.threshold,
    )
    v = imported.values
    worse = v[(v["area_type"] == "neighbourhood") & (v["vs_england"] == "worse")]["area_code"]
    assert len(worse)  # the fixture makes it worse than England somewhere
    text = " ".join(board_summary(ds, Selection(nbhd=str(worse.iloc[0]))))
    assert short in text, text  # as the user wrote it: not "copied from valuable nhs…"
    assert short.lower() not in text


# ---------------------------------------------------------------- 2. the address in export links


def test_links_back_use_the_browsers_address_without_the_page(monkeypatch):
    from lib.exports import footer

    monkeypatch.delenv(footer.PUBLIC_URL_ENV, raising=False)
    pages = ["map", "profile", "compare"]
    assert footer.request_base_url("http://10.1.2.3:8600/profile", {}, pages) == "http://10.1.2.3:8600"
    assert footer.request_base_url("https://np.example.org/profiles/compare", {}, pages) == (
        "https://np.example.org/profiles"
    )
    assert footer.request_base_url("http://h:1/", {}, pages) == "http://h:1"  # the Overview, at the root
    url = footer.view_url(footer.request_base_url("http://h:1/map", {}, pages), "map", {"nbhd": "C2"})
    assert url == "http://h:1/map?nbhd=C2"


def test_np_public_url_wins(monkeypatch):
    from lib.exports import footer

    monkeypatch.setenv(footer.PUBLIC_URL_ENV, "https://profiles.example.nhs.uk/")
    headers = {"Host": "10.0.0.5:8501", "X-Forwarded-Host": "proxy.example.org"}
    assert footer.request_base_url("http://10.0.0.5:8501/profile", headers, ["profile"]) == (
        "https://profiles.example.nhs.uk"
    )


def test_headers_when_there_is_no_browser_address(monkeypatch):
    from lib.exports import footer

    monkeypatch.delenv(footer.PUBLIC_URL_ENV, raising=False)
    assert footer.request_base_url(None, {"Host": "127.0.0.1:8765"}) == "http://127.0.0.1:8765"
    behind = {"Host": "127.0.0.1:8501", "X-Forwarded-Host": "np.example.org, 10.0.0.1", "X-Forwarded-Proto": "https"}
    assert footer.request_base_url(None, behind, base_path="profiles") == "https://np.example.org/profiles"
    # not sensible: a path, credentials, markup or a strange scheme fall back to Host and http
    for bad in ("evil.example/phish", "user@evil.example", "<script>", "a b"):
        got = footer.request_base_url(None, {"Host": "127.0.0.1:8501", "X-Forwarded-Host": bad})
        assert got == "http://127.0.0.1:8501", bad
    got = footer.request_base_url(None, {"Host": "h:1", "X-Forwarded-Proto": "javascript"})
    assert got == "http://h:1"
    assert footer.request_base_url("javascript:alert(1)", {}) == footer.DEFAULT_BASE_URL
    assert footer.request_base_url(None, None) == footer.DEFAULT_BASE_URL


# ---------------------------------------------------------------- 4. the profile against the rest of Manchester


def _rest_of_manchester(nbhd: str, indicator_id: str) -> float:
    """Independently, from the committed values: Manchester's count and denominator less the
    neighbourhood's, as a percentage (the latest neighbourhood period)."""
    from tests.conftest import REPO, read_profile_csv

    v = read_profile_csv(REPO / "profiles" / "values.csv")
    v = v[v["indicator_id"] == indicator_id]
    period = v.loc[v["area_type"] == "neighbourhood", "period"].astype(str).max()
    v = v[v["period"].astype(str) == period]
    city = v[v["area_type"] == "city"].iloc[0]
    me = v[(v["area_type"] == "neighbourhood") & (v["area_code"] == nbhd)].iloc[0]
    return 100 * (city["numerator"] - me["numerator"]) / (city["denominator"] - me["denominator"])


def _html_tables(at):
    from lib.render.tables import read_html_tables

    return [t for e in at.get("html") for t in read_html_tables(e.proto.body)]


def test_the_profile_against_the_rest_of_manchester_says_so_and_shows_its_figures():
    from tests.conftest import open_page

    rest = f"{_rest_of_manchester('S3', 'bad_health'):.1f}%"
    at = open_page("pages/profile.py", {"nbhd": "S3", "bench": "rest"})
    headers = [h.value for h in at.header]
    assert "How it compares with the rest of Manchester" in headers, headers
    assert not any("compares with England" in h for h in headers)
    [spine] = [t for t in _html_tables(at) if "Indicator" in t.columns]
    assert "Rest of Manchester" in spine.columns and "Compared with Rest of Manchester" in spine.columns
    row = spine[spine["Indicator"] == "Bad or very bad health"].iloc[0]
    assert row["Rest of Manchester"] == rest, (row.to_dict(), rest)
    assert row["Rest of Manchester"] != row["Manchester"]

    at = open_page("pages/profile.py", {"nbhd": "S3", "bench": "rest", "view": "table"})
    [table] = [t for t in _html_tables(at) if "Indicator" in t.columns]
    assert "Rest of Manchester" in table.columns and "Compared with the rest of Manchester" in table.columns
    row = table[table["Indicator"] == "Bad or very bad health"].iloc[0]
    assert row["Rest of Manchester"] == rest


def test_the_profile_against_england_has_no_rest_of_manchester_column():
    from tests.conftest import open_page

    at = open_page("pages/profile.py", {"nbhd": "S3"})
    assert "How it compares with England" in [h.value for h in at.header]
    [spine] = [t for t in _html_tables(at) if "Indicator" in t.columns]
    assert "Rest of Manchester" not in spine.columns


# ---------------------------------------------------------------- 3. the grouping in use is counted


def _thirteen(page: str):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/own_data.py")
    at.run()
    at.radio(key="own_grouping_choice").set_value("thirteen").run()
    assert at.session_state["own_data_grouping"]["key"] == "thirteen"
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _all_text(at) -> str:
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info") for e in at.get(kind)]
    parts += [e.proto.body for e in at.get("html")]
    parts += [t.label for t in at.tabs]
    return "\n".join(str(p) for p in parts)


def _thirteen_codes() -> int:
    from lib.core import data
    from lib.methods import regroup

    d = regroup.load_shipped("thirteen", set(data.load_dataset().definition["ward_code"]))
    return int(d["neighbourhood_code"].nunique())


def test_the_thirteen_neighbourhood_grouping_is_counted_as_thirteen_on_the_overview_and_sidebar():
    n = _thirteen_codes()
    assert n == 13
    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO

    chosen = _thirteen("pages/own_data.py").session_state["own_data_grouping"]
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)  # through app.py: the sidebar too
    at.session_state["own_data_grouping"] = chosen
    at.run()
    assert not at.exception and len(at.session_state["frame_values"]) and chosen["key"] == "thirteen"
    text = _all_text(at)
    assert "12 neighbourhoods" not in text and "12 integrated" not in text, text[:3000]
    assert f"Manchester's {n} neighbourhoods" in text and f"**{n} integrated neighbourhoods**" in text
    assert any(f"Manchester's {n} integrated neighbourhoods" in m.value for m in at.sidebar.markdown)
    assert f" of {n} are significantly" in text  # the headline counts the rows


def test_the_thirteen_neighbourhood_grouping_is_counted_as_thirteen_on_compare_and_profile():
    n = _thirteen_codes()
    for page in ("pages/compare.py", "pages/profile.py", "pages/activity.py", "pages/cohorts.py"):
        text = _all_text(_thirteen(page))
        assert "the 12" not in text.lower() and "12 neighbourhoods" not in text, (page, text[:3000])
        if page != "pages/cohorts.py":  # its first view names no count
            assert f"{n} neighbourhoods" in text or f"the {n}" in text, page


def test_the_spine_image_has_room_for_an_uploaded_short_name():
    """Vega cuts an axis label longer than ``labelLimit`` pixels (mid-word); the longest short name an
    upload makes (40 characters and " (your data)") must fit at about 6 px a character (11 px type)."""
    import pandas as pd

    from lib.core.wording import SHORT_NAME_CHARS, USER_SUFFIX, shorten
    from lib.render import spine as spines

    name = shorten(LONG_NAME * 2) + USER_SUFFIX
    assert len(name) <= SHORT_NAME_CHARS + len(USER_SUFFIX)
    rows = pd.DataFrame({c: [""] for c in spines.SPINE_COLUMNS}).assign(short_name=[name])
    spec = spines.spine_chart(rows).to_dict(validate=False)
    limits = [
        layer["encoding"]["y"]["axis"]["labelLimit"]
        for layer in spec.get("layer", [])
        if "y" in layer.get("encoding", {}) and "axis" in layer["encoding"]["y"]
    ]
    assert limits and min(limits) >= 6 * (SHORT_NAME_CHARS + len(USER_SUFFIX)), limits


# ---------------------------------------------------------------- 7. Fingertips words in an upload


def test_an_uploaded_fingertips_export_reads_better_and_worse_from_its_words():
    """An upload with Fingertips' comparison words (here the SYNTHETIC example's wards, called
    "Worse 95%" when above England's value, as a lower-is-better indicator would be): polarity
    lower is better, so the neighbourhoods are better / similar / worse, not higher / lower."""
    import pandas as pd

    from lib.imports import geography, indicator_file
    from tests.test_imports import EXAMPLE

    df = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)
    col = "Compared to England value or percentiles"
    value = pd.to_numeric(df["Value"], errors="coerce")
    eng = float(value[df["Area Type"] == "England"].iloc[0])
    df[col] = [
        "" if a == "England" else ("Worse 95%" if x > eng else "Similar") for a, x in zip(df["Area Type"], value)
    ]
    got = indicator_file.read_indicator_file(df.to_csv(index=False).encode(), "ft.csv", geography.load_geography())
    assert got.indicators["polarity"].iloc[0] == "lower_is_better"
    nb = got.values[got.values["area_type"] == "neighbourhood"]
    assert set(nb["vs_england"]) <= {"better", "similar", "worse", "not_compared"} and "worse" in set(nb["vs_england"])
