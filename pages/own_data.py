"""Your data: load your own indicator files (tidy values.csv format or a Fingertips export), choose
another neighbourhood grouping, and set the disclosure threshold: saved in the workspace (every page,
every session, after a restart: ``pages/shared/workspace_ui.py``) or tried in this session only; every
other page sees them through ``session_data.dataset()``. Logic is in
``lib/views/own_data.py`` (reading a file: ``lib/imports/``), ``lib/methods/regroup.py`` and ``lib/core/disclosure.py``."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.core import data, disclosure
from lib.core.contract import FAMILIES, FAMILY_LABELS
from lib.imports import activity_file
from lib.imports.geography import Geography, load_geography
from lib.imports.indicator_file import ImportedData
from lib.imports.practices import PracticeAssignmentError, read_practice_assignment
from lib.methods import apportion, regroup
from lib.render.format import md_message, md_text
from lib.views import own_data
from pages.shared import admin_views, app_frame, session_data, signin, widgets, workspace, workspace_ui

POLARITY_LABELS = {
    "": "Read it from the file (else no judgement)",
    "higher_is_better": "Higher is better",
    "lower_is_better": "Lower is better",
    "no_judgement": "No judgement (higher / lower only)",
}


@st.cache_resource(show_spinner=False)
def geography() -> Geography:
    ds = session_data.embedded()
    return load_geography(definition=ds.definition, values=ds.values)


@st.cache_resource(show_spinner=False)
def lookups2018() -> pd.Series:
    lk = data.load_csv(
        "geodata/lookups/lsoa11_ward2018_bestfit.csv",
        ["lsoa_code", "ward2018_code"],
        dtype=str,
        keep_default_na=True,
        na_values=None,
    )
    return lk.set_index("lsoa_code")["ward2018_code"]


app_frame.frame_state()
st.title("Your data")
st.markdown(
    "Add your own indicators (a **Fingertips download** or a file in this app's **own format**) at LSOA, MSOA, "
    "ward or neighbourhood level. They are summed to neighbourhoods, localities and Manchester by the same methods "
    "as the app's data, get confidence intervals and comparisons, and appear on every page marked **(your data)**. "
    "**Save it in the workspace** and everyone who may see the workspace finds it on every page, after a restart "
    "too; **try without saving** and it stays in this browser session only."
)

loaded: list[ImportedData] = st.session_state.setdefault(session_data.USER_DATA_KEY, [])

# ---------------------------------------------------------------- upload
st.header("Load a file")
# Radio buttons, not select boxes: four options each, all in view (and one less control kind to load).
family = st.radio("Show it under", list(FAMILIES), format_func=FAMILY_LABELS.get, key="own_family", horizontal=True)
polarity = st.radio(
    "Which direction is better?",
    list(POLARITY_LABELS),
    format_func=POLARITY_LABELS.get,
    key="own_polarity",
    horizontal=True,
)
may_load = signin.may_load()  # team mode: editors and admins only (lib/workspace/access.py)
if not may_load:
    st.info(signin.why_not("load"), icon=":material/lock:")
uploads = (
    st.file_uploader(
        "CSV files (Fingertips 'all data' export or your own format)",
        type=None,
        accept_multiple_files=True,
        key="own_upload",
    )
    if may_load
    else []
)
save_it = workspace_ui.save_or_try()
seen: set = st.session_state.setdefault("own_seen", set())
for up in uploads or []:
    if up.file_id in seen:
        continue
    seen.add(up.file_id)
    with st.spinner(f"Checking {md_text(up.name)}…"):
        # Kept as markdown: the importer's plain-text message (which quotes the file) shown literally.
        try:
            if save_it:  # checked in full, then saved in one transaction (a bad file saves nothing)
                error = workspace_ui.save_indicator_upload(
                    up.getvalue(), up.name, geography(), family=family, polarity=polarity or None
                )
            else:
                loaded, error = own_data.accept_upload(
                    loaded, up.getvalue(), up.name, geography(), family=family, polarity=polarity or None
                )
            error = md_message(error) if error else error
        except data.DataFileError as exc:  # a lookup the app ships is missing or damaged: not the user's file
            error = f"{md_text(up.name)} could not be checked. {exc}"  # the app's own message (markdown)
    st.session_state[session_data.USER_DATA_KEY] = loaded
    errors = st.session_state.setdefault("own_errors", {})
    if error:
        errors[up.name] = error
    else:
        errors.pop(up.name, None)
        st.session_state["own_last_ok"] = up.name

for msg in (st.session_state.get("own_errors") or {}).values():
    st.error(msg, icon=":material/error:")
if st.session_state.get("own_errors"):
    if st.button("Clear these messages", key="own_clear_errors"):
        st.session_state["own_errors"] = {}
        st.rerun()

with st.expander("What the files must look like"):
    st.markdown(
        "**Fingertips export**: on fingertips.phe.org.uk choose the indicators, area type *Ward* (or MSOA), "
        "Manchester as the area, then *Download → Export all data as CSV*. Sex is filtered to Persons; rows for other "
        "areas are ignored.\n\n"
        "**This app's own format** (like `values.csv`): one row per indicator, period and area, with columns "
        "`indicator_id, period, area_code` and `numerator` + `denominator` (or `value`). Optional: `indicator_name`, "
        "`value_type` (proportion, rate, count, score), `multiplier`, `polarity`, `unit`.\n\n"
        "**Areas**: 2011 LSOAs (E01…), 2011 MSOAs (E02…), 2004–2018 wards (E05000687–E05000718), May-2018 wards "
        "(E05011350–E05011381, placed in neighbourhoods by best fit: approximate) or neighbourhood codes (N1…S4). "
        "Include every area of the level; leave a withheld figure blank. England (E92000001) rows are used as the "
        "England benchmark.\n\n"
        "**How figures are combined**: counts and denominators are summed, then the value and its interval are "
        "recomputed (percentages: Wilson; rates and ratios of observed to expected: Byar). Values without counts are "
        "combined as population-weighted means, flagged as estimates and not tested."
    )

# ---------------------------------------------------------------- saved in the workspace


def _check_indicators(raw: bytes, name: str):
    try:
        checked, error = own_data.accept_upload([], raw, name, geography(), family=family, polarity=polarity or None)
    except data.DataFileError as exc:
        return None, f"{name} could not be checked. {exc}"
    return (None, error) if error else (checked[0], None)


def _check_grouping(raw: bytes, name: str):
    try:
        gdef, gnotes = regroup.read_grouping(raw, name, ward_names, geography().lsoa_to_ward, lookups2018())
    except (regroup.DefinitionError, data.DataFileError) as exc:
        return None, str(exc)
    return {"key": "upload", "label": f"Your grouping: {name}", "notes": gnotes, "csv": gdef.to_csv(index=False)}, None


def _check_practices(raw: bytes, name: str):
    try:
        codes = list(session_data.registered()[0].definition["neighbourhood_code"].unique())
        passign = read_practice_assignment(raw, name, codes, session_data.committed_practices()["practice_code"])
    except (PracticeAssignmentError, data.DataFileError) as exc:
        return None, str(exc)
    return {"name": name, "csv": passign.to_csv(index=False)}, None


def _check_activity(raw: bytes, name: str):
    measures = apportion.target_lines(session_data.seed("activity_targets_2020_21"))["measure_id"]
    got, error = activity_file.accept_upload(
        None, raw, list(session_data.neighbourhood_names()), list(measures), name=name
    )
    return (None, error) if error else (got, None)


base_def = session_data.embedded().definition
ward_names = base_def.set_index("ward_code")["ward_name"]
workspace_ui.saved_section(
    {
        "indicators": _check_indicators,
        "grouping": _check_grouping,
        "practices": _check_practices,
        "activity": _check_activity,
    }
)

# ---------------------------------------------------------------- loaded
st.header("Tried without saving (this session only)")
if not loaded:
    st.info("Nothing loaded yet.", icon=":material/info:")
for i, item in enumerate(list(loaded)):
    with st.container(border=True):
        a, b = st.columns([5, 1])
        a.markdown(f"**{md_text(item.name)}** · {'Fingertips export' if item.fmt == 'fingertips' else 'own format'}")
        for _, r in item.indicators.iterrows():
            a.markdown(
                f"- {md_text(r['name'])}: {md_text(r['value_type'])}, {md_text(r['period'])} "
                f"(family: {md_text(FAMILY_LABELS.get(r['family'], r['family']))})"
            )
        a.caption(md_text(" ".join(item.messages)))  # plain text quoting the file
        if b.button("Remove", key=f"own_remove_{i}_{item.name}", icon=":material/delete:"):
            st.session_state[session_data.USER_DATA_KEY] = [d for d in loaded if d is not item]
            st.rerun()
        with a.expander("Preview of the file and the neighbourhood and ward figures"):
            widgets.show_table(
                own_data.safe_preview(item.preview, session_data.threshold()),
                f"The first rows of {item.name}",
                max_height=320,
            )
            ds = session_data.dataset()
            shown = ds.values[
                ds.values["indicator_id"].isin(item.indicator_ids)
                & ds.values["area_type"].isin(["neighbourhood", "ward"])
            ]
            shown = shown.sort_values(["indicator_id", "period", "area_type"], ascending=[True, True, False])
            widgets.show_table(
                shown[
                    [
                        "indicator_id",
                        "period",
                        "area_type",
                        "area_code",
                        "area_name",
                        "numerator",
                        "denominator",
                        "value",
                        "lower_95",
                        "upper_95",
                        "vs_england",
                        "vs_city",
                        "note",
                    ]
                ],
                f"{item.name}: the neighbourhood and ward figures as the app holds them",
                row_header=None,
                max_height=360,
            )

# ---------------------------------------------------------------- grouping
st.header("Neighbourhood grouping")
workspace_ui.saved_caption("grouping", overridden=st.session_state.get(session_data.GROUPING_KEY) is not None)
options = (
    {"twelve": "12 neighbourhoods (the app's definition)"}
    | {k: v[0] for k, v in regroup.SHIPPED.items()}
    | ({"upload": "Upload my own grouping"} if may_load else {})
)
current = st.session_state.get(session_data.GROUPING_KEY)
current_key = current["key"] if current else "twelve"
choice = st.radio(
    "Group the wards into",
    list(options),
    format_func=options.get,
    key="own_grouping_choice",
    index=list(options).index(current_key) if current_key in options else 0,
)


def _apply(key: str, label: str, definition: pd.DataFrame | None, notes: list[str]) -> None:
    if definition is None:
        st.session_state[session_data.GROUPING_KEY] = None
        codes = list(base_def["neighbourhood_code"].unique())
    else:
        st.session_state[session_data.GROUPING_KEY] = {
            "key": key,
            "label": label,
            "notes": notes,
            "csv": definition.to_csv(index=False),
        }
        codes = list(definition["neighbourhood_code"].unique())
    fv = st.session_state.get("frame_values") or {}
    if fv.get("nbhd") not in codes:
        fv["nbhd"] = codes[0]
        st.session_state["frame_values"] = fv
        st.session_state["nbhd"] = codes[0]


if choice == "twelve" and current is not None:
    _apply("twelve", options["twelve"], None, [])
    st.rerun()
elif choice in regroup.SHIPPED and current_key != choice:
    with session_data.needs_data():
        _apply(choice, options[choice], regroup.load_shipped(choice, set(ward_names.index)), [])
        st.rerun()
elif choice == "upload":
    st.caption(
        "A CSV with one row per ward: "
        + ", ".join(f"`{c}`" for c in regroup.DEFINITION_COLUMNS)
        + ". Wards may be the 2004–2018 set or the May-2018 set (converted by best fit: approximate)."
    )
    gfile = st.file_uploader("Grouping CSV", key="own_grouping_upload")
    if gfile is not None and st.session_state.get("own_grouping_file") != gfile.file_id:
        st.session_state["own_grouping_file"] = gfile.file_id
        try:
            gdef, gnotes = regroup.read_grouping(
                gfile.getvalue(), gfile.name, ward_names, geography().lsoa_to_ward, lookups2018()
            )
        except (regroup.DefinitionError, data.DataFileError) as exc:
            # kept as markdown: the checker's plain text (quoting the file) literally; the app's own message as it is
            st.session_state["own_grouping_error"] = (
                md_message(str(exc)) if isinstance(exc, regroup.DefinitionError) else str(exc)
            )
        else:
            st.session_state["own_grouping_error"] = None
            _apply("upload", f"Your grouping: {gfile.name}", gdef, gnotes)
            st.rerun()
    if st.session_state.get("own_grouping_error"):
        st.error(
            st.session_state["own_grouping_error"] + "\n\nThe grouping in use has not changed.", icon=":material/error:"
        )

current = session_data.grouping()
if current:
    own_grouping = st.session_state.get(session_data.GROUPING_KEY)
    workspace_ui.save_button(
        "grouping",
        own_grouping,
        file_name=(own_grouping or {}).get("label", ""),
        raw=((own_grouping or {}).get("csv") or "").encode(),
        label="Save this grouping in the workspace",
        key="ws_save_grouping",
    )
    st.success(
        f"In use: **{md_text(current['label'])}**. Every page now shows these neighbourhoods.", icon=":material/check:"
    )
    for n in current.get("notes", []):
        st.warning(n, icon=":material/info:")
    dropped = session_data.not_regrouped()
    if dropped:
        names = dict(zip(session_data.dataset().indicators["indicator_id"], session_data.dataset().indicators["name"]))
        st.caption(
            "Cannot be rebuilt for this grouping (no figures for every ward), so shown for Manchester only: "
            + "; ".join(md_text(names.get(i, i)) for i in dropped)
        )
    gdef = session_data.dataset().definition
    widgets.show_table(
        gdef[["ward_code", "ward_name", "neighbourhood_code", "neighbourhood_name", "locality_code"]],
        "The grouping in use: each ward and its neighbourhood",
        row_header="ward_name",
        max_height=320,
    )
    widgets.download_csv(gdef, "neighbourhood_grouping.csv", "Download this grouping (CSV)", key="own_dl_grouping")

# ---------------------------------------------------------------- practice assignment
st.header("GP practice assignment (registered patients)")
st.markdown(
    "The registered-patient figures (a neighbourhood's GP practices: *Its GP practices* on the profile, the cohorts' "
    "registers, the risk pyramid by GP registers, Data and methods) count each practice's patients in the "
    "neighbourhood `geodata/practices.csv` gives it. To use another assignment in this session, download the current "
    "one, change `neighbourhood_code` (and `basis` and `note`: a judgement says why) for the practices you move, and "
    "upload it: every neighbourhood, locality and Manchester figure of the registered patients is rebuilt from the "
    "practices for it."
)
with session_data.needs_data():  # without geodata/practices.csv, a message replaces this part
    committed_practices = session_data.committed_practices()
    reg_ds, practices_in_use = session_data.registered()
    nbhd_names = dict(zip(reg_ds.definition["neighbourhood_code"], reg_ds.definition["neighbourhood_name"]))
    widgets.download_csv(
        practices_in_use, "practices.csv", "Download the practice assignment in use (CSV)", key="own_dl_practices"
    )
    workspace_ui.saved_caption("practices", overridden=st.session_state.get(session_data.PRACTICES_KEY) is not None)
    pfile = st.file_uploader("Practice assignment CSV", key="own_practices_upload") if may_load else None
    if pfile is not None and st.session_state.get("own_practices_file") != pfile.file_id:
        st.session_state["own_practices_file"] = pfile.file_id
        try:
            passign = read_practice_assignment(
                pfile.getvalue(), pfile.name, list(nbhd_names), committed_practices["practice_code"]
            )
        except PracticeAssignmentError as exc:  # the checker's plain text (quoting the file) shown literally
            st.session_state["own_practices_error"] = md_message(str(exc))
        else:
            st.session_state["own_practices_error"] = None
            st.session_state[session_data.PRACTICES_KEY] = {"name": pfile.name, "csv": passign.to_csv(index=False)}
            st.rerun()
    if st.session_state.get("own_practices_error"):
        st.error(
            st.session_state["own_practices_error"] + "\n\nThe practice assignment in use has not changed.",
            icon=":material/error:",
        )
    if session_data.practices_csv() is not None:
        st.success(
            f"In use: **{md_text(session_data.practice_assignment_name())}**. Every registered-patient figure now follows it.",
            icon=":material/check:",
        )
        own_practices = st.session_state.get(session_data.PRACTICES_KEY)
        workspace_ui.save_button(
            "practices",
            own_practices,
            file_name=(own_practices or {}).get("name", ""),
            raw=((own_practices or {}).get("csv") or "").encode(),
            label="Save this practice assignment in the workspace",
            key="ws_save_practices",
        )
        moves = own_data.practice_moves(committed_practices, practices_in_use, nbhd_names)
        if moves.empty:
            st.caption("It puts every practice where geodata/practices.csv does.")
        else:
            widgets.show_table(
                moves, "Practices your assignment puts elsewhere than geodata/practices.csv", row_header=None
            )
        if st.button("Use the app's practice assignment", key="own_practices_reset", icon=":material/undo:"):
            st.session_state[session_data.PRACTICES_KEY] = None
            st.session_state["own_practices_error"] = None
            st.rerun()

# ---------------------------------------------------------------- disclosure
st.header("Disclosure control")
floor = disclosure.configured_threshold()
t = st.number_input(
    "Hide counts below",
    min_value=floor,
    max_value=100,
    step=1,
    value=session_data.threshold(),
    key="own_threshold_input",
    help=f"Counts from 1 to this number minus one are shown as “{disclosure.TOO_FEW}”, on every page, "
    "in downloads and on the map. The minimum is set for this installation "
    f"({floor}); you can only make it stricter.",
)
if int(t) != session_data.threshold() and int(t) != st.session_state.get(session_data.THRESHOLD_KEY):
    st.session_state[session_data.THRESHOLD_KEY] = int(t)
    st.rerun()
saved_t = workspace.saved_threshold()
workspace_ui.saved_caption("threshold", overridden=False)
if saved_t is not None and int(t) < saved_t:
    st.caption(f"The workspace's threshold ({saved_t}) is the minimum here: a session can only make it stricter.")
if st.session_state.get(session_data.THRESHOLD_KEY) is not None and session_data.threshold() != saved_t:
    workspace_ui.save_button(
        "threshold",
        session_data.threshold(),
        file_name="",
        raw=str(session_data.threshold()).encode(),
        label=f"Save {session_data.threshold()} as the workspace's threshold",
        key="ws_save_threshold",
    )
st.caption(
    f"Counts of 1 to {session_data.threshold() - 1} are hidden (zero is shown). Where a hidden count could be worked out "
    "from a total (e.g. the other wards of a neighbourhood), the next smallest count is hidden too. Modelled counts "
    "(expected cases, apportioned targets) are estimates, not counts of people: the data keeps them, but a page "
    f"shows one below {session_data.threshold()} as hidden too, so no small number appears on screen."
)

admin_views.show_workspace()  # admins only: members and the audit log
