"""GP practices -> PCNs -> neighbourhoods -> localities -> city: the registered patients' roll-up.

One engine for the pipeline (:mod:`lib.pipeline.registered`, from the raw NHS England files) and
the app (:func:`regroup_registered`, from the committed practice rows, for a practice assignment a
user uploads on *Your data*). Every figure is a sum of practice rows (``../shared/GUIDE.md``
section 4): a neighbourhood is the sum of its practices (not of its PCNs, since one PCN may serve
two neighbourhoods), a locality of its neighbourhoods' practices, Manchester of all the assigned
practices (sub-ICB 14L); England is every English practice and does not depend on the assignment.
Values, Wilson intervals and comparisons are then computed by :mod:`lib.methods.aggregate`, as for
every other indicator.

Pure functions, no Streamlit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.core.contract import VALUE_COLUMNS
from lib.core.definitions import CITY_CODE, CITY_NAME, ENGLAND_CODE
from lib.methods import aggregate

SUB_ICB = "14L"
#: The levels built from practice rows, in order.
LEVELS = ("practice", "pcn", "neighbourhood", "locality", "city")


def row(ind: str, period: str, area_type: str, code: str, name: str, parent, num: float, den: float, note="") -> dict:
    """One summed row in the shape :func:`lib.methods.aggregate.roll_up` returns."""
    return {
        "indicator_id": ind,
        "period": period,
        "area_type": area_type,
        "area_code": code,
        "area_name": name,
        "parent_code": parent,
        "numerator": float(num),
        "denominator": float(den),
        "n_units": np.nan,
        "n_suppressed": 0,
        "note": note,
    }


def practice_rows(by_practice: pd.DataFrame, practices: pd.DataFrame, definition: pd.DataFrame) -> list[dict]:
    """Rows for the practices and their sums by PCN, neighbourhood, locality and the city.

    ``by_practice``: ``indicator_id, period, practice_code, numerator, denominator`` for the
    practices of ``practices`` (the validated assignment, :mod:`lib.core.practices`);
    ``definition`` gives each neighbourhood's name and locality. A practice row's parent is its
    neighbourhood; a PCN's and a locality's, the city.
    """
    p = practices.set_index("practice_code")
    nb = definition.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")
    loc = definition.drop_duplicates("locality_code").set_index("locality_code")["locality_name"]
    d = by_practice.assign(
        neighbourhood_code=by_practice["practice_code"].map(p["neighbourhood_code"]),
        pcn_code=by_practice["practice_code"].map(p["pcn_code"]),
    )
    d["locality_code"] = d["neighbourhood_code"].map(nb["locality_code"])
    rows: list[dict] = []
    for r in d.to_dict("records"):
        rows.append(
            row(
                r["indicator_id"],
                r["period"],
                "practice",
                r["practice_code"],
                p.at[r["practice_code"], "practice_name"],
                r["neighbourhood_code"],
                r["numerator"],
                r["denominator"],
            )
        )
    pcn_names = practices.drop_duplicates("pcn_code").set_index("pcn_code")["pcn_name"]
    d["city"] = CITY_CODE
    # (area type, the practices' column it groups by, its name, its parent, its note)
    levels = (
        ("pcn", "pcn_code", pcn_names.get, lambda c: CITY_CODE, "{n} practice(s)"),
        (
            "neighbourhood",
            "neighbourhood_code",
            nb["neighbourhood_name"].get,
            nb["locality_code"].get,
            "Sum of {n} practice(s)",
        ),
        ("locality", "locality_code", loc.get, lambda c: CITY_CODE, "Sum of {n} practice(s)"),
        (
            "city",
            "city",
            lambda c: CITY_NAME,
            lambda c: ENGLAND_CODE,
            f"Patients of the {{n}} practices of sub-ICB {SUB_ICB}",
        ),
    )
    for area_type, column, name_of, parent_of, note in levels:
        for (ind, period, code), g in d.groupby(["indicator_id", "period", column]):
            rows.append(
                row(
                    ind,
                    period,
                    area_type,
                    code,
                    name_of(code),
                    parent_of(code),
                    g["numerator"].sum(min_count=1),
                    g["denominator"].sum(min_count=1),
                    note.format(n=len(g)),
                )
            )
    return rows


def regroup_registered(
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    practices: pd.DataFrame,
    definition: pd.DataFrame,
    note: str | None = None,
) -> pd.DataFrame:
    """The registered patients' figures rebuilt for another practice assignment.

    ``values``: the registered-patient rows as committed (``profiles/registered_values.csv``,
    before disclosure control: practice counts in full); ``practices``: a validated assignment of
    the same practices (:func:`lib.core.practices.validate_practices` with the committed codes as
    ``known_practices``); ``definition``: the neighbourhoods it assigns to. The practice rows'
    numerators and denominators are summed again by :func:`practice_rows`, values and intervals
    recomputed (:func:`lib.methods.aggregate.compute_values`) and compared with England (kept as
    it is) and the rebuilt Manchester (:func:`lib.methods.aggregate.add_comparisons`): what the
    pipeline does. ``note`` (e.g. "your practice assignment") is added to each rebuilt row's
    note. Rows of other area types are kept as they are.
    """
    is_practice = values["area_type"] == "practice"
    unknown = sorted(set(values.loc[is_practice, "area_code"]) - set(practices["practice_code"]))
    if unknown:
        raise ValueError("practice(s) with figures but no neighbourhood in the assignment: " + ", ".join(unknown))
    src = values[is_practice]
    by_practice = pd.DataFrame(
        {
            "indicator_id": src["indicator_id"].to_numpy(),
            "period": src["period"].to_numpy(),
            "practice_code": src["area_code"].to_numpy(),
            "numerator": pd.to_numeric(src["numerator"], errors="coerce").to_numpy(float),
            "denominator": pd.to_numeric(src["denominator"], errors="coerce").to_numpy(float),
        }
    )
    rebuilt = pd.DataFrame(practice_rows(by_practice, practices, definition))
    if note:
        rebuilt["note"] = [f"{n}; {note}" if n else note for n in rebuilt["note"]]
    rebuilt = aggregate.compute_values(rebuilt, indicators).reindex(columns=VALUE_COLUMNS)
    kept = values[~values["area_type"].isin(LEVELS)]
    both = pd.concat([rebuilt, kept.reindex(columns=VALUE_COLUMNS)], ignore_index=True)
    compared = aggregate.add_comparisons(both, indicators)
    rebuilt[["vs_england", "vs_city"]] = compared.iloc[: len(rebuilt)][["vs_england", "vs_city"]].to_numpy()
    out = pd.concat([kept, rebuilt.astype({"note": object})], ignore_index=True)
    return out.reindex(columns=values.columns)
