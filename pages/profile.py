"""Neighbourhood profile: one neighbourhood against Manchester and England, in plain English, a
spine chart with its table, its population by age and the variation between its wards."""

from __future__ import annotations

import streamlit as st

from lib.core.selection import BENCHMARK_PHRASES, BENCHMARKS, CONFIDENCE
from lib.core.wording import in_sentence, neighbourhood_count
from lib.methods.indicators import area_table, meta
from lib.render import chart_tables, charts, maps
from lib.render import spine as spines
from lib.render.format import md_text, population_text, sources_markdown
from lib.views import compare, profile, profile_registered, ward_grid
from lib.views import map as mapview
from pages.shared import app_frame, caching, export_buttons, session_data, widgets
from pages.shared import life_expectancy as life_expectancy_section

sel = app_frame.frame_state()
ds = session_data.dataset()  # residents: the age and wards views
lens = session_data.lens_dataset(sel.population)  # the lens chosen: the comparison and the table
names = session_data.neighbourhood_names()
nbhd, level, bench = sel.nbhd, sel.level, sel.bench
name = names[nbhd]
bench_name = BENCHMARKS[bench]
n_nbhd = neighbourhood_count(lens.definition)  # the grouping of the comparison's figures
ward_choices = profile.ward_indicators(ds)
VIEWS = {
    "compare": "How it compares",
    "table": "All indicators",
    "age": "Population by age",
    "wards": "Its wards",
    "wardgrid": "Its wards, every indicator",
    "practices": "Its GP practices",
}
state = app_frame.page_state(
    {"ind": ward_choices, "view": list(VIEWS)}, {"ind": "bad_health", "view": "compare"}, prefix="profile"
)
short = dict(zip(ds.indicators["indicator_id"], ds.indicators["short_name"]))

head, present = st.columns([5, 1], vertical_alignment="bottom")
head.title(f"{md_text(nbhd)} · {md_text(name)}")
with present:
    app_frame.present_link("profile")
table, summary, spine = caching.profile_parts(lens, sel)
st.markdown(
    f"**Board summary{': registered patients' if sel.registered else ''}**\n\n"
    + "\n".join(f"- {md_text(s)}" for s in summary)
)  # plain sentences (also the deck's)
if sel.registered:
    st.caption(population_text(sel.population) + " The age and wards views describe residents.")
with st.popover("Export: slide deck and PDF profile", icon=":material/download:"):
    st.caption(
        f"A slide deck (8 slides) and a one-page PDF for {md_text(name)}, with sources, status and a link back to this view on every page."
        + (" They describe residents; the registers are on this page and in its downloads." if sel.registered else "")
    )
    with session_data.needs_data():  # the deck and PDF draw the neighbourhood boundaries
        export_buttons.export_neighbourhood_buttons(sel)

view, tabs = app_frame.view_tabs("profile", VIEWS, state["view"])
ind = state["ind"]
if view == "compare":
    with tabs["compare"]:
        st.header(
            f"How it compares with {BENCHMARK_PHRASES[bench]}" + (": registered patients" if sel.registered else "")
        )
        st.markdown(
            f"Each row is one indicator, with its figures and, on the right, its spine: the black line is **England**; "
            f"the grey band is the range of the {n_nbhd} neighbourhoods; the grey diamond is **Manchester**; the marker is "
            f"**{md_text(name)}**, coloured and shaped by its comparison with **{bench_name}** at {CONFIDENCE[level]} confidence "
            "(▲ better, ● similar, ▼ worse, ■ not compared). Better is always to the right "
            "(for population figures, with no better or worse, right means higher)."
        )
        # Fingertips' area-profile layout: a table whose last column draws the spine (static HTML and SVG,
        # read cell by cell by a screen reader); the same chart as an image for slides is under "Download image".
        st.html(
            caching.spine_table_html(
                lens,
                sel,
                name,
                bench_name,
                f"{nbhd} · {name}: each indicator against England, Manchester and the range of the {n_nbhd}",
                rest_name=BENCHMARKS["rest"] if bench == "rest" else None,
                n_nbhd=n_nbhd,
            )
        )
        export_buttons.export_chart_buttons(
            lambda: spines.spine_spec(spine, area_name=name, bench_name=bench_name, n_nbhd=n_nbhd),
            f"spine_{nbhd}",
            f"{nbhd} · {name}: how it compares with {BENCHMARK_PHRASES[bench]}",
            export_buttons.export_profile_footer(table, spine, "profile"),
            key="profile_spine",
            width=1100,
            subtitle=f"Dot: {name}, compared with {bench_name} at {CONFIDENCE[level]} confidence. Better is always to the right.",
        )
        for sentence in caching.off_spine_sentences(lens, sel):
            st.caption(md_text(sentence))
        st.caption(
            f"Scaling as in Fingertips: each row is (value − England) ÷ the largest distance from England among the {n_nbhd} "
            "neighbourhoods and Manchester; 'lower is better' rows are flipped. Latest period of each indicator. "
            "Statuses, sources and methods per indicator: see the All indicators tab and the Data and methods page."
        )
        life_expectancy_section.profile_section(ds, nbhd, name, level)
if view == "table":
    with tabs["table"]:
        st.header(f"Every indicator for {md_text(name)}" + (": registered patients" if sel.registered else ""))
        widgets.sources_expander(sources_markdown(lens.indicators, table["indicator_id"], table["period"]))
        display = profile.display_profile_table(
            table, lens.indicators, level=level, threshold=lens.threshold, bench=bench
        )
        widgets.show_table(display, f"Every indicator for {name}, compared with {bench_name}")
        widgets.download_figures(
            table.assign(area_type="neighbourhood", area_code=nbhd), lens, f"profile_{nbhd}.csv", key="dl_profile_table"
        )

if view == "age":
    with tabs["age"]:
        st.header("Population by age")
        if sel.registered:
            st.info(population_text("residents"), icon=":material/home:")
        age = caching.computed(profile.age_profile, ds, nbhd)
        age_spec = caching.chart_spec(charts.age_chart, age)
        widgets.show_chart(
            age_spec,
            f"Bar chart: population of {name} by age band, with Manchester and England. The same figures are in the table below.",
        )
        export_buttons.export_chart_buttons(
            age_spec,
            f"population_by_age_{nbhd}",
            f"Population by age: {nbhd} · {name}",
            export_buttons.export_footer(meta(ds.indicators, "population"), str(age["period"].iloc[0]), "profile"),
            key="profile_age",
        )
        age_table = profile.display_age_table(age, ds.threshold)
        widgets.figures_table(
            age_table,
            f"Population of {name} by age band, with Manchester and England",
            meta(ds.indicators, "population"),
            str(age["period"].iloc[0]),
            f"population_by_age_{nbhd}.csv",
            key="dl_profile_age",
            download=widgets.analysis_ready(profile.age_rows(ds, nbhd), ds),
        )

if view == "wards":
    with tabs["wards"]:
        st.markdown(f"**Inside {md_text(name)}: its wards**")
        if sel.registered:
            st.info(population_text("residents"), icon=":material/home:")
        ind = st.selectbox("Indicator for the wards", ward_choices, format_func=short.get, key="profile_ind")
        m = meta(ds.indicators, ind)
        wards = caching.computed(profile.ward_table, ds, nbhd, ind, level=level)
        if wards.empty:
            st.info(f"There are no ward figures for {md_text(in_sentence(m['short_name']))} in {md_text(name)}.")
        else:
            st.markdown(md_text(profile.ward_sentence(wards, m, name)))  # a plain sentence
            ward_bench, ward_col = ("England", "vs_england") if bench == "england" else ("Manchester", "vs_city")
            ward_period = str(wards["period"].iloc[0])
            on_map, on_bars = st.columns([2, 3])
            with (
                on_map,
                session_data.needs_data(),
            ):  # the wards on a map of the neighbourhood (no boundaries: the bars and table still work)
                shapes = mapview.select_features(session_data.geojson("wards"), list(wards["area_code"]))
                wtable = caching.computed(
                    area_table, ds, ind, ward_period, "ward", mapview.effective_benchmark(bench, "ward"), level
                )
                wtable = wtable[wtable["area_code"].isin(wards["area_code"])]
                features = mapview.map_features(
                    shapes, wtable, m, "comparison", bench, level, "ward", threshold=ds.threshold
                )
                legend = mapview.legend_items("comparison", wtable, m, bench, "ward")
                fmap = maps.build_map(
                    features,
                    f"Compared with {ward_bench}",
                    legend,
                    "comparison",
                    labels=mapview.name_labels(shapes),
                    outlines=[(mapview.select_features(session_data.geojson("neighbourhoods"), [nbhd]), 3, "#000000")],
                    height=430,
                    name=f"Map of the wards of {name}: {m['short_name']}, {ward_period}, compared with {ward_bench}",
                )
                widgets.interactive_map(fmap, "profile_ward_map", 430, [])
                st.markdown("**Key:** " + maps.legend_text(legend))
            ward_spec = caching.chart_spec(charts.ward_chart, wards, m, bench_name=ward_bench, comparison_col=ward_col)
            widgets.show_chart(
                ward_spec,
                f"Bar chart: {m['short_name']} in each ward of {name}, compared with {ward_bench}. The same figures are in the table below.",
                on_bars,
            )
            export_buttons.export_chart_buttons(
                ward_spec,
                f"wards_{nbhd}_{ind}",
                f"{m['name']}: the wards of {name}, {ward_period}",
                export_buttons.export_footer(m, ward_period, "profile", {"ind": ind}),
                key="profile_wards",
            )
            ward_display = profile.display_ward_table(wards, m, level=level, threshold=ds.threshold)
            widgets.figures_table(
                ward_display,
                f"{m['short_name']} in each ward of {name}",
                m,
                ward_period,
                f"wards_{nbhd}_{ind}.csv",
                key="dl_profile_wards",
                download=widgets.analysis_ready(wards.assign(indicator_id=ind, area_type="ward"), ds),
            )
app_frame.keep("profile", {"ind": ind, "view": view})

if view == "wardgrid":
    with tabs["wardgrid"]:
        st.header("Which ward drives it: its wards on every indicator")
        if sel.registered:
            st.info(population_text("residents") + " The grid describes residents.", icon=":material/home:")
        st.markdown(md_text(ward_grid.grid_sentence(name, bench, level)))
        st.markdown("**Click a ward's name, or any of its figures, to open that ward on the Map.**")
        show_all = st.toggle("Show estimates and untested indicators", key="profile_wardgrid_all")
        grid_all = caching.computed(ward_grid.ward_grid, ds, nbhd, bench, level)
        grid = compare.rug_rows(grid_all, show_untested=show_all)
        if hidden := compare.rug_hidden_sentence(grid_all, show_all):
            st.caption(hidden)
        st.html(
            chart_tables.tartan_html(
                grid,
                f"Every indicator for {name} and each of its wards, compared with {BENCHMARKS[mapview.effective_benchmark(bench, 'ward')]}",
                header_codes={nbhd},
                links=ward_grid.header_links(grid, nbhd, ind, bench, level),
            )
        )
        if len(grid):
            widgets.sources_expander(
                sources_markdown(ds.indicators, *zip(*grid[["indicator_id", "period"]].drop_duplicates().to_numpy()))
            )
        widgets.download_figures(
            ward_grid.download_rows(ds, grid), ds, f"ward_grid_{nbhd}_{bench}_{level}.csv", key="dl_profile_wardgrid"
        )

if view == "practices":
    with tabs["practices"]:
        st.header("Its GP practices: registered patients")
        reg, practices = session_data.registered()
        listing = profile_registered.practices_of(practices, nbhd)
        st.markdown(
            f"**Registered patients, not residents.** Every figure in this view describes the "
            f"{profile_registered.LENS}: the {len(listing)} practices {md_text(session_data.practice_assignment_name())} assigns to "
            f"{md_text(name)}. The rest of the profile describes the people who live there."
        )
        if session_data.grouping_csv() is not None:
            st.info(
                "Practices follow the 12 neighbourhoods' practice assignment, not your grouping: to move a practice, "
                "upload another practice assignment on Your data (or edit geodata/practices.csv and rebuild: make data)."
            )
        if listing.empty:
            st.info(
                f"No practice is assigned to {md_text(name)} in {md_text(session_data.practice_assignment_name())}, so there are no figures here."
            )
        else:
            st.subheader("Its registers against Manchester and England")
            rt = profile_registered.register_table(reg, sel)
            widgets.show_table(
                profile_registered.display_register_table(rt, reg, sel),
                f"QOF registers of {name}'s practices ({profile_registered.LENS}), {rt['period'].iloc[0]}",
            )
            st.caption(
                "DERIVED · Source: NHS England, Quality and Outcomes Framework 2022-23 and 2024-25 (practice level) · "
                "Method: registers and lists summed over the practices; Wilson intervals; no higher or lower is judged "
                "better (a register records diagnoses). Open Government Licence v3.0."
            )
            widgets.download_figures(
                profile_registered.register_rows(rt, nbhd),
                reg,
                f"registers_{nbhd}.csv",
                key="dl_profile_registers",
            )
            st.subheader("Which practices differ")
            choices = profile_registered.registers(reg)
            register = st.selectbox(
                "Register",
                choices,
                index=choices.index("reg_dm") if "reg_dm" in choices else 0,
                format_func=lambda i: meta(reg.indicators, i)["short_name"],
                key="profile_register",
            )
            rm = meta(reg.indicators, register)
            period = profile_registered.periods(reg, register)[-1]
            pt = profile_registered.practice_table(reg, sel, register, period)
            st.markdown(md_text(profile_registered.variation_sentence(pt, name, rm["short_name"])))
            bars = pt[pt["area_type"] == "practice"].rename(columns={"vs_england": "comparison"})
            if len(bars) and bars["value"].notna().any():
                bar_rows = compare.comparison_bar_data(
                    bars, rm, dict(zip(bars["area_code"], bars["area_name"])), level=level
                )
                widgets.show_chart(
                    charts.comparison_bars(
                        bar_rows,
                        rm,
                        float(pt["england"].iloc[0]),
                        float(pt["manchester"].iloc[0]),
                        "England",
                        CONFIDENCE[level],
                    ).to_dict(),
                    f"Bars: {rm['short_name']} at each of {name}'s practices, {period}, with intervals, against England "
                    "and Manchester. The table below holds the same figures.",
                )
                # the funnel: is the spread between its practices more than chance?
                england_value = float(pt["england"].iloc[0])
                pts, limits = compare.funnel_points(
                    bars, rm, dict(zip(bars["area_code"], bars["area_name"])), level, england_value
                )
                widgets.show_chart(
                    charts.funnel_chart(pts, limits, rm, england_value, "England").to_dict(),
                    f"Funnel plot: {rm['short_name']} at each of {name}'s practices against its list size, with "
                    "control limits around England. The same figures are in the table below it.",
                )
                widgets.show_table(
                    chart_tables.funnel_table(pts, limits, rm, "England", area_label="Practice"),
                    f"Funnel plot figures: {rm['short_name']} at {name}'s practices, {period}",
                )
                st.caption(
                    "Control limits: the Wilson score interval of n × p₀ events out of n, around England's value p₀, "
                    "at 95% and 99.8%. A practice outside the funnel records more (or fewer) patients on the register "
                    "than chance would explain for a list of its size."
                )
            widgets.show_table(
                profile_registered.display_practice_table(pt, reg, sel, reg.threshold),
                f"{rm['short_name']} at {name}'s practices, {period} ({profile_registered.LENS})",
            )
            widgets.source_caption(rm, period)
            widgets.download_figures(pt, reg, f"practices_{nbhd}_{register}_{period}.csv", key="dl_practices")
            st.subheader("The practices and why they are here")
            widgets.show_table(listing, f"The GP practices assigned to {name}")
