"""Which ward drives it: inside one neighbourhood, a ward × indicator grid (the profile's view
"Its wards, every indicator"), shaped like the board's tartan rug
(:func:`lib.views.compare.tartan_data`) so :func:`lib.render.chart_tables.tartan_html` draws it.

The columns are the neighbourhood itself, then its wards (by name), then Manchester and England.
Each indicator with ward values is shown in its latest period with ward values; each ward is
compared with the selection's benchmark as the map compares wards
(:func:`lib.views.map.effective_benchmark`: the rest of Manchester exists for neighbourhoods only,
so wards are then compared with Manchester), the neighbourhood with the benchmark itself. A cell
whose figure is hidden says why: too few to show (disclosure control, at the dataset's threshold)
or withheld at source. Each ward cell links to that ward on the Map page.

Pure functions (no Streamlit).
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd

from lib.core.data import Dataset
from lib.core.disclosure import LOWER_BOUND, TOO_FEW, blank_count_reason, too_few
from lib.core.selection import BENCHMARK_PHRASES, CONFIDENCE
from lib.methods.indicators import comparison_frame, meta
from lib.render.charts import comparison_text
from lib.render.format import COMPARISON_STYLE, format_value, is_missing
from lib.views.map import effective_benchmark

#: The column groups: the neighbourhood's own value, and its wards.
NEIGHBOURHOOD_GROUP = "Neighbourhood"
WARDS_GROUP = "Its wards"


def ward_codes(ds: Dataset, nbhd: str) -> list[tuple[str, str]]:
    """The neighbourhood's wards from the definition in force: (code, name), by name."""
    d = ds.definition[ds.definition["neighbourhood_code"].astype(str) == str(nbhd)]
    pairs = {str(c): str(n) for c, n in zip(d["ward_code"], d["ward_name"])}
    return sorted(pairs.items(), key=lambda cn: (cn[1].casefold(), cn[0]))


def grid_indicators(ds: Dataset) -> list[tuple[str, str]]:
    """Every indicator with ward values, with its latest period that has them (catalogue order)."""
    wards = ds.values[ds.values["area_type"] == "ward"]
    latest = wards.assign(period=wards["period"].astype(str)).groupby("indicator_id")["period"].max()
    return [(str(ind), str(latest[ind])) for ind in ds.indicators["indicator_id"] if ind in latest.index]


def cell_text(value: object, numerator: object, note: object, m: dict, threshold: int) -> str:
    """A grid cell's figure as shown: the value; "too few to show" or "withheld at source" where
    the figure is blank for that reason (or a count, e.g. expected cases, is below ``threshold``);
    "at least …" for a total whose withheld parts are counted as 0; "–" where there is none."""
    if is_missing(value):
        return blank_count_reason(None, note) or "–"
    if m.get("value_type") == "count" and bool(too_few(float(value), threshold)):
        return TOO_FEW
    text = format_value(value, m)
    if isinstance(note, str) and note.startswith(LOWER_BOUND):
        return f"at least {text}"
    return text


def map_link(ward: str, nbhd: str, indicator_id: str, period: str, benchmark: str, level: str) -> str:
    """The address (relative to the app's pages) of the Map page opened on ``ward``: its wards
    layer, zoomed to that ward and outlined, showing ``indicator_id`` in ``period`` with the
    selection's neighbourhood, benchmark and confidence level (``area=`` in
    :data:`lib.web.urlstate.PARAMETERS`)."""
    params = {
        "nbhd": nbhd,
        "ind": indicator_id,
        "period": period,
        "bench": benchmark,
        "level": level,
        "layer": "wards",
        "area": ward,
    }
    return "map?" + urlencode(params)


def ward_grid(ds: Dataset, nbhd: str, benchmark: str = "england", level: str = "95") -> pd.DataFrame:
    """The grid's rows, one per indicator × column area (the neighbourhood, then its wards by
    name), in the shape of :func:`lib.views.compare.tartan_data` (``locality`` holds the column
    group: :data:`NEIGHBOURHOOD_GROUP` or :data:`WARDS_GROUP`), plus ``area_type`` (neighbourhood
    or ward), ``numerator, note`` (the row's count and note in values.csv), ``benchmark`` (the one
    the cell is compared with) and ``href`` / ``href_label`` (for a ward: its link to the Map page,
    :func:`map_link`, and the link's accessible name; blank for the neighbourhood).

    Figures are for residents (wards have no registered patients). Counts below ``ds.threshold``
    are shown as too few (:func:`cell_text`)."""
    wards = ward_codes(ds, nbhd)
    codes = [c for c, _ in wards]
    ward_names = dict(wards)
    nb_rows = ds.definition[ds.definition["neighbourhood_code"].astype(str) == str(nbhd)]
    nb_name = str(nb_rows["neighbourhood_name"].iloc[0]) if len(nb_rows) else str(nbhd)
    ward_bench = effective_benchmark(benchmark, "ward")
    keys = pd.DataFrame(grid_indicators(ds), columns=["indicator_id", "period"])
    v = ds.values.assign(period=ds.values["period"].astype(str)).merge(keys, on=["indicator_id", "period"])
    # every indicator and period at once (as the profile does): one comparison of the wards, one of the neighbourhood
    all_wards = comparison_frame(v, ds.indicators, "ward", ward_bench, level)
    all_wards = all_wards[all_wards["area_code"].astype(str).isin(codes)].drop_duplicates(["indicator_id", "area_code"])
    all_nb = comparison_frame(v, ds.indicators, "neighbourhood", benchmark, level)
    all_nb = all_nb[all_nb["area_code"].astype(str) == str(nbhd)]
    bench_values = v[v["area_type"].isin(["city", "england"])].drop_duplicates(["indicator_id", "area_type"])
    bench_values = bench_values.set_index(["indicator_id", "area_type"])["value"]
    rows = []
    for ind, period in keys.itertuples(index=False):
        m = meta(ds.indicators, ind)
        wt = all_wards[all_wards["indicator_id"] == ind].set_index("area_code")
        nt = all_nb[all_nb["indicator_id"] == ind]
        if not any(c in wt.index for c in codes) and nt.empty:
            continue
        manchester = bench_values.get((ind, "city"), float("nan"))
        england = bench_values.get((ind, "england"), float("nan"))
        columns: list[tuple[str, str, str, pd.Series | None, str]] = [
            (
                str(nbhd),
                nb_name,
                "neighbourhood",
                nt.iloc[0] if len(nt) else None,
                benchmark,
            )
        ]
        columns += [(c, ward_names[c], "ward", wt.loc[c] if c in wt.index else None, ward_bench) for c in codes]
        for code, name, area_type, r, bench in columns:
            w = "not_compared" if r is None or is_missing(r["comparison"]) else str(r["comparison"])
            style = COMPARISON_STYLE.get(w, COMPARISON_STYLE["not_compared"])
            value = r["value"] if r is not None else float("nan")
            numerator = r["numerator"] if r is not None else float("nan")
            note = r.get("note") if r is not None else None
            note = None if is_missing(note) else str(note)
            text = cell_text(value, numerator, note, m, ds.threshold)
            href = map_link(code, nbhd, ind, period, benchmark, level) if area_type == "ward" else ""
            rows.append(
                {
                    "indicator_id": ind,
                    "short_name": m["short_name"],
                    "period": period,
                    "area_code": code,
                    "area_name": name,
                    "area_label": f"{code} {name}",
                    "area_type": area_type,
                    "locality": NEIGHBOURHOOD_GROUP if area_type == "neighbourhood" else WARDS_GROUP,
                    "value": value,
                    "numerator": numerator,
                    "note": note,
                    "benchmark": bench,
                    "comparison": w,
                    "comparison_text": comparison_text(w),
                    "text": f"{text} {style[0]}",
                    "fill": style[1],
                    "text_colour": style[2],
                    "ci_method": m["ci_method"],
                    "status": m["status"],
                    "manchester": manchester,
                    "england": england,
                    "manchester_text": format_value(manchester, m),
                    "england_text": format_value(england, m),
                    "href": href,
                    "href_label": f"{text} {style[0]} {style[3]}: open {name} on the map, {m['short_name']}"
                    if href
                    else "",
                }
            )
    return pd.DataFrame(rows)


def download_rows(ds: Dataset, df: pd.DataFrame) -> pd.DataFrame:
    """The value rows behind the grid shown (its wards, the neighbourhood, Manchester and England,
    each indicator's period), for its analysis-ready download."""
    if df.empty:
        return df
    keys = df[["indicator_id", "period"]].drop_duplicates()
    areas = set(df["area_code"].astype(str))
    v = ds.values
    v = v[
        v["area_type"].isin(["city", "england"])
        | (v["area_type"].isin(["ward", "neighbourhood"]) & v["area_code"].astype(str).isin(areas))
    ]
    v = v.assign(period=v["period"].astype(str)).merge(keys, on=["indicator_id", "period"])
    return v[["indicator_id", "period", "area_type", "area_code"]].reset_index(drop=True)


def header_links(df: pd.DataFrame, nbhd: str, indicator_id: str, benchmark: str, level: str) -> dict[str, str]:
    """Each ward column's header link (:func:`map_link`): that ward on the map, showing
    ``indicator_id`` (the wards view's indicator) if the grid has it, else the grid's first."""
    if df.empty:
        return {}
    ind = indicator_id if indicator_id in set(df["indicator_id"]) else str(df["indicator_id"].iloc[0])
    period = str(df.loc[df["indicator_id"] == ind, "period"].iloc[0])
    wards = df.loc[df["area_type"] == "ward", "area_code"].drop_duplicates()
    return {str(c): map_link(str(c), nbhd, ind, period, benchmark, level) for c in wards}


def grid_sentence(nbhd_name: str, benchmark: str, level: str) -> str:
    """How to read the grid, in plain words (markdown-free: the page shows it literally)."""
    ward_bench = BENCHMARK_PHRASES[effective_benchmark(benchmark, "ward")]
    s = (
        f"Rows: every indicator with ward figures, in its latest period. Columns: {nbhd_name}, then each of its "
        f"wards. Each cell is coloured and marked by its comparison with {ward_bench} at "
        f"{CONFIDENCE.get(level, level)} confidence: ▲ better, ● similar, ▼ worse, ○ not compared. The last two "
        "columns are Manchester's and England's values."
    )
    if effective_benchmark(benchmark, "ward") != benchmark:
        s += (
            f" The rest of Manchester is defined for neighbourhoods only, so the wards are compared with Manchester "
            f"and {nbhd_name} with {BENCHMARK_PHRASES[benchmark]}."
        )
    return s
