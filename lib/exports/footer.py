"""The words under every export: where its numbers come from and the link back to the view.

Every exported image, slide and PDF says its source (and licence), period, status (REAL /
DERIVED / MODELLED ESTIMATE), the date the figures were accessed and the address of the exact
view in the app, so a figure pasted into a board paper can be checked and found again. The app's
address is ``$NP_PUBLIC_URL`` when set (the deployment's public name wins); else the address the
export was asked for from (:func:`request_base_url`: the browser's own address for the page, else the
request's headers); else ``http://localhost:8501``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import urlencode, urlsplit

from lib.core.contract import POPULATION_LABELS
from lib.core.data import Dataset
from lib.render.format import STATUS_BADGE

#: Environment variable holding the app's public address (used in "link back to the view" lines).
PUBLIC_URL_ENV = "NP_PUBLIC_URL"
DEFAULT_BASE_URL = "http://localhost:8501"
#: The longest footer line of an image (characters): longer ones are wrapped.
FOOTER_CHARS = 110
MAP_ATTRIBUTION = "Contains National Statistics and OS data © Crown copyright and database right 2017–2024"


def base_url(default: str = DEFAULT_BASE_URL) -> str:
    """The app's public address: ``$NP_PUBLIC_URL`` if set, else ``default``."""
    return (os.environ.get(PUBLIC_URL_ENV) or default).rstrip("/")


#: A host a header may name: a DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port.
_HOST = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$"
)


def _sensible_host(value: str | None) -> str | None:
    """``value`` (one header value; the first of a comma-separated list, as proxies append) if it is
    a plain host[:port], else None (a path, credentials, spaces or markup are not a host)."""
    if not value:
        return None
    host = str(value).split(",")[0].strip()
    return host if _HOST.match(host) and len(host) <= 255 else None


def request_base_url(
    url: str | None = None,
    headers: Mapping[str, str] | None = None,
    page_paths: Iterable[str] = (),
    base_path: str = "",
) -> str:
    """The app's address for links back to a view: ``$NP_PUBLIC_URL`` if set; else the request's.

    ``url`` is the browser's address of the page the export was asked for (Streamlit's
    ``st.context.url``: scheme, host, port and path, no query), with its page's path (one of
    ``page_paths``) taken off: what the user reached the app by, through any proxy, so it is used
    first. Without it, ``headers`` (``st.context.headers`` of the session's first request): the
    ``X-Forwarded-Host`` and ``X-Forwarded-Proto`` a reverse proxy sets, each honoured only when
    sensible (a plain ``host[:port]``, the first of a list; ``http`` or ``https``), else ``Host`` and
    ``http``; then
    ``base_path`` (``server.baseUrlPath``). Either is the user's own request, so a forged header
    only changes the link in that user's own download. Else :data:`DEFAULT_BASE_URL`."""
    env = os.environ.get(PUBLIC_URL_ENV)
    if env:
        return env.rstrip("/")
    if url:
        parts = urlsplit(str(url))
        if parts.scheme in ("http", "https") and _sensible_host(parts.netloc) == parts.netloc:
            path = parts.path.rstrip("/")
            for page in sorted({p.strip("/") for p in page_paths if p and p.strip("/")}, key=len, reverse=True):
                if path == f"/{page}" or path.endswith(f"/{page}"):
                    path = path[: -len(page) - 1]
                    break
            return f"{parts.scheme}://{parts.netloc}{path}"
    h = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    forwarded = _sensible_host(h.get("x-forwarded-host"))
    host = forwarded or _sensible_host(h.get("host"))
    if host:
        proto = h.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        scheme = proto if proto in ("http", "https") else "http"
        prefix = "/" + base_path.strip("/") if base_path.strip("/") else ""
        return f"{scheme}://{host}{prefix}"
    return DEFAULT_BASE_URL


def view_url(base: str | None, page: str, params: Mapping[str, str]) -> str:
    """The link back to an exact view, e.g. ``http://host/profile?nbhd=N1&bench=england&level=95``.

    ``base`` ``None`` means :func:`base_url`; ``page`` is the page's url path (``profile``, ``map``...).
    Empty parameters are left out; order is kept.
    """
    root = (base or base_url()).rstrip("/")
    query = urlencode({k: str(v) for k, v in params.items() if v not in (None, "")})
    return f"{root}/{page.strip('/')}" + (f"?{query}" if query else "")


def accessed_line(day: dt.date | None = None) -> str:
    """``'Accessed on 2026-11-22'``."""
    return f"Accessed on {(day or dt.date.today()).isoformat()}"


def status_words(statuses: Sequence[str]) -> str:
    """Statuses as their badges, e.g. ``'DERIVED, MODELLED ESTIMATE'`` (distinct, in a fixed order)."""
    present = [s for s in STATUS_BADGE if s in set(statuses)]
    others = sorted({s for s in statuses if s not in STATUS_BADGE})
    return ", ".join([STATUS_BADGE[s] for s in present] + others)


def footer_lines(
    source: str,
    period: str,
    status: str | Sequence[str],
    url: str,
    licence: str | None = None,
    method: str | None = None,
    day: dt.date | None = None,
    width: int = FOOTER_CHARS,
    population: str | None = None,
) -> list[str]:
    """The footer under an exported image or slide, wrapped to lines of at most ``width`` characters.

    Says: source (and licence), period, status, the method (if given), the accessed date and the link
    back to the view. ``status`` is a status word (``real``...) or several; ``population`` (a
    catalogue ``population`` id), when given, says whom the figures describe.
    """
    st = status_words([status] if isinstance(status, str) else list(status))
    src = f"Source: {source}" + (f" ({licence})" if licence else "")
    who = f" · {POPULATION_LABELS[population]}" if population in POPULATION_LABELS else ""
    parts = [src, f"Period: {period} · Status: {st}{who} · {accessed_line(day)}"]
    if method:
        parts.append(f"Method: {method}")
    parts.append(f"View: {url}")
    return [line for p in parts for line in wrap(p, width)]


def wrap(text: str, width: int = FOOTER_CHARS) -> list[str]:
    """Wrap text into lines of at most ``width`` characters (long URLs are split, not dropped)."""
    return textwrap.wrap(str(text), width=width, break_long_words=True, break_on_hyphens=False) or [""]


def meta_footer(m: Mapping, period: str, url: str, day: dt.date | None = None, method: bool = False) -> list[str]:
    """:func:`footer_lines` from one indicator's catalogue row."""
    return footer_lines(
        str(m["source"]),
        period,
        str(m["status"]),
        url,
        licence=str(m.get("licence") or "") or None,
        method=str(m["method_note"]) if method else None,
        day=day,
        population=m.get("population"),
    )


def footer_paragraphs(lines: Sequence[str], width: int | None) -> list[str]:
    """Re-join wrapped footer lines into paragraphs (Source / Period / Method / View) and wrap at
    ``width`` (``None``: not at all): a slide or a PDF page is wider than an image, and wraps itself."""
    paras: list[str] = []
    for line in lines:
        if not paras or line.split(":", 1)[0] in ("Source", "Period", "Method", "View") or line.startswith("Contains"):
            paras.append(line)
        else:
            paras[-1] += ("" if paras[-1].startswith("View: ") else " ") + line
    if width is None:
        return paras
    out: list[str] = []
    for p in paras:
        out.extend([p] if p.startswith("View: ") else wrap(p, width))
    return out


def sources(ds: Dataset, ids: Sequence[str]) -> tuple[str, list[str]]:
    """(joined distinct sources, statuses) of some indicators: the source and status of a figure
    drawn from several."""
    rows = ds.indicators.set_index("indicator_id").loc[list(dict.fromkeys(ids))]
    parts: list[str] = []
    for s in rows["source"]:
        for p in str(s).split(";"):
            p = p.strip()
            if p and p not in parts:
                parts.append(p)
    return "; ".join(parts), list(rows["status"])


def period_span(periods: Sequence[str]) -> str:
    """The periods of a figure drawn from several indicators, in one short phrase (the first four,
    then "and others": each indicator shows its latest)."""
    ps = list(dict.fromkeys(str(p) for p in periods))
    return ", ".join(ps) if len(ps) <= 4 else f"{', '.join(ps[:4])} and others (latest of each indicator)"
