"""Shareable views: the state of a page in the URL query string.

Only allow-listed parameters are read; each value must be one of the choices the app offers.
Anything else falls back to the default with a notice the page shows to the user.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

#: Every query parameter the app understands, with what it means.
PARAMETERS: dict[str, str] = {
    "nbhd": "neighbourhood code (N1-N4, C1-C4, S1-S4)",
    "ind": "indicator id",
    "period": "period of the indicator",
    "bench": "benchmark: england, city or rest",
    "level": "confidence level: 95 or 99.8",
    "population": "population: residents, or registered (patients of the GP practices)",
    "layer": "map detail: neighbourhoods, wards or lsoa",
    "colour": "map colouring: comparison, quartile or continuous",
    "family": "indicator family",
    "zoom": "map extent on wards and small areas: nbhd (the selected neighbourhood) or city",
    "method": "how modelled figures are split between neighbourhoods: need or population",
    "present": "presentation mode: 1 for full-screen, large-type slides",
    "step": "presentation step: map, profile, compare, cohorts or activity",
    "view": "the part (tab) of a page shown",
    "cohort": "the risk cohort shown on the Risk cohorts page",
    "area": "the ward selected on the Map page (a ward code, e.g. E05000689, with layer=wards): zoomed to and outlined",
}

MAX_LENGTH = 64
#: Parameters whose values are read whatever their case (``nbhd=s3`` is S3): codes people type or
#: copy from a paper, where the case carries no meaning. The value kept is the app's own spelling,
#: and only a value matching exactly one choice is accepted. Other parameters stay exact.
CASE_INSENSITIVE = frozenset({"nbhd"})


@dataclass
class ViewState:
    """Values read from the URL, and notices about what was ignored."""

    values: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)


def parse(
    params: Mapping[str, str | Sequence[str]], choices: Mapping[str, Sequence[str]], defaults: Mapping[str, str]
) -> ViewState:
    """Read allow-listed parameters, validating each against its choices.

    ``choices`` maps parameter -> allowed values (only these parameters are read);
    ``defaults`` gives the value used when a parameter is absent or invalid.
    Parameters in :data:`CASE_INSENSITIVE` (neighbourhood codes) match whatever their case.
    Unknown parameters are ignored with a notice; invalid values fall back to the default
    with a notice naming the parameter (values are never echoed back unescaped: notices
    quote at most 64 printable characters).
    """
    state = ViewState(values=dict(defaults))
    for key, raw in params.items():
        value = raw[-1] if isinstance(raw, (list, tuple)) else raw
        if key not in choices:
            if key in PARAMETERS:
                continue  # a known parameter this page does not use
            state.notices.append(f"The link setting “{_safe(key)}” is not one this app understands, so it was ignored.")
            continue
        value = str(value)
        allowed = choices[key]
        if key in CASE_INSENSITIVE and value not in allowed:
            same = [a for a in allowed if str(a).casefold() == value.strip().casefold()]
            value = same[0] if len(same) == 1 else value
        if value in allowed:
            state.values[key] = value
        else:
            state.notices.append(
                f"The link asked for {PARAMETERS.get(key, key)} “{_safe(value)}”, which is not available here; showing {defaults.get(key, 'the default')} instead."
            )
    return state


def to_params(values: Mapping[str, str], defaults: Mapping[str, str] | None = None) -> dict[str, str]:
    """The query parameters for a view (only allow-listed keys; all values kept so links are explicit)."""
    return {k: str(v) for k, v in values.items() if k in PARAMETERS and v is not None}


def _safe(text: str) -> str:
    printable = "".join(ch for ch in str(text) if ch.isprintable())
    return printable[:MAX_LENGTH] + ("…" if len(printable) > MAX_LENGTH else "")
