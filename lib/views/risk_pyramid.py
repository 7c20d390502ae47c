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

* ``registers`` (default, :data:`DEFAULT_METHOD`): the **GP registers** of the conditions that
  mark the upper tiers, summed per neighbourhood from its practices (QOF, latest year):
  palliative care, heart failure, COPD, dementia, serious mental illness and learning
  disability (:data:`WEIGHT_REGISTERS`). Why these: the highest and high tiers are people near
  the end of life, with advanced long-term conditions (heart failure, COPD), frailty and
  dementia, or complex mental health and learning-disability needs (the cohorts of the New
  Models of Care); these six registers count exactly such diagnoses, practice by practice, where
  the other methods use head-count or a benefit ratio. It is still a **proxy**: no count of
  patients with multiple long-term conditions (or a risk score) is public, so a patient on two
  of the registers counts twice (which leans, as intended, towards multimorbidity), and common
  milder conditions (hypertension, asthma) are left out so they do not swamp the weight.
  Registers 75+/85+ by age alone were the alternative; age is a weaker marker than a
  diagnosis, and the age profile is shown beside the registers elsewhere. With this method
  the pyramid describes **registered patients** (the practices' lists, July 2026, wherever the
  patients live; :data:`LENS`), not residents: a neighbourhood's "rising and low" is its list
  minus its two upper tiers, so its pyramid adds up to its list. The city tier sizes stay the
  seed figures above (highest = 2% of residents, high = 22,000 − highest), so every method
  splits the same 22,000 people and the methods can be compared; Manchester's lists hold about
  a third more patients than it has residents (list inflation, patients living outside the
  city), so the highest tier is about 1.5% of the lists.
* ``need``: the **need index** = population (mid-2020) × comparative illness and
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
LIST_INDICATOR = "reg_patients"  # registered patients, July 2026
#: The registers whose sum weighs the ``registers`` method (see the module docstring for why).
WEIGHT_REGISTERS: dict[str, str] = {
    "reg_pc": "palliative care",
    "reg_hf": "heart failure",
    "reg_copd": "COPD",
    "reg_dem": "dementia",
    "reg_mh": "serious mental illness",
    "reg_ld": "learning disability",
}
DEFAULT_METHOD = "registers"

METHODS: dict[str, str] = {
    "registers": (
        "GP registers = patients on six QOF registers of the practices in each neighbourhood ({period}): "
        + ", ".join(WEIGHT_REGISTERS.values())
        + ", added up (a patient on two registers counts twice). A stated proxy for the people with the advanced, "
        "multiple and complex conditions of the upper tiers: no count of patients with multiple long-term conditions "
        "is public."
    ),
    "need": (
        "Need index = population (ONS mid-2020) × comparative illness and disability ratio ({period}) ÷ "
        "England's ratio (both population-weighted means of the small-area ratios, so England's own figure, "
        "not 100, is the yardstick): people weighted by work-limiting illness or disability relative to England."
    ),
    "population": "Population only: each tier split in proportion to residents (ONS mid-2020).",
}
#: Which population a method's pyramid describes: the practices' registered patients or residents.
LENS: dict[str, str] = {"registers": "registered", "need": "residents", "population": "residents"}
#: The lens as people read it: in column headers, titles and captions.
LENS_LABELS: dict[str, str] = {
    "registered": "Registered patients (July 2026)",
    "residents": "Residents (mid-2020)",
}
LENS_WORDS: dict[str, str] = {"registered": "registered patients", "residents": "residents"}
_SEEDS = "Manchester council reports 2016–2017 (seeds 003, 004)"
#: The sources behind each method's pyramid (for captions and exported images).
SOURCES: dict[str, str] = {
    "registers": f"{_SEEDS}; ONS mid-2020 population estimates (the city tiers); NHS England, Quality and Outcomes "
    "Framework 2024-25 (practice registers) and Patients Registered at a GP Practice, July 2026; the practices' "
    "neighbourhoods as in the practice assignment",
    "need": f"{_SEEDS}; ONS mid-2020 population estimates; MHCLG English Indices of Deprivation (CIDR)",
    "population": f"{_SEEDS}; ONS mid-2020 population estimates",
}
#: Where the registers method still rests on a model, said plainly next to it.
REGISTERS_MODEL_NOTE = (
    "Still a model: the tier sizes are the seed documents' city figures (2% of residents; 22,000 people, 2016–2017), "
    "not counts from the registers, and the six registers are a proxy for risk, not a risk stratification. What the "
    "registers change is how the city's tiers are shared between neighbourhoods, and the base: each neighbourhood's "
    "pyramid now adds up to its practices' registered patients (July 2026, wherever they live), not its residents. "
    "Manchester's practice lists hold about a third more people than its residents (list inflation, patients living "
    "outside the city), so the highest tier is about 1.5% of the lists."
)

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


def _reg_neighbourhood(reg: Dataset, indicator_id: str, period: str | None = None) -> tuple[pd.DataFrame, str]:
    v = reg.values[(reg.values["indicator_id"] == indicator_id) & (reg.values["area_type"] == "neighbourhood")]
    if v.empty:
        raise ValueError(f"the registered-patient dataset has no neighbourhood figures for {indicator_id}")
    period = period or sorted(v["period"].astype(str).unique())[-1]
    return v[v["period"] == period], period


def registered_list(reg: Dataset) -> pd.Series:
    """Registered patients of each neighbourhood's practices (July 2026, whole people), in display
    order; 0 for a neighbourhood the practice assignment gives no practice."""
    v, _ = _reg_neighbourhood(reg, LIST_INDICATOR)
    order = neighbourhood_order(reg.definition)
    counts = v.set_index("area_code")["value"].astype(float).reindex(order)
    if counts.isna().any() and set(v["area_code"]) >= set(order):  # there, but hidden
        raise ValueError("registered list sizes are hidden at this disclosure threshold")
    return counts.fillna(0).round().astype(int).rename("population")


def register_period(reg: Dataset) -> str:
    """The QOF year of the registers the ``registers`` method sums (the latest all six have)."""
    v = reg.values[reg.values["area_type"] == "neighbourhood"]
    common = set.intersection(*(set(v.loc[v["indicator_id"] == i, "period"].astype(str)) for i in WEIGHT_REGISTERS))
    if not common:
        raise ValueError("the registered-patient dataset has no year with all six weighting registers")
    return sorted(common)[-1]


def register_components(reg: Dataset) -> pd.DataFrame:
    """Patients on each of the six weighting registers per neighbourhood (rows, display order;
    columns :data:`WEIGHT_REGISTERS`), latest common QOF year; 0 where the assignment gives a
    neighbourhood no practice. Raises ValueError where a count is hidden (disclosure)."""
    period = register_period(reg)
    order = neighbourhood_order(reg.definition)
    cols = {}
    for ind in WEIGHT_REGISTERS:
        v, _ = _reg_neighbourhood(reg, ind, period)
        counts = v.set_index("area_code")["numerator"].astype(float)
        if counts.isna().any():
            raise ValueError(
                f"the {WEIGHT_REGISTERS[ind]} register is hidden for some neighbourhood at this disclosure threshold"
            )
        cols[ind] = counts.reindex(order).fillna(0.0)
    return pd.DataFrame(cols, index=pd.Index(order, name="area_code"))


def register_weight(reg: Dataset) -> pd.Series:
    """The ``registers`` method's weight per neighbourhood: the sum of :func:`register_components`."""
    return register_components(reg).sum(axis=1).rename("register_weight")


def registers_problem(reg: Dataset | None) -> str | None:
    """Why the ``registers`` method cannot be used with ``reg`` (plain words), or None if it can:
    no registered dataset, or a list or register count hidden at the disclosure threshold in force."""
    if reg is None:
        return "the GP practices' figures are not available"
    try:
        registered_list(reg)
        register_weight(reg)
    except ValueError as exc:
        return str(exc)
    return None


def method_text(ds: Dataset, method: str, reg: Dataset | None = None, quote=str) -> str:
    """The method of ``method`` in words, with its period (passed through ``quote``, e.g. a
    Markdown escape) filled in."""
    if method == "registers":
        if reg is None:
            raise ValueError("the registers method needs the registered-patient dataset")
        return METHODS[method].format(period=quote(register_period(reg)))
    return METHODS[method].format(period=quote(need_period(ds)))


def tiers_text(method: str) -> str:
    """How the city tiers are set, and what the rest of a neighbourhood is, for ``method``'s lens."""
    base = LENS_WORDS[LENS[method]]
    return (
        "City tiers: highest = 2% of residents (mid-2020), rounded to a whole person; high = 22,000 − highest; "
        f"rising and low together = {base} − 22,000. A neighbourhood's rising-and-low figure is its {base} minus its "
        "two upper tiers."
    )


def city_tiers(ds: Dataset) -> dict[str, int]:
    """City tier counts: highest = round(2% × population); high = 22,000 − highest; rest = population − 22,000."""
    p = int(population(ds).sum())
    highest = int(round(HIGHEST_SHARE * p))
    return {
        "highest": highest,
        "high": INTEGRATED_OFFER_PEOPLE - highest,
        "rising_and_low": p - INTEGRATED_OFFER_PEOPLE,
    }


def pyramid(ds: Dataset, method: str = DEFAULT_METHOD, reg: Dataset | None = None) -> pd.DataFrame:
    """People in each tier per neighbourhood (whole people) and for the city (last row).

    Columns: ``area_code, area_name, population`` (the base: residents, or registered patients
    for ``registers``), ``weight`` (the method's weight), ``highest, high, rising_and_low``,
    ``highest_and_high``, ``lens`` (:data:`LENS`) and ``method``. The highest and high tiers
    (the city's, :func:`city_tiers`, whatever the method) are split by ``weight`` with the
    largest-remainder method, so the 12 neighbourhoods add up exactly to the city tier counts;
    ``rising_and_low`` = population − highest − high. ``reg`` (the registered-patient dataset,
    e.g. ``session_data.registered()``) is needed for ``registers``.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    if method == "registers":
        if reg is None:
            raise ValueError("the registers method needs the registered-patient dataset (reg=)")
        pop = registered_list(reg).reindex(neighbourhood_order(ds.definition))
        if pop.isna().any():
            raise ValueError("the registered-patient dataset's neighbourhoods are not the dataset's")
        weight = register_weight(reg).reindex(pop.index)
    else:
        pop = population(ds)
        weight = need_index(ds) if method == "need" else pop.astype(float)
    city = city_tiers(ds)
    city["rising_and_low"] = int(pop.sum()) - INTEGRATED_OFFER_PEOPLE
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
    out["lens"] = LENS[method]
    out["method"] = method
    return out[
        [
            "area_code",
            "area_name",
            "population",
            "weight",
            "highest",
            "high",
            "rising_and_low",
            "highest_and_high",
            "lens",
            "method",
        ]
    ]


def choice_effect(ds: Dataset, reg: Dataset | None = None) -> pd.DataFrame:
    """How much the weighting matters: the two upper tiers (highest + high) by need vs by population,
    and, given ``reg``, by the GP registers too.

    One row per neighbourhood: ``area_code, area_name, by_population, by_need, difference``
    (need − population, people) and ``difference_pct`` (of the population-method figure); with
    ``reg`` also ``by_registers, difference_registers`` (registers − population) and
    ``difference_registers_pct``. Every method splits the same 22,000 people, so the differences
    sum to zero (people move between neighbourhoods, the city total is fixed).
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
    if reg is not None:
        regs = pyramid(ds, "registers", reg).iloc[:-1].set_index("area_code")
        out["by_registers"] = regs["highest_and_high"].reindex(out.index)
        out["difference_registers"] = out["by_registers"] - out["by_population"]
        out["difference_registers_pct"] = out["difference_registers"] / out["by_population"] * 100.0
    return out.reset_index()


def people_moved(effect: pd.DataFrame, column: str = "difference") -> int:
    """People in the upper tiers who change neighbourhood between population and another method
    (``difference``: need; ``difference_registers``: registers): half the sum of |difference|."""
    return int(effect[column].abs().sum() // 2)


def tier_long(table: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """One area's pyramid as long rows for a chart: ``tier, label, people, share, order`` (top
    tier first) and ``lens`` (whose share: residents or registered patients)."""
    r = table.set_index("area_code").loc[area_code]
    lens = str(r["lens"]) if "lens" in table.columns else "residents"
    rows = [
        {
            "tier": t,
            "label": TIER_LABELS[t],
            "people": int(r[t]),
            "share": float(r[t]) / float(r["population"]) * 100.0 if float(r["population"]) else 0.0,
            "order": i,
            "lens": lens,
        }
        for i, t in enumerate(TIERS)
    ]
    return pd.DataFrame(rows)


def weight_label(method: str, reg: Dataset | None = None) -> str:
    """The weight column's header for ``method``."""
    if method == "registers":
        period = f", {register_period(reg)}" if reg is not None else ""
        return f"Weight: patients on the six GP registers{period}"
    if method == "need":
        return "Weight: need index (England-equivalent people)"
    return "Weight: residents"


def display_pyramid_table(table: pd.DataFrame, reg: Dataset | None = None) -> pd.DataFrame:
    """The pyramid table as people read it (also the CSV): whole people, plain column names that
    say whose pyramid it is (residents, or registered patients for the registers method)."""
    lens = str(table["lens"].iloc[0]) if "lens" in table.columns else "residents"
    method = str(table["method"].iloc[0]) if "method" in table.columns else "need"
    who = LENS_WORDS[lens]
    return pd.DataFrame(
        {
            "Code": table["area_code"],
            "Area": table["area_name"],
            "Population": LENS_LABELS[lens],
            LENS_LABELS[lens]: table["population"].map("{:,}".format),
            weight_label(method, reg): table["weight"].map("{:,.0f}".format),
            f"Highest risk, {who} (modelled)": table["highest"].map("{:,}".format),
            f"High risk, {who} (modelled)": table["high"].map("{:,}".format),
            f"Highest + high, {who} (modelled)": table["highest_and_high"].map("{:,}".format),
            f"Rising and low together, {who} (modelled)": table["rising_and_low"].map("{:,}".format),
            "Status": "MODELLED ESTIMATE",
        }
    )


def display_choice_effect(effect: pd.DataFrame) -> pd.DataFrame:
    """The comparison of the methods as people read it (each splits the same 22,000 people)."""
    out = pd.DataFrame(
        {
            "Code": effect["area_code"],
            "Neighbourhood": effect["area_name"],
            "Highest + high, by population": effect["by_population"].map("{:,}".format),
            "Highest + high, by need index": effect["by_need"].map("{:,}".format),
            "Difference (need − population)": effect["difference"].map("{:+,}".format),
            "Difference (%)": effect["difference_pct"].map("{:+.1f}%".format),
        }
    )
    if "by_registers" in effect.columns:
        out["Highest + high, by GP registers (registered patients)"] = effect["by_registers"].map("{:,}".format)
        out["Difference (registers − population)"] = effect["difference_registers"].map("{:+,}".format)
        out["Difference, registers (%)"] = effect["difference_registers_pct"].map("{:+.1f}%".format)
    return out


def pyramid_chart(long: pd.DataFrame, title: str):
    """A pyramid of one area: one centred horizontal bar per tier (top tier at the top), width =
    share of the base (residents, or registered patients: ``long["lens"]``), labelled with people
    and share. ``long`` from :func:`tier_long`."""
    import altair as alt

    lens = str(long["lens"].iloc[0]) if "lens" in long.columns else "residents"
    who = LENS_WORDS[lens]
    unit = "registered patients" if lens == "registered" else "people"

    df = long.assign(
        x0=-long["share"] / 2,
        x1=long["share"] / 2,
        text=[f"{p:,} {unit} ({s:.1f}%)" for p, s in zip(long["people"], long["share"])],
    )
    order = list(df.sort_values("order")["label"])
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    bars = (
        alt.Chart(df)
        .mark_bar(color="#9ECAE1", stroke="#08519C")
        .encode(
            x=alt.X(
                "x0:Q",
                title=f"Share of {who} (%)",
                scale=alt.Scale(domain=[-50, 50]),
                axis=alt.Axis(labels=False, ticks=False),
            ),
            x2="x1:Q",
            y=y,
            tooltip=[alt.Tooltip("label:N", title="Tier"), alt.Tooltip("text:N", title="Modelled")],
        )
    )
    text = alt.Chart(df).mark_text(align="left", dx=4, color="#000000").encode(x=alt.value(4), y=y, text="text:N")
    heading = f"{title}: {who} (MODELLED)" if lens == "registered" else f"{title} (MODELLED)"
    return (bars + text).properties(title=heading, height=160)
