"""Text from the data (the user's own names, units, file names, periods) is shown literally in
Markdown: :func:`lib.render.format.md_text`, :func:`lib.render.format.md_message` and the builders that embed
data in Markdown (:func:`lib.render.format.source_text`, :func:`lib.render.format.sources_markdown`,
``pages.shared.selection_markdown``).

The escaped text is rendered with markdown-it-py, an independent CommonMark renderer (installed
with the dev requirements: import-linter → rich → markdown-it-py). What Streamlit does on top of
CommonMark after the escapes are read (emoji shortcodes, its logo, GitHub's bare links) is
checked with the patterns those transforms use; the browser test
(``tests/e2e/test_injection_browser.py``) checks the real thing.
"""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from lib.render.format import STATUS_BADGE, WORD_JOINER, md_message, md_text, source_text, sources_markdown

MD = MarkdownIt("commonmark")

#: Text a user could upload as a name, unit or file name, meant to be shown as written.
HOSTILE = [
    "[Click here](https://evil.example)",
    "[visit](https://evil.example/x) **bold** :red[red] $x^2$ :material/home:",
    "![pic](https://evil.example/p.png)",
    "<https://evil.example/auto>",
    "https://evil.example/bare and www.evil.example and HTTP://EVIL.EXAMPLE",
    "mail me: someone@evil.example or mailto:x@evil.example",
    "*em* _em_ __strong__ ***both*** ~~strike~~ ~one~",
    "# Heading",
    "## also a heading",
    "1. first",
    "1) first",
    "- item",
    "+ item",
    "* item",
    "> quote",
    "---",
    "===",
    "`code` and ``more code``",
    "```fence```",
    "    indented code",
    ":red[red] :blue-background[bg] :orange-badge[badge] :rainbow[r]",
    ":material/home: and :material/delete:",
    ":smile: :+1: :streamlit: :-1:",
    "$x^2$ and $$\\int f$$ and \\(x\\)",
    "<script>alert(1)</script>",
    "<b onmouseover=alert(1)>hover</b> <img src=x onerror=alert(1)>",
    "&amp; &lt;b&gt; &#58; &copy;",
    "back\\slash \\* \\[ \\\\",
    "a | b | c",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "line one\nline two\n\n- a list after a blank line",
    "tab\there\r\nand CRLF",
    "trailing two spaces  \nhard break",
    "[ref]: https://evil.example/ref",
    "[ref] used",
    "{{ 7*7 }} {% raw %} ${x} %s %(name)s",
    "\"quotes\" and 'single' and `back`",
    "N1_a_b_ _x_ __init__",
    "?!#%&=@^;,./",
]

#: Names and labels that must look exactly as they are.
PLAIN = [
    "Cheetham Hill & Crumpsall",
    "C3 · Ancoats",
    "2021/22",
    "Disability: limited a lot",
    "Rate per 100,000 (your data)",
    "Moss Side, Hulme & Rusholme",
    "%",
    "0-15",
    "Ardwick (Central)",
    "Lower is better.",
]


def _shown(markdown_html: str) -> str:
    """What a reader sees: the rendered HTML as text (the word joiner is invisible)."""
    return html.unescape(markdown_html).replace(WORD_JOINER, "")


def _expected(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("text", HOSTILE + PLAIN)
def test_escaped_text_renders_as_the_literal_text_with_no_markup(text):
    out = MD.renderInline(md_text(text))
    assert not re.search(r"<[a-zA-Z/!?]", out), out  # no tag of any kind: every "<" came out as &lt;
    assert _shown(out) == _expected(text)


@pytest.mark.parametrize("text", HOSTILE + PLAIN)
def test_escaped_text_alone_is_one_paragraph(text):
    """Alone as a block (a list marker, heading, quote or indent at its start is text too)."""
    out = MD.render(md_text(text)).strip()
    if not _expected(text):
        assert out == ""
        return
    assert out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1, out
    assert _shown(out[3:-4]) == _expected(text)


@pytest.mark.parametrize("text", HOSTILE + PLAIN)
def test_escaped_text_inside_our_own_markdown_stays_literal(text):
    """Embedded as pages do: in bold, in a list item, after a colon."""
    out = MD.render(f"- **Name:** {md_text(text)} · **{md_text(text)}**")
    assert out.count("<strong>") == 2 and out.count("<li>") == 1 and "<a" not in out and "<em>" not in out
    assert f"<li><strong>Name:</strong> {_expected(text)} · <strong>{_expected(text)}</strong></li>" in _shown(out)


@pytest.mark.parametrize("text", HOSTILE)
def test_no_pattern_streamlit_transforms_after_markdown_is_left_whole(text):
    """Streamlit replaces emoji shortcodes and ``:streamlit:``, and GitHub Markdown links bare
    addresses, in the text after the escapes are read: none of their patterns (as remark-emoji
    and mdast-util-gfm-autolink-literal write them) may match what is left."""
    after_escapes = html.unescape(MD.renderInline(md_text(text)))
    assert not re.search(r":[\w+-]+:", after_escapes)
    assert not re.search(r"(?i)(https?://|www\.)", after_escapes)
    assert not re.search(r"[-.\w+]+@[-\w]+(\.[-\w]+)+", after_escapes)


@pytest.mark.parametrize("text", PLAIN)
def test_plain_names_are_unchanged_but_for_backslashes(text):
    """Nothing invisible is added to ordinary names: only backslashes, which Markdown removes."""
    assert WORD_JOINER not in md_text(text)
    assert md_text(text).replace("\\", "") == text


def test_every_ascii_punctuation_is_escaped_and_streamlit_escapes_work():
    punctuation = "".join(chr(c) for c in range(33, 127) if not chr(c).isalnum())
    assert md_text(punctuation) == "".join("\\" + c for c in punctuation).replace("\\@", "\\@" + WORD_JOINER)
    assert md_text("$x$") == "\\$x\\$" and md_text(":red[a]") == "\\:red\\[a\\]"


def test_word_joiner_goes_where_streamlit_would_transform_text():
    assert md_text(":smile:") == "\\:" + WORD_JOINER + "smile\\:"
    assert md_text("https://a.b") == "https\\:" + WORD_JOINER + "\\/\\/a\\.b"
    assert md_text("WWW.a.b") == "WWW" + WORD_JOINER + "\\.a\\.b"
    assert md_text("a@b.c") == "a\\@" + WORD_JOINER + "b\\.c"


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, "", "  \n\t "])
def test_missing_text_is_empty(missing):
    assert md_text(missing) == ""
    assert md_message(missing) == ""


def test_other_values_are_shown_as_their_text():
    assert md_text(3) == "3" and md_text(2.5) == "2\\.5" and md_text(-1) == "\\-1"


def test_a_message_keeps_its_paragraphs_and_bullets_and_shows_each_line_literally():
    msg = "“[x](https://evil.example).csv” was not loaded (nothing changed).\n- Row 2: **bad** value\n- Row 3: 1. two\n\nThen # this."
    out = MD.render(md_message(msg))
    assert (
        out.count("<li>") == 2
        and out.count("<p>") == 2
        and "<a" not in out
        and "<strong>" not in out
        and "<ol" not in out
    )
    assert _shown(out).count("“[x](https://evil.example).csv” was not loaded (nothing changed).") == 1
    assert "<li>Row 2: **bad** value</li>" in _shown(out) and "<li>Row 3: 1. two</li>" in _shown(out)
    assert "<p>Then # this.</p>" in _shown(out)


# --- builders that embed the data in Markdown

EVIL = "[visit](https://evil.example/x) **bold** :red[red] $x^2$ :material/home:"


def _user_meta(**overrides) -> dict:
    return {
        "indicator_id": "user_x",
        "short_name": f"{EVIL} (your data)",
        "status": "derived",
        "source": f"Your data: {EVIL}.csv",
        "licence": "Your own data, loaded in this session only",
        "method_note": "Summed *from* the areas_of_x_",
        **overrides,
    }


def test_source_text_shows_the_catalogue_text_and_period_literally_and_keeps_its_own_bold():
    out = MD.renderInline(source_text(_user_meta(), "2021/22 **q**"))
    assert out.startswith(f"<strong>{STATUS_BADGE['derived']}</strong> · Source: ")
    assert out.count("<strong>") == 1 and "<a" not in out and "<em>" not in out
    assert _shown(out) == (
        f"<strong>{STATUS_BADGE['derived']}</strong> · Source: Your data: {EVIL}.csv (Your own data, loaded in this "
        "session only) · Period: 2021/22 **q** · Method: Summed *from* the areas_of_x_"
    )


def test_source_text_shows_an_unknown_status_literally():
    assert _shown(MD.renderInline(source_text(_user_meta(status="**x**"), "2020"))).startswith(
        "<strong>**x**</strong> · "
    )


def test_sources_markdown_shows_names_ids_and_periods_literally():
    inds = pd.DataFrame([_user_meta()])
    out = MD.render(sources_markdown(inds, ["user_x", "[unknown](https://evil.example)"], ["$2021$", "1. x"]))
    assert out.count("<li>") == 2 and "<a" not in out and "<ol" not in out
    shown = _shown(out)
    assert f"<li><strong>{EVIL} (your data)</strong>: <strong>{STATUS_BADGE['derived']}</strong> · " in shown
    assert "Period: $2021$ ·" in shown
    assert "<li><strong>[unknown](https://evil.example)</strong>: period 1. x</li>" in shown


def test_selection_markdown_shows_an_uploaded_neighbourhood_name_literally():
    from pages.shared.app_frame import selection_markdown

    out = MD.render(selection_markdown("N_1_", EVIL, "england", "95"))
    assert out.count("<strong>") == 1 and "<a" not in out and "<em>" not in out
    assert f"<strong>N_1_ · {EVIL}</strong><br />" in _shown(out)
