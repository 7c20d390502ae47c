"""Refresh indicators from the public OHID Fingertips API, and convert them to the project's contract.

The HTTP calls are written here with the standard library (``urllib.request``); the public
Fingertips client library is GPL-3 and is neither used nor copied.

Endpoints used (public Fingertips API, base ``https://fingertips.phe.org.uk/api``; written from the
published API documentation as remembered, **to verify against the live API**):

``GET {base}/all_data/csv/by_indicator_id?indicator_ids=<ids>&child_area_type_id=<id>&parent_area_type_id=<id>``
    The "all data" CSV: one row per indicator x area x sex x age x category x period, with the
    columns in :data:`FT_COLUMNS` (``Indicator ID, Indicator Name, Parent Code, ... Time period range``).
    The response covers England, the parent areas and every child area in England; this module keeps
    only the rows for England, the parent area (Manchester, ``E08000003``) and its children.

``GET {base}/indicator_metadata/by_indicator_id?indicator_ids=<ids>``
    JSON keyed by indicator id (as a string). Fields read, where present:
    ``Descriptive.Name / Definition / Caveats / DataSource``, ``Unit.Label / Unit.Value``,
    ``ValueType.Name``, ``ConfidenceIntervalMethod.Name`` and ``PolarityId``. Anything missing falls
    back to a stated default (see :func:`indicator_row`).

Area type ids (assumed, **to verify**; all are parameters, nothing is hard-wired):
``8`` = wards, ``3`` = MSOA, ``15`` = England, ``101`` = districts & UAs (pre-April 2019),
``401`` / ``501`` = districts & UAs (from April 2021 / April 2023), ``102`` = counties & UAs.
Fingertips does not publish at LSOA for most indicators.

What the refresh writes (``out_dir``, by default ``profiles/fingertips/``):

- ``<indicator_id>.csv``: the header and the Manchester rows of the "all data" CSV, each field exactly
  as published (no re-formatting of numbers);
- ``metadata.json``: the metadata response as received (when requested);
- ``manifest.json``: retrieval date and time, the source URL of each file, row counts and sha256.

Everything is downloaded and checked before anything is written, and each file is written to a
temporary name and renamed, so a network failure leaves the previous cache byte-identical. The
refresh never writes ``profiles/values.csv``, ``profiles/indicators.csv`` or ``geodata/``.

This module is pure apart from :func:`fetch`, and never imports Streamlit.

Command line::

    python -m lib.pipeline.fingertips refresh --ids 93283,93284 --area-type 8 [--out profiles/fingertips]
    python -m lib.pipeline.fingertips convert --cache profiles/fingertips --out /tmp/ft   # contract tables
    python -m lib.pipeline.fingertips list                                                # known indicators

A network failure prints one clear sentence on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import hashlib
import io
import json
import os
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from lib.core.contract import INDICATOR_COLUMNS, VALUE_COLUMNS

DEFAULT_BASE_URL = "https://fingertips.phe.org.uk/api"
#: Manchester (metropolitan district).
MANCHESTER_CODE = "E08000003"
ENGLAND_CODE = "E92000001"
DEFAULT_TIMEOUT = 60.0
LICENCE = "Open Government Licence v3.0"
ID_PREFIX = "ft_"

#: Assumed Fingertips area type ids (to verify against ``{base}/area_types``).
AREA_TYPE_IDS: dict[str, int] = {
    "ward": 8,
    "msoa": 3,
    "england": 15,
    "district_ua_pre2019": 101,
    "county_ua_pre2019": 102,
    "district_ua_2021": 401,
    "district_ua_2023": 501,
}
DEFAULT_PARENT_AREA_TYPE = 101

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
#: The columns this module needs; a response without them is rejected.
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

#: The Local Health ward indicators named in issue 6. The Fingertips ids are NOT verified: each is
#: ``None`` until checked against the live API (``{base}/indicators/by_profile_id?profile_id=143`` or
#: the Local Health profile's indicator list). The CLI therefore needs explicit ``--ids``.
LOCAL_HEALTH_WARD_INDICATORS: dict[str, int | None] = {
    "Life expectancy at birth, males": None,  # to verify against the live API
    "Life expectancy at birth, females": None,  # to verify against the live API
    "Deaths from all causes, under 75 years (SMR)": None,  # to verify against the live API
    "Incidence of all cancer (SIR)": None,  # to verify against the live API
    "Low birth weight of term babies": None,  # to verify against the live API
    "Reception: prevalence of obesity": None,  # to verify against the live API
    "Year 6: prevalence of obesity": None,  # to verify against the live API
    "Child development at age 5 (school readiness)": None,  # to verify against the live API
    "Emergency hospital admissions for all causes (SAR)": None,  # to verify against the live API
}

NOT_CHANGED = "The embedded data has not been changed."


class FingertipsError(RuntimeError):
    """A refresh could not be completed; the message is meant for the person running it."""


# --------------------------------------------------------------------------------------------- URLs


def _ids(indicator_ids: Iterable[int | str]) -> str:
    out = []
    for i in indicator_ids:
        s = str(i).strip()
        if not s.isdigit():
            raise ValueError(f"Fingertips indicator ids are whole numbers; got {i!r}")
        out.append(str(int(s)))
    if not out:
        raise ValueError("give at least one Fingertips indicator id")
    return ",".join(out)


def all_data_url(
    indicator_ids: Iterable[int | str],
    *,
    child_area_type_id: int,
    parent_area_type_id: int = DEFAULT_PARENT_AREA_TYPE,
    base_url: str = DEFAULT_BASE_URL,
) -> str:
    """URL of the "all data" CSV for some indicators at one area type (ids joined by commas, unescaped)."""
    return (
        f"{base_url.rstrip('/')}/all_data/csv/by_indicator_id?indicator_ids={_ids(indicator_ids)}"
        f"&child_area_type_id={int(child_area_type_id)}&parent_area_type_id={int(parent_area_type_id)}"
    )


def metadata_url(indicator_ids: Iterable[int | str], *, base_url: str = DEFAULT_BASE_URL) -> str:
    """URL of the indicator metadata JSON for some indicators."""
    return f"{base_url.rstrip('/')}/indicator_metadata/by_indicator_id?indicator_ids={_ids(indicator_ids)}"


# --------------------------------------------------------------------------------------------- HTTP

Opener = Callable[..., Any]
Fetcher = Callable[[str], bytes]


def fetch(url: str, *, timeout: float = DEFAULT_TIMEOUT, opener: Opener | None = None) -> bytes:
    """GET ``url`` and return the body. Every failure becomes a :class:`FingertipsError`.

    ``opener(request, timeout=...)`` defaults to :func:`urllib.request.urlopen`; tests pass a fake.
    Connection errors, timeouts and HTTP error statuses (4xx, 5xx) are all reported in one sentence
    that says the embedded data is unchanged.
    """
    open_ = opener or urllib.request.urlopen
    req = urllib.request.Request(url, headers={"User-Agent": "neighbourhood-profiles (fingertips refresh)"})
    host = urllib.parse.urlsplit(url).netloc or url
    try:
        with open_(req, timeout=timeout) as resp:
            status = getattr(resp, "status", None) or (resp.getcode() if hasattr(resp, "getcode") else 200)
            body = resp.read()
    except urllib.error.HTTPError as e:
        raise FingertipsError(
            f"Fingertips answered HTTP {e.code} ({e.reason}) for {url}: the indicator ids or area types may be "
            f"wrong, or the service may be down; check them or try later. {NOT_CHANGED}"
        ) from None
    except TimeoutError as e:
        raise FingertipsError(
            f"Could not reach Fingertips ({host}: no answer within {timeout:g} s): check your connection or try later. "
            f"{NOT_CHANGED}"
        ) from e
    except urllib.error.URLError as e:
        reason = e.reason if isinstance(e.reason, str) else (str(e.reason) or type(e.reason).__name__)
        raise FingertipsError(
            f"Could not reach Fingertips ({host}: {reason}): check your connection or try later. {NOT_CHANGED}"
        ) from None
    except OSError as e:
        raise FingertipsError(
            f"Could not reach Fingertips ({host}: {e}): check your connection or try later. {NOT_CHANGED}"
        ) from None
    if status is not None and int(status) >= 400:
        raise FingertipsError(
            f"Fingertips answered HTTP {status} for {url}: the indicator ids or area types may be wrong, "
            f"or the service may be down; check them or try later. {NOT_CHANGED}"
        )
    return body


# ------------------------------------------------------------------------------------------ parsing


def _decode(body: bytes, url: str) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FingertipsError(f"Fingertips sent something that is not text for {url}. {NOT_CHANGED}") from None


def parse_all_data(body: bytes, url: str = "(response)") -> tuple[list[str], list[list[str]]]:
    """Parse an "all data" CSV body into its header and rows of strings (exactly as published).

    Raises :class:`FingertipsError` for an HTML page, an empty body or a CSV without the expected columns.
    """
    text = _decode(body, url)
    head = text.lstrip()[:200].lower()
    if not head:
        raise FingertipsError(f"Fingertips sent an empty answer for {url}. {NOT_CHANGED}")
    if head.startswith("<") or "<html" in head:
        raise FingertipsError(
            f"Fingertips sent a web page instead of CSV data for {url} (the service may be down or the address "
            f"wrong); try later or check --base-url. {NOT_CHANGED}"
        )
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0] if rows else []
    missing = [c for c in FT_REQUIRED if c not in header]
    if missing:
        raise FingertipsError(
            f"Fingertips sent data without the expected columns ({', '.join(missing)}) for {url}. {NOT_CHANGED}"
        )
    body_rows = [r for r in rows[1:] if any(c.strip() for c in r)]
    return header, body_rows


def filter_rows(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    parent_code: str = MANCHESTER_CODE,
    area_codes: Iterable[str] = (),
    keep_england: bool = True,
) -> list[list[str]]:
    """Keep rows for the parent area itself, its children (by ``Parent Code``), any listed area codes and England."""
    ia, ip = header.index("Area Code"), header.index("Parent Code")
    keep = {parent_code, *area_codes} | ({ENGLAND_CODE} if keep_england else set())
    return [list(r) for r in rows if len(r) > max(ia, ip) and (r[ia] in keep or r[ip] == parent_code)]


def _csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def parse_metadata(body: bytes, url: str = "(response)") -> dict[str, Any]:
    """Parse the metadata JSON (a dict keyed by indicator id). Raises :class:`FingertipsError` if it is not JSON."""
    text = _decode(body, url)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise FingertipsError(f"Fingertips sent something that is not JSON metadata for {url}. {NOT_CHANGED}") from None
    if not isinstance(data, dict):
        raise FingertipsError(f"Fingertips sent metadata in an unexpected shape for {url}. {NOT_CHANGED}")
    return data


# ------------------------------------------------------------------------------------------ refresh


@dataclass
class RefreshResult:
    """What a refresh wrote."""

    out_dir: Path
    retrieved: str
    files: dict[str, Path] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    manifest: Path | None = None

    def summary(self) -> str:
        lines = [f"Fingertips refresh, retrieved {self.retrieved}, written to {self.out_dir}:"]
        for key, path in self.files.items():
            n = self.rows.get(key)
            lines.append(f"  {path.name}: {'' if n is None else f'{n} rows, '}from {self.urls[key]}")
        if self.manifest:
            lines.append(f"  {self.manifest.name}: retrieval date, source URLs, row counts, sha256")
        return "\n".join(lines)


def _sha256(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def refresh(
    indicator_ids: Sequence[int | str],
    out_dir: str | Path,
    *,
    area_type: int,
    parent_area_type: int = DEFAULT_PARENT_AREA_TYPE,
    parent_code: str = MANCHESTER_CODE,
    area_codes: Iterable[str] = (),
    base_url: str = DEFAULT_BASE_URL,
    fetcher: Fetcher = fetch,
    with_metadata: bool = True,
    today: _dt.datetime | _dt.date | None = None,
) -> RefreshResult:
    """Download the indicators, keep Manchester's rows and write the cache (see the module docstring).

    One "all data" request per indicator, so each cached file has its own source URL. All downloads are
    made and checked first; only then are files written (each atomically). A :class:`FingertipsError`
    from any download leaves ``out_dir`` exactly as it was.
    """
    ids = [int(i) for i in _ids(indicator_ids).split(",")]
    when = today or _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    retrieved = when.date().isoformat() if isinstance(when, _dt.datetime) else when.isoformat()
    area_codes = list(area_codes)

    planned: list[tuple[str, Path, bytes, str, int, int]] = []  # key, path, bytes, url, rows kept, rows received
    for iid in ids:
        url = all_data_url([iid], child_area_type_id=area_type, parent_area_type_id=parent_area_type, base_url=base_url)
        header, rows = parse_all_data(fetcher(url), url)
        kept = filter_rows(header, rows, parent_code=parent_code, area_codes=area_codes)
        if not any(
            r[header.index("Parent Code")] == parent_code or r[header.index("Area Code")] in area_codes for r in kept
        ):
            raise FingertipsError(
                f"Fingertips returned no rows for areas in {parent_code} for indicator {iid} at area type {area_type} "
                f"(from {url}): check the indicator id, --area-type and --parent-area-type. {NOT_CHANGED}"
            )
        planned.append((str(iid), Path(out_dir) / f"{iid}.csv", _csv_bytes(header, kept), url, len(kept), len(rows)))
    meta_entry = None
    if with_metadata:
        url = metadata_url(ids, base_url=base_url)
        body = fetcher(url)
        parse_metadata(body, url)
        meta_entry = ("metadata", Path(out_dir) / "metadata.json", body, url)

    out = Path(out_dir)
    result = RefreshResult(out_dir=out, retrieved=retrieved)
    manifest: dict[str, Any] = {
        "source": "OHID Fingertips public API",
        "retrieved": retrieved,
        "retrieved_at": when.isoformat(),
        "base_url": base_url,
        "area_type_id": area_type,
        "parent_area_type_id": parent_area_type,
        "parent_code": parent_code,
        "licence": LICENCE,
        "note": "Rows of the Fingertips 'all data' CSV for England, the parent area and its children, fields as published.",
        "files": {},
    }
    for key, path, data, url, n_kept, n_all in planned:
        _write_atomic(path, data)
        manifest["files"][path.name] = {
            "indicator_id": int(key),
            "source_url": url,
            "retrieved": retrieved,
            "rows": n_kept,
            "rows_received": n_all,
            "sha256": _sha256(data),
        }
        result.files[key], result.rows[key], result.urls[key] = path, n_kept, url
    if meta_entry:
        key, path, data, url = meta_entry
        _write_atomic(path, data)
        manifest["metadata"] = {"file": path.name, "source_url": url, "retrieved": retrieved, "sha256": _sha256(data)}
        result.files[key], result.urls[key] = path, url
    result.manifest = out / "manifest.json"
    _write_atomic(result.manifest, (json.dumps(manifest, indent=2, sort_keys=False) + "\n").encode("utf-8"))
    return result


# -------------------------------------------------------------------------------- contract format

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
    vt_name = str(_get(meta, "ValueType", "Name") or "").strip().lower()
    value_type = next((v for k, v in _VALUE_TYPES.items() if vt_name.startswith(k)), "score")
    ci_name = str(_get(meta, "ConfidenceIntervalMethod", "Name") or "").strip().lower()
    ci_method = next((v for k, v in _CI_METHODS.items() if k in ci_name), "none")
    pol_id = meta.get("PolarityId") if isinstance(meta, Mapping) else None
    polarity = _POLARITY_IDS.get(int(pol_id), "no_judgement") if isinstance(pol_id, (int, float)) else "no_judgement"
    unit = str(_get(meta, "Unit", "Label") or "").strip() or "as published by Fingertips"
    mult = _num(_get(meta, "Unit", "Value"))
    multiplier = mult if mult and mult > 0 else 1
    definition = str(_get(meta, "Descriptive", "Definition") or "").strip() or name
    caveats = str(_get(meta, "Descriptive", "Caveats") or "").strip()
    where = f" from {source_url}" if source_url else ""
    when = f", retrieved {retrieved}" if retrieved else ""
    return {
        "indicator_id": f"{ID_PREFIX}{iid}",
        "name": name,
        "short_name": name if len(name) <= 40 else name[:39].rstrip() + "…",
        "family": family,
        "unit": unit,
        "value_type": value_type,
        "multiplier": int(multiplier) if float(multiplier).is_integer() else multiplier,
        "polarity": polarity,
        "ci_method": ci_method,
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
    - ``vs_england`` from "Compared to England value or percentiles" where consistent with the polarity,
      else ``not_compared``; ``vs_city`` is ``not_compared`` (the aggregation engine computes it).
    - ``note`` carries Fingertips' "Value note".

    Every field is read as text so values are carried exactly (``float`` of the published string).
    """
    df = fingertips_csv.copy()
    df = df.astype("object").where(df.notna(), "")
    df = df.map(lambda x: str(x))
    missing = [c for c in FT_REQUIRED if c not in df.columns]
    if missing:
        raise ValueError("not a Fingertips 'all data' table: missing " + ", ".join(missing))
    for col in FT_COLUMNS:
        if col not in df.columns:
            df[col] = ""
    df["Indicator ID"] = df["Indicator ID"].str.strip().str.replace(r"\.0$", "", regex=True)

    ind_rows: list[dict[str, Any]] = []
    val_rows: list[dict[str, Any]] = []
    for iid, g in df.groupby("Indicator ID", sort=False):
        sexes = set(g["Sex"])
        g = g[g["Sex"] == sex] if sex in sexes or len(sexes) != 1 else g
        if age is not None:
            g = g[g["Age"] == age]
        g = g[g["Category"].str.strip() == ""]
        if g.empty:
            continue
        meta = _meta_for(metadata, iid)
        name = str(g["Indicator Name"].iloc[0]).strip()
        periods = list(dict.fromkeys(g["Time period"]))
        url = (source_urls or {}).get(str(iid))
        ind = indicator_row(
            str(iid),
            name,
            periods,
            meta,
            sex=str(g["Sex"].iloc[0]),
            age=age,
            source_url=url,
            retrieved=retrieved,
            family=family,
        )
        ind_rows.append(ind)
        for r in g.to_dict("records"):
            code = r["Area Code"].strip()
            at = contract_area_type(r["Area Type"], code, parent_code)
            if at is None:
                continue
            if at == "england":
                parent = ""
            elif at == "city":
                parent = ENGLAND_CODE
            elif at == "ward" and ward_parents and code in ward_parents:
                parent = ward_parents[code]
            else:
                parent = r["Parent Code"].strip()
            val_rows.append(
                {
                    "indicator_id": ind["indicator_id"],
                    "period": r["Time period"],
                    "area_type": at,
                    "area_code": code,
                    "area_name": r["Area Name"],
                    "parent_code": parent,
                    "numerator": _num(r["Count"]),
                    "denominator": _num(r["Denominator"]),
                    "value": _num(r["Value"]),
                    "lower_95": _num(r["Lower CI 95.0 limit"]),
                    "upper_95": _num(r["Upper CI 95.0 limit"]),
                    "lower_998": _num(r["Lower CI 99.8 limit"]),
                    "upper_998": _num(r["Upper CI 99.8 limit"]),
                    "vs_england": "not_compared"
                    if at == "england"
                    else _compared(r["Compared to England value or percentiles"], ind["polarity"]),
                    "vs_city": "not_compared",
                    "note": r["Value note"].strip(),
                }
            )
    indicators = pd.DataFrame(ind_rows, columns=INDICATOR_COLUMNS)
    values = pd.DataFrame(val_rows, columns=VALUE_COLUMNS)
    for c in ("numerator", "denominator", "value", "lower_95", "upper_95", "lower_998", "upper_998"):
        values[c] = pd.to_numeric(values[c]).astype("float64")
    for c in ("parent_code", "note"):
        values[c] = values[c].replace("", pd.NA)
    return indicators, values


def read_all_data(path_or_bytes: str | Path | bytes) -> pd.DataFrame:
    """Read an "all data" CSV with every field as text (nothing converted, blanks kept as "")."""
    src = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    return pd.read_csv(src, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def load_cache(cache_dir: str | Path, **kwargs: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a refresh cache (manifest, CSVs, metadata) and return the contract tables.

    The retrieval date and each file's source URL come from ``manifest.json``.
    """
    d = Path(cache_dir)
    try:
        manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FingertipsError(f"No Fingertips cache in {d} (manifest.json missing): run the refresh first.") from None
    files = manifest.get("files", {})
    frames = [read_all_data(d / name) for name in files]
    urls = {str(info["indicator_id"]): info["source_url"] for info in files.values()}
    meta = None
    if manifest.get("metadata") and (d / manifest["metadata"]["file"]).exists():
        meta = json.loads((d / manifest["metadata"]["file"]).read_text(encoding="utf-8-sig"))
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FT_COLUMNS)
    return to_values_format(df, metadata=meta, retrieved=manifest.get("retrieved"), source_urls=urls, **kwargs)


# --------------------------------------------------------------------------------------------- CLI


def _parse_ids(s: str) -> list[int]:
    try:
        return [int(x) for x in _ids(p for p in s.split(",") if p.strip()).split(",")]
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m lib.pipeline.fingertips", description="Refresh indicators from the OHID Fingertips API."
    )
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("refresh", help="download indicators and write the cache (never touches profiles/values.csv)")
    r.add_argument(
        "--ids", required=True, type=_parse_ids, help="comma-separated Fingertips indicator ids, e.g. 93283,93284"
    )
    r.add_argument(
        "--area-type", required=True, type=int, help="Fingertips child area type id (assumed: 8 = ward, 3 = MSOA)"
    )
    r.add_argument(
        "--parent-area-type", type=int, default=DEFAULT_PARENT_AREA_TYPE, help="parent area type id (default 101)"
    )
    r.add_argument(
        "--parent-code", default=MANCHESTER_CODE, help=f"parent area code to keep (default {MANCHESTER_CODE})"
    )
    r.add_argument(
        "--out", type=Path, default=Path("profiles") / "fingertips", help="cache folder (default profiles/fingertips)"
    )
    r.add_argument("--base-url", default=DEFAULT_BASE_URL, help=f"API base URL (default {DEFAULT_BASE_URL})")
    r.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds to wait for each answer")
    r.add_argument("--no-metadata", action="store_true", help="do not download indicator metadata")
    c = sub.add_parser("convert", help="turn a cache into contract-format indicators/values CSVs")
    c.add_argument("--cache", type=Path, default=Path("profiles") / "fingertips")
    c.add_argument(
        "--out", type=Path, required=True, help="folder for fingertips_indicators.csv and fingertips_values.csv"
    )
    sub.add_parser("list", help="list the Local Health ward indicators and whether their ids are known")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "list":
            for name, iid in LOCAL_HEALTH_WARD_INDICATORS.items():
                print(f"{name}: {'id not verified - look it up on Fingertips' if iid is None else iid}")
            return 0
        if args.command == "refresh":
            res = refresh(
                args.ids,
                args.out,
                area_type=args.area_type,
                parent_area_type=args.parent_area_type,
                parent_code=args.parent_code,
                base_url=args.base_url,
                fetcher=lambda url: fetch(url, timeout=args.timeout),
                with_metadata=not args.no_metadata,
            )
            print(res.summary())
            return 0
        # convert
        out: Path = args.out
        if out.resolve() in {Path("profiles").resolve(), Path("geodata").resolve()}:
            print("Refusing to write into profiles/ or geodata/: choose another --out.", file=sys.stderr)
            return 2
        ind, val = load_cache(args.cache)
        out.mkdir(parents=True, exist_ok=True)
        _write_atomic(out / "fingertips_indicators.csv", ind.to_csv(index=False).encode("utf-8"))
        _write_atomic(out / "fingertips_values.csv", val.to_csv(index=False).encode("utf-8"))
        print(f"Wrote {len(ind)} indicators and {len(val)} values to {out}")
        return 0
    except FingertipsError as e:
        print(str(e), file=sys.stderr)
        return 2
    except OSError as e:
        print(f"Could not write the Fingertips cache: {e}. {NOT_CHANGED}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover - exercised through subprocess in the tests
    sys.exit(main())
