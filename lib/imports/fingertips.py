"""OHID Fingertips data in our contract: its columns, what each means to us, and the conversion.

Fingertips data reaches the app two ways, and both read the same published "all data" CSV
(one row per indicator x area x sex x age x category x period, the columns in :data:`FT_COLUMNS`):

* a file a user downloads and uploads on the Your data page (:mod:`lib.imports.indicator_file`
  renames its columns with :data:`UPLOAD_COLUMNS`, keeps the rows :func:`keep_persons_totals` and
  :func:`keep_main_age` keep, and reads polarity from Fingertips' comparison words with
  :func:`polarity_from_comparisons`), then aggregates it like any other upload;
* the refresh (:mod:`lib.pipeline.fingertips`), which caches the published rows and turns them into
  ``indicators.csv`` / ``values.csv`` rows with :func:`to_values_format`, using the indicator metadata
  (:func:`indicator_row`).

One table, :data:`CONTRACT_NAMES`, says which published column is which of our columns, so the two
cannot drift apart.

Pure functions, no network and no Streamlit.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from lib.core.contract import INDICATOR_COLUMNS, VALUE_COLUMNS
from lib.core.definitions import CITY_CODE, ENGLAND_CODE
from lib.core.wording import shorten
from lib.imports.reading import list_text

#: Manchester (metropolitan district): the parent area of the city's wards on Fingertips.
MANCHESTER_CODE = CITY_CODE
LICENCE = "Open Government Licence v3.0"
ID_PREFIX = "ft_"

#: Columns of the published "all data" CSV.
FT_COLUMNS: list[str] = [
    "Indicator ID",
    "Indicator Name",
    "Parent Code",
    "Parent Name",
    "Area Code",
    "Area Name",
    "Area Type",
    "Sex",
    "Age",
    "Category Type",
    "Category",
    "Time period",
    "Value",
    "Lower CI 95.0 limit",
    "Upper CI 95.0 limit",
    "Lower CI 99.8 limit",
    "Upper CI 99.8 limit",
    "Count",
    "Denominator",
    "Value note",
    "Recent Trend",
    "Compared to England value or percentiles",
    "Compared to percentiles",
    "Time period Sortable",
    "New data",
    "Compared to goal",
    "Time period range",
]
#: The columns the refresh needs in an API answer; an answer without them is rejected.
FT_REQUIRED: tuple[str, ...] = (
    "Indicator ID",
    "Indicator Name",
    "Parent Code",
    "Area Code",
    "Area Name",
    "Area Type",
    "Sex",
    "Age",
    "Time period",
    "Value",
)
#: The columns an uploaded export must have (a user's download may leave some of the others out).
UPLOAD_REQUIRED: tuple[str, ...] = ("Indicator ID", "Indicator Name", "Area Code", "Time period", "Value")

#: Published column -> our column. ``area_type_label`` is Fingertips' own words ("Ward", "England"),
#: not the contract's ``area_type``; ``compared_england`` is its comparison with England in words.
CONTRACT_NAMES: dict[str, str] = {
    "Indicator ID": "indicator_id",
    "Indicator Name": "indicator_name",
    "Parent Code": "parent_code",
    "Area Code": "area_code",
    "Area Name": "area_name",
    "Area Type": "area_type_label",
    "Sex": "sex",
    "Age": "age",
    "Category Type": "category_type",
    "Category": "category",
    "Time period": "period",
    "Value": "value",
    "Lower CI 95.0 limit": "lower_95",
    "Upper CI 95.0 limit": "upper_95",
    "Lower CI 99.8 limit": "lower_998",
    "Upper CI 99.8 limit": "upper_998",
    "Count": "numerator",
    "Denominator": "denominator",
    "Value note": "note",
    "Compared to England value or percentiles": "compared_england",
}
#: The same, keyed by the lower-cased published name (an uploaded file's header may differ in case).
UPLOAD_COLUMNS: dict[str, str] = {k.lower(): v for k, v in CONTRACT_NAMES.items()}
#: Our column -> the published name, for messages about an uploaded export.
PUBLISHED_NAMES: dict[str, str] = {v: k for k, v in CONTRACT_NAMES.items()}

#: Fingertips "Area Type" labels (lower-cased prefixes) to the contract's ``area_type``. MSOA and
#: county rows have no contract equivalent and are dropped (and counted) by :func:`to_values_format`.
_AREA_TYPE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("england", "england"),
    ("ward", "ward"),
    ("lsoa", "lsoa"),
    ("lower super output", "lsoa"),
)
_DISTRICT_PREFIXES = (
    "district",
    "districts",
    "local authority",
    "lower tier",
    "upper tier",
    "county & ua",
    "counties & ua",
)

_VALUE_TYPES = {
    "proportion": "proportion",
    "percentage": "proportion",
    "crude rate": "rate",
    "directly standardised rate": "rate",
    "indirectly standardised rate": "rate",
    "indirectly standardised ratio": "ratio",
    "ratio": "ratio",
    "count": "count",
    "life expectancy": "score",
    "mean": "score",
    "score": "score",
}
_CI_METHODS = {"wilson": "wilson", "byar": "byar", "dobson": "dobson"}
#: Fingertips ``PolarityId`` (assumed, to verify): 0 = high is good, 1 = low is good, 99/-1 = no judgement.
_POLARITY_IDS = {0: "higher_is_better", 1: "lower_is_better", 99: "no_judgement", -1: "no_judgement"}
_COMPARED = {
    "better": "better",
    "worse": "worse",
    "similar": "similar",
    "higher": "higher",
    "lower": "lower",
}
_MEASURES = ("numerator", "denominator", "value", "lower_95", "upper_95", "lower_998", "upper_998")


# ---------------------------------------------------------------- an uploaded export


def keep_persons_totals(df: pd.DataFrame, messages: list[str], fail: Callable[[str], NoReturn]) -> pd.DataFrame:
    """Leave out breakdown rows (a ``Category``) and keep ``Sex = Persons`` (or the one sex given);
    each choice is told to the user in ``messages``."""
    cat = df["category"].fillna("").astype(str).str.strip()
    if (cat != "").any():
        messages.append(
            f"{int((cat != '').sum())} breakdown row(s) (Category, e.g. deprivation deciles) were left out."
        )
        df = df[cat == ""]
    sexes = sorted(set(df["sex"]) - {""})
    if "Persons" in sexes:
        if len(sexes) > 1:
            messages.append(f"Only Sex = Persons is used ({list_text(s for s in sexes if s != 'Persons')} left out).")
        df = df[df["sex"] == "Persons"]
    elif len(sexes) > 1:
        fail(
            f"The file has figures for {', '.join(sexes)} but none for Persons. Download the Persons figures, "
            "or remove all but one Sex from the file."
        )
    elif sexes:
        messages.append(f"The figures are for {sexes[0]} only.")
    return df


def keep_main_age(df: pd.DataFrame, messages: list[str], small_levels: Sequence[str]) -> pd.DataFrame:
    """Where an indicator has several ``Age`` groups, keep the one with the most rows at
    ``small_levels`` (Manchester's areas) and tell the user which were left out."""
    keep = []
    for ind, g in df.groupby("indicator_id", sort=False):
        ages = g.loc[g["level"].isin(small_levels), "age"].value_counts()
        if len(ages) > 1:
            main = ages.index[0]
            messages.append(
                f"Indicator {ind} has several age groups; the one with the most Manchester rows "
                f"({main}) is used ({list_text(a for a in ages.index[1:])} left out)."
            )
            g = g[g["age"] == main]
        keep.append(g)
    return pd.concat(keep) if keep else df


def polarity_from_comparisons(g: pd.DataFrame) -> str | None:
    """Read polarity from Fingertips' own comparison words, where there are any: an area called
    "better" than England with a higher value means higher is better."""
    words = g["compared_england"].str.lower()
    eng = g.loc[g["level"] == "england", ["period", "value"]].drop_duplicates("period").set_index("period")["value"]
    if eng.empty or not words.str.contains("better|worse").any():
        return None
    r = g.assign(eng=g["period"].map(eng)).dropna(subset=["value", "eng"])
    better = r["compared_england"].str.lower().str.startswith("better")
    worse = r["compared_england"].str.lower().str.startswith("worse")
    hb = (better & (r["value"] > r["eng"])) | (worse & (r["value"] < r["eng"]))
    lb = (better & (r["value"] < r["eng"])) | (worse & (r["value"] > r["eng"]))
    if hb.sum() > lb.sum():
        return "higher_is_better"
    if lb.sum() > hb.sum():
        return "lower_is_better"
    return None


# ---------------------------------------------------------------- the refresh's conversion


def contract_area_type(ft_area_type: str, area_code: str, parent_code: str = MANCHESTER_CODE) -> str | None:
    """The contract ``area_type`` for a Fingertips "Area Type" label, or ``None`` if it has none."""
    s = str(ft_area_type).strip().lower()
    if area_code == ENGLAND_CODE:
        return "england"
    for prefix, out in _AREA_TYPE_PREFIXES:
        if s.startswith(prefix):
            return out
    if area_code == parent_code and (
        s.startswith(_DISTRICT_PREFIXES) or area_code.startswith(("E06", "E07", "E08", "E09"))
    ):
        return "city"
    return None


def _num(x: Any) -> float | None:
    if x is None:
        return None
    s = str(x).strip().replace(",", "")
    if not s:
        return None
    try:
        v = float(s)
    except ValueError:
        return None
    return None if pd.isna(v) else v


def _compared(word: Any, polarity: str) -> str:
    s = str(word or "").strip().lower()
    for k, v in _COMPARED.items():
        if s.startswith(k):
            if v in ("better", "worse") and polarity == "no_judgement":
                return "not_compared"
            if v in ("higher", "lower") and polarity != "no_judgement":
                return "not_compared"
            return v
    return "not_compared"


def _meta_for(metadata: Mapping[str, Any] | None, iid: str) -> dict[str, Any]:
    if not metadata:
        return {}
    m = metadata.get(str(iid)) or metadata.get(int(iid) if str(iid).isdigit() else iid)  # type: ignore[call-overload]
    return m if isinstance(m, dict) else {}


def _get(d: Mapping[str, Any], *path: str) -> Any:
    cur: Any = d
    for p in path:
        if not isinstance(cur, Mapping) or p not in cur:
            return None
        cur = cur[p]
    return cur


def _method_from_metadata(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Value type, CI method, polarity, unit and multiplier from the metadata, with the defaults."""
    vt_name = str(_get(meta, "ValueType", "Name") or "").strip().lower()
    ci_name = str(_get(meta, "ConfidenceIntervalMethod", "Name") or "").strip().lower()
    pol_id = meta.get("PolarityId") if isinstance(meta, Mapping) else None
    mult = _num(_get(meta, "Unit", "Value"))
    multiplier = mult if mult and mult > 0 else 1
    return {
        "value_type": next((v for k, v in _VALUE_TYPES.items() if vt_name.startswith(k)), "score"),
        "ci_method": next((v for k, v in _CI_METHODS.items() if k in ci_name), "none"),
        "polarity": _POLARITY_IDS.get(int(pol_id), "no_judgement")
        if isinstance(pol_id, (int, float))
        else "no_judgement",
        "unit": str(_get(meta, "Unit", "Label") or "").strip() or "as published by Fingertips",
        "multiplier": int(multiplier) if float(multiplier).is_integer() else multiplier,
    }


def indicator_row(
    iid: str,
    name: str,
    periods: Sequence[str],
    meta: Mapping[str, Any],
    *,
    sex: str,
    age: str | None,
    source_url: str | None,
    retrieved: str | None,
    family: str = "outcome",
) -> dict[str, Any]:
    """One ``indicators.csv`` row. Defaults where metadata is missing: unit "as published", value type
    ``score``, multiplier 1, polarity ``no_judgement``, CI method ``none``."""
    method = _method_from_metadata(meta)
    definition = str(_get(meta, "Descriptive", "Definition") or "").strip() or name
    caveats = str(_get(meta, "Descriptive", "Caveats") or "").strip()
    where = f" from {source_url}" if source_url else ""
    when = f", retrieved {retrieved}" if retrieved else ""
    return {
        "indicator_id": f"{ID_PREFIX}{iid}",
        "name": name,
        "short_name": shorten(name),
        "family": family,
        "population": "residents",  # Fingertips' ward, MSOA and local authority figures are for residents
        "unit": method["unit"],
        "value_type": method["value_type"],
        "multiplier": method["multiplier"],
        "polarity": method["polarity"],
        "ci_method": method["ci_method"],
        "status": "real",
        "source": f"OHID Fingertips, {name}{when}{where}",
        "licence": LICENCE,
        "period": ", ".join(periods),
        "definition": definition,
        "method_note": (
            f"Values, confidence intervals, counts and denominators as published by Fingertips "
            f"(Sex = {sex}{'' if age is None else f', Age = {age}'}; category breakdowns excluded)."
        ),
        "caveats": caveats,
    }


def _as_published_text(fingertips_csv: pd.DataFrame) -> pd.DataFrame:
    """Every field as text, every published column present, renamed to our names."""
    df = fingertips_csv.copy()
    df = df.astype("object").where(df.notna(), "")
    df = df.map(lambda x: str(x))
    missing = [c for c in FT_REQUIRED if c not in df.columns]
    if missing:
        raise ValueError("not a Fingertips 'all data' table: missing " + ", ".join(missing))
    for col in FT_COLUMNS:
        if col not in df.columns:
            df[col] = ""
    df = df.rename(columns=CONTRACT_NAMES)
    df["indicator_id"] = df["indicator_id"].str.strip().str.replace(r"\.0$", "", regex=True)
    return df


def _value_row(
    r: Mapping[str, str], ind: Mapping[str, Any], parent_code: str, ward_parents: Mapping[str, str] | None
) -> dict[str, Any] | None:
    """One ``values.csv`` row from one published row, or ``None`` for an area type we do not hold."""
    code = r["area_code"].strip()
    at = contract_area_type(r["area_type_label"], code, parent_code)
    if at is None:
        return None
    if at == "england":
        parent = ""
    elif at == "city":
        parent = ENGLAND_CODE
    elif at == "ward" and ward_parents and code in ward_parents:
        parent = ward_parents[code]
    else:
        parent = r["parent_code"].strip()
    row = {
        "indicator_id": ind["indicator_id"],
        "period": r["period"],
        "area_type": at,
        "area_code": code,
        "area_name": r["area_name"],
        "parent_code": parent,
    }
    row.update({c: _num(r[c]) for c in _MEASURES})
    row["vs_england"] = "not_compared" if at == "england" else _compared(r["compared_england"], ind["polarity"])
    row["vs_city"] = "not_compared"
    row["note"] = r["note"].strip()
    return row


def to_values_format(
    fingertips_csv: pd.DataFrame,
    *,
    metadata: Mapping[str, Any] | None = None,
    retrieved: str | None = None,
    source_urls: Mapping[str, str] | None = None,
    sex: str = "Persons",
    age: str | None = None,
    parent_code: str = MANCHESTER_CODE,
    ward_parents: Mapping[str, str] | None = None,
    family: str = "outcome",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Convert "all data" rows into the contract's ``(indicators, values)`` tables.

    - ``indicator_id`` is ``ft_<Fingertips id>``; ``period`` is the published "Time period".
    - Only ``Sex == sex`` (default ``Persons``; indicators published only for one sex, e.g. male life
      expectancy, are kept with their single sex) and, if given, ``Age == age``; rows with a category
      breakdown (non-blank "Category") are dropped.
    - ``area_type``: England -> ``england``, the parent district -> ``city``, Ward -> ``ward``,
      LSOA -> ``lsoa``; other area types (MSOA, counties) have no contract equivalent and are dropped.
    - ``parent_code``: a ward's neighbourhood from ``ward_parents`` if given, else the published parent.
    - Count -> numerator, Denominator -> denominator, CI columns -> lower/upper 95 and 99.8; blank stays blank.
    - ``polarity`` from the metadata's ``PolarityId``; without one, from the published "Better" / "Worse"
      words and the values against England (:func:`polarity_from_comparisons`), else ``no_judgement``.
    - ``vs_england`` from "Compared to England value or percentiles" where consistent with the polarity,
      else ``not_compared``; ``vs_city`` is ``not_compared`` (the aggregation engine computes it).
    - ``note`` carries Fingertips' "Value note".

    Every field is read as text so values are carried exactly (``float`` of the published string).
    """
    df = _as_published_text(fingertips_csv)
    ind_rows: list[dict[str, Any]] = []
    val_rows: list[dict[str, Any]] = []
    for iid, g in df.groupby("indicator_id", sort=False):
        sexes = set(g["sex"])
        g = g[g["sex"] == sex] if sex in sexes or len(sexes) != 1 else g
        if age is not None:
            g = g[g["age"] == age]
        g = g[g["category"].str.strip() == ""]
        if g.empty:
            continue
        name = str(g["indicator_name"].iloc[0]).strip()
        ind = indicator_row(
            str(iid),
            name,
            list(dict.fromkeys(g["period"])),
            _meta_for(metadata, iid),
            sex=str(g["sex"].iloc[0]),
            age=age,
            source_url=(source_urls or {}).get(str(iid)),
            retrieved=retrieved,
            family=family,
        )
        if not isinstance(_meta_for(metadata, iid).get("PolarityId"), (int, float)):
            ind["polarity"] = _published_polarity(g, parent_code) or "no_judgement"
            if ind["polarity"] != "no_judgement":
                ind["method_note"] += " Polarity read from Fingertips' own better / worse comparisons with England."
        ind_rows.append(ind)
        rows = (_value_row(r, ind, parent_code, ward_parents) for r in g.to_dict("records"))
        val_rows.extend(r for r in rows if r is not None)
    indicators = pd.DataFrame(ind_rows, columns=INDICATOR_COLUMNS)
    values = pd.DataFrame(val_rows, columns=VALUE_COLUMNS)
    for c in _MEASURES:
        values[c] = pd.to_numeric(values[c]).astype("float64")
    for c in ("parent_code", "note"):
        values[c] = values[c].replace("", pd.NA)
    return indicators, values


def _published_polarity(g: pd.DataFrame, parent_code: str) -> str | None:
    """:func:`polarity_from_comparisons` of published rows (every field text, our column names)."""
    codes = g["area_code"].str.strip()
    levels = [contract_area_type(t, c, parent_code) for t, c in zip(g["area_type_label"], codes, strict=True)]
    rows = pd.DataFrame(
        {
            "compared_england": g["compared_england"].to_numpy(),
            "level": levels,
            "period": g["period"].to_numpy(),
            "value": [_num(v) for v in g["value"]],
        }
    )
    rows["value"] = pd.to_numeric(rows["value"])
    return polarity_from_comparisons(rows)


def read_all_data(path_or_bytes: str | Path | bytes) -> pd.DataFrame:
    """Read an "all data" CSV with every field as text (nothing converted, blanks kept as "")."""
    src = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    return pd.read_csv(src, dtype=str, keep_default_na=False, encoding="utf-8-sig")
