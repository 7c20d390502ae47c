"""Compare areas: one indicator across the 12 neighbourhoods (bars with intervals, a funnel
plot, a trend), and the tartan rug of every indicator: the board's overview."""

from __future__ import annotations

import streamlit as st

from lib.core import disclosure
from lib.core.contract import FAMILY_LABELS
from lib.core.selection import BENCHMARKS, CONFIDENCE, default_indicator
from lib.core.wording import in_sentence, neighbourhood_count
from lib.methods.indicators import area_table, meta, neighbourhood_order
from lib.methods.indicators import by_family as indicator_families
from lib.render import chart_tables, charts
from lib.render.format import md_text, population_text
from lib.views import compare
from pages.shared import app_frame, caching, export_buttons, session_data, widgets

sel = app_frame.frame_state()
ds = session_data.lens_dataset(sel.population)
names = session_data.neighbourhood_names()
level, bench, nbhd = sel.level, sel.bench, sel.nbhd
bench_name, level_label = BENCHMARKS[bench], CONFIDENCE[level]
by_family = indicator_families(ds.indicators, ds.values)
have = {i for ids in by_family.values() for i in ids}
nb_values = ds.values[ds.values["area_type"] == "neighbourhood"]
nb_periods = {
    i: sorted(g.astype(str).unique())
    for i, g in nb_values[nb_values["indicator_id"].isin(have)].groupby("indicator_id")["period"]
}
all_periods = sorted({p for ps in nb_periods.values() for p in ps})
n_nbhd = neighbourhood_count(ds.definition)  # the grouping in use (the registered lens: always the 12)
VIEWS = {
    "bars": f"The {n_nbhd} neighbourhoods",
    "funnel": "Funnel plot",
    "trend": "Over time",
    "rug": "All indicators at a glance",
}
default_ind = default_indicator(sel.population, "bad_health")  # a health outcome with counts and intervals
state = app_frame.page_state(
    {"family": list(by_family), "ind": sorted(have), "period": all_periods, "view": list(VIEWS)},
    {
        "family": next(f for f, ids in by_family.items() if default_ind in ids),
        "ind": default_ind,
        "period": nb_periods[default_ind][-1],
        "view": "bars",
    },
    prefix="compare",
)
short = dict(zip(ds.indicators["indicator_id"], ds.indicators["short_name"]))

st.title(f"Compare the {n_nbhd} neighbourhoods")
if sel.registered:
    st.info(population_text(sel.population), icon=":material/groups:")
c1, c2, c3 = st.columns([1, 2, 1])
app_frame.valid_choice("compare_family", list(by_family))
family = c1.selectbox("Family", list(by_family), format_func=FAMILY_LABELS.get, key="compare_family")
if st.session_state.get("compare_ind") not in by_family[family]:  # e.g. the other lens's indicator
    st.session_state["compare_ind"] = default_ind if default_ind in by_family[family] else by_family[family][0]
ind = c2.selectbox("Indicator", by_family[family], format_func=short.get, key="compare_ind")
if st.session_state.get("compare_period") not in nb_periods[ind]:
    st.session_state["compare_period"] = nb_periods[ind][-1]
period = c3.selectbox("Period", nb_periods[ind][::-1], key="compare_period")
m = meta(ds.indicators, ind)
view = {"family": family, "ind": ind, "period": period}  # the export links' view

table = caching.computed(area_table, ds, ind, period, "neighbourhood", bench, level)
england, manchester = float(table["england"].iloc[0]), float(table["manchester"].iloc[0])
tab, tabs = app_frame.view_tabs("compare", VIEWS, state["view"])
app_frame.keep("compare", {"family": family, "ind": ind, "period": period, "view": tab})
if tab == "bars":
    with tabs["bars"]:
        st.header(f"{md_text(m['name'])}, {md_text(period)}")
        sort = st.radio("Order", ["Highest first", "North, Central, South"], horizontal=True, key="compare_sort")
        order = neighbourhood_order(ds.definition) if sort != "Highest first" else None
        bars = compare.comparison_bar_data(table, m, names, level=level, order=order)
        if m["ci_method"] == "none":
            st.info(
                "This figure is an estimate or a whole-population figure: it has no confidence interval, so the bars are not tested against the benchmark."
            )
        counts = (
            bars["area_code"]
            .map(table.set_index("area_code")["numerator"])
            .map(lambda x: disclosure.display_count(x, ds.threshold, fmt="{:,.0f}".format))
        )
        # Fingertips' compare-areas layout: the figures as a table, each row's bar, interval and the
        # England and Manchester lines as a small picture (static: no chart library to load).
        st.html(
            chart_tables.bars_table_html(
                bars,
                england,
                manchester,
                m,
                bench_name,
                f"{m['short_name']} in each neighbourhood, {period}, compared with {bench_name}",
                level_label,
                counts=counts,
                selected=nbhd,
            )
        )
        widgets.source_caption(m, period)
        widgets.download_figures(table, ds, f"compare_{ind}_{period}.csv", key="dl_compare_bars")
        # the chart itself is built only when its image is asked for (the page draws the table)
        export_buttons.export_chart_buttons(
            lambda: charts.comparison_bars(bars, m, england, manchester, bench_name, level_label, selected=nbhd),
            f"compare_{ind}_{period}".replace("/", "-"),
            f"{m['name']}, {period}: the {n_nbhd} neighbourhoods",
            export_buttons.export_footer(m, period, "compare", view),
            key="compare_bars",
            subtitle=f"Bars with {level_label} confidence intervals, compared with {bench_name}. "
            f"{charts.SELECTED_MARK} marks {nbhd} {names[nbhd]}.",
        )

if tab == "funnel":
    with tabs["funnel"]:
        st.header("Funnel plot: is the spread more than chance?")
        if ind not in compare.funnel_indicators(ds):
            st.info(
                f"No funnel plot for {md_text(in_sentence(m['short_name']))}: it needs a proportion with its counts (a numerator out of a denominator)."
            )
        else:
            p0_value = england if bench == "england" else manchester
            p0_name = "England" if bench == "england" else "Manchester"
            if bench == "rest":
                st.caption(
                    "The funnel is drawn around Manchester: 'rest of Manchester' differs for each neighbourhood."
                )
            pts, limits = compare.funnel_points(table, m, names, level, p0_value)
            funnel_spec = caching.chart_spec(charts.funnel_chart, pts, limits, m, p0_value, p0_name)
            widgets.show_chart(
                funnel_spec,
                f"Funnel plot: {m['short_name']} in each neighbourhood against its population, with control limits "
                f"around {p0_name}. The same figures are in the table below.",
            )
            export_buttons.export_chart_buttons(
                funnel_spec,
                f"funnel_{ind}_{period}".replace("/", "-"),
                f"Funnel plot: {m['name']}, {period}",
                export_buttons.export_footer(m, period, "compare", view),
                key="compare_funnel",
            )
            st.caption(
                f"Control limits: the Wilson score interval of n × p₀ events out of n, around {p0_name}'s value p₀, at 95% and 99.8%. "
                "Points outside the funnel differ from the benchmark by more than chance would explain at that level."
            )
            ftbl = chart_tables.funnel_table(pts, limits, m, bench_name)
            widgets.figures_table(
                ftbl,
                f"Funnel plot figures: {m['short_name']}, {period}",
                m,
                period,
                f"funnel_{ind}_{period}.csv",
                key="dl_compare_funnel",
                download=widgets.analysis_ready(table, ds),
                highlight=ftbl["Code"] == nbhd,
            )

if tab == "trend":
    with tabs["trend"]:
        st.header(f"Over time: {md_text(names[nbhd])}, Manchester and England")
        if ind not in compare.trend_indicators(ds):
            st.info(f"{md_text(m['short_name'])} {compare.no_trend_reason(ds, ind) or 'has no trend to show.'}")
        else:
            trend = caching.computed(compare.trend_data, ds, ind, nbhd, level)
            others = caching.computed(compare.trend_others, ds, ind, nbhd)
            trend_spec = caching.chart_spec(charts.trend_chart, trend, m, level_label, others)
            widgets.show_chart(
                trend_spec,
                f"Line chart: {m['short_name']} over time in {names[nbhd]}, Manchester and England. The same figures are in the table below.",
            )
            export_buttons.export_chart_buttons(
                trend_spec,
                f"trend_{ind}_{nbhd}",
                f"{m['name']} over time: {names[nbhd]}, Manchester and England",
                export_buttons.export_footer(m, f"{trend['period'].min()} to {trend['period'].max()}", "compare", view),
                key="compare_trend",
            )
            if m["ci_method"] != "none":
                st.caption(f"The shaded band is {md_text(names[nbhd])}'s {level_label} confidence interval.")
            st.caption("The thin grey lines are the other 11 neighbourhoods, for context.")
            if gap_note := compare.trend_gap_note(trend):
                st.caption(gap_note)
            tests, test_words = caching.computed(compare.trend_tests, ds, ind, nbhd, level)
            st.markdown(f"**Recent trend.** {md_text(test_words)}")
            widgets.show_table(
                chart_tables.trend_test_table(tests),
                f"Recent trend: {m['short_name']}, {names[nbhd]}, Manchester and England",
            )
            ttbl = chart_tables.trend_table(trend, m, level_label)
            widgets.figures_table(
                ttbl,
                f"{m['short_name']} over time: {names[nbhd]}, Manchester and England",
                m,
                f"{trend['period'].min()} to {trend['period'].max()}",
                f"trend_{ind}_{nbhd}.csv",
                key="dl_compare_trend",
                download=widgets.analysis_ready(compare.trend_rows(ds, ind, nbhd), ds),
            )

if tab == "rug":
    with tabs["rug"]:
        st.header(f"All indicators at a glance, compared with {bench_name}")
        st.markdown(
            f"Each cell is one neighbourhood (column, grouped by locality) on one indicator (row), latest period, coloured and "
            f"marked by its comparison with {bench_name} at {level_label} confidence: ▲ better, ● similar, ▼ worse, "
            "○ not compared. Manchester's and England's values are in the last two columns."
        )
        show_all = st.toggle("Show estimates and untested indicators", key="compare_rug_all")
        rug_all = caching.tartan_data(ds, bench, level, order=neighbourhood_order(ds.definition))
        rug = compare.rug_rows(rug_all, show_untested=show_all)
        if hidden := compare.rug_hidden_sentence(rug_all, show_all):
            st.caption(hidden)
        # a table of coloured cells (static HTML: it scrolls sideways in its own region on a phone, the
        # indicator names staying in view); the chart library's rug is made only for the image download
        st.html(chart_tables.tartan_html(rug, f"Every indicator for every neighbourhood, compared with {bench_name}"))
        export_buttons.export_chart_buttons(
            lambda: charts.tartan_chart(rug, bench_name),
            f"tartan_rug_{bench}_{level}",
            f"All indicators at a glance, compared with {bench_name}",
            export_buttons.export_sources_footer(list(dict.fromkeys(rug["indicator_id"])), "compare", view),
            key="compare_tartan",
            width=1200,
        )
        st.caption(
            "Sources, statuses and methods vary by indicator (see the Data and methods page). Estimates and whole-population "
            "figures are not tested (○)."
        )
        widgets.download_figures(
            compare.rug_download_rows(ds, rug), ds, f"tartan_rug_{bench}_{level}.csv", key="dl_compare_tartan"
        )
