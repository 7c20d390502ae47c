"""Presentation mode: a guided, full-screen sequence for one neighbourhood (map → board summary
and spine chart → compare → risk cohorts → activity shift), large type for a projector.

Each step is its own URL (``?present=1&step=<id>&nbhd=..&bench=..&level=..``). Next/previous:
the buttons, the arrow keys, and PageDown/PageUp (what presentation clickers send).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.core import disclosure
from lib.core.data import DataFileError
from lib.core.selection import BENCHMARKS, CONFIDENCE
from lib.core.wording import neighbourhood_count
from lib.exports.story import ActivitySplit
from lib.methods import apportion
from lib.methods.indicators import area_table, meta
from lib.render import charts, maps
from lib.render import spine as spines
from lib.render.activity_charts import shares_chart
from lib.render.format import (
    STATUS_BADGE,
    comparison_label,
    format_count,
    format_value,
    md_text,
    population_text,
    source_text,
)
from lib.views import cohorts, compare
from lib.views import map as mapview
from lib.views import present as present_mode
from lib.views import risk_pyramid as riskpyramid
from pages.shared import app_frame, caching, export_buttons, presenting, session_data, widgets

MODELLED = STATUS_BADGE["modelled"]
#: The GP registers shown on the cohorts step in the registered lens.
KEY_REGISTERS = ("reg_age_75plus", "reg_age_85plus", "reg_pc", "reg_dem", "reg_mh", "reg_ld", "reg_dep")
#: The cohort figures shown on the cohorts step (those present with neighbourhood values).
KEY_COHORT_FIGURES = (
    "population_age_65plus",
    "population_age_85plus",
    "expected_dementia",
    "expected_smi",
    "expected_learning_disability",
    "expected_depression",
)


def _go(step_id: str) -> None:
    st.query_params["step"] = step_id


presenting.present_css()


@app_frame.page_fragment
def presentation() -> None:
    """The step and its navigation, as a fragment: *Next* and *Previous* (buttons, keys, clickers)
    rerun only this, not the router and the frame (the step is in the URL)."""
    sel = app_frame.frame_state()
    ds = session_data.dataset()  # residents: the cohorts and activity steps
    lens = session_data.lens_dataset(sel.population)  # the lens chosen: the map, summary and compare steps
    names = session_data.neighbourhood_names()
    nbhd, bench, level = sel.nbhd, sel.bench, sel.level
    name = names[nbhd]
    bench_name, level_label = BENCHMARKS[bench], CONFIDENCE[level]
    #: One weighting for every apportioned figure on the slides (the cohorts and activity steps).
    method = present_mode.weighting(st.query_params.get("method"))

    raw_step = st.query_params.get("step")
    current = raw_step if raw_step in present_mode.STEP_IDS else present_mode.STEP_IDS[0]
    if raw_step is not None and raw_step not in present_mode.STEP_IDS:
        shown = "".join(ch for ch in str(raw_step) if ch.isprintable())[:40]
        st.warning(
            f"There is no presentation step “{md_text(shown)}”; showing the first step instead.",
            icon=":material/link_off:",
        )
    st.query_params["present"] = "1"
    st.query_params["step"] = current
    if "method" in st.query_params and st.query_params["method"] != method:
        st.query_params["method"] = method  # an unknown weighting in the link: the default, said on the steps

    def chart(
        spec: dict, alt_text: str, height_scale: float = 1.3, width: str = "full", max_height: int | None = None
    ) -> None:
        """A chart spec (from ``caching.chart_spec``), restyled for the projector, ``width`` one of
        ``present_mode.CHART_WIDTH``, at most ``max_height`` pixels tall (legend and axes included)."""
        spec = present_mode.projector_spec(spec, height_scale)
        if max_height:
            present_mode.cap_height(spec, max_height)
        presenting.show_chart(spec, alt_text, present_mode.CHART_WIDTH[width])

    def source_line(m: dict, period: str) -> None:
        """The source line, with only an estimate's status in bold (what a projector should catch)."""
        st.caption(source_text(m, period, bold_status=m["status"] == "modelled"))

    # --- header: where we are, and the way on
    first, last = current == present_mode.STEP_IDS[0], current == present_mode.STEP_IDS[-1]
    nav = st.columns([1.2, 3.9, 1.2, 1.3, 1.6], vertical_alignment="center")
    nav[0].button(
        "◀ Previous",
        key="np_prev",
        shortcut=present_mode.PREV_KEY,
        disabled=first,
        width="stretch",
        on_click=_go,
        args=(present_mode.prev_step(current),),
        help="Previous step (← key or PageUp)",
    )
    nav[1].markdown(
        f"**{present_mode.step_label(current)}** · {md_text(nbhd)}" + (f" · {sel.lens_label}" if sel.registered else "")
    )
    nav[2].button(
        "Next ▶",
        key="np_next",
        shortcut=present_mode.NEXT_KEY,
        disabled=last,
        width="stretch",
        type="primary",
        on_click=_go,
        args=(present_mode.next_step(current),),
        help="Next step (→ key or PageDown)",
    )
    with nav[3].popover(
        "Take away",
        icon=":material/download:",
        width="stretch",
        help=f"{md_text(name)}'s slide deck (PowerPoint) and one-page PDF",
    ):
        st.markdown(f"**{md_text(nbhd)} · {md_text(name)}**, to hand out or send after the meeting:")
        try:  # the deck's activity slide as the room saw it (no targets file: each target's own driver, said)
            targets = session_data.seed("activity_targets_2020_21")
            split = caching.computed(present_mode.pyramid_and_shares, ds, targets, method)[1]
            activity = ActivitySplit(split, method, str(split["method"].iloc[0]))
        except DataFileError:
            activity = None
        export_buttons.export_neighbourhood_buttons(sel, activity)
    with nav[4]:
        st.page_link(
            "pages/profile.py",
            label="Exit presentation",
            icon=":material/close:",
            query_params=sel.params(),
        )
    with st.container(key="np_clicker"):  # hidden: presentation clickers send PageDown / PageUp
        st.button(
            "Next (clicker)",
            key="np_next_clicker",
            shortcut=present_mode.CLICKER_NEXT_KEY,
            disabled=last,
            on_click=_go,
            args=(present_mode.next_step(current),),
        )
        st.button(
            "Previous (clicker)",
            key="np_prev_clicker",
            shortcut=present_mode.CLICKER_PREV_KEY,
            disabled=first,
            on_click=_go,
            args=(present_mode.prev_step(current),),
        )

    table = caching.profile_table(lens, sel)
    key_ind = caching.per_selection(  # once per selection, shared
        lens, sel, "present.key_indicator", lambda: present_mode.key_indicator(lens, nbhd, level=level, table=table)
    )
    km = meta(lens.indicators, key_ind)
    key_period = str(table.loc[table["indicator_id"] == key_ind, "period"].iloc[0])

    def _lower_first(text: str) -> str:
        """'▼ Worse than England' -> '▼ worse than England' (names keep their capitals)."""
        head, _, rest = text.partition(" ")
        return f"{head} {rest[:1].lower()}{rest[1:]}" if rest else text.lower()

    def key_sentence() -> str:
        r = table[table["indicator_id"] == key_ind].iloc[0]
        return (
            f"**{md_text(km['name'])}** ({md_text(key_period)}): **{format_value(r['value'], km)}** in {md_text(name)}, against "
            f"{format_value(r['manchester'], km)} in Manchester and {format_value(r['england'], km)} in England: "
            f"**{_lower_first(comparison_label(r['vs_bench'], bench_name))}**."
        )

    # --- the steps
    if current == "map":
        st.title(f"{md_text(nbhd)} · {md_text(name)}: where it is")
        ctable = caching.computed(area_table, lens, key_ind, key_period, "neighbourhood", bench, level)
        ctable = mapview.sort_areas(ctable, list(names))
        legend = mapview.legend_items(
            "comparison", ctable, km, bench, "neighbourhood"
        )  # the key, with or without the map
        left, right = st.columns([3, 2], gap="large")
        with left, session_data.needs_data():  # without the boundary file, a message replaces the map
            fmap = mapview.neighbourhood_map(
                session_data.geojson("neighbourhoods"), ctable, km, sel, threshold=lens.threshold, height=640
            ).fmap
            present_mode.enlarge_map(fmap)
            widgets.interactive_map(fmap, "present_map", 640, [])
        with right:
            st.markdown(
                f"Manchester's {neighbourhood_count(lens.definition)} neighbourhoods on the most notable indicator for {md_text(name)}, coloured by comparison "
                f"with **{bench_name}** ({level_label} confidence). **{md_text(nbhd)}** has the thick black outline."
            )
            st.markdown(key_sentence())
            if sel.registered:
                st.markdown(population_text(sel.population))
            st.markdown("**Key:** " + maps.legend_text(legend))
            source_line(km, key_period)
            st.caption(maps.ATTRIBUTION + ". Neighbourhoods: best-fit groups of 2004–2018 wards.")
        st.caption(
            f"Why this indicator: of the figures that can be tested, it is the one where {md_text(name)} is furthest from England "
            "(scaled as on the spine chart), preferring a significant difference. The table is on the Map page."
        )

    elif current == "profile":
        st.title(
            f"{md_text(nbhd)} · {md_text(name)}: board summary" + (" (registered patients)" if sel.registered else "")
        )
        left, right = st.columns([2, 3], gap="large")
        with left:
            bullets, estimates = present_mode.summary_for_slide(caching.profile_parts(lens, sel)[1])
            st.markdown("\n".join(f"- {md_text(s)}" for s in bullets))  # plain sentences
        with right:
            spine = caching.pure(spines.spine_data, table[table["ci_method"] != "none"])
            st.markdown("**Tested indicators against England** (better to the right)")
            chart(
                caching.per_selection(  # the spec once per selection, shared
                    lens,
                    sel,
                    "present.spine_spec",
                    lambda: spines.spine_spec(spine, area_name=name, bench_name=bench_name),
                ),
                f"Spine chart: each indicator for {name} against England, Manchester and the range of the neighbourhoods.",
                1.25,
                "wide",
                max_height=700,  # 21 GP registers in the registered lens: still a row per label
            )
        st.caption(
            f"Dot: {md_text(name)}, shaped by its comparison with {bench_name}; ◆ Manchester; black line England; grey band "
            f"the range of the 12. Latest period of each indicator; {level_label} confidence. Status: "
            + present_mode.status_summary(table[table["ci_method"] != "none"])
            + ". Sources: "
            + "; ".join(dict.fromkeys(md_text(meta(lens.indicators, i)["source"]) for i in spine["indicator_id"]))
            + ". "
            + "; ".join(dict.fromkeys(md_text(meta(lens.indicators, i)["licence"]) for i in spine["indicator_id"]))
            + ". "
            + (md_text(estimates) + " They are listed on the profile page. " if estimates else "")
            + population_text(sel.population)
        )

    elif current == "compare":
        st.title(f"{md_text(nbhd)} · {md_text(name)}: how it compares")
        st.markdown(key_sentence())
        ctable = caching.computed(area_table, lens, key_ind, key_period, "neighbourhood", bench, level)
        bars = compare.comparison_bar_data(ctable, km, names, level=level)
        chart(
            caching.chart_spec(
                charts.comparison_bars,
                bars,
                km,
                float(ctable["england"].iloc[0]),
                float(ctable["manchester"].iloc[0]),
                bench_name,
                level_label,
                selected=nbhd,
            ),
            f"Bar chart: {km['short_name']} in each neighbourhood, compared with {bench_name}.",
            1.0,  # 12 rows of 20-pixel labels: shorter, and Vega drops every other one
        )
        st.caption(
            f"{charts.SELECTED_MARK} marks {md_text(name)}. Whiskers: {level_label} confidence intervals; solid line England, dashed line Manchester. "
            "▲ better · ● similar · ▼ worse than the benchmark.  \n"
            + source_text(km, key_period, bold_status=km["status"] == "modelled")
        )

    elif current == "cohorts":
        st.title(f"{md_text(nbhd)} · {md_text(name)}: risk cohorts")
        pyr = caching.computed(
            present_mode.pyramid_and_shares, ds, session_data.seed("activity_targets_2020_21"), method
        )[0]
        cohort_rows = {
            r["indicator_id"]: r
            for cid in cohorts.COHORT_IDS
            for r in caching.computed(cohorts.cohort_table, ds, cid, sel).to_dict("records")
        }
        st.markdown(
            f":orange-badge[{MODELLED}] **Risk pyramid**: people in each risk tier, split from the city's "
            "seed figures; not an observed count. " + present_mode.weighting_sentence(method)
        )
        left, right = st.columns([3, 2], gap="large")
        with left:
            pc = {
                **caching.chart_spec(riskpyramid.pyramid_chart, riskpyramid.tier_long(pyr, nbhd), f"{nbhd} · {name}"),
                "height": 220 if sel.registered else 300,  # the registers go under it
            }
            chart(pc, f"Risk pyramid (modelled estimate) for {name}: residents in each risk tier.", 1.0, "wide")
        with right:
            st.markdown("**Key cohort figures**")
            lines = []
            for ind in KEY_COHORT_FIGURES:
                r = cohort_rows.get(ind)
                if r is None or not r["neighbourhood_level"]:
                    continue
                m = meta(ds.indicators, ind)
                if r["status"] == "modelled":
                    lines.append(
                        f"- {md_text(r['short_name'].split(':')[0])}, expected: **{format_count(round(r['value']))} people** · {MODELLED}"
                    )
                else:
                    lines.append(
                        f"- {md_text(r['short_name'])}: **{format_value(r['value'], m)}** (Manchester {format_value(r['manchester'], m)}, "
                        f"England {format_value(r['england'], m)})"
                    )
            me = pyr.set_index("area_code").loc[nbhd]
            lines.insert(
                0,
                f"- Highest + high risk: **{int(me['highest_and_high']):,} people** of {int(me['population']):,} · {MODELLED}",
            )
            st.markdown("\n".join(lines))
        if sel.registered:
            with left:
                reg = session_data.registered()[0]
                st.markdown(f"**From the GP registers** ({sel.lens_label.lower()} of {md_text(name)}'s practices)")
                rows = pd.concat(
                    [
                        cohorts.register_rows(reg, cid, sel)
                        for cid in cohorts.COHORT_IDS
                        if cohorts.cohort(cid).registers
                    ]
                ).drop_duplicates("indicator_id")
                reg_lines = []
                for r in rows[rows["indicator_id"].isin(KEY_REGISTERS)].to_dict("records"):
                    m = meta(reg.indicators, r["indicator_id"])
                    patients = disclosure.display_count(r["count"], reg.threshold, fmt=format_count)
                    reg_lines.append(
                        f"- {md_text(r['short_name'])}: **{patients} patients**, {format_value(r['value'], m)} "
                        f"(Manchester {format_value(r['manchester'], m)}, England {format_value(r['england'], m)})"
                    )
                st.markdown("\n".join(reg_lines))
        st.caption(
            f"{MODELLED}: "
            + riskpyramid.method_text(ds, method, quote=md_text)
            + " City tiers from Manchester council reports 2016–2017 (seeds 003, 004); ONS mid-2020 population. OGL v3.0."
        )

    else:  # activity
        st.title(f"{md_text(nbhd)} · {md_text(name)}: activity shift")
        targets = session_data.seed("activity_targets_2020_21")
        shares = caching.computed(present_mode.pyramid_and_shares, ds, targets, method)[1]
        words = str(shares["method"].iloc[0])
        mine = shares[shares["neighbourhood_code"] == nbhd]
        st.markdown(
            f":orange-badge[{MODELLED}] {md_text(name)}'s **estimated share** of the city's published 2020/21 target reductions "
            "for moving care out of hospital. " + present_mode.weighting_sentence(method)
        )
        left, right = st.columns([3, 2], gap="large")
        with left:
            st.table(
                pd.DataFrame(
                    {
                        "Measure": mine["measure"],
                        "City (published)": mine["city_target"].map(format_count),
                        f"{md_text(nbhd)} ({MODELLED})": mine["share"].map(format_count),  # st.table renders markdown
                    }
                ).set_index("Measure")
            )
        with right:
            first_line = apportion.target_lines(targets).iloc[0]
            one = shares[shares["measure_id"] == first_line["measure_id"]]
            spec = present_mode.projector_spec(
                caching.chart_spec(
                    shares_chart,
                    one,
                    nbhd,
                    {c: "" for c in names},
                    f"{first_line['measure']}: all {len(names)}",
                    order=list(names),
                ),
                1.45,
            )
            present_mode.widen_x(spec, float(one["share"].max()) * 1.45)
            presenting.show_chart(
                spec,
                f"Bar chart: each neighbourhood's modelled share of the city's {first_line['measure']} target.",
                present_mode.CHART_WIDTH["narrow"],
            )
            st.caption(
                f"Each neighbourhood's modelled share; {md_text(nbhd)} is dark and marked ◆. Codes as on the map."
            )
        st.caption(
            f"{MODELLED}: {md_text(words)} {apportion.ROUNDING_RULE} Targets REAL, as published. Source: {targets['source'].iloc[0]}."
        )


presentation()
