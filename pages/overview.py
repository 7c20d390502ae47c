"""Overview: the 12 neighbourhoods at a glance, with population and one indicator against
Manchester and England."""

from __future__ import annotations

import streamlit as st

from lib.core.selection import BENCHMARKS, CONFIDENCE, default_indicator
from lib.core.wording import in_sentence, locality_names, neighbourhood_count
from lib.methods.indicators import area_table, has_neighbourhoods, meta, periods
from lib.render import maps
from lib.render.format import md_text, population_text
from lib.views import map as mapview
from lib.views import overview
from pages.shared import app_frame, caching, session_data, widgets

#: The page's two views, the table first (the map's frame would slow every first visit); labels come from the grouping.
VIEWS = ("table", "map")
MAP_KEY = "overview_map"


def _select_clicked() -> None:
    """Clicking an area on the map selects its neighbourhood in the shared frame."""
    clicked = (st.session_state.get(MAP_KEY) or {}).get("last_active_drawing") or {}
    code = (clicked.get("properties") or {}).get("nbhd")
    if code and code in session_data.neighbourhood_names():
        st.session_state["nbhd"] = code
        st.session_state.setdefault("frame_values", {})["nbhd"] = code


sel = app_frame.frame_state()
ds = session_data.lens_dataset(sel.population)
have = set(has_neighbourhoods(ds.values))
choices_ind = [i for i in ds.indicators["indicator_id"] if i in have]
state = app_frame.page_state(
    {"ind": choices_ind, "view": list(VIEWS)},
    {"ind": default_indicator(sel.population, "disability"), "view": "table"},
    prefix="overview",
)
names = dict(zip(ds.indicators["indicator_id"], ds.indicators["name"]))

n_nbhd, localities = neighbourhood_count(ds.definition), locality_names(ds.definition)  # the grouping in use
st.title(f"Manchester's {n_nbhd} neighbourhoods")
st.markdown(
    f"Out-of-hospital care in Manchester is organised in **{n_nbhd} integrated neighbourhoods** of "
    f"30,000–50,000 residents, grouped into **{len(localities)} localities** ({md_text(', '.join(localities))}). "
    "Pick an indicator to see how each neighbourhood compares with Manchester and England."
)
if sel.registered:
    st.info(population_text(sel.population), icon=":material/groups:")
st.subheader("Across Manchester: which neighbourhoods stand out")
st.markdown(md_text(caching.computed(overview.city_summary, ds, sel.level)))
st.caption(overview.SUMMARY_RULE)
app_frame.valid_choice("overview_ind", choices_ind)
ind = st.selectbox("Indicator", choices_ind, format_func=names.get, key="overview_ind")
m = meta(ds.indicators, ind)
period = periods(ds.values, ind)[-1]
table = caching.computed(overview.neighbourhood_summary, ds, ind, period, level=sel.level)
st.header(f"{md_text(m['name'])}, {md_text(period)}")
st.markdown(overview.headline(table, m, level=CONFIDENCE[sel.level]))
view_labels = dict(zip(VIEWS, (f"The {n_nbhd} neighbourhoods", "On the map")))
view, tabs = app_frame.view_tabs("overview", view_labels, state.get("view", "table"))
# The first view is the page's own address: only the map view goes into the link (pages share `view`).
app_frame.keep("overview", {"ind": ind, **({"view": view} if view != "table" else {})})
if view == "table" and st.query_params.get("view") == "map":
    del st.query_params["view"]
if view == "map":
    with tabs["map"], session_data.needs_data():  # without the boundary file, a message replaces the map
        colour = "comparison" if m["ci_method"] != "none" else "quartile"
        mtable = mapview.sort_areas(
            caching.computed(area_table, ds, ind, period, "neighbourhood", sel.bench, sel.level),
            list(session_data.neighbourhood_names()),
        )
        drawn = mapview.neighbourhood_map(
            session_data.geojson("neighbourhoods"),
            mtable,
            m,
            sel,
            colour,
            threshold=ds.threshold,
            height=520,
            name=f"Map of {m['name']}, {period}, the {n_nbhd} neighbourhoods",
        )
        how = (
            f"comparison with {BENCHMARKS[sel.bench]}"
            if colour == "comparison"
            else "quartile (no confidence interval, so no significance test)"
        )
        st.caption(
            f"The {n_nbhd} neighbourhoods coloured by {how}, each labelled with its code (and symbol); the selected one "
            "has a thick black outline. Click an area to select it. The Map page also has wards and small areas."
        )
        widgets.interactive_map(drawn.fmap, MAP_KEY, 520, ["last_active_drawing"], on_change=_select_clicked)
        st.markdown("**Key:** " + maps.legend_text(drawn.legend))
        widgets.figures_table(
            mapview.table_rows(mtable, m, sel.bench, sel.level, "neighbourhood", ds.threshold),
            f"{m['short_name']}, {period}: the figures on the map",
            m,
            period,
            f"neighbourhoods_map_{ind}_{period}.csv",
            key="overview_map_csv",
            download=widgets.analysis_ready(mtable, ds),
            highlight=[c == sel.nbhd for c in mtable["area_code"]],
        )
else:
    with tabs["table"]:
        headcount = overview.headcount_label(ds)
        shown = overview.display_table(table, m, ds.threshold, population_label=headcount)
        widgets.figures_table(
            shown,
            f"The {n_nbhd} neighbourhoods: {in_sentence(m['short_name'])}, {period}",
            m,
            period,
            f"neighbourhoods_{ind}_{period}.csv",
            download=widgets.analysis_ready(table, ds),
            numeric=(headcount, f"Value ({m['unit']})", "Count"),
            row_header="Neighbourhood",
            highlight=shown["Code"] == sel.nbhd,
        )
