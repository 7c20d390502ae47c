"""Seed tables transcribed from the council reports, carried into ``profiles/seeds/``.

Totals are recomputed from their parts and set beside the published totals; where the two
differ the ``note`` says so, so the source's own discrepancies stay visible.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lib.pipeline import sources

PROSPECTUS = "Manchester Locality Plan / LCO Commissioning Prospectus (2017), seed 004"
NEW_MODELS = "Manchester New Models of Care (2016), section 20, seed 003"


def _total_note(published: float, recomputed: float, what: str) -> str:
    diff = published - recomputed
    if abs(diff) < 1e-9:
        return f"{what}: published total equals the sum of the lines"
    return f"{what}: published total {published:,.0f} differs from the sum of the lines {recomputed:,.0f} by {diff:+,.0f} (in the source)"


def _unlike_units_note(lines: pd.DataFrame) -> str:
    """The activity lines are in different units, so their sum is not a count of anything."""
    units = [u for u in lines["unit_as_published"].dropna().astype(str).unique() if u.strip()]
    return (
        f"adds unlike units: the {len(lines)} lines are in {len(units)} different units as published "
        f"({', '.join(units)}), so the overall figure is not a total of any one thing"
    )


def activity_targets(data_dir: Path) -> pd.DataFrame:
    """City 2020/21 activity-shift targets, with the recomputed overall total."""
    t = sources.seed(data_dir, "activity_shift_targets_2020_21")
    lines = t[t["measure_id"] != "overall"].copy()
    lines["row_type"] = "line"
    lines["note"] = "Unit printed as published; some look shifted by a row in the source"
    published = float(t.loc[t["measure_id"] == "overall", "activity_shift_2020_21"].iloc[0])
    total = float(lines["activity_shift_2020_21"].sum())
    extra = pd.DataFrame(
        [
            {
                "measure_id": "overall",
                "measure": "OVERALL (as published)",
                "unit_as_published": "",
                "activity_shift_2020_21": published,
                "row_type": "published_total",
                "note": _total_note(published, total, "Overall") + "; " + _unlike_units_note(lines),
            },
            {
                "measure_id": "overall_recomputed",
                "measure": "Overall (sum of the lines)",
                "unit_as_published": "",
                "activity_shift_2020_21": total,
                "row_type": "recomputed_total",
                "note": "Recomputed by this project; " + _unlike_units_note(lines),
            },
        ]
    )
    out = pd.concat([lines, extra], ignore_index=True)
    out["source"] = PROSPECTUS + ', "Activity reduction and efficiency measures"'
    return out


def cash_released(data_dir: Path) -> pd.DataFrame:
    """Cash each benefit is meant to release (GBP thousands), with recomputed totals."""
    t = sources.seed(data_dir, "cba_cash_released_gbp000")
    years = [c for c in t.columns if c != "benefit_type"]
    totals = ("LCO total gross savings", "Reinvestment at 50%", "Net total savings")
    per_year = [y for y in years if y != "cumulative"]
    lines = t[~t["benefit_type"].isin(totals)].copy()
    lines["row_type"] = "line"
    lines["note"] = [_cumulative_note(r, per_year) for _, r in lines.iterrows()]
    rec = lines[years].sum()
    rows = [lines]
    pub_gross = t[t["benefit_type"] == "LCO total gross savings"].iloc[0]
    notes = [_total_note(float(pub_gross[y]), float(rec[y]), y) for y in years]
    diffs = [n for n in notes if "differs" in n]
    pub = t[t["benefit_type"].isin(totals)].copy()
    pub["row_type"] = "published_total"
    pub["note"] = [_cumulative_note(r, per_year) for _, r in pub.iterrows()]
    gross_note = "; ".join(diffs) if diffs else "Equals the sum of the lines"
    pub.loc[pub["benefit_type"] == "LCO total gross savings", "note"] = [
        _join(gross_note, n) for n in pub.loc[pub["benefit_type"] == "LCO total gross savings", "note"]
    ]
    net_rows = pub["benefit_type"] == "Net total savings"
    pub.loc[net_rows, "note"] = [
        _join(n, _net_note(t.set_index("benefit_type"), years)) for n in pub.loc[net_rows, "note"]
    ]
    rows.append(pub)
    rec_cum = float(rec["cumulative"]) if "cumulative" in years else None
    rec_years = float(sum(rec[y] for y in per_year))
    rec_note = "Recomputed by this project: each column is the sum of the lines"
    if rec_cum is not None and abs(rec_cum - rec_years) > 1e-9:
        n_off = int(sum(1 for _, r in lines.iterrows() if _cumulative_note(r, per_year)))
        rec_note += (
            f"; its cumulative ({rec_cum:,.0f}, the sum of the lines' published cumulative totals) differs from the sum "
            f"of its own year cells ({rec_years:,.0f}) by {rec_cum - rec_years:+,.0f}, because {n_off} lines' published "
            "cumulative totals differ from their year columns (in the source)"
        )
    rec_row = {
        "benefit_type": "Gross savings (sum of the lines)",
        **{y: float(rec[y]) for y in years},
        "row_type": "recomputed_total",
        "note": rec_note,
    }
    rows.append(pd.DataFrame([rec_row]))
    out = pd.concat(rows, ignore_index=True)
    out["source"] = PROSPECTUS + ', "LCO Finance" (GBP thousands)'
    return out


def _join(*texts: str) -> str:
    return "; ".join(t for t in texts if isinstance(t, str) and t.strip())


def _cumulative_note(row: pd.Series, per_year: list[str]) -> str:
    """Where a row's published cumulative total is not the sum of its year columns."""
    if "cumulative" not in row.index:
        return ""
    cum, years_sum = float(row["cumulative"]), float(sum(float(row[y]) for y in per_year))
    if abs(cum - years_sum) < 1e-9:
        return ""
    diff = cum - years_sum
    more = "more" if diff > 0 else "less"
    return (
        f"published cumulative {cum:,.0f} is {abs(diff):,.0f} {more} than the sum of its year columns "
        f"{years_sum:,.0f} (in the source)"
    )


def _net_note(t: pd.DataFrame, years: list[str]) -> str:
    """Where the published net savings are not gross savings plus the reinvestment."""
    gross, reinvest, net = (t.loc[k] for k in ("LCO total gross savings", "Reinvestment at 50%", "Net total savings"))
    out = []
    for y in years:
        expect = float(gross[y]) + float(reinvest[y])
        if abs(float(net[y]) - expect) > 1e-9:
            out.append(
                f"{y}: net {float(net[y]):,.0f} is not gross {float(gross[y]):,.0f} plus reinvestment "
                f"{float(reinvest[y]):,.0f} (= {expect:,.0f}) (in the source)"
            )
    return "; ".join(out)


def investment(data_dir: Path) -> pd.DataFrame:
    """Investment in reform (GBP thousands): schemes, subtotals by status, grand total."""
    t = sources.seed(data_dir, "investing_in_reform_gbp000")
    lines = t.copy()
    lines["row_type"] = "line"
    lines["note"] = ""
    subs = lines.groupby("status", sort=False)[["spend_2017_21", "recurrent"]].sum().reset_index()
    subs["scheme"] = "Subtotal: " + subs["status"].str.replace("_", " ")
    subs["row_type"] = "recomputed_total"
    subs["note"] = "Recomputed by this project"
    grand = {
        "scheme": "Total (sum of the schemes)",
        "status": "all",
        "spend_2017_21": float(lines["spend_2017_21"].sum()),
        "recurrent": float(lines["recurrent"].sum()),
        "row_type": "recomputed_total",
    }
    grand["note"] = (
        f"The source prints a recurrent grand total of 28,450; the sum of its parts is {grand['recurrent']:,.0f} "
        "(a transposition in the source)"
    )
    out = pd.concat([lines, subs, pd.DataFrame([grand])], ignore_index=True)
    out["source"] = NEW_MODELS + " (GBP thousands)"
    return out


def savings_gap(data_dir: Path) -> pd.DataFrame:
    """The LCO five-year savings gap to 2020/21 (GBP thousands), with the remaining gap recomputed."""
    t = sources.seed(data_dir, "lco_savings_gap_gbp000")
    t = t.copy()
    t["row_type"] = "line"
    t.loc[t["line"] == "Remaining gap", "row_type"] = "published_total"
    rec = float(t.loc[t["row_type"] == "line", "gbp000"].sum())
    pub = float(t.loc[t["line"] == "Remaining gap", "gbp000"].iloc[0])
    t["note"] = ""
    t.loc[t["line"] == "Remaining gap", "note"] = _total_note(pub, rec, "Remaining gap")
    out = pd.concat(
        [
            t,
            pd.DataFrame(
                [
                    {
                        "line": "Remaining gap (recomputed)",
                        "gbp000": rec,
                        "row_type": "recomputed_total",
                        "note": "Recomputed by this project",
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    out["source"] = PROSPECTUS + " (GBP thousands)"
    return out


def passthrough(data_dir: Path, name: str, source: str) -> pd.DataFrame:
    """A seed table carried over as it is, with its source."""
    t = sources.seed(data_dir, name).copy()
    t["source"] = source
    return t


def build_seed_tables(data_dir: Path) -> dict[str, pd.DataFrame]:
    """All seed tables for ``profiles/seeds/``, keyed by file stem."""
    return {
        "activity_targets_2020_21": activity_targets(data_dir),
        "cash_released_gbp000": cash_released(data_dir),
        "investment_gbp000": investment(data_dir),
        "savings_gap_gbp000": savings_gap(data_dir),
        "city_headline_facts": passthrough(
            data_dir, "city_headline_facts", "Manchester council reports 2016-2017 (seed_file names the report)"
        ),
        "population_health_aspirations_2021": passthrough(
            data_dir, "population_health_aspirations_2021", PROSPECTUS + ', "Population Health Outcome Measures"'
        ),
        "risk_tiers_and_cohorts": passthrough(
            data_dir, "risk_tiers_and_cohorts", "Manchester council reports 2016-2017 (seed_file names the report)"
        ),
    }
