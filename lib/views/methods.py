"""The Data and methods view: the indicator catalogue as people read it, the definition table,
the method text and the attributions."""

from __future__ import annotations

import html

import pandas as pd

from lib.core.contract import AREA_TYPES, FAMILY_LABELS, POPULATION_LABELS
from lib.render.format import STATUS_BADGE
from lib.render.style import style

DOWNLOADS: list[tuple[str, str, str]] = [
    ("profiles/indicators.csv", "Indicators (indicators.csv)", "text/csv"),
    ("profiles/values.csv", "Residents' values (values.csv)", "text/csv"),
    ("profiles/lsoa21_values.csv", "Residents' values for LSOA 2021 small areas (lsoa21_values.csv)", "text/csv"),
    ("profiles/registered_values.csv", "Registered patients' values (registered_values.csv)", "text/csv"),
    ("geodata/neighbourhoods.csv", "Neighbourhood definition (CSV)", "text/csv"),
    ("geodata/practices.csv", "GP practice assignment (practices.csv)", "text/csv"),
    ("geodata/neighbourhoods.geojson", "Neighbourhood boundaries (GeoJSON)", "application/geo+json"),
    ("geodata/wards.geojson", "Ward boundaries (GeoJSON)", "application/geo+json"),
    ("geodata/localities.geojson", "Locality boundaries (GeoJSON)", "application/geo+json"),
    ("geodata/lsoa.geojson", "LSOA 2011 boundaries (GeoJSON)", "application/geo+json"),
    (
        "geodata/lsoa21.geojson",
        "LSOA 2021 boundaries, with each one's best-fit ward and neighbourhood (GeoJSON)",
        "application/geo+json",
    ),
    (
        "geodata/msoa.geojson",
        "MSOA 2011 boundaries, with each one's best-fit neighbourhood (GeoJSON)",
        "application/geo+json",
    ),
]

METHODS_MARKDOWN = """
- **Geography.** Small areas (LSOA 2011, LSOA 2021 via the ONS 2011–2021 lookup, MSOA 2011) are assigned
  to the 2004–2018 wards by ONS best-fit lookups; wards to neighbourhoods and localities by the definition
  table below. A merged LSOA 2021 (two LSOA 2011s joined into one) is split between its two predecessors in
  proportion to their mid-2020 populations: E01034128 (Manchester 032F) straddles Rusholme (C4) and
  Levenshulme (C3), so its figures are shared between the two rather than given wholly to one. Figures built from LSOA 2021 (Census 2021, IoD2025, fuel
  poverty 2021) are also shown for each LSOA 2021 (the Map's *Small areas (LSOA 2021)*; the older IoD editions and
  mid-2020 populations on *Small areas (LSOA 2011)*): each in the ward holding most of its residents; E01034128 is
  mapped in Rusholme and its note says its figures are shared between C3 and C4 in the totals. DWP counts published by MSOA 2011
  (children in low-income families, Universal Credit) are split between the wards each MSOA's LSOAs fall in, in
  proportion to its population (or households) in each ward: modelled estimates, with no confidence interval and no
  significance test. Boundaries are ONS generalised (20 m) boundaries, simplified with a coverage-preserving method
  so neighbours share edges exactly, and rounded to 5 decimals.
- **Life expectancy (MSOAs).** Published by ONS for MSOAs only. It cannot be summed or averaged (a neighbourhood
  figure needs its deaths and population by age), so there is no neighbourhood figure: the profile shows the range
  of a neighbourhood's MSOAs and the gap between the highest and the lowest. Each MSOA is counted in the
  neighbourhood holding most of its residents (ONS mid-2020 estimates of its LSOAs), and in that neighbourhood's
  ward holding most of them. No Manchester or England figure for the same years by sex is in the data, so MSOAs
  are not compared with a benchmark.
- **Adding up.** Counts, proportions and rates: numerators and denominators are summed, then the value and
  its confidence interval are recomputed. Area rates are never averaged. Scores and ratios published without
  counts (the Indices of Deprivation health indicators) are population-weighted means: estimates, with no
  confidence interval and no significance test. Deprivation ranks and deciles are never averaged.
- **Confidence intervals.** 95% and 99.8%. Proportions: Wilson score. Counts and rates: Byar's method
  (exact Poisson below 10). Directly standardised rates: Dobson's method with the 2013 European Standard Population.
  Life expectancy: the 95% interval ONS publishes; the 99.8% one from the same standard error.
- **Comparisons.** The Fingertips rule: if the benchmark lies inside the area's confidence interval the area
  is *similar*; otherwise *better* or *worse* by the indicator's direction (or *higher*/*lower* when there is
  no judgement). Benchmarks: England, Manchester, and the rest of Manchester (the city without the
  neighbourhood). 99.8% is the stricter level. Wards (on the map, and in the profile's *Its wards* views, where
  *Its wards, every indicator* shows which ward drives a neighbourhood's figure) are compared with England or
  Manchester: when the rest of Manchester is chosen, wards are compared with Manchester, as it is defined for
  neighbourhoods only.
- **Over time.** Scores and ratios from different editions of the Indices of Deprivation (the IMD score, years
  of life lost, the illness and disability ratio, the emergency admissions ratio) are not drawn or described as
  a trend: each edition is built afresh with different data years and models. Ranks and the share of residents
  in the most deprived 10% (relative positions) can be read across editions. The *recent trend* is
  Fingertips' test: the chi-squared test for trend (extended Mantel-Haenszel) on the latest 5 points, for
  proportions with counts that are not estimates; with fewer than 5 points it says there are not enough.
- **Activity shift.** Each 2020/21 city target is split between the neighbourhoods by a driver that fits it
  (need for A&E and emergency admissions, residents aged 65+ or 75+ for older people's services, children
  aged 0 to 15 for school readiness, working-age residents × the illness and disability ratio for ESA
  claimants), stated on every line; the tracker's process limits come from the whole series or from a
  baseline you pick (Making Data Count).
- **IoD ratios.** The illness and disability ratio and the emergency admissions ratio are published per small
  area; every figure here, England's included, is the population-weighted mean of those small-area ratios.
  England's own mean is not 100, so read an area against England's figure, not against 100.
- **Small counts.** Where a source withholds small counts (the Indices of Deprivation income numerators,
  each below 10), the small area is shown as *withheld at source*, with no value and no comparison. A total
  that includes withheld areas counts them as 0, so it is a lower bound: its note says how many of its areas
  are withheld and what the value would be with each at its most, and it is compared with a benchmark only
  when the verdict is the same either way; a total whose areas are all withheld is withheld too.
  Census figures are perturbed by ONS and DWP figures have disclosure control, so totals may differ slightly
  from published totals; notes give the published figure.
"""

ATTRIBUTIONS_MARKDOWN = """
- Boundaries and lookups: Source: Office for National Statistics licensed under the Open Government Licence v3.0.
  Contains OS data © Crown copyright and database right 2017–2024.
- Population estimates, Census 2021, Health Index: Source: Office for National Statistics licensed under the
  Open Government Licence v3.0. Contains Census 2021 data, ONS, © Crown copyright.
- English Indices of Deprivation 2015, 2019 and 2025: Contains public sector information licensed under the
  Open Government Licence v3.0. Source: Ministry of Housing, Communities and Local Government
  (2015: Department for Communities and Local Government).
- Children in low income families; Households on Universal Credit: Source: Department for Work and Pensions,
  Stat-Xplore. Contains public sector information licensed under the Open Government Licence v3.0.
- Life expectancy by MSOA, 2016 to 2020 (ad hoc release REQ3292): Source: Office for National Statistics licensed
  under the Open Government Licence v3.0. MSOA names: House of Commons Library MSOA Names, Open Parliament Licence v3.0.
- QOF modelled prevalence: Contains Parliamentary information licensed under the Open Parliament Licence v3.0
  (House of Commons Library, modelled from NHS Digital QOF 2019/20).
- Neighbourhood definitions: neighbourhood-to-ward assignment compiled by the project from MHCC
  neighbourhood profiles (Dec 2019); wards inferred.
- Seed figures (targets, finance, headline facts): Manchester council reports, 2016–2017.
"""


def indicator_catalogue(indicators: pd.DataFrame, values: pd.DataFrame, family: str | None = None) -> pd.DataFrame:
    """One row per indicator with what a reader needs: name, family, status, unit, periods,
    area levels available, definition, method, caveats, source and licence."""
    ind = indicators if family is None else indicators[indicators["family"] == family]
    pv = (
        values[["indicator_id", "period"]]
        .astype({"period": str})
        .drop_duplicates()
        .sort_values(["indicator_id", "period"])
    )
    per = pv.groupby("indicator_id")["period"].agg(", ".join)
    order = {t: i for i, t in enumerate(AREA_TYPES)}  # finest first
    av = values[["indicator_id", "area_type"]].drop_duplicates()
    av = av[av["area_type"].isin(list(order))]
    av = av.assign(_o=av["area_type"].map(order)).sort_values(["indicator_id", "_o"])
    areas = av.groupby("indicator_id")["area_type"].agg(", ".join)
    return pd.DataFrame(
        {
            "Indicator": ind["name"],
            "Id": ind["indicator_id"],
            "Family": ind["family"].map(FAMILY_LABELS),
            "Population": ind["population"].fillna("residents").map(POPULATION_LABELS),
            "Status": ind["status"].map(STATUS_BADGE),
            "Unit": ind["unit"],
            "Periods": ind["indicator_id"].map(per).fillna(""),
            "Areas": ind["indicator_id"].map(areas).fillna(""),
            "Definition": ind["definition"],
            "Method": ind["method_note"],
            "Caveats": ind["caveats"].fillna(""),
            "Source": ind["source"],
            "Licence": ind["licence"],
        }
    ).reset_index(drop=True)


#: The catalogue's columns in its at-a-glance table; the rest are in :func:`indicator_details_html`.
SUMMARY_COLUMNS = ["Indicator", "Family", "Population", "Status", "Unit", "Periods", "Areas"]
#: What :func:`indicator_details_html` gives for each indicator, in order.
DETAIL_COLUMNS = ["Definition", "Method", "Caveats", "Source", "Licence", "Id"]


def indicator_details_html(catalogue: pd.DataFrame) -> str:
    """Every indicator of :func:`indicator_catalogue` in full, as one HTML document: a heading per
    indicator (its name and status) and a definition list of :data:`DETAIL_COLUMNS`. Every text is
    HTML-escaped (uploaded indicators carry the user's words). One document, not an element per
    indicator, so a long catalogue costs the browser one element to draw."""
    parts = [
        '<div class="np-details">',
        style("details"),
    ]
    for _, row in catalogue.iterrows():
        parts.append(f"<h3>{html.escape(str(row['Indicator']))} · {html.escape(str(row['Status']))}</h3><dl>")
        for col in DETAIL_COLUMNS:
            value = row.get(col, "")
            text = "None recorded." if (col == "Caveats" and not str(value or "").strip()) else str(value)
            parts.append(f"<dt>{html.escape(col if col != 'Id' else 'Indicator id')}</dt><dd>{html.escape(text)}</dd>")
        parts.append("</dl>")
    parts.append("</div>")
    return "".join(parts)


def definition_table(definition: pd.DataFrame) -> pd.DataFrame:
    """The ward -> neighbourhood -> locality table with the evidence for each row."""
    out = pd.DataFrame(
        {
            "Locality": definition["locality_name"],
            "Neighbourhood": definition["neighbourhood_code"] + " · " + definition["neighbourhood_name"],
            "Ward": definition["ward_name"],
            "Ward code": definition["ward_code"],
        }
    )
    if "evidence" in definition.columns:
        out["Evidence"] = definition["evidence"].fillna("")
    return out
