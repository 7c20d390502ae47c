"""Refresh indicators from the public OHID Fingertips API into a local cache (the command line).

The HTTP calls and the two addresses are :mod:`lib.pipeline.fingertips_api` (a small client; its
docstring says why it is not the publisher's ``fingertips-py``). The published columns and the
conversion to the project's contract are :mod:`lib.imports.fingertips`, shared with the Your data
page's reader of uploaded Fingertips exports.

What the refresh writes (``out_dir``, by default ``profiles/fingertips/``):

- ``<indicator_id>.csv``: the header and the Manchester rows of the "all data" CSV, each field exactly
  as published (no re-formatting of numbers);
- ``metadata.json``: the metadata response as received (when requested);
- ``manifest.json``: retrieval date and time, the source URL of each file, row counts and sha256.

Everything is downloaded and checked before anything is written, and each file is written to a
temporary name and renamed, so a network failure leaves the previous cache byte-identical. The
refresh never writes ``profiles/values.csv``, ``profiles/indicators.csv`` or ``geodata/``.

This module never imports Streamlit.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from lib.core.definitions import ENGLAND_CODE
from lib.imports.fingertips import FT_COLUMNS, LICENCE, MANCHESTER_CODE, read_all_data, to_values_format
from lib.pipeline.fingertips_api import (
    DEFAULT_BASE_URL,
    DEFAULT_PARENT_AREA_TYPE,
    DEFAULT_TIMEOUT,
    NOT_CHANGED,
    Fetcher,
    FingertipsError,
    all_data_url,
    fetch,
    ids_param,
    metadata_url,
    parse_all_data,
    parse_metadata,
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


def _download_one(
    iid: int,
    out_dir: str | Path,
    area_type: int,
    parent_area_type: int,
    parent_code: str,
    area_codes: list[str],
    base_url: str,
    fetcher: Fetcher,
) -> tuple[str, Path, bytes, str, int, int]:
    """One indicator's "all data" answer, checked and cut to Manchester: key, path, bytes, url, rows kept,
    rows received. Nothing is written."""
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
    return str(iid), Path(out_dir) / f"{iid}.csv", _csv_bytes(header, kept), url, len(kept), len(rows)


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
    ids = [int(i) for i in ids_param(indicator_ids).split(",")]
    when = today or _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    retrieved = when.date().isoformat() if isinstance(when, _dt.datetime) else when.isoformat()
    area_codes = list(area_codes)

    planned = [
        _download_one(iid, out_dir, area_type, parent_area_type, parent_code, area_codes, base_url, fetcher)
        for iid in ids
    ]
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
        return [int(x) for x in ids_param(p for p in s.split(",") if p.strip()).split(",")]
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
