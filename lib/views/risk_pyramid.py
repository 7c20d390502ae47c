"""The risk pyramid per neighbourhood and for the city: a MODELLED apportionment of the seed facts.

What the seed documents give (quotes in :data:`QUOTES`):

* **highest risk** (High Impact Primary Care): "approximately 2% of Manchester's population"
  (New Models of Care, seed 003, 14.2);
* "approximately **22,000 people** who would benefit from a more integrated offer of care"
  (Commissioning Prospectus, seed 004). Our reading: the people served by the integrated
  offer of the INTs, i.e. the **highest and high** tiers together (the tiers are nested: the
  highest-risk people are part of the group that needs integrated care). So the high tier alone
  is 22,000 minus the highest tier. This is an interpretation and is labelled as one;
* "around 5% of Manchester's patients account for approximately 40% of ... secondary care
  spend" (seed 004): a statement about spend, not a tier size. It is consistent with the
  nesting (22,000 is about 4% of residents, inside the top 5%), and is shown as context only;
* **rising** and **low** risk: no public source gives their size. Together they are everyone
  else (the population minus the 22,000); the split between them is not published, so it is
  not made up here.

City tier counts (people): highest = 2% of the ONS mid-2020 resident population, rounded to a
whole person; high = 22,000 − highest; rising and low together = population − 22,000.

Each city tier is split between the 12 neighbourhoods in proportion to a weight, by the
largest-remainder method (:func:`lib.views.cohorts.largest_remainder`), so the neighbourhoods add up
exactly to the city tier; a neighbourhood's "rising and low" is its population minus its two
upper tiers, so each neighbourhood's pyramid adds up to its population.

Weights (:data:`METHODS`):

* ``need`` (default): the **need index** = population (mid-2020) × comparative illness and
  disability ratio (CIDR, latest IoD) ÷ England's CIDR of the same edition. CIDR is the age- and
  sex-standardised ratio of people receiving illness and disability benefits, published for every
  small area; the neighbourhood and England figures are both population-weighted means of the
  LSOA ratios (England's own mean is not 100), so the neighbourhood's is divided
  by England's, not by 100. Multiplying by population turns it into "people weighted by
  work-limiting illness or disability relative to England", which tracks the multiple long-term conditions and complex needs that define
  the upper tiers better than head-count. It is real small-area data, not a risk score; its
  limits: benefit-based (mostly working age) and standardised, so it does not add the extra
  risk of an older population.
* ``population``: residents only (every person equally likely to be in each tier).

Pure functions; nothing here imports Streamlit.
"""

from __future__ import annotations

import pandas as pd

from lib.core.data import Dataset
from lib.core.definitions import CITY_CODE, CITY_NAME
from lib.methods.indicators import neighbourhood_order
from lib.views.cohorts import largest_remainder

TIERS: tuple[str, ...] = ("highest", "high", "rising_and_low")
TIER_LABELS: dict[str, str] = {
    "highest": "Highest risk: High Impact Primary Care (about 2%)",
    "high": "High risk: INT health and adult social care teams",
    "rising_and_low": "Rising and low risk together: Early Help, prevention, community links",
}
HIGHEST_SHARE = 0.02  # seed fact hipc_target_share (003)
INTEGRATED_OFFER_PEOPLE = 22_000  # seed fact integrated_offer_people (004)
NEED_INDICATOR = "cidr"
POPULATION_INDICATOR = "population"

METHODS: dict[str, str] = {
    "need": (
        "Need index = population (ONS mid-2020) × comparative illness and disability ratio (IoD {period}) ÷ "
        "England's ratio (both population-weighted means of the small-area ratios, so England's own figure, "
        "not 100, is the yardstick): people weighted by work-limiting illness or disability relative to England."
    ),
    "population": "Population only: each tier split in proportion to residents (ONS mid-2020).",
}

QUOTES: tuple[tuple[str, str, str], ...] = (
    # (quote, seed file, where)
    (
        "The HIPC service are targeting approximately 2% of Manchester's population who are thought to be the most "
        "vulnerable in terms of their health and care needs, and who should benefit from a highly targeted proactive, "
        "flexible and integrated service.",
        "003_91266ed4fdcf873a.txt",
        "New Models of Care, section 14.2",
    ),
    (
        "Highest risk – High Impact Primary Care (led by GP); High risk – Health and Adult Social Care Teams within INTs; "
        "Rising risk – Early Help offer including Well Being Officers; Rising risk / low risk – Community links for health "
        "and Neighbourhood Development officers within Prevention",
        "003_91266ed4fdcf873a.txt",
        "New Models of Care, section 5.2",
    ),
    (
        "there are approximately 22,000 people who would benefit from a more integrated offer of care.",
        "004_29b2b2cfb92e377a.txt",
        "Commissioning Prospectus, priorities for the LCO",
    ),
    (
        "Currently around 5% of Manchester's patient's account for approximately 40% of Manchester's secondary care "
        "spend – and each year a significant number of rising risk patients will escalate to become high risk.",
        "004_29b2b2cfb92e377a.txt",
        "Commissioning Prospectus, Targeting Risk Groups",
    ),
)

NO_SOURCE = (
    "No public source gives the size of the rising-risk tier or of the low-risk tier, so they are shown together "
    "(everyone not in the two upper tiers) and not split."
)
READING = (
    "Reading of the sources: the tiers are nested. The highest tier is 2% of residents (seed 003). The 22,000 people "
    "'who would benefit from a more integrated offer of care' (seed 004) are read as the highest and high tiers together, "
    "so high = 22,000 − highest. This is our interpretation: the report does not tie the 22,000 to a tier. The 5% of "
    "patients who account for about 40% of secondary care spend (seed 004) is about spend, not a tier; 22,000 is about "
    "4% of residents, consistent with it. The seed figures date from 2016–2017 and are applied to the mid-2020 population."
)


def _neighbourhood_values(ds: Dataset, indicator_id: str) -> tuple[pd.Series, str]:
    v = ds.values[(ds.values["indicator_id"] == indicator_id) & (ds.values["area_type"] == "neighbourhood")]
    period = sorted(v["period"].astype(str).unique())[-1]
    v = v[v["period"] == period]
    return v.set_index("area_code")["value"].astype(float), period


def population(ds: Dataset) -> pd.Series:
    """Neighbourhood residents (ONS mid-2020, whole people), in display order."""
    pop, _ = _neighbourhood_values(ds, POPULATION_INDICATOR)
    return pop.reindex(neighbourhood_order(ds.definition)).round().astype(int)


def need_period(ds: Dataset) -> str:
    """The IoD edition of the CIDR used by the need index (the latest)."""
    return _neighbourhood_values(ds, NEED_INDICATOR)[1]


def need_index(ds: Dataset) -> pd.Series:
    """Need index per neighbourhood = population (mid-2020) × CIDR (latest IoD) ÷ England's CIDR.

    CIDR (comparative illness and disability ratio) is here the population-weighted mean of the
    LSOA ratios, for the neighbourhood and for England alike; England's mean is not 100, so the
    yardstick is England's own figure of the same edition. population × CIDR ÷ England's CIDR is
    the number of people weighted by work-limiting illness or disability relative to England. A
    neighbourhood whose CIDR is 1.5 times England's gets 1.5 times the weight of one with the same
    population and England's CIDR. (The tier split depends only on the ratios between
    neighbourhoods, so the divisor changes the index, not the split.)
    """
    cidr, period = _neighbourhood_values(ds, NEED_INDICATOR)
    v = ds.values
    eng = v[(v["indicator_id"] == NEED_INDICATOR) & (v["area_type"] == "england") & (v["period"] == period)]
    england = float(eng["value"].iloc[0])
    pop = population(ds)
    return (pop * cidr.reindex(pop.index) / england).rename("need_index")


def city_tiers(ds: Dataset) -> dict[str, int]:
    """City tier counts: highest = round(2% × population); high = 22,000 − highest; rest = population − 22,000."""
    p = int(population(ds).sum())
    highest = int(round(HIGHEST_SHARE * p))
    return {
        "highest": highest,
        "high": INTEGRATED_OFFER_PEOPLE - highest,
        "rising_and_low": p - INTEGRATED_OFFER_PEOPLE,
    }


def pyramid(ds: Dataset, method: str = "need") -> pd.DataFrame:
    """People in each tier per neighbourhood (whole people) and for the city (last row).

    Columns: ``area_code, area_name, population, weight`` (the method's weight), ``highest,
    high, rising_and_low`` and ``highest_and_high``. The highest and high tiers are split by
    ``weight`` with the largest-remainder method, so the 12 neighbourhoods add up exactly to the
    city tier counts; ``rising_and_low`` = population − highest − high.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    pop = population(ds)
    weight = need_index(ds) if method == "need" else pop.astype(float)
    city = city_tiers(ds)
    w = weight.to_dict()
    out = pd.DataFrame({"area_code": pop.index, "population": pop.to_numpy(), "weight": weight.to_numpy()})
    names = ds.definition.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")["neighbourhood_name"]
    out["area_name"] = out["area_code"].map(names)
    for tier in ("highest", "high"):
        shares = largest_remainder(city[tier], w)
        out[tier] = out["area_code"].map(shares).astype(int)
    out["rising_and_low"] = out["population"] - out["highest"] - out["high"]
    city_row = {
        "area_code": CITY_CODE,
        "area_name": CITY_NAME,
        "population": int(pop.sum()),
        "weight": float(weight.sum()),
        **city,
    }
    out = pd.concat([out, pd.DataFrame([city_row])], ignore_index=True)
    out["highest_and_high"] = out["highest"] + out["high"]
    for c in ("population", "highest", "high", "rising_and_low", "highest_and_high"):
        out[c] = out[c].astype(int)
    return out[
        ["area_code", "area_name", "population", "weight", "highest", "high", "rising_and_low", "highest_and_high"]
    ]


def choice_effect(ds: Dataset) -> pd.DataFrame:
    """How much the weighting matters: the two upper tiers (highest + high) by need vs by population.

    One row per neighbourhood: ``area_code, area_name, by_population, by_need, difference``
    (need − population, people) and ``difference_pct`` (of the population-method figure).
    The differences sum to zero (people move between neighbourhoods, the city total is fixed).
    """
    pop = pyramid(ds, "population").iloc[:-1].set_index("area_code")
    need = pyramid(ds, "need").iloc[:-1].set_index("area_code")
    out = pd.DataFrame(
        {
            "area_name": pop["area_name"],
            "by_population": pop["highest_and_high"],
            "by_need": need["highest_and_high"],
        }
    )
    out["difference"] = out["by_need"] - out["by_population"]
    out["difference_pct"] = out["difference"] / out["by_population"] * 100.0
    return out.reset_index()


def people_moved(effect: pd.DataFrame) -> int:
    """People in the upper tiers who change neighbourhood between the two methods (half the sum of |difference|)."""
    return int(effect["difference"].abs().sum() // 2)


def tier_long(table: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """One area's pyramid as long rows for a chart: ``tier, label, people, share, order`` (top tier first)."""
    r = table.set_index("area_code").loc[area_code]
    rows = [
        {
            "tier": t,
            "label": TIER_LABELS[t],
            "people": int(r[t]),
            "share": float(r[t]) / float(r["population"]) * 100.0,
            "order": i,
        }
        for i, t in enumerate(TIERS)
    ]
    return pd.DataFrame(rows)


def display_pyramid_table(table: pd.DataFrame) -> pd.DataFrame:
    """The pyramid table as people read it (also the CSV): whole people, plain column names."""
    return pd.DataFrame(
        {
            "Code": table["area_code"],
            "Area": table["area_name"],
            "Residents (mid-2020)": table["population"].map("{:,}".format),
            "Weight (method)": table["weight"].map("{:,.0f}".format),
            "Highest risk (modelled)": table["highest"].map("{:,}".format),
            "High risk (modelled)": table["high"].map("{:,}".format),
            "Highest + high (modelled)": table["highest_and_high"].map("{:,}".format),
            "Rising and low together (modelled)": table["rising_and_low"].map("{:,}".format),
            "Status": "MODELLED ESTIMATE",
        }
    )


def display_choice_effect(effect: pd.DataFrame) -> pd.DataFrame:
    """The need-vs-population comparison as people read it."""
    return pd.DataFrame(
        {
            "Code": effect["area_code"],
            "Neighbourhood": effect["area_name"],
            "Highest + high, by population": effect["by_population"].map("{:,}".format),
            "Highest + high, by need index": effect["by_need"].map("{:,}".format),
            "Difference (need − population)": effect["difference"].map("{:+,}".format),
            "Difference (%)": effect["difference_pct"].map("{:+.1f}%".format),
        }
    )


def pyramid_chart(long: pd.DataFrame, title: str):
    """A pyramid of one area: one centred horizontal bar per tier (top tier at the top), width =
    share of residents, labelled with people and share. ``long`` from :func:`tier_long` plus ``area``."""
    import altair as alt

    df = long.assign(
        x0=-long["share"] / 2,
        x1=long["share"] / 2,
        text=[f"{p:,} people ({s:.1f}%)" for p, s in zip(long["people"], long["share"])],
    )
    order = list(df.sort_values("order")["label"])
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    bars = (
        alt.Chart(df)
        .mark_bar(color="#9ECAE1", stroke="#08519C")
        .encode(
            x=alt.X(
                "x0:Q",
                title="Share of residents (%)",
                scale=alt.Scale(domain=[-50, 50]),
                axis=alt.Axis(labels=False, ticks=False),
            ),
            x2="x1:Q",
            y=y,
            tooltip=[alt.Tooltip("label:N", title="Tier"), alt.Tooltip("text:N", title="Modelled")],
        )
    )
    text = alt.Chart(df).mark_text(align="left", dx=4, color="#000000").encode(x=alt.value(4), y=y, text="text:N")
    return (bars + text).properties(title=f"{title} (MODELLED)", height=160)
