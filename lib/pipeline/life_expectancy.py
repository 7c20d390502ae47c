"""Life expectancy at birth by MSOA 2011, 2016 to 2020 (ONS ad hoc release REQ3292), males and females.

Published figures, one row per Manchester MSOA: the value and its 95% confidence interval as ONS
gives them; the 99.8% interval from the same standard error (ONS's interval is the estimate ± 1.96
standard errors). An MSOA ONS gave no figure for keeps a row with a blank value and a note saying so.

There is **no neighbourhood, ward, Manchester or England row**: life expectancy cannot be summed or
averaged across areas (a neighbourhood figure needs its deaths and population by age, which are not
in the inputs), and the inputs hold no sourced Manchester or England figure for 2016 to 2020 by sex
(the ONS Health Index's life expectancy is for both sexes together, over other years). So nothing is
compared with a benchmark. Each MSOA's ``parent_code`` is the ward of its best fit
(:mod:`lib.pipeline.msoa`), so views can group the MSOAs by neighbourhood for any grouping.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lib.methods import stats
from lib.pipeline import msoa, sources
from lib.pipeline.parts import Part

PERIOD = "2016 to 2020"
#: indicator id -> the source's ``Sex``.
SEXES = {"life_expectancy_female": "Females", "life_expectancy_male": "Males"}
VALUE = "Life Expectancy at birth (in years)"
LOWER, UPPER = "Lower 95% confidence interval", "Upper 95% confidence interval"
NOT_PUBLISHED = (
    "No figure published by ONS for this sex (ONS withholds life expectancy it judges unreliable, "
    "mostly in city-centre, student and prison areas with few older residents)"
)


def life_expectancy_msoa(data_dir: Path) -> pd.DataFrame:
    """The source's rows for every English MSOA: ``msoa11_code, sex, deaths, person_years, value,
    lower_95, upper_95`` (value and limits NaN where ONS published none)."""
    df = pd.read_csv(sources.path(data_dir, "life_expectancy_msoa"))
    if set(df["Period"].unique()) != {PERIOD}:
        raise ValueError(f"Expected the period {PERIOD!r} only, found {sorted(df['Period'].unique())}")
    return pd.DataFrame(
        {
            "msoa11_code": df["Code"],
            "sex": df["Sex"],
            "deaths": df["No of Deaths"],
            "person_years": df["Population"],
            "value": pd.to_numeric(df[VALUE], errors="coerce"),
            "lower_95": pd.to_numeric(df[LOWER], errors="coerce"),
            "upper_95": pd.to_numeric(df[UPPER], errors="coerce"),
        }
    )


def indicators_life_expectancy(data_dir: Path, definition: pd.DataFrame) -> Part:
    """One row per Manchester MSOA and sex (area type ``msoa``, parent = its best-fit ward)."""
    part = Part()
    fit = msoa.best_fit(data_dir, definition).set_index("msoa11_code")
    le = life_expectancy_msoa(data_dir)
    z95, z998 = stats.LEVELS["95"], stats.LEVELS["99.8"]
    for ind, sex in SEXES.items():
        rows = le[(le["sex"] == sex) & le["msoa11_code"].isin(fit.index)].set_index("msoa11_code")
        absent = sorted(set(fit.index) - set(rows.index))
        if absent:
            raise ValueError(f"{sources.FILES['life_expectancy_msoa']} has no {sex} row for " + ", ".join(absent))
        for code, r in rows.sort_index().iterrows():
            f = fit.loc[code]
            se = (r["upper_95"] - r["lower_95"]) / (2 * z95)
            have = not np.isnan(r["value"])
            fit_note = (
                f"Best fit: {f['share_neighbourhood']:.0%} of its mid-2020 residents live in neighbourhood "
                f"{f['neighbourhood_code']}, {f['share_ward']:.0%} in ward {f['ward_code']}"
            )
            part.rows.append(
                {
                    "indicator_id": ind,
                    "period": PERIOD,
                    "area_type": "msoa",
                    "area_code": code,
                    "area_name": msoa.display_name(f),
                    "parent_code": f["ward_code"],
                    "numerator": np.nan,
                    "denominator": np.nan,
                    "value": r["value"],
                    "lower_95": r["lower_95"],
                    "upper_95": r["upper_95"],
                    "lower_998": r["value"] - z998 * se if have else np.nan,
                    "upper_998": r["value"] + z998 * se if have else np.nan,
                    "n_suppressed": 0,
                    "note": fit_note if have else f"{NOT_PUBLISHED}. {fit_note}",
                }
            )
    return part
