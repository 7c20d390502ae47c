"""A small client for the public OHID Fingertips API: the two addresses the refresh reads, and one GET.

Endpoints used (public Fingertips API, base ``https://fingertips.phe.org.uk/api``; written from the
published API documentation as remembered, **to verify against the live API**):

``GET {base}/all_data/csv/by_indicator_id?indicator_ids=<ids>&child_area_type_id=<id>&parent_area_type_id=<id>``
    The "all data" CSV: one row per indicator x area x sex x age x category x period, with the
    columns in :data:`lib.imports.fingertips.FT_COLUMNS`. The response covers England, the parent
    areas and every child area in England; the refresh keeps only England, the parent area
    (Manchester, ``E08000003``) and its children.

``GET {base}/indicator_metadata/by_indicator_id?indicator_ids=<ids>``
    JSON keyed by indicator id (as a string). Fields read, where present:
    ``Descriptive.Name / Definition / Caveats / DataSource``, ``Unit.Label / Unit.Value``,
    ``ValueType.Name``, ``ConfidenceIntervalMethod.Name`` and ``PolarityId``. Anything missing falls
    back to a stated default (see :func:`lib.imports.fingertips.indicator_row`).

Area type ids (assumed, **to verify**; all are parameters, nothing is hard-wired):
``8`` = wards, ``3`` = MSOA, ``15`` = England, ``101`` = districts & UAs (pre-April 2019),
``401`` / ``501`` = districts & UAs (from April 2021 / April 2023), ``102`` = counties & UAs.
Fingertips does not publish at LSOA for most indicators.

Why our own client and not the publisher's ``fingertips-py`` (0.4.3, read for this decision): it
is GPL-3, so it is neither used nor copied; it adds ``requests`` for two GETs the standard library
makes; it reads the CSV with ``pd.read_csv(url)``, which turns the published fields into floats, while
the refresh must cache each field exactly as published and record each file's source URL and
retrieval date; its calls have no timeout and no check of the HTTP status (an error page becomes a
parse error), and on an SSL error it silently retries with certificate checks off; its base address
is a module global, so it cannot be pointed at a local server or fed the recorded responses in
``tests/data/fingertips/`` without patching its internals. Here :func:`fetch` takes the opener and
the refresh takes the fetcher, so the tests run offline against recorded answers, and every failure
is one sentence saying the embedded data is unchanged.

This module does network I/O only in :func:`fetch`, and never imports Streamlit.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from lib.imports.fingertips import FT_REQUIRED

DEFAULT_BASE_URL = "https://fingertips.phe.org.uk/api"
DEFAULT_TIMEOUT = 60.0

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

NOT_CHANGED = "The embedded data has not been changed."


class FingertipsError(RuntimeError):
    """A refresh could not be completed; the message is meant for the person running it."""


# --------------------------------------------------------------------------------------------- URLs


def ids_param(indicator_ids: Iterable[int | str]) -> str:
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
        f"{base_url.rstrip('/')}/all_data/csv/by_indicator_id?indicator_ids={ids_param(indicator_ids)}"
        f"&child_area_type_id={int(child_area_type_id)}&parent_area_type_id={int(parent_area_type_id)}"
    )


def metadata_url(indicator_ids: Iterable[int | str], *, base_url: str = DEFAULT_BASE_URL) -> str:
    """URL of the indicator metadata JSON for some indicators."""
    return f"{base_url.rstrip('/')}/indicator_metadata/by_indicator_id?indicator_ids={ids_param(indicator_ids)}"


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
