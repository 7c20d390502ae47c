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
    part = caching.computed(le.profile_section_of, ds, nbhd, level)  # once per neighbourhood and level
    if part is None:
        return
    st.subheader(f"Life expectancy inside {md_text(name)}")
    rng = part["ranges"]
    st.markdown("\n".join(f"- {md_text(s)}" for s in part["sentences"]))
    st.info(md_text(le.WHY_NO_FIGURE) + " " + md_text(le.ASSIGNMENT), icon=":material/info:")
    widgets.show_table(
        part["table"],
        f"Life expectancy at birth, 2016 to 2020: the lowest and highest MSOA in {name}, its locality and "
        f"Manchester, with {CONFIDENCE.get(level, level)} intervals",
    )
    widgets.download_csv(rng, f"life_expectancy_range_{nbhd}.csv", key="dl_profile_le_range")
    with st.expander(f"The MSOAs of {md_text(name)}"):
        widgets.show_table(part["msoas"], f"Life expectancy at birth, 2016 to 2020, in each MSOA of {name}")
        widgets.download_figures(
            part["msoa_rows"],
            ds,
            f"life_expectancy_msoas_{nbhd}.csv",
            key="dl_profile_le_msoas",
        )
    widgets.source_caption(meta(ds.indicators, "life_expectancy_female"), "2016 to 2020")
    st.caption(md_text(le.NO_BENCHMARK_SHORT) + " The Map shows every MSOA (Detail: middle-sized areas).")
