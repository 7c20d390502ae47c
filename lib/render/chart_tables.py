"""The charts as tables: the table behind each chart (formatted text, plain column names), and
the spine and bars tables drawn as Fingertips draws its area profiles and *compare areas* view:
every figure as escaped text, with a small static picture (an SVG image) in each row's last cell.
A screen reader reads the figures; no chart library is loaded to draw them (pure: no Streamlit).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from lib.render.charts import BAND_GREY, CITY_COLOUR, COMPARISON_SHAPES, ENGLAND_COLOUR
from lib.render.format import COMPARISON_STYLE, format_interval, format_value
from lib.render.style import style
from lib.render.tables import TABLE_CSS, highlight_mark, row_start

#: The bar pictures of :func:`bars_table_html` (pixels); the spine graphic of :func:`spine_table_html`
#: is as wide as its column and :data:`SPINE_HEIGHT` high.
SPINE_WIDTH, SPINE_HEIGHT = 200, 24
#: Room at each end for a marker at ±1 (pixels).
SPINE_PAD = 8
SPINE_CSS = style("spine")


#: Where ±1.05 (the spine's ends) sit in :func:`spine_svg`'s width, in per cent either side of
#: England's 50%: the rest is room for a marker (7 px) at ±1 in a cell of 200 px or more.
SPINE_HALF_PCT = 46.0


def spine_pct(v: float) -> float:
    """Where a scaled spine value (-1.05..1.05, England 0) sits across the spine graphic, in per cent."""
    return round(50.0 + float(v) / 1.05 * SPINE_HALF_PCT, 2)


def _marker_shape(word: str, mark_id: str) -> str:
    """The neighbourhood's marker centred on (0, 0), with ``id`` ``mark_id``: the comparison's
    colour and shape (as on the chart's legend)."""
    fill = COMPARISON_STYLE.get(word, COMPARISON_STYLE["not_compared"])[1]
    shape = COMPARISON_SHAPES.get(word, "square")
    r = 7
    common = f'id="{mark_id}" fill="{fill}" stroke="#000000" stroke-width="1"'
    if shape == "triangle-up":
        return f'<polygon {common} points="0,{-r} {-r},{r * 0.8} {r},{r * 0.8}"/>'
    if shape == "triangle-down":
        return f'<polygon {common} points="0,{r} {-r},{-r * 0.8} {r},{-r * 0.8}"/>'
    if shape == "circle":
        return f'<circle {common} cx="0" cy="0" r="{r - 1}"/>'
    return f'<rect {common} x="{-r + 1.5}" y="{-r + 1.5}" width="{2 * r - 3}" height="{2 * r - 3}"/>'


def spine_svg(row: dict) -> str:
    """One row's spine graphic (an SVG document as wide as its cell): the 12 neighbourhoods'
    range as a grey band, England as a black line in the middle, Manchester as a grey diamond and
    the neighbourhood as its comparison's marker. Better is to the right. Positions are per cent
    of the width (:func:`spine_pct`) and the shapes are drawn at their own size, so the graphic
    widens with its column without stretching the markers."""
    y = SPINE_HEIGHT / 2
    lo, hi = spine_pct(row["band_lo"]), spine_pct(row["band_hi"])
    cx, nx = spine_pct(row["scaled_city"]), spine_pct(row["scaled"])
    d = 6
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="{SPINE_HEIGHT}">'
        f'<defs><polygon id="city" points="0,{-d} {d},0 0,{d} {-d},0" fill="{CITY_COLOUR}" stroke="#FFFFFF" stroke-width="1"/>'
        f"{_marker_shape(str(row['comparison']), 'mark')}</defs>"
        f'<rect x="{lo}%" y="{y - 7}" width="{round(max(hi - lo, 0.5), 2)}%" height="14" fill="{BAND_GREY}"/>'
        f'<line x1="50%" y1="1" x2="50%" y2="{SPINE_HEIGHT - 1}" stroke="{ENGLAND_COLOUR}" stroke-width="2"/>'
        f'<use href="#city" x="{cx}%" y="{y}"/><use href="#mark" x="{nx}%" y="{y}"/></svg>'
    )


def spine_image(row: dict) -> str:
    """:func:`spine_svg` as an image as wide as its cell (``alt=""``: decorative, the row holds its
    figures as text). An image because the app's HTML is sanitised, and inline SVG does not
    survive that."""
    data = base64.b64encode(spine_svg(row).encode("utf-8")).decode("ascii")
    return f'<img src="data:image/svg+xml;base64,{data}" class="np-spine-pic" height="{SPINE_HEIGHT}" alt="">'


def _svg_image(svg: str) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img src="data:image/svg+xml;base64,{data}" width="{SPINE_WIDTH}" height="{SPINE_HEIGHT}" alt="">'


def _picture_table(caption: str, head: str, rows: list[str], table_class: str = "") -> str:
    """The table of :func:`spine_table_html` and :func:`bars_table_html`: a named, focusable region."""
    label = html.escape(caption, quote=True)
    cls = f' class="{table_class}"' if table_class else ""
    return (
        f'{TABLE_CSS}{SPINE_CSS}<div class="np-table np-spine" role="region" aria-label="{label}" tabindex="0">'
        f"<table{cls}><caption>{label}</caption><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def spine_table_html(
    df: pd.DataFrame, area_name: str, bench_name: str, caption: str, rest_name: str | None = None, n_nbhd: int = 12
) -> str:
    """The spine chart as Fingertips draws its area profiles: a table, one row per indicator of
    :func:`spine_data`, with the figures as text (the neighbourhood, Manchester, England, the range
    of the 12 and the comparison with ``bench_name`` in words and symbol) and the spine graphic
    (:func:`spine_image`) in its last column. Every text is escaped; the graphic holds numbers only.
    A screen reader reads the figures; a sighted reader sees them and the picture together.
    With ``rest_name`` (the benchmark is the rest of Manchester), a column of the rest of
    Manchester's figures, so headed, after Manchester's. ``n_nbhd``: how many neighbourhoods the
    grouping in use has (the range is theirs)."""
    e = html.escape
    rest = rest_name is not None and "rest_text" in df.columns
    head = ["Indicator", "Period", area_name, "Manchester", *([rest_name] if rest else []), "England"]
    head += [f"Range of the {n_nbhd}", f"Compared with {bench_name}"]
    nums = (2, 3, 4, 5) if rest else (2, 3, 4)
    num = ' class="num"'
    cells = "".join(f'<th scope="col"{num if i in nums else ""}>{e(str(h))}</th>' for i, h in enumerate(head))
    cells += '<th scope="col" class="np-spine-cell np-spine-wide">Worse ← England → Better</th>'
    rows = []
    for r in df.to_dict("records"):
        rest_cell = f'<td class="num">{e(str(r["rest_text"]))}</td>' if rest else ""
        rows.append(
            "<tr>"
            f'<th scope="row">{e(str(r["short_name"]))}</th><td>{e(str(r["period"]))}</td>'
            f'<td class="num">{e(str(r["value_text"]))}</td><td class="num">{e(str(r["manchester_text"]))}</td>'
            f'{rest_cell}<td class="num">{e(str(r["england_text"]))}</td><td>{e(str(r["range_text"]))}</td>'
            f'<td>{e(str(r["comparison_text"]))}</td><td class="np-spine-cell np-spine-wide">{spine_image(r)}</td>'
            "</tr>"
        )
    return _picture_table(caption, cells, rows, "np-spine-fluid")


# --------------------------------------------------------------------------- tables behind the compare charts


def bar_table(
    df: pd.DataFrame,
    england: float,
    manchester: float,
    m: dict,
    bench_name: str,
    level_label: str = "95%",
    counts: pd.Series | None = None,
) -> pd.DataFrame:
    """The table behind :func:`comparison_bars` (formatted text, plain column names)."""
    out = pd.DataFrame(
        {
            "Neighbourhood": [lbl.split(" ", 1)[1] for lbl in df["label"]],
            f"Value ({m['unit']})": df["value_text"],
            f"{level_label} confidence interval": df["interval_text"],
            f"Compared with {bench_name}": df["comparison_text"],
            "Manchester": format_value(manchester, m),
            "England": format_value(england, m),
        }
    )
    if counts is not None:
        out.insert(3, "Count", list(counts))
    return out


def bar_scale(df: pd.DataFrame, england: float, manchester: float) -> tuple[float, float]:
    """The value range the bar pictures of :func:`bars_table_html` share: from 0 (or the lowest
    value, interval or benchmark, if below 0) to the highest, with 5% room."""
    vals = pd.concat([df["value"], df["lower"], df["upper"], pd.Series([england, manchester], dtype=float)]).dropna()
    lo, hi = min(0.0, float(vals.min())) if len(vals) else 0.0, max(0.0, float(vals.max())) if len(vals) else 1.0
    span = (hi - lo) or 1.0
    return (lo - 0.05 * span if lo < 0 else 0.0), hi + 0.05 * span


def bar_svg(row: dict, scale: tuple[float, float], england: float, manchester: float) -> str:
    """One neighbourhood's bar (an SVG document): the value as a bar in its comparison's colour from
    0, its interval as a black whisker, England as a solid line and Manchester as a dashed one."""
    lo, hi = scale

    def x(v: float) -> float:
        return round(SPINE_PAD + (float(v) - lo) / (hi - lo) * (SPINE_WIDTH - 2 * SPINE_PAD), 1)

    y, h = SPINE_HEIGHT / 2, SPINE_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SPINE_WIDTH}" height="{h}" viewBox="0 0 {SPINE_WIDTH} {h}">'
    ]
    if pd.notna(row["value"]):
        x0, x1 = sorted((x(0.0), x(row["value"])))
        fill = COMPARISON_STYLE.get(str(row["comparison"]), COMPARISON_STYLE["not_compared"])[1]
        parts.append(
            f'<rect x="{x0}" y="{y - 7}" width="{max(x1 - x0, 1)}" height="14" fill="{fill}" stroke="#000000" stroke-width="0.5"/>'
        )
    if pd.notna(row["lower"]) and pd.notna(row["upper"]):
        a, b = x(row["lower"]), x(row["upper"])
        parts.append(
            f'<path d="M{a},{y} H{b} M{a},{y - 5} V{y + 5} M{b},{y - 5} V{y + 5}" stroke="#000000" stroke-width="1.5" fill="none"/>'
        )
    if pd.notna(england):
        parts.append(
            f'<line x1="{x(england)}" y1="0" x2="{x(england)}" y2="{h}" stroke="{ENGLAND_COLOUR}" stroke-width="2"/>'
        )
    if pd.notna(manchester):
        parts.append(
            f'<line x1="{x(manchester)}" y1="0" x2="{x(manchester)}" y2="{h}" stroke="{ENGLAND_COLOUR}" stroke-width="2" stroke-dasharray="4 3"/>'
        )
    return "".join(parts) + "</svg>"


def bars_table_html(
    df: pd.DataFrame,
    england: float,
    manchester: float,
    m: dict,
    bench_name: str,
    caption: str,
    level_label: str = "95%",
    counts: pd.Series | None = None,
    selected: str | None = None,
) -> str:
    """:func:`comparison_bars` as Fingertips draws its *compare areas* view: the table of
    :func:`bar_table` (every figure as text, escaped) with each neighbourhood's bar, interval and
    the England (solid) and Manchester (dashed) lines drawn as a small picture in its last column.
    The ``selected`` neighbourhood's row (an area code) is highlighted and says "(selected)"."""
    e = html.escape
    shown = bar_table(df, england, manchester, m, bench_name, level_label, counts=counts).drop(
        columns=["Manchester", "England"]
    )
    scale = bar_scale(df, england, manchester)
    num = {f"Value ({m['unit']})", "Count"}
    right = ' class="num"'
    head = "".join(f'<th scope="col"{right if c in num else ""}>{e(str(c))}</th>' for c in shown.columns)
    head += (
        f'<th scope="col" class="np-spine-cell">England {e(format_value(england, m))} (solid line)<br>'
        f"Manchester {e(format_value(manchester, m))} (dashed line)</th>"
    )
    rows = []
    for (_, r), (_, t) in zip(df.iterrows(), shown.iterrows()):
        marked = selected is not None and r["area_code"] == selected
        cells = [f'<th scope="row">{e(str(t.iloc[0]))}{highlight_mark("selected") if marked else ""}</th>']
        for col, value in list(t.items())[1:]:
            cls = ' class="num"' if col in num else ' class="np-nowrap"'
            cells.append(f"<td{cls}>{e(str(value))}</td>")
        cells.append(f'<td class="np-spine-cell">{_svg_image(bar_svg(r.to_dict(), scale, england, manchester))}</td>')
        rows.append(row_start(marked) + "".join(cells) + "</tr>")
    return _picture_table(caption, head, rows)


def funnel_table(
    points: pd.DataFrame, limits: pd.DataFrame, m: dict, bench_name: str, area_label: str = "Neighbourhood"
) -> pd.DataFrame:
    """The table behind :func:`funnel_chart`: each area (``area_label``: neighbourhoods, or a
    neighbourhood's practices) with its own 95% and 99.8% control limits (at its denominator)."""
    rows = []
    for _, r in points.iterrows():
        rec = {
            "Code": r["area_code"],
            area_label: r["area_name"],
            "Denominator": f"{r['denominator']:,.0f}",
            "Value": format_value(r["value"], m),
        }
        for lvl in ("95%", "99.8%"):
            lim = limits[limits["level"] == lvl]
            lo = float(np.interp(r["denominator"], lim["n"], lim["lower"]))
            hi = float(np.interp(r["denominator"], lim["n"], lim["upper"]))
            rec[f"{lvl} control limits"] = format_interval(lo, hi, m)
        rec[f"Compared with {bench_name}"] = r["comparison_text"]
        rows.append(rec)
    return pd.DataFrame(rows)


def trend_table(df: pd.DataFrame, m: dict, level_label: str = "95%") -> pd.DataFrame:
    """The table behind :func:`trend_chart`: one row per period, one column per area."""
    wide = df.pivot_table(index="period", columns="series", values="value_text", aggfunc="first", sort=True)
    names = list(
        dict.fromkeys(
            df.sort_values("area_type", key=lambda s: s.map({"neighbourhood": 0, "city": 1, "england": 2}))["series"]
        )
    )
    wide = wide[[n for n in names if n in wide.columns]].reset_index().rename(columns={"period": "Period"})
    nb = df[df["area_type"] == "neighbourhood"].set_index("period")
    if len(nb):
        wide.insert(
            2,
            f"{names[0]}: {level_label} interval",
            [format_interval(nb["lower"].get(p), nb["upper"].get(p), m) for p in wide["Period"]],
        )
    return wide


# --------------------------------------------------------------------------- the tartan rug

RUG_CSS = style("rug")


def tartan_html(
    df: pd.DataFrame,
    caption: str,
    header_codes: bool | Collection[str] = True,
    links: Mapping[str, str] | None = None,
) -> str:
    """The tartan rug as a table (:func:`lib.views.compare.tartan_data` rows): one row per
    indicator (its name and period, a row header that stays in view when the rug scrolls
    sideways), the neighbourhoods as columns headed by code and name and grouped under their
    locality, then Manchester and England (their values). Each neighbourhood's cell shows its value
    and comparison symbol on its comparison's colour (never colour alone). The rug scrolls inside
    its own region, so a phone's page stays its own width. Every text is escaped.

    The same table draws a neighbourhood's wards (:func:`lib.views.ward_grid.ward_grid` rows):
    ``header_codes`` says which columns' headers show their code (True: all; a collection: those
    codes only, e.g. the neighbourhood's and not its wards' long ONS codes); ``links`` maps a
    column's code to an address its header links to; and rows with an ``href`` make their cell a
    link (named by ``href_label``, which begins with the cell's own text)."""
    e = html.escape
    label = e(caption, quote=True)
    if df.empty:
        return f'{TABLE_CSS}<div class="np-table" role="region" aria-label="{label}" tabindex="0"><p>No indicators to show.</p></div>'
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, name, loc in df.drop_duplicates("area_code")[["area_code", "area_name", "locality"]].itertuples(
        index=False
    ):
        groups.setdefault(str(loc), []).append((str(code), str(name)))
    first_of_group = {codes[0][0] for codes in groups.values()}
    top = ['<td aria-hidden="true"></td>'] + [
        f'<th scope="colgroup" colspan="{len(codes)}" class="np-rug-group np-rug-start">{e(loc or "Neighbourhoods")}</th>'
        for loc, codes in groups.items()
    ]
    top.append('<th scope="colgroup" colspan="2" class="np-rug-group np-rug-start">Benchmarks</th>')
    order = [c for codes in groups.values() for c, _ in codes]
    names = {c: n for codes in groups.values() for c, n in codes}

    def start(code: str) -> str:
        return ' class="np-rug-start"' if code in first_of_group else ""

    def header(code: str) -> str:
        shown = header_codes is True or (not isinstance(header_codes, bool) and code in header_codes)
        name = e(names[code])
        if links and links.get(code):
            name = f'<a href="{e(links[code], quote=True)}" target="_self">{name}</a>'
        return f"<b>{e(code)}</b> {name}" if shown else name

    second = ['<th scope="col">Indicator (period)</th>'] + [
        f'<th scope="col"{start(c)}>{header(c)}</th>' for c in order
    ]
    second += ['<th scope="col" class="np-rug-start">Manchester</th>', '<th scope="col">England</th>']
    cells = df.set_index(["indicator_id", "area_code"])
    rows = []
    for ind, g in df.groupby("indicator_id", sort=False):
        r0 = g.iloc[0]
        tds = [
            f'<th scope="row">{e(str(r0["short_name"]))}<span class="np-rug-period"> ({e(str(r0["period"]))})</span></th>'
        ]
        for c in order:
            if (ind, c) not in cells.index:
                tds.append(f"<td{start(c)}>–</td>")
                continue
            cell = cells.loc[(ind, c)]
            text = e(str(cell["text"]))
            href = cell.get("href")
            if isinstance(href, str) and href:
                link_name = e(str(cell.get("href_label") or cell["text"]), quote=True)
                text = f'<a href="{e(href, quote=True)}" target="_self" aria-label="{link_name}">{text}</a>'
            tds.append(
                f'<td{start(c)} style="background: {e(str(cell["fill"]))}; color: {e(str(cell["text_colour"]))};">'
                f"{text}</td>"
            )
        tds.append(f'<td class="np-rug-bench np-rug-start">{e(str(r0["manchester_text"]))}</td>')
        tds.append(f'<td class="np-rug-bench">{e(str(r0["england_text"]))}</td>')
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return (
        f'{TABLE_CSS}{RUG_CSS}<div class="np-table np-rug" role="region" aria-label="{label}" tabindex="0">'
        f"<table><caption>{label}</caption><thead><tr>{''.join(top)}</tr><tr>{''.join(second)}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def trend_test_table(tests: pd.DataFrame) -> pd.DataFrame:
    """The recent-trend results (:func:`lib.views.compare.trend_tests`) as people read them."""
    return pd.DataFrame(
        {
            "Area": tests["area_name"],
            "Recent trend": tests["recent_trend"],
            "Points tested": tests["periods_tested"],
            "Chi-squared (1 df)": [("" if pd.isna(x) else f"{x:.2f}") for x in tests["chi_squared"]],
            "p-value": [("" if pd.isna(x) else (f"{x:.4f}" if x >= 0.0001 else "<0.0001")) for x in tests["p_value"]],
        }
    )
