"""The indicator catalogue: what each indicator in ``profiles/indicators.csv`` means.

One entry per indicator, in display order. The build functions in :mod:`lib.pipeline.build`
produce the values; this module only describes them.
"""

from __future__ import annotations

import pandas as pd

from lib.core.contract import INDICATOR_COLUMNS
from lib.pipeline.catalogue_registered import registered_indicators
from lib.pipeline.msoa import METHOD as MSOA_FIT

OGL = "Open Government Licence v3.0"
OPL = "Open Parliament Licence v3.0"
SRC_IOD19 = "MHCLG, English Indices of Deprivation 2019 (Files 1, 6 and 8)"
SRC_IOD25 = "MHCLG, English Indices of Deprivation 2025 (LSOA 2021 file and underlying indicators)"
SRC_IOD15 = "DCLG, English Indices of Deprivation 2015"
SRC_POP20 = "ONS, Lower layer Super Output Area population estimates, mid-2020"
SRC_CENSUS = "ONS, Census 2021"
SRC_DWP = "DWP, Stat-Xplore"
SRC_QOF = "House of Commons Library, Local health conditions prevalence estimates based on QOF 2019/20"
SRC_HI = "ONS, Health Index for England (2021 release)"
SRC_LE = "ONS, Life expectancy at birth for MSOAs (2011) in England, 2016 to 2020 (ad hoc release REQ3292)"

#: How an LSOA 2021 reaches the 2004-2018 wards, said wherever LSOA 2021 figures are summed.
LSOA21_TO_WARDS = (
    " Each LSOA 2021 reaches the 2004-2018 wards through its LSOA 2011 predecessor (ONS LSOA 2011-2021 lookup, then "
    "the ONS best-fit LSOA 2011 to ward lookup). A merged LSOA 2021 (two LSOA 2011s joined) is split between its two "
    "predecessors in proportion to their mid-2020 populations, counts as whole numbers: E01034128 (Manchester 032F) "
    "is split between E01005282 (Rusholme, C4) and E01005283 (Levenshulme, C3); E01034119 lies wholly in Ardwick."
)
LSOA_WEIGHTED = (
    "Population-weighted mean of the LSOA values (weights: IoD2019 mid-2015 population for 2019; "
    "Census 2021 usual residents for 2025). An estimate: no confidence interval, not tested for significance."
    + LSOA21_TO_WARDS
)
IOD_RATIO_MEAN = (
    " MHCLG publishes one standardised ratio per LSOA. Every figure here (ward, neighbourhood, Manchester and England "
    "alike) is the population-weighted mean of those LSOA ratios, and England's own mean is not 100 (see its figure, "
    "shown beside each area), so read an area against England's figure of the same edition, not against 100."
)
IOD_RATIO_METHOD = (
    " England: the same weighted mean over all English LSOAs, the benchmark shown. Not rescaled: the values are the "
    "published ratios' means, so they stay comparable with the published LSOA figures."
)
NOT_A_TREND = (
    " Each IoD edition is built afresh (different data years, models and standardisation), so its periods are "
    "separate editions, not a trend, and the app does not draw them as one."
)
SUMMED = "Numerators and denominators summed from LSOAs (best-fit to wards), value and interval recomputed."
LSOA21_SUMMED = "Counts summed from LSOA 2021 to wards, value and Wilson interval recomputed." + LSOA21_TO_WARDS


WITHHELD_NOTE = (
    " MHCLG rounds these numerators to the nearest 5 and withholds small ones (blank in File 8; the smallest it "
    "publishes is 10, so a withheld count is at most 9). A withheld LSOA is shown as withheld at source, with no "
    "value and no comparison. A total that includes withheld LSOAs counts them as 0, so it is a lower bound: its "
    "note says how many of its LSOAs are withheld and what the value would be with each at 9, and it is compared "
    "with England, Manchester or the rest of Manchester only when the verdict is the same at both ends (for the "
    "area and for the benchmark, at 95% and 99.8%); a total whose LSOAs are all withheld is withheld too."
)

DWP_APPORTIONED = (
    "DWP publishes the counts by MSOA 2011, and MSOAs do not fit wards. Population-weighted apportionment: each "
    "MSOA's count is split between the wards its LSOAs fall in (the ONS LSOA 2011 to ward best fit that every "
    "resident figure uses), in proportion to the MSOA's {weight} in each ward, in whole numbers by the "
    "largest-remainder method, so each MSOA's count and the Manchester total are kept exactly. Denominator: the "
    "{den} summed from LSOAs to wards, so within an MSOA every ward has the MSOA's rate."
)


def _ind(**kw: str | float) -> dict:
    row = {c: "" for c in INDICATOR_COLUMNS}
    row["population"] = "residents"  # the registered-patient entries are in catalogue_registered
    row.update(kw)
    return row


QOF_CONDITIONS: dict[str, tuple[str, str]] = {
    # code: (name, age group the register counts)
    "AF": ("Atrial fibrillation", "all ages"),
    "AST": ("Asthma", "all ages"),
    "CAN": ("Cancer", "all ages"),
    "CHD": ("Coronary heart disease", "all ages"),
    "CKD": ("Chronic kidney disease", "18+"),
    "COPD": ("COPD", "all ages"),
    "CVDPP": ("CVD primary prevention", "30-74"),
    "DEM": ("Dementia", "all ages"),
    "DEP": ("Depression", "18+"),
    "DM": ("Diabetes", "17+"),
    "EP": ("Epilepsy", "18+"),
    "HF": ("Heart failure", "all ages"),
    "HYP": ("Hypertension", "all ages"),
    "LD": ("Learning disability", "all ages"),
    "MH": ("Serious mental illness (schizophrenia, bipolar, other psychoses)", "all ages"),
    "OB": ("Obesity", "18+"),
    "OST": ("Osteoporosis", "50+"),
    "PAD": ("Peripheral arterial disease", "all ages"),
    "PC": ("Palliative care", "all ages"),
    "RA": ("Rheumatoid arthritis", "16+"),
    "STIA": ("Stroke and TIA", "all ages"),
}

INDICATORS: list[dict] = [
    # --- Deprivation and context ------------------------------------------------------------
    _ind(
        indicator_id="imd_most_deprived_10pct",
        name="Residents living in LSOAs among England's most deprived 10% (IMD)",
        short_name="In most deprived 10% (IMD)",
        family="context",
        unit="% of residents",
        value_type="share",
        multiplier=100,
        polarity="lower_is_better",
        ci_method="none",
        status="derived",
        source=f"{SRC_IOD15}; {SRC_IOD19}; {SRC_IOD25}; {SRC_CENSUS} (TS038 residents)",
        licence=OGL,
        period="IoD2015, IoD2019, IoD2025",
        definition="Share of residents who live in a Lower layer Super Output Area (LSOA) ranked in England's most deprived 10% on the Index of Multiple Deprivation.",
        method_note="Residents of LSOAs in national IMD decile 1 divided by all residents, summed from LSOAs. Residents: IoD2019 mid-2015 population for 2015 and 2019 (LSOA 2011); Census 2021 usual residents for 2025 (LSOA 2021). Deciles are never averaged."
        + LSOA21_TO_WARDS,
        caveats="The IMD measures relative deprivation: across editions compare positions, not scores. Whole LSOAs are counted, so there is no sampling error and no confidence interval.",
    ),
    _ind(
        indicator_id="imd_average_rank",
        name="IMD population-weighted average rank (higher = more deprived)",
        short_name="IMD average rank",
        family="context",
        unit="rank (of 32,844 or 33,755)",
        value_type="score",
        multiplier=1,
        polarity="lower_is_better",
        ci_method="none",
        status="derived",
        source=f"{SRC_IOD19}; {SRC_IOD25}",
        licence=OGL,
        period="IoD2019, IoD2025",
        definition="MHCLG's 'average rank' summary: the population-weighted mean of (number of LSOAs + 1 - the LSOA's IMD rank), so a higher number means more deprived.",
        method_note="Population-weighted mean over LSOAs. Weights: IoD2019 mid-2015 population (2019, reproduces the published Manchester 26,417.75); Census 2021 usual residents (2025, MHCLG used mid-2022 estimates, so the city value differs slightly from the published 25,957.3)."
        + LSOA21_TO_WARDS,
        caveats="The IoD2019 LSOA scores (File 5) are not available offline, so the 2019 population-weighted average score cannot be rebuilt; this rank measure is the published alternative.",
    ),
    _ind(
        indicator_id="imd_average_score",
        name="IMD population-weighted average score",
        short_name="IMD average score",
        family="context",
        unit="score",
        value_type="score",
        multiplier=1,
        polarity="lower_is_better",
        ci_method="none",
        status="derived",
        source=f"{SRC_IOD15}; {SRC_IOD25}; {SRC_CENSUS} (TS038 residents)",
        licence=OGL,
        period="IoD2015, IoD2025",
        definition="Population-weighted mean of the LSOA Index of Multiple Deprivation scores (higher = more deprived).",
        method_note=LSOA_WEIGHTED + " IoD2015 weights: IoD2019 mid-2015 population.",
        caveats="IoD2019 scores are not in any available source, so 2019 is missing (see the average rank instead). Scores are not comparable across editions."
        + NOT_A_TREND,
    ),
    _ind(
        indicator_id="income_deprivation",
        name="People living in income deprivation (IoD2019 income domain)",
        short_name="Income deprivation",
        family="context",
        unit="% of residents",
        value_type="proportion",
        multiplier=100,
        polarity="lower_is_better",
        ci_method="wilson",
        status="derived",
        source=SRC_IOD19,
        licence=OGL,
        period="IoD2019 (mostly 2015/16 data)",
        definition="People in families receiving income-related benefits or tax credits, as a share of the mid-2015 population.",
        method_note=SUMMED
        + " Numerator: File 8 income domain numerator; denominator: File 6 total population mid-2015.",
        caveats="Numerators are rounded to 5 and small ones withheld at source (3 of Manchester's 282 LSOAs)."
        + WITHHELD_NOTE,
    ),
    _ind(
        indicator_id="idaci",
        name="Children aged 0-15 living in income-deprived families (IDACI)",
        short_name="Child income deprivation",
        family="outcome",
        unit="% of children 0-15",
        value_type="proportion",
        multiplier=100,
        polarity="lower_is_better",
        ci_method="wilson",
        status="derived",
        source=SRC_IOD19,
        licence=OGL,
        period="IoD2019 (mostly 2015/16 data)",
        definition="Children aged 0-15 living in income-deprived families, as a share of all children aged 0-15 (Income Deprivation Affecting Children Index numerator and denominator).",
        method_note=SUMMED
        + " Numerator: File 8 IDACI numerator; denominator: File 6 dependent children 0-15, mid-2015.",
        caveats="Numerators are rounded to 5 and small ones withheld at source (37 of Manchester's 282 LSOAs)."
        + WITHHELD_NOTE,
    ),
    _ind(
        indicator_id="idaopi",
        name="People aged 60+ living in income deprivation (IDAOPI)",
        short_name="Older people income deprivation",
        family="outcome",
        unit="% of people 60+",
        value_type="proportion",
        multiplier=100,
        polarity="lower_is_better",
        ci_method="wilson",
        status="derived",
        source=SRC_IOD19,
        licence=OGL,
        period="IoD2019 (mostly 2015/16 data)",
        definition="People aged 60 and over living in income-deprived households, as a share of all people aged 60+ (Income Deprivation Affecting Older People Index).",
        method_note=SUMMED + " Numerator: File 8 IDAOPI numerator; denominator: File 6 older population 60+, mid-2015.",
        caveats="Numerators are rounded to 5 and small ones withheld at source (17 of Manchester's 282 LSOAs)."
        + WITHHELD_NOTE,
    ),
    # --- Health outcomes (IoD health domain indicators) ------------------------------------
    _ind(
        indicator_id="ypll",
        name="Years of potential life lost (IoD health indicator)",
        short_name="Years of life lost",
        family="outcome",
        unit="age and sex standardised rate",
        value_type="score",
        multiplier=1,
        polarity="lower_is_better",
        ci_method="none",
        status="derived",
        source=f"{SRC_IOD19}; {SRC_IOD25}",
        licence=OGL,
        period="IoD2019, IoD2025",
        definition="Premature death: an age and sex standardised measure of years of life lost before age 75, from the IoD health deprivation and disability domain.",
        method_note=LSOA_WEIGHTED,
        caveats="Published as a modelled score with no counts, so it is an estimate here. IoD2019 uses 2013-2017 deaths; IoD2025 more recent years."
        + NOT_A_TREND,
    ),
    _ind(
        indicator_id="cidr",
        name="Comparative illness and disability ratio (IoD health indicator; mean of small-area ratios)",
        short_name="Illness and disability ratio",
        family="outcome",
        unit="ratio (mean of LSOA ratios; compare with England's mean)",
        value_type="ratio",
        multiplier=1,
        polarity="lower_is_better",
        ci_method="none",
        status="derived",
        source=f"{SRC_IOD19}; {SRC_IOD25}",
        licence=OGL,
        period="IoD2019, IoD2025",
        definition="Work-limiting morbidity and disability: an age and sex standardised ratio of people receiving disability and incapacity benefits."
        + IOD_RATIO_MEAN,
        method_note=LSOA_WEIGHTED + IOD_RATIO_METHOD,
        caveats="Published as a ratio with no counts, so the neighbourhood value is an estimate, not an indirectly standardised ratio rebuilt from observed and expected counts."
        + NOT_A_TREND,
    ),
    _ind(
        indicator_id="acute_morbidity",
        name="Emergency admissions (acute morbidity) ratio (IoD health indicator; mean of small-area ratios)",
        short_name="Emergency admissions ratio",
        family="outcome",
        unit="ratio (mean of LSOA ratios; compare with England's mean)",
        value_type="ratio",
        multiplier=1,
        polarity="lower_is_better",
        ci_method="none",
        status="derived",
        source=f"{SRC_IOD19}; {SRC_IOD25}",
        licence=OGL,
        period="IoD2019, IoD2025",
        definition="An age and sex standardised rate of emergency admissions to hospital." + IOD_RATIO_MEAN,
        method_note=LSOA_WEIGHTED + IOD_RATIO_METHOD,
        caveats="Published as a ratio with no counts: an estimate, not significance-tested." + NOT_A_TREND,
    ),
    _ind(
        indicator_id="mood_anxiety",
        name="Mood and anxiety disorders score (IoD health indicator)",
        short_name="Mood and anxiety score",
        family="outcome",
        unit="score (0 = England average)",
        value_type="score",
        multiplier=1,
        polarity="lower_is_better",
        ci_method="none",
        status="derived",
        source=SRC_IOD19,
        licence=OGL,
        period="IoD2019",
        definition="A combined score of prescribing, hospital episodes, suicides and benefits for mood and anxiety disorders; higher means more.",
        method_note=LSOA_WEIGHTED,
        caveats="A modelled score with no counts. IoD2025 replaced it with a different mental health indicator, so there is no 2025 value.",
    ),
    *(
        _ind(
            indicator_id=f"life_expectancy_{_sex}",
            name=f"Life expectancy at birth: {_label} (MSOA)",
            short_name=f"Life expectancy ({_label})",
            family="outcome",
            unit="years",
            value_type="score",
            multiplier=1,
            polarity="higher_is_better",
            ci_method="published",
            status="real",
            source=f"{SRC_LE}; House of Commons Library MSOA Names",
            licence=f"{OGL}; {OPL} (MSOA names)",
            period="2016 to 2020",
            definition=(
                f"The average number of years a newborn {_child} would live if they experienced the age-specific death "
                "rates of the area in 2016 to 2020 throughout life; for each Middle layer Super Output Area (MSOA 2011)."
            ),
            method_note=(
                "Published by ONS for each MSOA with its 95% confidence interval (shown as published); the 99.8% "
                "interval is derived from the same standard error (ONS's interval is the estimate ± 1.96 standard errors). "
                "MSOAs do not nest in neighbourhoods: "
                + MSOA_FIT
                + " The neighbourhood profile shows the range of its "
                "MSOAs and the gap between the highest and the lowest."
            ),
            caveats=(
                "MSOA figures only. There is no single neighbourhood, ward or locality figure: life expectancy cannot be "
                "summed or averaged across areas (it needs the deaths and population by age of the whole neighbourhood, "
                "which are not in the inputs). No sourced Manchester or England figure for 2016 to 2020 by sex is in the "
                "inputs (the ONS Health Index's life expectancy is for both sexes together, over other years), so no MSOA "
                "is compared with a benchmark. ONS published no figure for some MSOAs (blank, never 0): mostly "
                "city-centre, student and prison areas with few older residents. 2020 includes the first year of COVID-19."
            ),
        )
        for _sex, _label, _child in (("female", "females", "girl"), ("male", "males", "boy"))
    ),
    # --- Census 2021 ---------------------------------------------------------------------------
    _ind(
        indicator_id="disability",
        name="Residents disabled under the Equality Act",
        short_name="Disability",
        family="outcome",
        unit="% of residents",
        value_type="proportion",
        multiplier=100,
        polarity="lower_is_better",
        ci_method="wilson",
        status="derived",
        source=f"{SRC_CENSUS}, TS038",
        licence=OGL,
        period="Census 2021",
        definition="Usual residents whose day-to-day activities are limited a little or a lot by a long-term physical or mental health condition or illness.",
        method_note="Counts and residents summed from LSOA 2021, value and Wilson interval recomputed. Crude, not age-standardised."
        + LSOA21_TO_WARDS,
        caveats="ONS perturbs census cells, so LSOA sums differ slightly from published totals (Manchester 96,719 vs 96,737). Crude rates reflect age structure.",
    ),
    _ind(
        indicator_id="disability_limited_lot",
        name="Residents whose day-to-day activities are limited a lot",
        short_name="Disability: limited a lot",
        family="outcome",
        unit="% of residents",
        value_type="proportion",
        multiplier=100,
        polarity="lower_is_better",
        ci_method="wilson",
        status="real",
        source=f"{SRC_CENSUS}, TS038 (local authority table via Trafford Data Lab)",
        licence=OGL,
        period="Census 2021",
        definition="Usual residents disabled under the Equality Act whose day-to-day activities are limited a lot.",
        method_note="Published Manchester count over all usual residents in the same table. Age-standardised: 11.4% (ONS).",
        caveats="City only: no small-area or England breakdown is available offline.",
    ),
    _ind(
        indicator_id="bad_health",
        name="Residents in bad or very bad general health",
        short_name="Bad or very bad health",
        family="outcome",
        unit="% of residents",
        value_type="proportion",
        multiplier=100,
        polarity="lower_is_better",
        ci_method="wilson",
        status="derived",
        source=f"{SRC_CENSUS}, TS037 general health (LSOA 2021, Nomis bulk file)",
        licence=OGL,
        period="Census 2021",
        definition="Usual residents who describe their general health as bad or very bad.",
        method_note=f"{LSOA21_SUMMED} England: the sum of the English LSOAs.",
        caveats="Self-reported; crude (not age-standardised: Manchester's age-standardised figure is 8.8%), so an area with older residents shows more bad health.",
    ),
    _ind(
        indicator_id="unpaid_care",
        name="Residents aged 5+ who provide unpaid care",
        short_name="Provides unpaid care",
        family="context",
        unit="% of residents aged 5+",
        value_type="proportion",
        multiplier=100,
        polarity="no_judgement",
        ci_method="wilson",
        status="derived",
        source=f"{SRC_CENSUS}, TS039 provision of unpaid care (LSOA 2021, Nomis bulk file)",
        licence=OGL,
        period="Census 2021",
        definition="Usual residents aged 5 and over who look after or support someone because of long-term illness, disability or old age, unpaid (any hours).",
        method_note=f"All residents aged 5+ minus those providing no unpaid care, over all residents aged 5+. {LSOA21_SUMMED} England: the sum of the English LSOAs.",
        caveats="Self-reported, crude. A need indicator (carers who may need support): neither more nor less is judged better.",
    ),
    _ind(
        indicator_id="unpaid_care_50h",
        name="Residents aged 5+ who provide 50 or more hours of unpaid care a week",
        short_name="Unpaid care 50+ hours a week",
        family="context",
        unit="% of residents aged 5+",
        value_type="proportion",
        multiplier=100,
        polarity="no_judgement",
        ci_method="wilson",
        status="derived",
        source=f"{SRC_CENSUS}, TS039 provision of unpaid care (LSOA 2021, Nomis bulk file)",
        licence=OGL,
        period="Census 2021",
        definition="Usual residents aged 5 and over who provide 50 or more hours of unpaid care a week.",
        method_note=f"{LSOA21_SUMMED} England: the sum of the English LSOAs.",
        caveats="Self-reported, crude. A need indicator: neither more nor less is judged better.",
    ),
    _ind(
        indicator_id="disabled_household",
        name="Households with at least one person disabled under the Equality Act",
        short_name="Households with a disabled person",
        family="context",
        unit="% of households",
        value_type="proportion",
        multiplier=100,
        polarity="no_judgement",
        ci_method="wilson",
        status="derived",
        source=f"{SRC_CENSUS}, TS040 number of disabled people in the household (LSOA 2021, Nomis bulk file)",
        licence=OGL,
        period="Census 2021",
        definition="Households in which one or more people are disabled under the Equality Act.",
        method_note=f"All households minus those with no disabled person, over all households. {LSOA21_SUMMED} England: the sum of the English LSOAs.",
        caveats="Self-reported. Counts households, not people.",
    ),
    _ind(
        indicator_id="fuel_poverty",
        name="Households in fuel poverty (low income, low energy efficiency)",
        short_name="Fuel poverty",
        family="context",
        unit="% of households",
        value_type="proportion",
        multiplier=100,
        polarity="lower_is_better",
        ci_method="none",
        status="modelled",
        source="DESNZ, Sub-regional fuel poverty in England, 2021 data (LSOA 2021)",
        licence=OGL,
        period="2021",
        definition="Households that are fuel poor under the Low Income Low Energy Efficiency (LILEE) measure.",
        method_note=f"DESNZ's LSOA estimates of households and fuel-poor households, summed. {LSOA21_SUMMED} England: DESNZ's published England total (3,162,752 of 24,070,861).",
        caveats="DESNZ models the LSOA figures from a national survey (English Housing Survey), so they are estimates: no confidence interval, not tested for significance.",
    ),
    _ind(
        indicator_id="household_deprivation",
        name="Households deprived in one or more dimensions (Census)",
        short_name="Household deprivation",
        family="context",
        unit="% of households",
        value_type="proportion",
        multiplier=100,
        polarity="lower_is_better",
        ci_method="wilson",
        status="derived",
        source=f"{SRC_CENSUS}, TS011",
        licence=OGL,
        period="Census 2021",
        definition="Households deprived in at least one of four dimensions: employment, education, health and disability, housing.",
        method_note="Households summed from LSOA 2021, value and Wilson interval recomputed." + LSOA21_TO_WARDS,
        caveats="Census perturbation applies. Not the Index of Multiple Deprivation.",
    ),
    _ind(
        indicator_id="household_deprivation_2plus",
        name="Households deprived in two or more dimensions (Census)",
        short_name="Household deprivation (2+)",
        family="context",
        unit="% of households",
        value_type="proportion",
        multiplier=100,
        polarity="lower_is_better",
        ci_method="wilson",
        status="derived",
        source=f"{SRC_CENSUS}, TS011",
        licence=OGL,
        period="Census 2021",
        definition="Households deprived in at least two of the four dimensions.",
        method_note="As for households deprived in one or more dimensions.",
        caveats="Census perturbation applies.",
    ),
    *(
        _ind(
            indicator_id=f"ethnic_{_key}",
            name=f"Residents in the {_group} ethnic group",
            short_name=f"Ethnic group: {_short}",
            family="context",
            unit="% of residents",
            value_type="share",
            multiplier=100,
            polarity="no_judgement",
            ci_method="none",
            status="derived",
            source=f"{SRC_CENSUS}, TS021 ethnic group (LSOA 2021 and local authorities)",
            licence=OGL,
            period="Census 2021",
            definition=(
                f"Usual residents who identify with the broad ethnic group '{_group}', as a share of all usual "
                "residents (the five broad groups of the Census 2021 question, as people described themselves)."
            ),
            method_note=(
                "Residents of the group over all residents. Counts summed from LSOA 2021 to wards (each LSOA 2021 "
                "through its LSOA 2011 best fit, as for disability). England: the sum of the English local "
                "authorities' detailed categories of the group, over the sum of all their categories."
            ),
            caveats=(
                "Context for planning (language, culture, which services people use), not a measure of health: neither "
                "more nor less is better, and it is not tested for significance (a count of everyone, not a sample). "
                "ONS perturbs census cells, so LSOA sums differ slightly from the published Manchester total "
                "(552,037 residents summed from LSOAs; 551,938 in the local authority table)."
            ),
        )
        for _key, _group, _short in (
            ("asian", "Asian, Asian British or Asian Welsh", "Asian"),
            ("black", "Black, Black British, Black Welsh, Caribbean or African", "Black"),
            ("mixed", "Mixed or Multiple", "Mixed"),
            ("white", "White", "White"),
            ("other", "Other", "Other"),
        )
    ),
    # --- DWP trend series --------------------------------------------------------------------
    _ind(
        indicator_id="children_low_income",
        name="Children in relative low-income families (dependent children aged 0-19 per 100 residents aged 0-17)",
        short_name="Children in low-income families",
        family="outcome",
        unit="per 100 residents aged 0-17",
        value_type="rate",
        multiplier=100,
        polarity="lower_is_better",
        # MSOA counts apportioned to wards: estimates, not tested for significance (as for the QOF prevalences)
        ci_method="none",
        status="modelled",
        source=f"{SRC_DWP}, Children in low income families (relative, before housing costs); {SRC_POP20}",
        licence=OGL,
        period="2014/15 to 2021/22 (financial years)",
        definition="Dependent children aged 0-19 in families with below 60% of median income before housing costs, per 100 residents aged 0-17 (mid-2020). Not DWP's published rate, which counts under-16s only.",
        method_note=f"{DWP_APPORTIONED.format(weight='mid-2020 residents aged 0-17', den='same residents')} Why residents aged 0-17: DWP counts dependent children, that is every child under 16 and 16-19-year-olds only while in full-time non-advanced education (school or college, not university). Most 16-17-year-olds are; few 18-19-year-olds are, and many of Manchester's are university students (18-19-year-olds are 30% of residents aged 0-19 in N4 and 26% in C4, 7-8% in most neighbourhoods), so residents aged 0-19 would be the wrong denominator. The inputs have no under-16 count, and the only small-area population by single year of age on these areas is mid-2020 (Census 2021's is on MSOA 2021, which do not match these MSOAs), so the mid-2020 population is used for all eight years. England: the sum of the English local authorities per 100 English residents aged 0-17 (mid-2020).",
        caveats="Modelled: a ward's or neighbourhood's count is an estimate (see the method), so it carries no confidence interval and is not tested for significance; Manchester's own figure is the sum of its MSOAs. Counts include some 18-19-year-olds still at school and exclude 16-17-year-olds not in full-time education, so this is a ratio per 100, not a share of a population. The same mid-2020 population is used for every year. Stat-Xplore applies disclosure control, so totals may not add up (Manchester LA 48,555 in 2021/22). 2021/22 is provisional; DWP advises caution for 2020/21 and 2021/22.",
    ),
    _ind(
        indicator_id="universal_credit_households",
        name="Households on Universal Credit",
        short_name="Households on Universal Credit",
        family="context",
        unit="% of households (Census 2021)",
        value_type="proportion",
        multiplier=100,
        polarity="lower_is_better",
        # MSOA counts apportioned to wards: estimates, not tested for significance (as for the QOF prevalences)
        ci_method="none",
        status="modelled",
        source=f"{SRC_DWP}, Households on Universal Credit; {SRC_CENSUS}, TS011 households",
        licence=OGL,
        period="August 2015 to November 2023 (monthly; no figures for January to October 2023)",
        definition="Households receiving Universal Credit, as a share of households counted at Census 2021.",
        method_note=f"{DWP_APPORTIONED.format(weight='Census 2021 households (each LSOA 2021 through its LSOA 2011 best fit)', den='same households')} England: the sum of the English local authorities over all English households.",
        caveats="Modelled: a ward's or neighbourhood's count is an estimate (see the method), so it carries no confidence interval and is not tested for significance; Manchester's own figure is the sum of its MSOAs. Universal Credit rolled out area by area from 2015, so early months reflect roll-out, not need. The same 2021 denominator is used for every month. The source extract has no figures for January to October 2023 (charts show the gap). Recent months are provisional or revised. Disclosure control: totals may not add up.",
    ),
    # --- Population (frail older people and children cohorts) --------------------------------
    _ind(
        indicator_id="population",
        name="Resident population",
        short_name="Population",
        family="context",
        unit="people",
        value_type="count",
        multiplier=1,
        polarity="no_judgement",
        ci_method="none",
        status="derived",
        source=SRC_POP20,
        licence=OGL,
        period="mid-2020",
        definition="Usual resident population, ONS mid-2020 estimate.",
        method_note="Summed from LSOA 2011 estimates (best-fit to wards).",
        caveats="Rolled forward from Census 2011 and since superseded by Census 2021-based estimates.",
    ),
]

for _id, _lo, _label in (
    ("age_0_15", "0-15", "Children aged 0-15"),
    ("age_65plus", "65+", "Residents aged 65 and over"),
    ("age_75plus", "75+", "Residents aged 75 and over"),
    ("age_85plus", "85+", "Residents aged 85 and over"),
):
    INDICATORS.append(
        _ind(
            indicator_id=f"population_{_id}",
            name=_label,
            short_name=f"Aged {_lo}",
            family="cohort",
            unit="% of residents",
            value_type="share",
            multiplier=100,
            polarity="no_judgement",
            ci_method="none",
            status="derived",
            source=SRC_POP20,
            licence=OGL,
            period="mid-2020",
            definition=f"{_label} (count in the numerator) as a share of all residents, ONS mid-2020.",
            method_note="Counts summed from LSOA 2011 single-year-of-age estimates (best-fit to wards).",
            caveats="A population estimate, not a sample: no confidence interval. Rolled forward from Census 2011.",
        )
    )

for _code, (_name, _ages) in QOF_CONDITIONS.items():
    INDICATORS.append(
        _ind(
            indicator_id=f"qof_{_code.lower()}",
            name=f"{_name}: modelled recorded prevalence (QOF)",
            short_name=f"{_name} (QOF)",
            family="outcome",
            unit=f"% of registered patients ({_ages})",
            value_type="proportion",
            multiplier=100,
            polarity="no_judgement",
            ci_method="none",
            # the Library apportions practice registers to where patients live: non-integer counts, estimates
            status="modelled",
            source=SRC_QOF,
            licence=OPL,
            period="2019/20",
            definition=f"Patients on GP registers for {_name.lower()} as a share of registered patients ({_ages}), apportioned from practices to where patients live.",
            method_note="Manchester: the published local authority row. England: the sum of registers over the sum of lists of the 9 English regions (derived; equals the sum over local authorities).",
            caveats="Modelled: the House of Commons Library apportions practice registers to where patients live (its counts are not whole numbers), so these are estimates of recorded prevalence among GP-registered patients, not observations and not true prevalence; the observed registers are in the profile's GP practices view (QOF 2022-23 and 2024-25, by practice). City-centre areas have fewer registrations than residents. No neighbourhood breakdown is available offline.",
        )
    )

#: Expected (modelled) register counts: indicator id -> (QOF group, name, age group of the weight, weight in words).
EXPECTED_REGISTERS: dict[str, tuple[str, str, str, str]] = {
    "expected_dementia": (
        "DEM",
        "Dementia",
        "65+ and under 65",
        "0.95 x (area's residents aged 65+ / city residents aged 65+) + 0.05 x (area's residents under 65 / "
        "city residents under 65); 0.95 is the seed fact 'The vast majority (95%) of these are aged 65 and over' "
        "(Commissioning Prospectus, seed 004, Manchester's 2,894 patients diagnosed with dementia in August 2016)",
    ),
    "expected_smi": (
        "MH",
        "Serious mental illness",
        "all ages",
        "area's share of the city's residents (all ages, as the QOF register counts all ages)",
    ),
    "expected_depression": (
        "DEP",
        "Depression",
        "18+",
        "area's share of the city's residents aged 18 and over (the QOF depression register counts adults 18+)",
    ),
    "expected_learning_disability": (
        "LD",
        "Learning disability",
        "all ages",
        "area's share of the city's residents (all ages, as the QOF register counts all ages)",
    ),
}
EXPECTED_ROUNDING = (
    "Ward figures are whole millionths of a person found by the largest-remainder method, so wards, "
    "neighbourhoods, localities and the city add up exactly to the city register (to the 6 decimals stored)."
)

for _id, (_code, _name, _ages, _weight) in EXPECTED_REGISTERS.items():
    INDICATORS.append(
        _ind(
            indicator_id=_id,
            name=f"{_name}: expected patients on GP registers (modelled from the city's QOF prevalence)",
            short_name=f"{_name}: expected (modelled)",
            family="cohort",
            unit="people (expected, modelled)",
            value_type="count",
            multiplier=1,
            polarity="no_judgement",
            ci_method="none",
            status="modelled",
            source=f"{SRC_QOF} (Manchester register); {SRC_POP20}"
            + ("; Manchester Commissioning Prospectus 2017 (seed 004)" if _code == "DEM" else ""),
            licence=f"{OPL}; {OGL}",
            period="2019/20 register; mid-2020 population",
            definition=(
                f"How many patients on the {_name.lower()} register ({_ages}) each area would have if Manchester's "
                "QOF 2019/20 register were spread over the city in proportion to the population in the register's age group."
            ),
            method_note=(
                f"Expected(area) = Manchester QOF 2019/20 {_name.lower()} register (modelled, House of Commons Library) x "
                f"weight(area), weight = {_weight}. Population: ONS mid-2020, LSOA 2011 best-fit to wards. "
                + EXPECTED_ROUNDING
            ),
            caveats=(
                "Modelled, not observed: it assumes the same prevalence in every area within each age group, so it "
                "reflects age structure only, not local differences in deprivation or diagnosis. Not tested for "
                "significance. The register counts GP-registered patients, and the city-centre has fewer registrations "
                "than residents. No England figure (the model spreads the Manchester total only)."
            ),
        )
    )

INDICATORS += [
    _ind(
        indicator_id="homelessness_rate",
        name="Homelessness indicator (IoD barriers to housing and services domain)",
        short_name="Homelessness indicator",
        family="cohort",
        unit="per 1,000 households",
        value_type="rate",
        multiplier=1,
        polarity="lower_is_better",
        ci_method="none",
        status="real",
        source=f"{SRC_IOD19} (File 8); {SRC_IOD25} (underlying indicators)",
        licence=OGL,
        period="IoD2019, IoD2025",
        definition="The IoD homelessness indicator: households accepted as homeless (owed a homelessness duty) by the council, per 1,000 households, as defined in the IoD technical reports.",
        method_note=(
            "Published only by local authority: every Manchester LSOA carries the same value, so there is no neighbourhood "
            "or ward figure. Manchester: the published value. England: the mean of the LSOA values weighted by population "
            "(IoD2019, mid-2015) or Census 2021 households (IoD2025), i.e. the local authority values weighted by size (derived)."
        ),
        caveats="City only: the source publishes it only by local authority. Not tested for significance (no counts).",
    ),
    _ind(
        indicator_id="core_homelessness",
        name="Core homelessness (IoD2025 barriers to housing and services domain)",
        short_name="Core homelessness",
        family="cohort",
        unit="% of households",
        value_type="share",
        multiplier=100,
        polarity="lower_is_better",
        ci_method="none",
        status="real",
        source=f"{SRC_IOD25} (underlying indicators)",
        licence=OGL,
        period="IoD2025",
        definition="The IoD2025 core homelessness indicator (rough sleeping, unsuitable temporary accommodation, sofa-surfing and similar), as a percentage of households, as defined in the IoD2025 technical report.",
        method_note=(
            "Published only by local authority: every Manchester LSOA carries the same value, so there is no neighbourhood "
            "or ward figure. Manchester: the published value. England: the mean of the LSOA values weighted by Census 2021 "
            "households (derived)."
        ),
        caveats="City only: the source publishes it only by local authority. A modelled estimate at source; not tested for significance.",
    ),
]

for _col, _label in (
    ("overall_score", "Health Index: overall score"),
    ("healthy_people_domain_score", "Health Index: healthy people domain"),
    ("healthy_lives_domain_score", "Health Index: healthy lives domain"),
    ("healthy_places_domain_score", "Health Index: healthy places domain"),
):
    INDICATORS.append(
        _ind(
            indicator_id=f"health_index_{_col.replace('_score', '').replace('_domain', '')}",
            name=_label,
            short_name=_label.replace("Health Index: ", "Health Index ").replace(" domain", ""),
            family="outcome",
            unit="index (England 2015 = 100)",
            value_type="score",
            multiplier=1,
            polarity="higher_is_better",
            ci_method="none",
            status="real",
            source=SRC_HI,
            licence=OGL,
            period="2015 to 2021",
            definition="ONS Health Index for England, a composite of health outcomes, risk factors and wider determinants; England 2015 = 100, higher is healthier.",
            method_note="Published Manchester values. England is 100 in 2015 by construction; later England values are not in the source.",
            caveats="Indicator periods inside the index vary (see the ONS methodology). City only.",
        )
    )


INDICATORS += registered_indicators()

SRC_TARGETS = 'Manchester Locality Plan / LCO Commissioning Prospectus (2017), seed 004, "Activity reduction and efficiency measures"'


def _driver_words(measure_id: str) -> str:
    """A target line's driver in words and why it fits (:data:`lib.methods.apportion.TARGET_DRIVERS`);
    the IoD edition of a ratio is the latest the dataset holds."""
    from lib.methods.apportion import DRIVERS, TARGET_DRIVERS

    driver, reason = TARGET_DRIVERS.get(measure_id, ("population", "no driver of its own is set"))
    return f"{DRIVERS[driver].format(period='latest edition')} ({reason})"


def activity_target_entries(targets: pd.DataFrame) -> list[dict]:
    """One modelled indicator per published 2020/21 activity-shift target line.

    ``targets`` is the seed table built by :func:`lib.pipeline.seeds.activity_targets`.
    """
    out = []
    for _, t in targets[targets["row_type"] == "line"].iterrows():
        out.append(
            _ind(
                indicator_id=f"target_{t['measure_id']}",
                name=f"Share of the 2020/21 target: {t['measure']}",
                short_name=f"Target share: {t['measure'].replace('Reducing ', '').replace('the cost of ', '')}",
                family="activity",
                unit=f"reduction, units as published ({t['unit_as_published']})",
                value_type="count",
                multiplier=1,
                polarity="no_judgement",
                ci_method="none",
                status="modelled",
                source=SRC_TARGETS,
                licence="Public sector information (council report)",
                period="2020/21",
                definition=f"The city's 2020/21 target reduction for '{t['measure']}' ({int(t['activity_shift_2020_21']):,}, as published), split between neighbourhoods.",
                method_note=(
                    f"Modelled: the city target split in proportion to its driver, {_driver_words(t['measure_id'])}, whole "
                    "numbers by the largest-remainder method so the 12 shares add up exactly to the city figure; localities are "
                    "sums of their neighbourhoods. The Activity shift page also offers a split of every line by population, or "
                    "by need (population x emergency admissions ratio)."
                ),
                caveats="An apportionment, not a published neighbourhood target. Units are printed as published; some look shifted by a row in the source.",
            )
        )
    return out


def indicators_table(extra: list[dict] | None = None) -> pd.DataFrame:
    """The catalogue as an ``indicators.csv`` frame (contract column order), plus ``extra`` entries."""
    df = pd.DataFrame(INDICATORS + list(extra or []), columns=INDICATOR_COLUMNS)
    df["multiplier"] = df["multiplier"].astype(float)
    return df
