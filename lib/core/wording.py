"""Indicator names in running text: shortened at a word boundary, and put into a sentence without
losing the capitals they were written with (pure: no Streamlit).

One rule for every short name the app makes (an upload's, a Fingertips refresh's) and every
sentence that lists names (the profile's summary).
"""

from __future__ import annotations

#: What the app adds to the name of an indicator the user loaded (``lib.imports.indicator_file``).
USER_SUFFIX = " (your data)"
#: The longest short name made from a long one (characters, before :data:`USER_SUFFIX`).
SHORT_NAME_CHARS = 40


def shorten(text: str, limit: int = SHORT_NAME_CHARS) -> str:
    """``text`` if it is at most ``limit`` characters, else cut at the last word boundary that leaves
    room for an ellipsis, with the ellipsis (``"Admissions for falls in people aged…"``). A single
    word longer than ``limit`` is cut inside it (there is no boundary)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    cut = head.rfind(" ")
    if cut > 0 and text[limit - 1] != " ":
        head = head[:cut]
    return head.rstrip(" ,;:-–(") + "…"


def in_sentence(name: str) -> str:
    """A short name placed inside a sentence: the first letter lower-cased when the first word is an
    ordinary capitalised word ("Children in low-income families" -> "children in low-income
    families"); kept as written when it is an abbreviation ("COPD", "GP"), a mixed-case word
    ("eFI"), or the name of the user's own indicator (holding :data:`USER_SUFFIX`): their capitals are theirs."""
    name = str(name)
    if not name or USER_SUFFIX in name:
        return name
    first = name.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:].islower():
        return name[0].lower() + name[1:]
    return name


def neighbourhood_count(definition) -> int:
    """How many neighbourhoods a grouping (a ``neighbourhoods.csv`` definition) has: the number every
    "the 12 neighbourhoods" is said with, so another grouping (13, or the user's) is counted right."""
    return int(definition["neighbourhood_code"].nunique())


def locality_names(definition) -> list[str]:
    """The localities of a grouping, in the order they first appear."""
    return list(dict.fromkeys(str(x) for x in definition["locality_name"]))
