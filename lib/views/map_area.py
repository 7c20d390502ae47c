"""One ward selected on the Map page (``area=<ward code>`` in a link, with ``layer=wards``): the
ward the profile's ward grid opens (:func:`lib.views.ward_grid.map_link`). The map zooms to it and
outlines it, and a sentence near the map says which ward is selected and its figure.

Pure functions (no Streamlit).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from lib.core.disclosure import DEFAULT_THRESHOLD
from lib.core.selection import BENCHMARKS
from lib.render.format import comparison_label, is_missing
from lib.views.map import LAYERS, effective_benchmark
from lib.views.ward_grid import cell_text

MAX_QUOTED = 64


@dataclass(frozen=True)
class WardChoice:
    """The ward in force (``code``, ``name``, its neighbourhood ``nbhd``), or none (``code`` None),
    and a ``notice`` saying why a ward asked for by a link is not selected."""

    code: str | None = None
    name: str = ""
    nbhd: str = ""
    notice: str | None = None


def _quoted(text: object) -> str:
    printable = "".join(ch for ch in str(text) if ch.isprintable())
    return printable[:MAX_QUOTED] + ("…" if len(printable) > MAX_QUOTED else "")


def ward_choice(definition: pd.DataFrame, area: str | None, layer: str, nbhd: str, from_link: bool) -> WardChoice:
    """Which ward ``area`` (a ward code, whatever its case) selects on the map showing ``layer``
    (the detail shown) with neighbourhood ``nbhd`` selected.

    A ward is selected only on the wards layer and only inside the selected neighbourhood. A link
    (``from_link``) asking for something else gets a notice saying why it was ignored: an unknown
    code or one that is not a ward (e.g. a neighbourhood's), the map not showing wards, or a ward
    of another neighbourhood. Outside a link's first run the selection simply lapses (the user
    moved to another layer or neighbourhood)."""
    area = str(area or "").strip()
    if not area:
        return WardChoice()
    wards = definition.drop_duplicates("ward_code")
    by_code = {
        str(c).casefold(): (str(c), str(n), str(nb))
        for c, n, nb in zip(wards["ward_code"], wards["ward_name"], wards["neighbourhood_code"])
    }
    found = by_code.get(area.casefold())
    if found is None:
        notice = (
            f"The link asked to select the area “{_quoted(area)}”, which is not one of Manchester's wards "
            "(a ward code such as E05000689), so no ward is selected."
        )
        return WardChoice(notice=notice if from_link else None)
    code, name, ward_nbhd = found
    if layer != "wards":
        notice = (
            f"The link asked to select the ward {name} ({code}), but the map shows "
            f"{LAYERS.get(layer, (layer, layer))[1].lower()}, not wards, so no ward is selected."
        )
        return WardChoice(notice=notice if from_link else None)
    if ward_nbhd != nbhd:
        notice = (
            f"The link asked to select the ward {name} ({code}), which is in {ward_nbhd}, not in the selected "
            f"neighbourhood {nbhd}, so no ward is selected."
        )
        return WardChoice(notice=notice if from_link else None)
    return WardChoice(code=code, name=name, nbhd=ward_nbhd)


def ward_of_link(definition: pd.DataFrame, area: str | None) -> str | None:
    """The neighbourhood of the ward ``area`` names (None if it names no ward): a link with
    ``area=`` but no ``nbhd=`` selects the ward's neighbourhood."""
    area = str(area or "").strip().casefold()
    d = definition[definition["ward_code"].astype(str).str.casefold() == area]
    return None if d.empty or not area else str(d["neighbourhood_code"].iloc[0])


def moved_sentence(definition: pd.DataFrame, area: str) -> str:
    """What a link's ward does to the neighbourhood selected: "Ward X is in S3 · Name, so S3 is the
    selected neighbourhood." (the ward decides it, whatever the link's ``nbhd``)."""
    d = definition[definition["ward_code"].astype(str).str.casefold() == str(area).strip().casefold()]
    if d.empty:
        return ""
    r = d.iloc[0]
    return (
        f"Ward {r['ward_name']} is in {r['neighbourhood_code']} · {r['neighbourhood_name']}, so "
        f"{r['neighbourhood_code']} is the selected neighbourhood."
    )


def selected_sentence(
    choice: WardChoice,
    table: pd.DataFrame,
    m: Mapping,
    period: str,
    bench: str,
    threshold: int = DEFAULT_THRESHOLD,
) -> str:
    """ "Ward X selected" and its figure, in plain words (shown literally by the page): e.g.
    "Ward Baguley selected (E05000689, in S3): Bad health 7.2% in Census 2021,
    ▼ Worse than Manchester. Outlined on the map in black with white dashes." ``table`` is the map's
    :func:`lib.methods.indicators.area_table` of the wards."""
    if choice.code is None:
        return ""
    head = f"Ward {choice.name} selected ({choice.code}, in {choice.nbhd})"
    rows = table[table["area_code"].astype(str) == choice.code]
    if rows.empty:
        return f"{head}: it has no figure for {m['short_name']} in {period}. Outlined on the map in black with white dashes."
    r = rows.iloc[0]
    text = cell_text(
        r["value"], r.get("numerator"), None if is_missing(r.get("note")) else r.get("note"), dict(m), threshold
    )
    bench_name = BENCHMARKS[effective_benchmark(bench, "ward")]
    comparison = comparison_label(str(r.get("comparison") or "not_compared"), bench_name)
    return (
        f"{head}: {m['short_name']} {text} in {period}, {comparison}. Outlined on the map in black with white dashes."
    )
