"""Rebuild the embedded dataset: ``python -m lib.pipeline [--data PATH] [--out PATH]``.

Reads the raw public inputs (default ``../shared/data``, or ``$NP_DATA``) and the neighbourhood
definition (``geodata/neighbourhoods.csv``), and writes ``geodata/*.geojson``,
``profiles/indicators.csv``, ``profiles/values.csv`` and ``profiles/seeds/*.csv``. Output is
deterministic: a rebuild from the same inputs is byte-identical.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from lib.core.definitions import DefinitionError
from lib.pipeline.run import ROOT, build_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lib.pipeline", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("NP_DATA", ROOT.parent / "shared" / "data")),
        help="raw input folder (default: ../shared/data or $NP_DATA)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT,
        help="project folder to write geodata/ and profiles/ into (default: this repo)",
    )
    parser.add_argument(
        "--definition",
        type=Path,
        default=None,
        help="ward -> neighbourhood CSV (default: <out>/geodata/neighbourhoods.csv)",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        written = build_all(args.data, args.out, args.definition)
    except (DefinitionError, FileNotFoundError) as exc:
        print(f"Pipeline stopped: {exc}", file=sys.stderr)
        return 2
    for p in written:
        print(f"wrote {p.relative_to(args.out)} ({p.stat().st_size:,} bytes)")
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
