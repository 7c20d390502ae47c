"""Map: one indicator across the 12 neighbourhoods (or their wards and LSOAs), coloured by
comparison, quartile or a continuous scale; click an area to select its neighbourhood.

The table under the map holds the same figures (the map's text alternative)."""

from __future__ import annotations

import streamlit as st

from lib.core.contract import FAMILY_LABELS
from lib.core.selection import default_indicator
from lib.methods.indicators import area_table, area_types, meta, periods, periods_of_any
from lib.methods.indicators import by_family as indicator_families
from lib.render import maps
from lib.render.format import md_text, population_text
from lib.views import life_expectancy as le
from lib.views import map as mapview
from lib.views import map_area
from pages.shared import app_frame, caching, export_buttons, session_data, widgets

MAP_KEY = "map_view"


def _select_clicked() -> None:
    """Clicking an area selects its neighbourhood in the shared frame."""
    clicked = (st.session_state.get(MAP_KEY) or {}).get("last_active_drawing") or {}
    code = (clicked.get("properties") or {}).get("nbhd")
    if code and code in session_data.neighbourhood_names() and code != st.session_state.get("nbhd"):
        st.session_state["nbhd"] = code
        st.session_state.setdefault("frame_values", {})["nbhd"] = code
        st.rerun()  # the sidebar and the URL show the new neighbourhood: the whole app, not the map alone


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]


@app_frame.page_fragment
def map_view() -> None:
    """The page below the shared frame, as a fragment: its own selections (family, indicator,
    period, detail, colour, zoom, the ward) rerun only this, not the sidebar and router; a click
    on an area that changes the neighbourhood reruns the whole app (the sidebar shows it)."""
    sel = app_frame.frame_state()
    ds = session_data.lens_dataset(sel.population)
    names = dict(zip(ds.indicators["indicator_id"], ds.indicators["name"]))
    by_family = indicator_families(ds.indicators, ds.values, also=("msoa",))  # life expectancy: MSOAs only
    all_ids = [i for ids in by_family.values() for i in ids]
    family_of = {i: f for f, ids in by_family.items() for i in ids}
    all_periods = periods_of_any(ds.values, all_ids)

    first_visit = "map__values" not in st.session_state
    url_ind = st.query_params.get("ind")
    default_ind = default_indicator(sel.population, "disability")
    defaults = {
        "family": family_of[default_ind],
        "ind": default_ind,
        "period": periods(ds.values, default_ind)[-1],
        "layer": "neighbourhoods",
        "colour": "comparison",
        "zoom": "nbhd",
    }
    if url_ind in family_of and "family" not in st.query_params:
        defaults["family"] = family_of[url_ind]
    state = app_frame.page_state(
        {
            "family": list(by_family),
            "ind": all_ids,
            "period": all_periods,
            "layer": list(mapview.LAYERS),
            "colour": list(mapview.COLOUR_MODES),
            "zoom": list(mapview.ZOOMS),
        },
        defaults,
        prefix="map",
    )
    if first_visit and family_of.get(state["ind"]) != state["family"]:
        st.session_state["map_family"] = family_of[state["ind"]]  # a link's indicator decides its family

    st.title("Map")
    st.markdown("Pick an indicator to see how each area compares. **Click an area** to select its neighbourhood.")

    c1, c2, c3 = st.columns([1, 2, 1])
    app_frame.valid_choice("map_family", list(by_family))
    family = c1.selectbox("Family", list(by_family), format_func=FAMILY_LABELS.get, key="map_family")
    if st.session_state.get("map_ind") not in by_family[family]:  # e.g. the other lens's indicator
        st.session_state["map_ind"] = default_ind if default_ind in by_family[family] else by_family[family][0]
    ind = c2.selectbox("Indicator", by_family[family], format_func=names.get, key="map_ind")
    ind_periods = periods(ds.values, ind)
    if st.session_state.get("map_period") not in ind_periods:
        if first_visit and "period" in st.query_params:
            st.warning(
                f"{md_text(names[ind])} has no figures for the period in the link; showing {md_text(ind_periods[-1])} instead.",
                icon=":material/link_off:",
            )
        st.session_state["map_period"] = ind_periods[-1]
    period = c3.selectbox("Period", ind_periods[::-1], key="map_period")

    c4, c5, c6 = st.columns([1, 1, 1])
    layer = c4.radio(
        "Detail",
        list(mapview.LAYERS),
        format_func=lambda k: mapview.LAYERS[k][1],
        key="map_layer",
        horizontal=True,
        disabled=sel.registered,
        help=mapview.REGISTERED_DETAIL if sel.registered else None,
    )
    colour = c5.radio(
        "Colour by", list(mapview.COLOUR_MODES), format_func=mapview.COLOUR_MODES.get, key="map_colour", horizontal=True
    )
    zoom = state["zoom"]
    if layer != "neighbourhoods" and not sel.registered:  # wards and small areas only
        zoom = c6.radio(
            "Zoom to",
            list(mapview.ZOOMS),
            format_func=lambda k: f"{mapview.ZOOMS[k]} ({sel.nbhd})" if k == "nbhd" else mapview.ZOOMS[k],
            key="map_zoom",
            horizontal=True,
            help="The selected neighbourhood's wards or small areas, or the whole city.",
        )
    app_frame.keep(
        "map", {"family": family, "ind": ind, "period": period, "layer": layer, "colour": colour, "zoom": zoom}
    )

    m = meta(ds.indicators, ind)
    shown = mapview.layer_for(area_types(ds.values, ind, period), layer)
    if sel.registered:
        st.info(f"{population_text(sel.population)} {mapview.REGISTERED_DETAIL}", icon=":material/groups:")
    elif shown != layer:
        st.info(
            f"{md_text(names[ind])} has no figures for {_lower(mapview.LAYERS[layer][1])} in {md_text(period)}; "
            f"showing {_lower(mapview.LAYERS[shown][1])} instead.",
            icon=":material/info:",
        )
    area_type = mapview.LAYERS[shown][0]
    table = caching.computed(area_table, ds, ind, period, area_type, sel.bench, sel.level)
    table = mapview.sort_areas(
        table, list(session_data.neighbourhood_names()) if area_type == "neighbourhood" else None
    )
    if first_visit:  # a link's ward (area=, e.g. from the profile's ward grid): zoomed to, outlined and named
        st.session_state["map_area"] = str(st.query_params.get("area", ""))
        ward_nbhd = map_area.ward_of_link(ds.definition, st.session_state["map_area"])
        if ward_nbhd and ward_nbhd != sel.nbhd and shown == "wards":  # the ward decides the neighbourhood
            st.session_state["map_area_moved"] = map_area.moved_sentence(ds.definition, st.session_state["map_area"])
            st.session_state["nbhd"] = ward_nbhd
            st.session_state["frame_values"]["nbhd"] = ward_nbhd
            st.rerun()
    if moved := st.session_state.pop("map_area_moved", None):
        st.info(md_text(moved), icon=":material/info:")
    ward = map_area.ward_choice(ds.definition, st.session_state.get("map_area"), shown, sel.nbhd, from_link=first_visit)
    if ward.notice:
        st.warning(md_text(ward.notice), icon=":material/link_off:")
    st.session_state["map_area"] = ward.code or ""
    if ward.code:
        app_frame.write_url({"area": ward.code})
    elif "area" in st.query_params:
        del st.query_params["area"]
    detail = (
        shown != "neighbourhoods"
    )  # wards/LSOAs: neighbourhood outlines on top; the selected one drawn as a double line
    map_title = f"{m['name']}, {period}: {_lower(mapview.LAYERS[shown][1])}"
    st.header(md_text(map_title))  # plain text (also the export's title): shown literally
    if le_note := le.map_caption(ds.values, ds.definition, ind, sel.nbhd, sel.level):  # why MSOAs, not neighbourhoods
        st.caption(md_text(le_note))
    if ward.code:
        st.info(
            md_text(map_area.selected_sentence(ward, table, m, period, sel.bench, ds.threshold)),
            icon=":material/my_location:",
        )
        st.button(
            "Clear the ward selection", key="map_area_clear", on_click=lambda: st.session_state.update(map_area="")
        )
    in_selected = None  # the table's rows in the selected neighbourhood (from the boundaries)
    with session_data.needs_data():  # without a boundary file, a message replaces the map; the table below still works
        shapes = session_data.geojson(shown)
        features = mapview.map_features(
            shapes,
            table,
            m,
            colour,
            sel.bench,
            sel.level,
            area_type,
            selected=None if detail else sel.nbhd,
            threshold=ds.threshold,
        )
        in_selected = mapview.in_neighbourhood(shapes, table["area_code"], sel.nbhd)
        legend = mapview.legend_items(colour, table, m, sel.bench, area_type)
        legend_title = mapview.legend_title(colour, m, sel.bench, area_type)
        outlines = (
            [(session_data.geojson("neighbourhoods"), 2, "#1A1A1A"), (session_data.geojson("localities"), 4, "#000000")]
            if detail
            else []
        )
        fmap, layers = maps.map_parts(
            features,
            legend_title,
            legend,
            colour,
            outlines=outlines,
            labels=session_data.geojson("neighbourhoods") if detail else True,
            selected_outline=mapview.select_features(session_data.geojson("neighbourhoods"), [sel.nbhd])
            if detail
            else None,
            fit=mapview.select_features(shapes, [ward.code])
            if ward.code and zoom == "nbhd"
            else mapview.map_extent(session_data.geojson("neighbourhoods"), sel.nbhd, zoom, detail),
            name=f"Map of {map_title}, {_lower(legend_title)}" + (f", ward {ward.name} outlined" if ward.code else ""),
            area_labels=mapview.AREA_LABELS.get(shown),
            marked=mapview.select_features(shapes, [ward.code]) if ward.code else None,
        )
        st.caption(
            f"Map of Manchester's {len(table)} {_lower(mapview.LAYERS[shown][1])} coloured by "
            f"{mapview.COLOUR_MODES[colour].lower()}. The selected neighbourhood has a thick "
            f"{'black-and-white outline; black lines mark neighbourhoods and (thicker) localities' if detail else 'black outline'}. "
            "The table below holds the same figures."
        )
        widgets.interactive_map(fmap, MAP_KEY, 620, ["last_active_drawing"], on_change=_select_clicked, layers=layers)
        st.markdown("**Key:** " + maps.legend_text(legend))
        export_buttons.export_map_buttons(
            features,
            legend,
            map_title,
            legend_title,
            colour,
            export_buttons.export_footer(
                m, period, "map", {"family": family, "ind": ind, "period": period, "layer": layer, "colour": colour}
            ),
            f"map_{ind}_{period}_{shown}".replace("/", "-"),
            key="map_static",
            outlines=[session_data.geojson("neighbourhoods")] if detail else [],
            labels=session_data.geojson("neighbourhoods") if detail else None,
        )

    nbhd_names = session_data.neighbourhood_names()
    s1, s2 = st.columns([3, 1])
    s1.markdown(f"**Selected:** {md_text(sel.nbhd)} · {md_text(nbhd_names[sel.nbhd])}")
    s2.page_link("pages/profile.py", label="Open its profile", icon=":material/person_pin_circle:")

    rows = mapview.table_rows(table, m, sel.bench, sel.level, area_type, ds.threshold)
    widgets.figures_table(
        rows,
        f"{map_title}: the figures for each area",
        m,
        period,
        f"map_{ind}_{period}_{shown}.csv",
        download=widgets.analysis_ready(table, ds),
        highlight=in_selected,
        highlight_label=f"in {sel.nbhd}" if detail else "selected",
    )


map_view()
