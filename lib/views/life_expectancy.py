"""Life expectancy inside a neighbourhood: the range of its MSOAs and the gap between them.

Life expectancy is published for MSOAs only (``lib.pipeline.life_expectancy``). It cannot be summed
or averaged, so a neighbourhood has no figure of its own: what it has is the spread of its MSOAs.
Each MSOA belongs to the neighbourhood of its best-fit ward (its ``parent_code`` in the values), looked
up in the definition in force, so another grouping regroups the MSOAs too.

Pure functions, no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from lib.core.definitions import CITY_CODE, CITY_NAME
from lib.core.selection import CONFIDENCE
from lib.core.selection import suffix as level_suffix
from lib.render.format import format_value

#: The life expectancy indicators -> the sex in plain words.
SEXES: dict[str, str] = {"life_expectancy_female": "Females", "life_expectancy_male": "Males"}
_YEARS = {"value_type": "score", "unit": "years"}
#: Where an MSOA row's note says how well it fits its neighbourhood (``lib.pipeline.life_expectancy``).
FIT = "Best fit:"

WHY_NO_FIGURE = (
    "There is no single life expectancy for a neighbourhood. Life expectancy is worked out from the deaths and "
    "the population at each age of one area; it cannot be added up or averaged across smaller areas, and the "
    "deaths and population by age of each neighbourhood are not published. ONS publishes it for MSOAs (middle-sized "
    "areas of about 8,000 people), so this shows the range of the neighbourhood's MSOAs and the gap between the "
    "highest and the lowest."
)
ASSIGNMENT = (
    "MSOAs do not fit neighbourhoods exactly: each MSOA is counted in the neighbourhood where most of its residents "
    "live (ONS mid-2020 estimates of its LSOAs)."
)
NO_BENCHMARK = (
    "There is no sourced Manchester or England figure for 2016 to 2020 by sex in the app's data, so MSOAs are not "
    "compared with a benchmark: colour the map by quartile or on a continuous scale to see the pattern."
)

NO_BENCHMARK_SHORT = (
    "Not compared with Manchester or England: no sourced figure for 2016 to 2020 by sex is in the app's data."
)


def msoa_figures(values: pd.DataFrame, definition: pd.DataFrame) -> pd.DataFrame:
    """The MSOA rows of the life expectancy indicators, with ``ward_code`` (the best-fit ward),
    ``neighbourhood_code`` and ``locality_code`` (from ``definition``) and ``sex``."""
    rows = values[values["indicator_id"].isin(list(SEXES)) & (values["area_type"] == "msoa")].copy()
    d = definition.drop_duplicates("ward_code").set_index("ward_code")
    rows["ward_code"] = rows["parent_code"]
    rows["neighbourhood_code"] = rows["ward_code"].map(d["neighbourhood_code"])
    rows["locality_code"] = rows["ward_code"].map(d["locality_code"])
    rows["sex"] = rows["indicator_id"].map(SEXES)
    for col in ("value", "lower_95", "upper_95", "lower_998", "upper_998"):
        rows[col] = pd.to_numeric(rows[col], errors="coerce")
    return rows.reset_index(drop=True)


def msoa_rows(values: pd.DataFrame, definition: pd.DataFrame, nbhd: str) -> pd.DataFrame:
    """The MSOA value rows of one neighbourhood's life expectancy (:func:`msoa_table`), for a download."""
    figs = msoa_figures(values, definition)
    return figs[figs["neighbourhood_code"] == nbhd]


def _groups(definition: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    """(area_type, code, name, column of :func:`msoa_figures` to match) for every neighbourhood,
    locality and the city, in definition order."""
    nb = definition.drop_duplicates("neighbourhood_code")
    loc = definition.drop_duplicates("locality_code")
    out = [
        ("neighbourhood", c, n, "neighbourhood_code")
        for c, n in zip(nb["neighbourhood_code"], nb["neighbourhood_name"])
    ]
    out += [("locality", c, n, "locality_code") for c, n in zip(loc["locality_code"], loc["locality_name"])]
    out.append(("city", CITY_CODE, CITY_NAME, ""))
    return out


RANGE_COLUMNS = [
    "area_type",
    "area_code",
    "area_name",
    "indicator_id",
    "sex",
    "period",
    "n_msoas",
    "n_with_value",
    "lowest_code",
    "lowest_name",
    "lowest_value",
    "lowest_lower",
    "lowest_upper",
    "highest_code",
    "highest_name",
    "highest_value",
    "highest_lower",
    "highest_upper",
    "gap",
    "intervals_overlap",
    "level",
]


def ranges(values: pd.DataFrame, definition: pd.DataFrame, level: str = "95") -> pd.DataFrame:
    """For each neighbourhood, locality and the city, and each sex: how many MSOAs it has (and how
    many have a figure), its lowest and highest MSOA with their intervals at ``level``, the gap
    (highest − lowest, in years) and whether the two intervals overlap (if they do not, the gap is
    unlikely to be chance). Ties go to the lower MSOA code. Columns: :data:`RANGE_COLUMNS`."""
    figs = msoa_figures(values, definition)
    sfx = level_suffix(level)
    lo_col, hi_col = f"lower_{sfx}", f"upper_{sfx}"
    records = []
    for ind, sex in SEXES.items():
        mine = figs[figs["indicator_id"] == ind]
        period = str(mine["period"].iloc[0]) if len(mine) else ""
        for area_type, code, name, col in _groups(definition):
            g = mine if not col else mine[mine[col] == code]
            have = g[g["value"].notna()].sort_values(["value", "area_code"])
            rec = {
                "area_type": area_type,
                "area_code": code,
                "area_name": name,
                "indicator_id": ind,
                "sex": sex,
                "period": period,
                "n_msoas": int(len(g)),
                "n_with_value": int(len(have)),
                "level": level,
            }
            if len(have):
                low = have.iloc[0]
                high = have.sort_values(["value", "area_code"], ascending=[False, True]).iloc[0]
                for tag, r in (("lowest", low), ("highest", high)):
                    rec.update(
                        {
                            f"{tag}_code": r["area_code"],
                            f"{tag}_name": r["area_name"],
                            f"{tag}_value": float(r["value"]),
                            f"{tag}_lower": float(r[lo_col]),
                            f"{tag}_upper": float(r[hi_col]),
                        }
                    )
                rec["gap"] = float(high["value"] - low["value"])
                rec["intervals_overlap"] = bool(high[lo_col] <= low[hi_col]) if len(have) > 1 else pd.NA
            records.append(rec)
    return pd.DataFrame(records).reindex(columns=RANGE_COLUMNS)


def for_neighbourhood(rng: pd.DataFrame, definition: pd.DataFrame, nbhd: str) -> pd.DataFrame:
    """The rows of :func:`ranges` for one neighbourhood, its locality and the city (Females first)."""
    loc = definition.loc[definition["neighbourhood_code"] == nbhd, "locality_code"]
    codes = [nbhd, *(loc.iloc[:1]), CITY_CODE]
    out = rng[rng["area_code"].isin(codes)].copy()
    out["_o"] = out["area_code"].map({c: i for i, c in enumerate(codes)})
    out["_s"] = out["indicator_id"].map({i: k for k, i in enumerate(SEXES)})
    return out.sort_values(["_s", "_o"]).drop(columns=["_o", "_s"]).reset_index(drop=True)


def _years(x) -> str:
    """Years to one decimal, as life expectancy is usually quoted."""
    return format_value(x, _YEARS, digits=1)


def _msoa_text(name, value, lower, upper) -> str:
    interval = "no interval" if pd.isna(lower) or pd.isna(upper) else f"{_years(lower)} to {_years(upper)}"
    return f"{_years(value)} years, {name} ({interval})"


def display_ranges(rng: pd.DataFrame) -> pd.DataFrame:
    """:func:`ranges` rows as a plain table: Area, Sex, MSOAs, Lowest, Highest, Gap, Gap beyond chance?"""
    rows = []
    for r in rng.to_dict("records"):
        level = CONFIDENCE.get(str(r.get("level")), "95%")
        has = int(r["n_with_value"]) > 0
        overlap = r.get("intervals_overlap")
        if int(r["n_with_value"]) < 2:
            beyond = "–"
        elif bool(overlap):
            beyond = f"Not clear: the two {level} intervals overlap"
        else:
            beyond = f"Yes: the two {level} intervals do not overlap"
        rows.append(
            {
                "Area": str(r["area_name"]),
                "Sex": str(r["sex"]),
                "MSOAs (with a figure)": f"{int(r['n_msoas'])} ({int(r['n_with_value'])})",
                "Lowest MSOA": _msoa_text(r["lowest_name"], r["lowest_value"], r["lowest_lower"], r["lowest_upper"])
                if has
                else "–",
                "Highest MSOA": _msoa_text(
                    r["highest_name"], r["highest_value"], r["highest_lower"], r["highest_upper"]
                )
                if has
                else "–",
                "Gap (years)": _years(r["gap"]) if has else "–",
                "Gap beyond chance?": beyond,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "Area",
            "Sex",
            "MSOAs (with a figure)",
            "Lowest MSOA",
            "Highest MSOA",
            "Gap (years)",
            "Gap beyond chance?",
        ],
    )


def range_sentence(row: Mapping) -> str:
    """One plain sentence for one :func:`ranges` row."""
    sex = str(row["sex"]).lower()
    name = str(row["area_name"])
    n, k = int(row["n_msoas"]), int(row["n_with_value"])
    if k == 0:
        return f"{name}: ONS published no life expectancy for {sex} in any of its {n} MSOAs."
    if k == 1:
        return (
            f"{name}: only one of its {n} MSOAs has a published life expectancy for {sex} "
            f"({_years(row['lowest_value'])} years in {row['lowest_name']}), so there is no range."
        )
    missing = f" ({n - k} of its {n} MSOAs have no published figure)" if k < n else ""
    return (
        f"{name}: life expectancy for {sex} ranges from {_years(row['lowest_value'])} years in "
        f"{row['lowest_name']} to {_years(row['highest_value'])} years in {row['highest_name']}, "
        f"a gap of {_years(row['gap'])} years{missing}."
    )


def msoa_table(values: pd.DataFrame, definition: pd.DataFrame, nbhd: str, level: str = "95") -> pd.DataFrame:
    """The MSOAs of one neighbourhood with both sexes' life expectancy and interval, and how well each fits."""
    figs = msoa_figures(values, definition)
    figs = figs[figs["neighbourhood_code"] == nbhd]
    sfx = level_suffix(level)
    ci = f"{CONFIDENCE.get(level, level + '%')} CI"
    rows = []
    for code, g in figs.groupby("area_code", sort=True):
        rec = {"MSOA": str(g["area_name"].iloc[0]), "Code": code}
        for ind, sex in SEXES.items():
            r = g[g["indicator_id"] == ind]
            v = r["value"].iloc[0] if len(r) else np.nan
            lo, hi = (r[f"{b}_{sfx}"].iloc[0] if len(r) else np.nan for b in ("lower", "upper"))
            rec[f"{sex} (years)"] = _years(v)
            rec[f"{sex}: {ci}"] = "–" if pd.isna(lo) or pd.isna(hi) else f"{_years(lo)} to {_years(hi)}"
        fit = next((n[n.find(FIT) :] for n in g["note"].dropna().astype(str) if FIT in n), "")
        missing = [SEXES[i].lower() for i, v in zip(g["indicator_id"], g["value"]) if pd.isna(v)]
        rec["Fit and notes"] = " ".join(
            s for s in (f"ONS published no figure for {' or '.join(missing)}." if missing else "", fit) if s
        )
        rows.append(rec)
    cols = ["MSOA", "Code"] + [f"{s}{t}" for s in SEXES.values() for t in (" (years)", f": {ci}")] + ["Fit and notes"]
    return pd.DataFrame(rows, columns=cols)


def ranges_of(ds, level: str = "95") -> pd.DataFrame:
    """:func:`ranges` of a :class:`lib.core.data.Dataset` (the form ``caching.computed`` takes)."""
    return ranges(ds.values, ds.definition, level)


def msoa_table_of(ds, nbhd: str, level: str = "95") -> pd.DataFrame:
    """:func:`msoa_table` of a :class:`lib.core.data.Dataset`."""
    return msoa_table(ds.values, ds.definition, nbhd, level)


def has_life_expectancy(values: pd.DataFrame) -> bool:
    """Whether the values hold any MSOA life expectancy (a user's own dataset may not)."""
    return bool((values["indicator_id"].isin(list(SEXES)) & (values["area_type"] == "msoa")).any())


def map_caption(
    values: pd.DataFrame, definition: pd.DataFrame, indicator_id: str, nbhd: str, level: str = "95"
) -> str | None:
    """What the map of a life expectancy indicator must say (None for any other indicator): why there
    is no neighbourhood figure, how MSOAs are assigned, the selected neighbourhood's range and gap,
    and that nothing is compared with a benchmark."""
    if indicator_id not in SEXES:
        return None
    rng = ranges(values, definition, level)
    row = rng[(rng["indicator_id"] == indicator_id) & (rng["area_code"] == nbhd)]
    here = range_sentence(row.iloc[0].to_dict()) if len(row) else ""
    return " ".join(s for s in (WHY_NO_FIGURE, ASSIGNMENT, here, NO_BENCHMARK) if s)


def profile_section_of(ds, nbhd: str, level: str = "95") -> dict | None:
    """Everything the profile's life expectancy section shows for one neighbourhood, computed in one
    go (so a page can keep it per neighbourhood and level; None when the dataset holds no MSOA life
    expectancy): ``ranges`` (:func:`for_neighbourhood` of :func:`ranges`), ``sentences`` (its own
    rows, :func:`range_sentence`), ``table`` (:func:`display_ranges`), ``msoas`` (:func:`msoa_table`)
    and ``msoa_rows`` (:func:`msoa_rows`, the download's rows)."""
    if not has_life_expectancy(ds.values):
        return None
    rng = for_neighbourhood(ranges(ds.values, ds.definition, level), ds.definition, nbhd)
    return {
        "ranges": rng,
        "sentences": [range_sentence(r) for r in rng[rng["area_code"] == nbhd].to_dict("records")],
        "table": display_ranges(rng),
        "msoas": msoa_table(ds.values, ds.definition, nbhd, level),
        "msoa_rows": msoa_rows(ds.values, ds.definition, nbhd),
    }
