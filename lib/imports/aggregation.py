"""How one uploaded indicator becomes neighbourhood figures: choose its method, then roll it up.

The same engine and methods as the embedded data (:mod:`lib.methods.aggregate`):

* count and denominator, value = count ÷ denominator × 100 and no count above its denominator:
  a **proportion** (Wilson intervals);
* count and denominator with another consistent multiplier (1, 100, 1,000, 10,000, 100,000):
  a **rate** (Byar / exact Poisson intervals). A standardised ratio published as O ÷ E × 100 is
  handled by this rule: observed and expected are summed, as the guide asks;
* count only: a **count** (Poisson intervals);
* value only (or a value that is not count ÷ denominator, e.g. age-standardised): a
  **population-weighted mean** (weights: the denominator if given, else the mid-2020 population
  of each area), flagged as an estimate, with no interval and no significance test.

``E92000001`` (England) rows are used as the England benchmark; Manchester (``E08000003``) is
recomputed from the areas, and the user is told if the file's figure differs.

Pure functions, no Streamlit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.core.contract import POLARITIES, VALUE_COLUMNS
from lib.imports.fingertips import polarity_from_comparisons
from lib.imports.geography import FINEST_FIRST, LEVEL_WORDS, Geography, ward2018_definition
from lib.imports.reading import ImportFileError
from lib.methods import aggregate

MULTIPLIERS = (1, 100, 1_000, 10_000, 100_000)
_WEIGHTED_MEAN = {"value_type": "score", "multiplier": 1, "ci_method": "none", "weighted": True}


# ---------------------------------------------------------------- choosing the method


def method_for(g: pd.DataFrame, fmt: str) -> dict:
    """How to aggregate one indicator: value type, multiplier, CI method, unit, a note (or a ``problem``)."""
    s = g[g["level"].isin(LEVEL_WORDS)]
    num, den, val = s["numerator"], s["denominator"], s["value"]
    declared = (g["value_type"].iloc[0] or "").lower() if "value_type" in g else ""
    declared_mult = g["multiplier"].dropna()
    pol = _polarity(g, fmt)
    if isinstance(pol, dict):
        return pol
    unit = g["unit"].iloc[0] if (g["unit"] != "").any() else ""
    has_num, has_den, has_val = num.notna().any(), den.notna().any(), val.notna().any()
    if declared and declared not in ("proportion", "rate", "count", "score", "share", "ratio"):
        return {"problem": f"value_type “{declared}” is not one of proportion, rate, count, score."}
    if declared in ("score", "ratio") or (not has_num and has_val):
        return {
            **_WEIGHTED_MEAN,
            "unit": unit or "value",
            "polarity": pol,
            "note": (
                "Population-weighted mean of the area values (weights: "
                + ("the denominator" if has_den else "mid-2020 population")
                + "); an estimate, with no confidence interval and no significance test."
            ),
            "message": "values without counts: neighbourhood figures are population-weighted means (an estimate, not tested).",
        }
    if not has_num:
        return {"problem": "no counts and no values: fill in numerator (Count) or value."}
    if not has_den:
        return {
            "value_type": "count",
            "multiplier": 1,
            "ci_method": "byar",
            "unit": unit or "count",
            "polarity": pol,
            "note": "Counts summed from the areas; Byar (exact Poisson below 10) confidence intervals.",
        }
    both = num.notna() & den.notna() & (den > 0)
    if declared in ("proportion", "share", "rate") or not val[both].notna().any():
        m = float(declared_mult.iloc[0]) if len(declared_mult) else 100.0
        vt = (
            declared
            if declared in ("proportion", "rate")
            else ("proportion" if _mostly_parts(num[both], den[both]) and m == 100 else "rate")
        )
        if declared == "share":
            vt = "proportion"
        return _ratio_spec(vt, m, unit, pol)
    return _ratio_from_values(num[both], den[both], val[both], unit, pol)


def _polarity(g: pd.DataFrame, fmt: str) -> str | None | dict:
    """The file's polarity column, else (for a Fingertips export) its comparison words; a problem dict if invalid."""
    if (g["polarity"] != "").any():
        p = g.loc[g["polarity"] != "", "polarity"].iloc[0]
        if p not in POLARITIES:
            return {"problem": f"polarity “{p}” is not one of {', '.join(POLARITIES)}."}
        return p
    if fmt == "fingertips":
        return polarity_from_comparisons(g)
    return None


def _ratio_from_values(num: pd.Series, den: pd.Series, val: pd.Series, unit: str, pol: str | None) -> dict:
    """Counts, denominators and values: the multiplier the values imply, if they are count ÷ denominator."""
    implied = (val / (num / den)).replace([np.inf, -np.inf], np.nan).dropna()
    implied = implied[implied > 0]
    if implied.empty:
        return _ratio_spec("proportion" if _mostly_parts(num, den) else "rate", 100.0, unit, pol)
    m = min(MULTIPLIERS, key=lambda x: abs(np.log(implied.median() / x)))
    consistent = (np.abs(implied / m - 1) < 0.02).mean() >= 0.9
    if not consistent:
        return {
            **_WEIGHTED_MEAN,
            "unit": unit or "value",
            "polarity": pol,
            "use_denominator_weights": True,
            "note": (
                "The values are not count ÷ denominator (e.g. age-standardised), so they cannot be rebuilt "
                "from sums: population-weighted mean of the area values (weights: the denominator); an "
                "estimate, with no confidence interval and no significance test."
            ),
            "message": "values are not count ÷ denominator (e.g. standardised): neighbourhood figures are weighted means (an estimate, not tested).",
        }
    vt = "proportion" if m == 100 and _mostly_parts(num, den) else "rate"
    return _ratio_spec(vt, float(m), unit, pol)


def _mostly_parts(num: pd.Series, den: pd.Series) -> bool:
    """Counts that are parts of their denominators, bar a few rows (≤ 10%, which are then
    reported as errors): a percentage. Many counts above their denominators (e.g. observed
    above expected) mean a ratio or rate."""
    return bool(len(num)) and float((num > den).mean()) <= 0.1


def _ratio_spec(vt: str, m: float, unit: str, pol: str | None) -> dict:
    if vt == "proportion":
        return {
            "value_type": "proportion",
            "multiplier": m,
            "ci_method": "wilson",
            "unit": unit or "%",
            "polarity": pol,
            "note": "Counts and denominators summed from the areas, value recomputed as a percentage; Wilson score confidence intervals.",
        }
    return {
        "value_type": "rate",
        "multiplier": m,
        "ci_method": "byar",
        "unit": unit or f"per {m:,.0f}",
        "polarity": pol,
        "note": f"Counts and denominators summed from the areas, value recomputed as count ÷ denominator × {m:,.0f}; "
        "Byar (exact Poisson below 10) confidence intervals.",
    }


# ---------------------------------------------------------------- rolling up


def aggregate_indicator(g: pd.DataFrame, uid: str, spec: dict, geo: Geography) -> tuple[pd.DataFrame, str]:
    """Roll one indicator up with the engine; return values-shaped rows and a note."""
    ind_meta = pd.DataFrame(
        [
            {
                "indicator_id": uid,
                "value_type": spec["value_type"],
                "ci_method": spec["ci_method"],
                "multiplier": float(spec["multiplier"]),
                "polarity": spec.get("polarity") or "no_judgement",
            }
        ]
    )
    level = [lv for lv in FINEST_FIRST if (g["level"] == lv).any()][0]
    notes: list[str] = []
    s = _measures(g[g["level"] == level].copy(), level, spec, geo, notes)
    s["unit_code"] = s["area_code"]
    s["indicator_id"] = uid
    rolled = _roll_up(s, level, geo, notes)
    rolled = _with_england(rolled, g, uid, spec)
    out = aggregate.compute_values(rolled, ind_meta)
    _annotate(out, level, spec, geo)
    notes.extend(_city_differences(g, out))
    for col in ("vs_england", "vs_city"):
        out[col] = "not_compared"
    return out.reindex(columns=VALUE_COLUMNS), " ".join(notes)


def _measures(s: pd.DataFrame, level: str, spec: dict, geo: Geography, notes: list[str]) -> pd.DataFrame:
    """Numerators and denominators to sum: a weighted mean's value × weight and weight, or the counts
    with withheld ones counted as 0 (and flagged)."""
    if spec.get("weighted"):
        if s["denominator"].notna().all() and (s["denominator"] > 0).all():
            w = s["denominator"]
        else:
            pop_type = {"lsoa": "lsoa", "ward": "ward", "neighbourhood": "neighbourhood"}.get(level)
            pop = (
                geo.population[geo.population["area_type"] == pop_type].set_index("area_code")["population"]
                if pop_type
                else pd.Series(dtype=float)
            )
            w = s["area_code"].map(pop)
            if w.isna().any():
                raise ImportFileError(
                    "",
                    [
                        f"Values without counts for {LEVEL_WORDS[level]} cannot be combined without "
                        "weights: add a denominator (e.g. the population) to each row."
                    ],
                )
            notes.append("Weights: ONS mid-2020 population.")
        withheld = s["value"].isna()
        s["numerator"] = (s["value"] * w).where(~withheld, np.nan)
        s["denominator"] = w.where(~withheld, np.nan)
        if withheld.any():
            notes.append(f"{int(withheld.sum())} area(s) without a value were left out of the weighted mean.")
    else:
        withheld = s["numerator"].isna()
        s["suppressed"] = withheld
        s["numerator"] = s["numerator"].fillna(0.0)
        if withheld.any():
            notes.append(f"{int(withheld.sum())} area(s) with the count withheld at source, counted as 0.")
    return s


def _roll_up(s: pd.DataFrame, level: str, geo: Geography, notes: list[str]) -> pd.DataFrame:
    """Place each area in a ward (or a May-2018 ward, or a neighbourhood's first ward) and sum up."""
    definition = geo.definition
    unit_type, unit_names = None, None
    if level == "ward":
        to_ward = pd.Series(definition["ward_code"].to_numpy(), index=definition["ward_code"])
    elif level == "lsoa":
        to_ward, unit_type, unit_names = geo.lsoa_to_ward, "lsoa", geo.lsoa_names
    elif level == "msoa":
        to_ward = geo.msoa_to_ward
        notes.append("MSOAs placed in wards by the ONS best-fit lookup (a rough fit: an MSOA is about half a ward).")
    elif level == "ward2018":
        definition = ward2018_definition(geo)
        to_ward = pd.Series(definition["ward_code"].to_numpy(), index=definition["ward_code"])
        notes.append(
            "May-2018 wards placed wholly, by best-fit, in the neighbourhood holding most of each ward "
            "(geodata/wards2018_bestfit.csv): an approximation; Longsight and Piccadilly are split about 50/50."
        )
    else:  # neighbourhood: place each on one of its wards, then drop the ward rows
        to_ward = definition.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")["ward_code"]
    columns = aggregate.MEASURE_COLUMNS + ["suppressed"] if "suppressed" in s else aggregate.MEASURE_COLUMNS
    rolled = aggregate.roll_up(s[columns], to_ward, definition, unit_type=unit_type, unit_names=unit_names)
    if level == "neighbourhood":
        rolled = rolled[rolled["area_type"] != "ward"]
    if level == "msoa":
        rolled = rolled[rolled["area_type"] != "ward"]
        notes.append("No ward figures are shown (MSOAs do not nest in wards).")
    return rolled


def _with_england(rolled: pd.DataFrame, g: pd.DataFrame, uid: str, spec: dict) -> pd.DataFrame:
    """The file's England rows, as the England benchmark."""
    eng = g[g["level"] == "england"]
    if eng.empty:
        return rolled
    e = eng.drop_duplicates("period")
    rows = []
    for r in e.itertuples():
        num = r.numerator if not spec.get("weighted") else np.nan
        rows.append(aggregate.england_row(uid, r.period, num, r.denominator if not spec.get("weighted") else np.nan))
    ef = pd.DataFrame(rows)
    ef["value"] = e["value"].to_numpy() if (spec.get("weighted") or e["value"].notna().all()) else np.nan
    return pd.concat([rolled, ef], ignore_index=True)


def _annotate(out: pd.DataFrame, level: str, spec: dict, geo: Geography) -> None:
    """Blank a weighted mean's intervals and note withheld counts, estimates and best-fit wards."""
    if spec.get("weighted"):
        for col in ("lower_95", "upper_95", "lower_998", "upper_998"):
            out[col] = np.nan
    out["note"] = np.where(
        out["n_suppressed"].fillna(0) > 0,
        out["n_suppressed"].fillna(0).astype(int).astype(str) + " area(s) withheld at source, counted as 0",
        None,
    )
    if spec.get("weighted"):
        out.loc[out["area_type"] != "england", "note"] = "Estimate: population-weighted mean"
    if level == "ward2018":
        conf = geo.ward2018.set_index("ward2018_code")["confidence"]
        wsel = out["area_type"] == "ward"
        out.loc[wsel, "note"] = (
            "May-2018 ward; best-fit to neighbourhood (" + out.loc[wsel, "area_code"].map(conf).fillna("") + ")"
        )


def _city_differences(g: pd.DataFrame, out: pd.DataFrame) -> list[str]:
    """Where the file's own Manchester figure differs from the sum of its areas by more than 2%."""
    notes = []
    city = g[g["level"] == "city"].drop_duplicates("period")
    for r in city.itertuples():
        ours = out.loc[(out["area_type"] == "city") & (out["period"] == r.period), "value"]
        if len(ours) and pd.notna(r.value) and pd.notna(ours.iloc[0]) and r.value:
            if abs(ours.iloc[0] / r.value - 1) > 0.02:
                notes.append(
                    f"Manchester {r.period}: the file says {r.value:,.4g}, the sum of the areas gives "
                    f"{ours.iloc[0]:,.4g} (differences come from rounding, withheld counts or best-fit)."
                )
    return notes
