"""Risk cohorts: the five priority cohorts with their neighbourhood figures against Manchester and
England (tables, one map), and the risk pyramid per neighbourhood and for the city (MODELLED)."""

from __future__ import annotations

import streamlit as st

from lib.core.selection import BENCHMARKS
from lib.core.wording import neighbourhood_count
from lib.methods.indicators import area_table, meta, periods
from lib.render import maps
from lib.render.format import STATUS_BADGE, md_text
from lib.views import cohorts
from lib.views import map as mapview
from lib.views import risk_pyramid as riskpyramid
from pages.shared import app_frame, caching, export_buttons, session_data, widgets

sel = app_frame.frame_state()
ds = session_data.dataset()
names = session_data.neighbourhood_names()
nbhd, bench, level = sel.nbhd, sel.bench, sel.level
MAP_KEY = "cohorts_map_view"
MODELLED = STATUS_BADGE["modelled"]
short = dict(zip(ds.indicators["indicator_id"], ds.indicators["short_name"]))
cohort_of = dict(caching.computed(cohorts.map_choices, ds))
map_choices = list(cohort_of)
state = app_frame.page_state(
    {
        "ind": map_choices,
        "method": list(riskpyramid.METHODS),
        "view": ["cohorts", "map", "pyramid"],
        "cohort": list(cohorts.COHORT_IDS),
    },
    {
        "ind": "population_age_65plus",
        "method": riskpyramid.DEFAULT_METHOD,
        "view": "cohorts",
        "cohort": cohorts.COHORT_IDS[0],
    },
    prefix="cohorts",
)


def _select_clicked() -> None:
    clicked = (st.session_state.get(MAP_KEY) or {}).get("last_active_drawing") or {}
    code = (clicked.get("properties") or {}).get("nbhd")
    if code and code in names:
        st.session_state["nbhd"] = code
        st.session_state.setdefault("frame_values", {})["nbhd"] = code


st.title(f"Risk cohorts: {md_text(nbhd)} · {md_text(names[nbhd])}")
st.markdown(
    "Manchester's Local Care Organisation plans care for **five priority cohorts** and organises support by "
    "**risk tier** (New Models of Care, 2016; Commissioning Prospectus, 2017). Below, each cohort's public figures "
    f"for **{md_text(names[nbhd])}** against Manchester and England, a map, and the **risk pyramid**, each in its own tab. "
    f"Figures marked **{MODELLED}** are estimates from a stated method, not observations."
)

if sel.registered:
    st.info(
        "Two populations here: each cohort's figures describe residents (estimates and Census counts); the GP "
        "registers under them and the risk pyramid by GP registers describe registered patients. Each table says which.",
        icon=":material/groups:",
    )

VIEWS = {"cohorts": "The five cohorts", "map": "Map of a cohort indicator", "pyramid": "Risk pyramid (MODELLED)"}
# Each view is drawn only when open (lazy tabs): the page opens with the first cohort's table alone.
view, tabs = app_frame.view_tabs("cohorts", VIEWS, state["view"])
ind, method = state["ind"], state["method"]
if view == "cohorts":
    with tabs["cohorts"]:
        st.header("The five cohorts")
        # one tab per cohort, each drawn when opened (the open one is kept in the URL as ``cohort``)
        state["cohort"], cohort_tabs = app_frame.view_tabs(
            "cohorts_cohort", {c.cohort_id: c.label.split(" (")[0] for c in cohorts.COHORTS}, state["cohort"]
        )
        c = cohorts.cohort(state["cohort"])
        with cohort_tabs[c.cohort_id]:
            st.subheader(c.label)
            st.markdown(c.intro)
            if c.gap:
                st.info(c.gap, icon=":material/info:")
            if c.cohort_id == "children_ltc":
                with st.expander("Add your own figures (import path)"):
                    st.markdown(cohorts.IMPORT_PATH)
            cv = caching.computed(cohorts.cohort_view, ds, c.cohort_id, sel)
            widgets.show_table(cv.shown, f"{c.label}: indicators for {names[nbhd]}")
            widgets.download_figures(
                cohorts.figure_rows(cv.table, nbhd),
                ds,
                f"cohort_{c.cohort_id}_{nbhd}.csv",
                key=f"dl_cohort_{c.cohort_id}",
            )
            if cv.modelled_methods:
                st.markdown(
                    f":orange-badge[{MODELLED}] **Expected counts (modelled), method:**\n\n"
                    + "\n".join(f"- **{md_text(name)}**: {md_text(note)}" for name, note in cv.modelled_methods)
                )
            st.caption(
                "Comparisons: symbol and word, at the chosen confidence level; indicators without a confidence interval "
                "(estimates, population figures, modelled counts) are not tested. Counts below 5 are not shown."
            )
            widgets.sources_expander(cv.sources)
            if c.registers:
                reg, _practices = session_data.registered()
                st.markdown(f"**From the GP registers: registered patients of {md_text(names[nbhd])}'s practices**")
                rows = cohorts.register_rows(reg, c.cohort_id, sel)
                if rows.empty:
                    st.info(
                        f"No practice is assigned to this neighbourhood in {md_text(session_data.practice_assignment_name())}."
                    )
                else:
                    widgets.show_table(
                        cohorts.display_register_rows(rows, reg, bench),
                        f"{c.label}: GP registers of {names[nbhd]}'s practices (patients registered there, "
                        "wherever they live; not residents)",
                    )
                    for sentence in cohorts.expected_against_registers(ds, reg, c.cohort_id, nbhd):
                        st.markdown(f"- {md_text(sentence)}")
                    st.caption(
                        "DERIVED · Source: NHS England, QOF 2022-23 and 2024-25 (practice level) and Patients Registered "
                        f"at a GP Practice, July 2026 · the practices {md_text(session_data.practice_assignment_name())} assigns to the neighbourhood · "
                        "recorded diagnoses: no higher or lower is judged better. Open Government Licence v3.0."
                    )
                    widgets.download_figures(
                        rows.assign(area_type="neighbourhood", area_code=nbhd),
                        reg,
                        f"cohort_{c.cohort_id}_{nbhd}_registers.csv",
                        key=f"dl_cohort_registers_{c.cohort_id}",
                    )

if view == "map":
    with tabs["map"]:
        st.header("Map of a cohort indicator")
        state["ind"] = ind = st.selectbox(
            "Indicator", map_choices, format_func=lambda i: f"{cohort_of[i]}: {short[i]}", key="cohorts_ind"
        )
        m = meta(ds.indicators, ind)
        period = periods(ds.values, ind)[-1]
        table = caching.computed(area_table, ds, ind, period, "neighbourhood", bench, level)
        table = mapview.sort_areas(table, list(names))
        colour = "comparison" if m["ci_method"] != "none" else "quartile"
        legend_title = mapview.legend_title(colour, m, bench)
        status_word = f" ({MODELLED})" if m["status"] == "modelled" else ""
        st.subheader(f"{md_text(m['name'])}{status_word}, {md_text(period)}")
        st.caption(
            f"Map of the {neighbourhood_count(ds.definition)} neighbourhoods coloured by {'comparison with ' + BENCHMARKS[bench] if colour == 'comparison' else 'quartile (no confidence interval, so no significance test)'}. "
            "The selected neighbourhood has a thick black outline. Click an area to select it. The table below holds the same figures."
        )
        with session_data.needs_data():  # without the boundary file, a message replaces the map; the table still works
            drawn = mapview.neighbourhood_map(
                session_data.geojson("neighbourhoods"),
                table,
                m,
                sel,
                colour,
                threshold=ds.threshold,
                height=460,
                name=f"Map of {m['name']}{status_word}, {period}, {legend_title[:1].lower() + legend_title[1:]}",
            )
            features, legend, fmap = drawn.features, drawn.legend, drawn.fmap
            widgets.interactive_map(fmap, MAP_KEY, 460, ["last_active_drawing"], on_change=_select_clicked)
            st.markdown("**Key:** " + maps.legend_text(legend))
            export_buttons.export_map_buttons(
                features,
                legend,
                f"{m['name']}{status_word}, {period}",
                legend_title,
                colour,
                export_buttons.export_footer(m, period, "cohorts", {"ind": ind}),
                f"cohorts_map_{ind}_{period}".replace("/", "-"),
                key="cohorts_map",
            )
        rows = mapview.table_rows(table, m, bench, level, "neighbourhood", ds.threshold)
        widgets.figures_table(
            rows,
            f"{m['short_name']} in each neighbourhood, {period}",
            m,
            period,
            f"cohorts_map_{ind}_{period}.csv",
            key="dl_cohorts_map",
            download=widgets.analysis_ready(table, ds),
            highlight=rows["Code"] == nbhd,
        )

if view == "pyramid":
    with tabs["pyramid"]:
        st.header("Risk pyramid (MODELLED)")
        st.markdown(
            f":orange-badge[{MODELLED}] People in each risk tier, apportioned from the city's seed figures. "
            "Not an observed count: no risk-stratification data by neighbourhood is public."
        )
        state["method"] = method = st.radio(
            "Split the city tiers between neighbourhoods by",
            list(riskpyramid.METHODS),
            format_func={
                "registers": "GP registers (registered patients)",
                "need": "Need index (residents: population × illness and disability ratio)",
                "population": "Population only (residents)",
            }.get,
            key="cohorts_method",
            horizontal=True,
        )
        reg, _practices = session_data.registered()  # the registers method and the comparison of methods
        problem = riskpyramid.registers_problem(reg)
        if problem and method == "registers":
            st.warning(f"The GP registers cannot be used here ({md_text(problem)}), so the need index is shown.")
            method = "need"
        lens = riskpyramid.LENS[method]
        who = riskpyramid.LENS_WORDS[lens]
        if lens == "registered":
            st.markdown(
                "**This pyramid describes registered patients**: the patients of the GP practices assigned to each "
                "neighbourhood (July 2026 lists, wherever they live), not its residents."
            )
        st.markdown(
            "**Method:** "
            + riskpyramid.method_text(ds, method, reg, quote=md_text)
            + " "
            + riskpyramid.tiers_text(method)
            + " "
            + cohorts.ROUNDING_RULE
        )
        if lens == "registered":
            st.info(riskpyramid.REGISTERS_MODEL_NOTE, icon=":material/info:")
        st.markdown(riskpyramid.READING)
        st.info(riskpyramid.NO_SOURCE, icon=":material/help:")
        # the registers method follows the session's practice assignment: computed here, not shared
        pyr = (
            riskpyramid.pyramid(ds, method, reg)
            if lens == "registered"
            else caching.computed(riskpyramid.pyramid, ds, method)
        )
        c1, c2 = st.columns(2)
        pyr_spec = caching.chart_spec(
            riskpyramid.pyramid_chart, riskpyramid.tier_long(pyr, nbhd), f"{nbhd} · {names[nbhd]}"
        )
        widgets.show_chart(
            pyr_spec,
            f"Risk pyramid (modelled estimate) for {names[nbhd]}: {who} in each risk tier. The same figures are in the table below.",
            c1,
        )
        widgets.show_chart(
            caching.chart_spec(
                riskpyramid.pyramid_chart, riskpyramid.tier_long(pyr, pyr["area_code"].iloc[-1]), "Manchester"
            ),
            f"Risk pyramid (modelled estimate) for Manchester: {who} in each risk tier. The same figures are in the table below.",
            c2,
        )
        export_buttons.export_chart_buttons(
            pyr_spec,
            f"risk_pyramid_{nbhd}_{method}",
            f"Risk pyramid (MODELLED ESTIMATE): {nbhd} · {names[nbhd]}, {who}",
            export_buttons.export_sources_footer(
                ["population"],
                "cohorts",
                {"ind": ind, "method": method},
                status="modelled",
                source=riskpyramid.SOURCES[method],
            ),
            key="cohorts_pyramid",
            width=600,
        )
        st.caption(
            f"Each bar's width is the tier's share of {who}; the labels give people (modelled) and share. "
            f"The table below holds the same figures for all {neighbourhood_count(ds.definition)} neighbourhoods and the city."
        )
        ptable = riskpyramid.display_pyramid_table(pyr, reg)
        widgets.show_table(
            ptable, f"The risk pyramid for the {neighbourhood_count(ds.definition)} neighbourhoods and the city ({who})"
        )
        widgets.download_csv(pyr.assign(status="modelled"), f"risk_pyramid_{method}.csv", key="dl_cohorts_pyramid")

        st.markdown("**How much the choice matters** (highest + high tiers: each method splits the same 22,000 people)")
        effect = riskpyramid.choice_effect(ds, None if problem else reg)
        effect_table = riskpyramid.display_choice_effect(effect)
        widgets.show_table(effect_table, "What each choice in the pyramid changes")
        big = effect.loc[effect["difference_pct"].abs().idxmax()]
        st.markdown(
            f"Switching from population to the need index moves **{riskpyramid.people_moved(effect):,}** of the 22,000 "
            f"upper-tier people between neighbourhoods; the largest change is **{md_text(big['area_code'])} · {md_text(big['area_name'])}** "
            f"({big['difference']:+,} people, {big['difference_pct']:+.1f}%). The city totals do not change."
            + (
                ""
                if problem
                else " The GP registers (a split of registered patients) move "
                f"**{riskpyramid.people_moved(effect, 'difference_registers'):,}** from the population split."
            )
        )
        widgets.download_csv(effect, "risk_pyramid_choice_effect.csv", key="dl_cohorts_effect")

        st.markdown("**What the seed documents say** (quoted exactly)")
        for quote, file, where in riskpyramid.QUOTES:
            st.markdown(f"> {quote}\n\n— {where} (`seeds/{file}`)")
        st.caption(f"{MODELLED}. Sources: {riskpyramid.SOURCES[method]}. Open Government Licence v3.0.")

app_frame.keep("cohorts", {"ind": state["ind"], "method": state["method"], "view": view, "cohort": state["cohort"]})
