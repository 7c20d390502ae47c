"""Overview: the 12 neighbourhoods at a glance, with population and one indicator against
Manchester and England."""

from __future__ import annotations

import streamlit as st

from lib.core.selection import CONFIDENCE, default_indicator
from lib.core.wording import in_sentence, locality_names, neighbourhood_count
from lib.methods.indicators import has_neighbourhoods, meta, periods
from lib.render.format import md_text, population_text
from lib.views import overview
from pages.shared import app_frame, caching, session_data, widgets

sel = app_frame.frame_state()
ds = session_data.lens_dataset(sel.population)
have = set(has_neighbourhoods(ds.values))
choices_ind = [i for i in ds.indicators["indicator_id"] if i in have]
state = app_frame.page_state(
    {"ind": choices_ind}, {"ind": default_indicator(sel.population, "disability")}, prefix="overview"
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
app_frame.valid_choice("overview_ind", choices_ind)
ind = st.selectbox("Indicator", choices_ind, format_func=names.get, key="overview_ind")
m = meta(ds.indicators, ind)
period = periods(ds.values, ind)[-1]
table = caching.computed(overview.neighbourhood_summary, ds, ind, period, level=sel.level)
app_frame.keep("overview", {"ind": ind})

st.header(f"{md_text(m['name'])}, {md_text(period)}")
st.markdown(overview.headline(table, m, level=CONFIDENCE[sel.level]))
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
