"""Write the small lookups the "Your data" import needs into the embedded dataset.

Run from the repository root:  ``python scripts/make_import_lookups.py [shared-data-folder]``
(default ``../shared/data``). Outputs (committed):

* ``geodata/wards2018_bestfit.csv``: each May-2018 ward (E05011350–E05011381) assigned wholly to
  the 2004–2018-ward neighbourhood holding most of its 2011 Output Areas (best-fit, approximate),
  from ``geo/neighbourhoods_wards2018_approx.csv``. Columns ``ward2018_code, ward2018_name,
  neighbourhood_code, confidence, note``.
* ``geodata/lookups/msoa11_ward17_bestfit.csv``: ONS MSOA (2011) → ward (2017) best-fit lookup,
  Manchester only (``lookups/MSOA11_WD17_LAD17_EW_LU_manchester.csv``). Columns ``msoa_code,
  msoa_name, ward_code``.
* ``geodata/lookups/lsoa11_ward2018_bestfit.csv``: ONS LSOA (2011) → ward (2019, the May-2018
  set) best-fit lookup, used to convert a grouping written on the 2018 wards to the 2004–2018 wards.
* ``geodata/definitions/thirteen_neighbourhoods.csv``: the 13-neighbourhood model (the City
  Centre ward as its own neighbourhood, taken out of N4), built from ``geodata/neighbourhoods.csv``.

The LSOA 2011 → ward lookup is not written: the app reads it from ``geodata/lsoa.geojson``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def main(data: Path) -> None:
    src = pd.read_csv(data / "geo" / "neighbourhoods_wards2018_approx.csv", dtype=str, keep_default_na=False)
    note = (
        "best-fit: "
        + src["oa_share"].astype(float).map(lambda x: f"{x:.0%}")
        + " of the ward's 2011 Output Areas lie in "
        + src["neighbourhood_id"]
        + src["other_neighbourhoods"].map(lambda s: f"; rest: {s}" if s else "")
    )
    out = pd.DataFrame(
        {
            "ward2018_code": src["ward_code"],
            "ward2018_name": src["ward_name"],
            "neighbourhood_code": src["neighbourhood_id"],
            "confidence": src["confidence"],
            "note": note,
        }
    ).sort_values("ward2018_code")
    out.to_csv(ROOT / "geodata" / "wards2018_bestfit.csv", index=False)

    m = pd.read_csv(data / "lookups" / "MSOA11_WD17_LAD17_EW_LU_manchester.csv", dtype=str)
    (ROOT / "geodata" / "lookups").mkdir(exist_ok=True)
    m.rename(columns={"MSOA11CD": "msoa_code", "MSOA11NM": "msoa_name", "WD17CD": "ward_code"})[
        ["msoa_code", "msoa_name", "ward_code"]
    ].sort_values("msoa_code").to_csv(ROOT / "geodata" / "lookups" / "msoa11_ward17_bestfit.csv", index=False)

    l19 = pd.read_csv(data / "lookups" / "LSOA11_WD19_LAD19_EW_LU_manchester.csv", dtype=str)
    l19.rename(columns={"LSOA11CD": "lsoa_code", "WD19CD": "ward2018_code"})[
        ["lsoa_code", "ward2018_code"]
    ].sort_values("lsoa_code").to_csv(ROOT / "geodata" / "lookups" / "lsoa11_ward2018_bestfit.csv", index=False)

    d = pd.read_csv(ROOT / "geodata" / "neighbourhoods.csv", dtype=str, keep_default_na=False)
    d = d.drop(columns=[c for c in d.columns if c == "evidence"])
    cc = d["ward_code"] == "E05000697"  # City Centre
    n4 = d["neighbourhood_code"] == "N4"
    d.loc[n4, "neighbourhood_name"] = "Miles Platting, Newton Heath and Moston"
    d.loc[cc, ["neighbourhood_code", "neighbourhood_name"]] = ["CC", "City Centre"]
    (ROOT / "geodata" / "definitions").mkdir(exist_ok=True)
    d.to_csv(ROOT / "geodata" / "definitions" / "thirteen_neighbourhoods.csv", index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data")
