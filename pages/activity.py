"""Activity shift: the city's 2020/21 target reductions, each neighbourhood's modelled share, the
money behind them, and an SPC tracker of uploaded monthly activity."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.core import data
from lib.imports import activity_file
from lib.methods import apportion, spc
from lib.render.activity_charts import shares_chart, xmr_chart
from lib.render.format import STATUS_BADGE, format_count, md_text
from lib.views import activity
from pages.shared import app_frame, caching, export_buttons, session_data, widgets, workspace_ui

sel = app_frame.frame_state()
ds = session_data.dataset()
names = session_data.neighbourhood_names()
code = sel.nbhd
targets = session_data.seed("activity_targets_2020_21")
lines = apportion.target_lines(targets)
measure_names = dict(zip(lines["measure_id"], lines["measure"]))
n_nbhd = len(names)  # the grouping in use: the shares are split between its neighbourhoods
VIEWS = {
    "targets": "Targets and this neighbourhood's share",
    "shares": f"All {n_nbhd} neighbourhoods' shares",
    "money": "The money",
    "tracker": "Track your monthly activity",
}
state = app_frame.page_state(
    {"method": ["driver", "population", "need"], "view": list(VIEWS)},
    {"method": "driver", "view": "targets"},
    prefix="activity",
)
SAMPLE = "profiles/samples/SYNTHETIC_activity_sample.csv"
MODELLED = STATUS_BADGE["modelled"]

st.title(f"Activity shift: {md_text(code)} {md_text(names[code])}")
app_frame.residents_only(
    sel, "the city's targets are split between neighbourhoods by their residents (population or need)."
)
st.markdown(
    "Manchester's plan is to move care out of hospital. Below, each in its own tab: the city's **2020/21 target "
    f"reductions** as published with this neighbourhood's **estimated share** of each, all {n_nbhd} neighbourhoods' shares, "
    "the money the targets are meant to release, and a **tracker** for your own monthly activity."
)
method = st.radio(
    "Share the city targets out by",
    ["driver", "population", "need"],
    key="activity_method",
    horizontal=True,
    format_func={
        "driver": "Each target's own driver",
        "population": "Population",
        "need": "Need (emergency admissions)",
    }.get,
    help="Each target's own driver: the measure that fits what it counts (e.g. children for school readiness, "
    "people aged 75+ for care packages), stated on every line. Need weights each neighbourhood's population "
    "by its emergency admissions ratio (relative to England's).",
)
shares, words = caching.computed(apportion.shares_by_method, ds, targets, method)
mine = shares[shares["neighbourhood_code"] == code]
# Each view is drawn only when open (lazy tabs): the page opens with the targets table alone.
view, tabs = app_frame.view_tabs("activity", VIEWS, state["view"])
app_frame.keep("activity", {"method": method, "view": view})

if view == "targets":
    with tabs["targets"]:
        st.header("The city's 2020/21 targets and this neighbourhood's share")
        st.markdown(
            f"**{MODELLED}**: each share is an estimate, not a published figure. {md_text(words)} {apportion.ROUNDING_RULE}"
        )
        table1 = pd.DataFrame(
            {
                "Measure": mine["measure"],
                "Unit (as published)": mine["unit_as_published"],
                "City reduction 2020/21 (published)": mine["city_target"].map(format_count),
                f"{code} share (modelled)": mine["share"].map(format_count),
                f"{code} weight share": (100 * mine["weight_share"]).map(lambda v: f"{v:.1f}%"),
            }
        )
        if "driver_text" in mine:  # each line split by its own driver: say which, and why
            table1["Split by (driver)"] = [
                f"{t.capitalize()}: {r}" for t, r in zip(mine["driver_text"], mine["driver_reason"])
            ]
        widgets.show_table(table1, f"{code} {names[code]}: modelled share of each city activity-shift target, 2020/21")
        st.caption(
            "\n\n".join(
                f"{row['measure']}: {int(row['activity_shift_2020_21']):,}. {row['note']}"
                for _, row in targets[targets["row_type"] != "line"].iterrows()
            )
        )
        st.caption(
            f"Units are printed as published; some look shifted by a row in the source (e.g. outpatient attendances "
            f"'Per admission'). Source: {lines['source'].iloc[0]}. Status: published targets REAL; shares {MODELLED} ({md_text(words)})"
        )
        widgets.download_csv(
            mine.drop(columns=["weight"]), f"activity_targets_share_{code}_{method}.csv", key="dl_shares"
        )

        with st.expander("How much does the choice of method matter?"):
            diff = caching.computed(apportion.method_difference, ds, targets)
            diff.insert(1, "neighbourhood", diff["neighbourhood_code"].map(names))
            shown = pd.DataFrame(
                {
                    "Neighbourhood": diff["neighbourhood_code"] + " " + diff["neighbourhood"],
                    "% of city by population": diff["pct_by_population"].round(1),
                    "% of city by need": diff["pct_by_need"].round(1),
                    "Difference (points)": diff["difference_pct_points"].round(2),
                    "All 11 lines by population": diff["all_targets_by_population"],
                    "All 11 lines by need": diff["all_targets_by_need"],
                    "Difference (need − population)": diff["difference_all_targets"],
                }
            )
            widgets.show_table(shown, "Share of the city targets by population and by need, for each neighbourhood")
            st.caption(
                "'All 11 lines' adds the lines' shares together across their different units, as the source's OVERALL does. "
                f"{MODELLED}: both columns are estimates."
            )
            widgets.download_csv(diff.assign(status="modelled"), "activity_method_difference.csv", key="dl_diff")

if view == "shares":
    with tabs["shares"]:
        st.header(f"All {n_nbhd} neighbourhoods' shares")
        measure = st.selectbox(
            f"Show all {n_nbhd} neighbourhoods' shares of",
            list(lines["measure_id"]),
            format_func=measure_names.get,
            key="activity_measure",
        )
        one = shares[shares["measure_id"] == measure]
        split_by = f"{one['driver_text'].iloc[0]} ({method})" if method == "driver" else method
        shares_spec = caching.chart_spec(
            shares_chart,
            one,
            code,
            names,
            f"{measure_names[measure]}: share of {int(one['city_target'].iloc[0]):,} by {split_by} ({MODELLED})",
            order=list(names),
        )
        widgets.show_chart(
            shares_spec,
            f"Bar chart: each neighbourhood's modelled share of the city's {measure_names[measure]} target. The same figures are in the table below.",
        )
        export_buttons.export_chart_buttons(
            shares_spec,
            f"activity_shares_{measure}_{method}",
            f"{measure_names[measure]}: each neighbourhood's share of the 2020/21 target ({MODELLED})",
            export_buttons.export_sources_footer(
                [f"target_{measure}"],
                "activity",
                {"method": method},
                status="modelled",
                source=str(lines["source"].iloc[0]),
                period="2020/21",
                method=words,
            ),
            key="activity_shares",
        )
        driver_words = (
            f" This target follows {one['driver_text'].iloc[0]}: {one['driver_reason'].iloc[0]}."
            if method == "driver"
            else ""
        )
        st.caption(
            f"{MODELLED}: {md_text(words)}{md_text(driver_words)} The {n_nbhd} shares add up to the city figure."
        )
        position = {c: i for i, c in enumerate(names)}
        one = one.sort_values("neighbourhood_code", key=lambda codes: codes.map(position))  # the chart's order
        one_table = pd.DataFrame(
            {
                "Neighbourhood": one["neighbourhood_code"] + " " + one["neighbourhood_code"].map(names),
                "Share (modelled)": one["share"].map(format_count),
                "Weight share": (100 * one["weight_share"]).map(lambda v: f"{v:.1f}%"),
            }
        )
        widgets.show_table(
            one_table,
            f"{measure_names[measure]}: each neighbourhood's modelled share of {int(one['city_target'].iloc[0]):,}",
        )
        widgets.download_csv(
            one.drop(columns=["weight"]), f"activity_shares_{measure}_{method}.csv", key="dl_shares_all"
        )

if view == "money":
    with tabs["money"]:
        st.header("The money: cash released, investment and the savings gap")
        st.markdown(
            "All figures £ thousands, as published, with totals recomputed by this project and the source's discrepancies noted."
        )
        for name, title in (
            ("cash_released_gbp000", "Cash each target is meant to release (£'000)"),
            ("investment_gbp000", "Investing in reform: the investment plan (£'000)"),
            ("savings_gap_gbp000", "The LCO savings gap to 2020/21 (£'000)"),
        ):
            st.subheader(title)
            with (
                session_data.needs_data()
            ):  # a missing or damaged table: a message in its place, the rest of the page still works
                t = session_data.seed(name)
                widgets.show_table(activity.display_money_table(t), title)
                for note in t["note"].dropna():
                    if note and note != "Recomputed by this project":
                        st.caption(f"Note: {note}")
                st.caption(
                    f"Source: {t['source'].iloc[0]}. Rows marked 'Total recomputed by this project' are sums computed here (status DERIVED); other rows REAL, as published."
                )
                widgets.download_csv(activity.money_download(t), f"{name}.csv", key=f"dl_{name}")

if view == "tracker":
    with tabs["tracker"]:
        st.header("Is activity shifting? Track your monthly counts")
        st.markdown(
            "Upload monthly activity per neighbourhood as a CSV. Each measure gets an **XmR statistical process "
            "control chart** (NHS 'Making Data Count'): the mean, process limits (mean ± 2.66 × average moving range, "
            "from all points, or from a baseline you pick under each chart), and special causes: a point outside the limits; 7 or more points in a row above or below "
            "the mean (shift); 7 or more points in a row rising or falling (trend); 2 of 3 points beyond two thirds of "
            "the way to a limit. Lower activity is counted as improvement."
        )
        with st.expander("The CSV format (what to upload)"):
            widgets.show_table(activity_file.contract_table(), "The columns of a monthly activity CSV")
            st.markdown(
                f"Comma-separated, UTF-8, one header line; lines starting with # are skipped; at most "
                f"{activity_file.MAX_BYTES // 1_000_000} MB and {activity_file.MAX_ROWS:,} rows. Valid measure ids: "
                f"{', '.join(lines['measure_id'])}. SPC needs at least {activity_file.MIN_SPC_POINTS} months per series."
            )

        known_codes, known_measures = list(names), list(lines["measure_id"])
        col_up, col_sample = st.columns([3, 1])
        with col_up:
            upload = st.file_uploader("Upload monthly activity (CSV)", type=["csv"], key="activity_upload")
        with col_sample:
            st.write("")
            sample_clicked = st.button(
                "Try the synthetic sample",
                key="activity_sample",
                icon=":material/science:",
                help="Loads SYNTHETIC_activity_sample.csv: made-up data, not real activity.",
            )
        if sample_clicked:
            loaded, _ = activity_file.accept_upload(
                st.session_state.get("activity_data"),
                data.file_bytes(SAMPLE),
                known_codes,
                known_measures,
                name="SYNTHETIC_activity_sample.csv",
            )
            st.session_state["activity_data"] = loaded
            st.session_state["activity_error"] = None
        if upload is not None and st.session_state.get("activity_file_id") != upload.file_id:
            st.session_state["activity_file_id"] = upload.file_id
            loaded, error = activity_file.accept_upload(
                st.session_state.get("activity_data"), upload.getvalue(), known_codes, known_measures, name=upload.name
            )
            st.session_state["activity_data"] = loaded
            st.session_state["activity_error"] = (upload.name, error) if error else None

        current: activity_file.ActivityData | None = session_data.activity_data()
        workspace_ui.offer_activity_save(current)  # save this session's upload for the team; or say whose is shown
        err = st.session_state.get("activity_error")
        if err:
            kept = " Your previously loaded data is still shown below." if current is not None else ""
            st.error(
                f"**{md_text(err[0])} could not be used.**{kept}\n\n"
                + "\n".join(f"- {md_text(p)}" for p in err[1].split("\n")),
                icon=":material/error:",
            )

        if current is None:
            st.info("No activity loaded yet. Upload a CSV, or try the synthetic sample to see how the tracker works.")
        else:
            if current.synthetic:
                st.warning(
                    f"**SYNTHETIC SAMPLE DATA** ({md_text(current.name)}): made-up numbers for trying the tracker. "
                    "This is not real activity; do not draw any conclusion from it.",
                    icon=":material/science:",
                )
            else:
                st.caption(f"Showing your upload: {md_text(current.name)} ({len(current.frame):,} rows).")
            for w in current.warnings:
                st.warning(md_text(w))  # plain text quoting the file
            mine_data = current.frame[current.frame["neighbourhood_code"] == code]
            if mine_data.empty:
                st.info(
                    f"The loaded data have no rows for {md_text(code)} {md_text(names[code])}. Pick another neighbourhood in the sidebar."
                )
            share_of = dict(zip(mine["measure_id"], mine["share"]))
            split_of = dict(zip(mine["measure_id"], mine["driver_text"])) if "driver_text" in mine else {}
            for m_id in sorted(mine_data["measure_id"].unique()):
                s = activity.series(current.frame, code, m_id)
                months, counts = list(s["month"]), s["count"].astype(float).tolist()
                st.subheader(f"{md_text(measure_names.get(m_id, m_id))}: {md_text(code)} {md_text(names[code])}")
                if len(counts) < activity_file.MIN_SPC_POINTS:
                    st.info(
                        f"Only {len(counts)} months: SPC needs at least {activity_file.MIN_SPC_POINTS}, so no chart is drawn."
                    )
                    widgets.show_table(
                        s[["month", "count"]], f"Monthly counts: {measure_names.get(m_id, m_id)}, {code} {names[code]}"
                    )
                    continue
                annual = float(share_of.get(m_id, 0))
                path = activity.trajectory(months, counts, annual)
                goal = float(path["target"].iloc[-1]) if len(counts) > activity.BASELINE_MONTHS else None
                chosen = st.select_slider(
                    "Baseline for the process limits (first and last month)",
                    options=months,
                    value=(months[0], months[-1]),
                    format_func=activity.month_label,
                    key=f"activity_baseline_{m_id}",
                    help="Making Data Count: pick the months of a stable period; the mean and limits are worked out from "
                    "them alone, and every month is judged against them. The whole series by default.",
                )
                first, last = activity.baseline_positions(months, chosen)
                points, summary = spc.xmr(
                    counts, polarity="lower_is_better", target=goal, lower_bound=0.0, baseline_range=(first, last)
                )
                widgets.show_chart(
                    caching.chart_spec(
                        xmr_chart,
                        points,
                        months,
                        f"{measure_names.get(m_id, m_id)} per month, {code}",
                        path if goal is not None else None,
                    ),
                    f"SPC chart: {measure_names.get(m_id, m_id)} per month in {names[code]}, with its mean and process limits.",
                )
                c1, c2 = st.columns(2)
                c1.markdown(f"**Variation:** {summary['variation_icon']} {summary['variation_text']}")
                c2.markdown(
                    f"**Assurance** (against the modelled target {format_count(round(goal)) if goal is not None else '–'} a month): "
                    f"{summary['assurance_icon']} {summary['assurance_text']}"
                )
                prog = activity.progress(counts, annual)
                if prog["latest"] is not None:
                    pct = (
                        f" ({prog['achieved_pct']:.0f}% of the modelled target)"
                        if prog["achieved_pct"] is not None
                        else ""
                    )
                    st.markdown(
                        f"Baseline (mean of the first {min(activity.BASELINE_MONTHS, len(counts))} months): {prog['baseline']:,.0f} a month. "
                        f"Latest 3 months: {prog['latest']:,.0f} a month, a reduction of {prog['reduction_per_month']:,.0f} a month "
                        f"against the modelled target reduction of {prog['target_per_month']:,.0f} a month{pct}."
                    )
                st.caption(
                    f"Target path **{MODELLED}**: {md_text(code)}'s share of the city's 2020/21 reduction ({format_count(annual)} a year, by {md_text(split_of.get(m_id, method))}) "
                    f"taken off the baseline in a straight line over the 12 months after it, then held. The published unit "
                    f"('{dict(zip(lines['measure_id'], lines['unit_as_published'])).get(m_id, '')}') may not match your counts. "
                    f"{activity.baseline_text(months, first, last)} MR̄ {summary['mr_bar']:,.1f}; lower limit not below 0."
                )
                rules = points[["rule_astronomical", "rule_shift", "rule_trend", "rule_two_of_three"]]
                rule_names = ["outside limits", "shift", "trend", "two of three"]
                table = pd.DataFrame(
                    {
                        "month": months,
                        "count": s["count"],
                        "mean": points["mean"].round(1),
                        "lower_limit": points["lcl"].round(1),
                        "upper_limit": points["ucl"].round(1),
                        "special_cause": points["special_cause"],
                        "rules": [
                            ", ".join(n for n, f in zip(rule_names, r) if f) for r in rules.itertuples(index=False)
                        ],
                        "assessment": points["assessment"],
                        "in_baseline": points["in_baseline"],
                        "target_path_modelled": path["target"].round(1),
                        "data_status": "SYNTHETIC" if current.synthetic else "uploaded",
                    }
                )
                if s["population"].notna().any():
                    table.insert(2, "per_1000", (1000 * s["count"] / s["population"]).round(2))
                with st.expander("The numbers"):
                    widgets.show_table(
                        table,
                        f"SPC points and limits: {measure_names.get(m_id, m_id)}, {code} {names[code]}",
                        max_height=420,
                    )
                widgets.download_csv(
                    table,
                    f"activity_spc_{code}_{m_id}{'_SYNTHETIC' if current.synthetic else ''}.csv",
                    key=f"dl_spc_{m_id}",
                )
