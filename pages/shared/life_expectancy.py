"""The profile's life expectancy section: the range of a neighbourhood's MSOAs and the gap between
them (the view logic is :mod:`lib.views.life_expectancy`)."""

from __future__ import annotations

import streamlit as st

from lib.core.data import Dataset
from lib.core.selection import CONFIDENCE
from lib.methods.indicators import meta
from lib.render.format import md_text
from lib.views import life_expectancy as le
from pages.shared import caching, widgets


def profile_section(ds: Dataset, nbhd: str, name: str, level: str = "95") -> None:
    """Draw "Life expectancy inside <name>": a sentence per sex, the range table (the neighbourhood,
    its locality and Manchester), why there is no neighbourhood figure, and its MSOAs."""
    if not le.has_life_expectancy(ds.values):
        return
    st.subheader(f"Life expectancy inside {md_text(name)}")
    rng = le.for_neighbourhood(caching.computed(le.ranges_of, ds, level), ds.definition, nbhd)
    mine = rng[rng["area_code"] == nbhd]
    st.markdown("\n".join(f"- {md_text(le.range_sentence(r))}" for r in mine.to_dict("records")))
    st.info(md_text(le.WHY_NO_FIGURE) + " " + md_text(le.ASSIGNMENT), icon=":material/info:")
    table = le.display_ranges(rng)
    widgets.show_table(
        table,
        f"Life expectancy at birth, 2016 to 2020: the lowest and highest MSOA in {name}, its locality and "
        f"Manchester, with {CONFIDENCE.get(level, level)} intervals",
    )
    widgets.download_csv(rng, f"life_expectancy_range_{nbhd}.csv", key="dl_profile_le_range")
    with st.expander(f"The MSOAs of {md_text(name)}"):
        msoas = caching.computed(le.msoa_table_of, ds, nbhd, level)
        widgets.show_table(msoas, f"Life expectancy at birth, 2016 to 2020, in each MSOA of {name}")
        widgets.download_figures(
            le.msoa_rows(ds.values, ds.definition, nbhd),
            ds,
            f"life_expectancy_msoas_{nbhd}.csv",
            key="dl_profile_le_msoas",
        )
    widgets.source_caption(meta(ds.indicators, "life_expectancy_female"), "2016 to 2020")
    st.caption(md_text(le.NO_BENCHMARK_SHORT) + " The Map shows every MSOA (Detail: middle-sized areas).")
