"""The registered population: patients of Manchester's GP practices, wherever they live.

From the raw NHS England files (``../shared/data``): the QOF practice registers and their list
sizes (2022-23 and 2024-25), the July 2026 practice -> PCN map and the patients registered at
each practice by 5-year age band. The practices are put in neighbourhoods by the editable
``geodata/practices.csv`` (:mod:`lib.core.practices`); :func:`draft_assignment` writes its first
version from the PCN names and the judgements below.

Every figure is a sum of practice rows (:mod:`lib.methods.practice_groups`, shared with the app's
upload of another assignment): a neighbourhood is the sum of its practices (not of its PCNs, since
one PCN may serve two neighbourhoods), a locality of its neighbourhoods, Manchester of the
practices of sub-ICB 14L, England of every English practice.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lib.core.definitions import ENGLAND_CODE, ENGLAND_NAME
from lib.core.practices import PRACTICE_COLUMNS
from lib.methods import practice_groups
from lib.pipeline.catalogue_registered import AGE_GROUPS, QOF_YEARS, REGISTERS, register_id
from lib.pipeline.parts import Part

SUB_ICB = practice_groups.SUB_ICB
MAP_2026 = Path("manchester") / "nhsd_gp_reg_practice_map_gm_icb_jul2026.csv"
MAP_2022 = Path("lookups") / "nhsd_qof_mapping_nhs_geographies_gm_icb_2022_23.csv"
PATIENTS = Path("manchester") / "nhsd_gp_reg_patients_5yr_age_sex_gm_practices_jul2026.csv.gz"
PATIENTS_PERIOD = "July 2026"
QOF_FILE = "england/nhsd_qof_prevalence_practice_england_{}.csv.gz"

#: How each of the 14 PCNs goes to a neighbourhood: (neighbourhood, basis, note). ``pcn_name``
#: where the PCN's name names the neighbourhood; ``judgement`` where it does not, with why.
PCN_NEIGHBOURHOOD: dict[str, tuple[str, str, str]] = {
    "U07506": ("C1", "pcn_name", ""),  # Ardwick and Longsight
    "U85748": ("N2", "pcn_name", ""),  # Cheetham Hill & Crumpsall
    "U85954": ("N3", "pcn_name", ""),  # (Higher) Blackley, Harpurhey & Charlestown
    "U13098": ("N4", "pcn_name", ""),  # Miles Platting, Newton Heath & Moston
    "U34667": ("C3", "pcn_name", ""),  # Gorton and Levenshulme
    "U78687": ("S1", "pcn_name", ""),  # Didsbury, Chorlton Park & Burnage
    "U94373": ("S3", "pcn_name", ""),  # Wythenshawe
    "U58188": ("S4", "pcn_name", ""),  # Northenden & Brooklands (Wythenshawe)
    "U65853": (
        "S2",
        "pcn_name",
        "Withington & Fallowfield PCN goes to S2, Fallowfield (Old Moat) and Withington, the neighbourhood named "
        "for both; the Fallowfield ward itself is in C2.",
    ),
    "U26379": (
        "C4",
        "judgement",
        "Hulme & City Centre South PCN: Hulme is in C4 (Moss Side, Hulme and Rusholme); the city centre's south "
        "(The Doc's Surgery, M1 3LY) is counted with its PCN.",
    ),
    "U49529": (
        "N1",
        "judgement",
        "Clayton Beswick & Openshaw PCN: Clayton and Beswick are in N1's wards (Ancoats and Clayton, Bradford); all "
        "its practices are in M11. Openshaw straddles N1 and C3 (Gorton North).",
    ),
    "U45992": (
        "N1",
        "judgement",
        "City Centre & Ancoats PCN spans two neighbourhoods: its practices at M4 6EE (New Islington, Ancoats) go to "
        "N1 (Ancoats and Clayton ward); City Health Centre (M1 1PL) goes to N4, whose wards include City Centre.",
    ),
    "U98408": (
        "C2",
        "judgement",
        "West Central Manchester PCN: the name names no neighbourhood; five of its six practices are in M16 "
        "(Whalley Range) and M21 (Chorlton), in C2; Princess Road Surgery (M20 1BH) is counted with its PCN.",
    ),
    "U71839": (
        "C4",
        "judgement",
        "Better Health MCR PCN: the name names no neighbourhood; its practices are at M14 5NP and M16 7AP "
        "(Moss Side and Rusholme), in C4.",
    ),
}
#: Practices that go elsewhere than their PCN: code -> (neighbourhood, basis, note).
PRACTICE_NEIGHBOURHOOD: dict[str, tuple[str, str, str]] = {
    "Y02849": (
        "N4",
        "judgement",
        "City Health Centre (M1 1PL) is in the City Centre ward, part of N4 (Miles Platting, Newton Heath, Moston "
        "and City Centre), although its PCN (City Centre & Ancoats) goes to N1.",
    ),
}


_SMALL_WORDS = {"And": "and", "Of": "of", "The": "the", "Pcn": "PCN", "Mcr": "MCR", "Nhs": "NHS", "Gp": "GP"}


def tidy_name(name: str) -> str:
    """A practice or PCN name as people write it: the sources give ``ARDWICK AND LONGSIGHT PCN``
    (2026) or ``Ardwick And Longsight PCN`` (2022-23); this gives ``Ardwick and Longsight PCN``,
    ``Dr Khan's Practice``, ``Better Health MCR PCN``."""
    words = str(name).strip().title().replace("'S ", "'s ").split()
    if words and words[-1] == "'S":
        words[-1] = "'s"
    out = [
        _SMALL_WORDS[w] if w in _SMALL_WORDS and (i or w not in ("And", "Of", "The")) else w
        for i, w in enumerate(words)
    ]
    return " ".join(out).replace("'S", "'s")


class RegisteredSourceError(ValueError):
    """A registered-population source file is not as expected; the message says what differs."""


def _read(data_dir: Path, relative: Path | str, **kw) -> pd.DataFrame:
    path = Path(data_dir) / relative
    if not path.exists():
        raise RegisteredSourceError(f"Missing source file {path} (see ../shared/data/README.md).")
    return pd.read_csv(path, dtype={"PRACTICE_CODE": str, "ORG_CODE": str}, **kw)


def practice_lists(data_dir: Path) -> pd.DataFrame:
    """Every Manchester practice in the sources: ``practice_code, practice_name, pcn_code,
    pcn_name, in_2026, in_2022`` (the July 2026 map's name and PCN where it has the practice, else
    the QOF 2022-23 mapping's)."""
    m26 = _read(data_dir, MAP_2026)
    m26 = m26[m26["SUB_ICB_LOCATION_CODE"] == SUB_ICB]
    m22 = _read(data_dir, MAP_2022)
    m22 = m22[m22["SUB_ICB_ODS_CODE"] == SUB_ICB]
    now = pd.DataFrame(
        {
            "practice_code": m26["PRACTICE_CODE"],
            "practice_name": m26["PRACTICE_NAME"].map(tidy_name),
            "pcn_code": m26["PCN_CODE"],
            "pcn_name": m26["PCN_NAME"].map(tidy_name),
        }
    )
    then = pd.DataFrame(
        {
            "practice_code": m22["PRACTICE_CODE"],
            "practice_name": m22["PRACTICE_NAME"].map(tidy_name),
            "pcn_code": m22["PCN_ODS_CODE"],
            "pcn_name": m22["PCN_NAME"].map(tidy_name),
        }
    )
    out = pd.concat([now, then[~then["practice_code"].isin(now["practice_code"])]], ignore_index=True)
    out["in_2026"] = out["practice_code"].isin(set(now["practice_code"]))
    out["in_2022"] = out["practice_code"].isin(set(then["practice_code"]))
    moved = then.merge(now, on="practice_code", suffixes=("_2022", "_2026"))
    moved = moved[moved["pcn_code_2022"] != moved["pcn_code_2026"]]
    out["pcn_2022"] = out["practice_code"].map(moved.set_index("practice_code")["pcn_name_2022"])
    return out.sort_values("practice_code").reset_index(drop=True)


def draft_assignment(data_dir: Path) -> pd.DataFrame:
    """The first ``geodata/practices.csv``: each practice to its PCN's neighbourhood
    (:data:`PCN_NEIGHBOURHOOD`) unless :data:`PRACTICE_NEIGHBOURHOOD` says otherwise, with what
    happened to it between the sources."""
    lists = practice_lists(data_dir)
    q25 = set(_read(data_dir, QOF_FILE.format("2024_25"), usecols=["PRACTICE_CODE"])["PRACTICE_CODE"])
    rows = []
    for r in lists.to_dict("records"):
        nbhd, basis, note = PRACTICE_NEIGHBOURHOOD.get(r["practice_code"]) or PCN_NEIGHBOURHOOD[r["pcn_code"]]
        if r["in_2026"]:
            status = "open"
        else:
            status = "closed"
            seen = "QOF 2024-25" if r["practice_code"] in q25 else "neither QOF 2024-25 nor"
            note = (
                f"In QOF 2022-23 ({r['pcn_name']}) but in {seen} the July 2026 practice list: closed or merged "
                "(the sources do not say which). Its 2022/23 registers count in this neighbourhood."
            )
        if isinstance(r.get("pcn_2022"), str):
            note = (note + " " if note else "") + (
                f"Moved PCN: {r['pcn_2022']} in 2022-23, {r['pcn_name']} in 2026; counted by its 2026 PCN in both "
                "years, so a neighbourhood's two years compare the same practices."
            )
        rows.append(
            {
                **{k: r[k] for k in PRACTICE_COLUMNS if k in r},
                "neighbourhood_code": nbhd,
                "basis": basis,
                "status": status,
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=PRACTICE_COLUMNS).sort_values(["neighbourhood_code", "pcn_code", "practice_code"])


def _levels(
    by_practice: pd.DataFrame, england: pd.DataFrame, practices: pd.DataFrame, definition: pd.DataFrame
) -> list[dict]:
    """Rows at every level from practice sums (:func:`lib.methods.practice_groups.practice_rows`,
    which the app also uses for an uploaded assignment). ``by_practice``: ``indicator_id, period,
    practice_code, numerator, denominator`` for the assigned practices; ``england`` the same
    summed over every English practice (no practice code)."""
    rows = practice_groups.practice_rows(by_practice, practices, definition)
    for r in england.to_dict("records"):
        rows.append(
            practice_groups.row(
                r["indicator_id"],
                r["period"],
                "england",
                ENGLAND_CODE,
                ENGLAND_NAME,
                pd.NA,
                r["numerator"],
                r["denominator"],
                r["note"],
            )
        )
    return rows


def qof_registers(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every QOF register of both years: (rows per practice, England sums), each with
    ``indicator_id, period, numerator`` (the register) ``and denominator`` (its list size)."""
    per_practice, england = [], []
    for period, suffix in QOF_YEARS:
        q = _read(data_dir, QOF_FILE.format(suffix))
        unknown = sorted(set(q["GROUP_CODE"]) - set(REGISTERS))
        if unknown:
            raise RegisteredSourceError(f"QOF {suffix}: register group(s) not in the catalogue: {', '.join(unknown)}")
        for code, (_name, list_type) in REGISTERS.items():
            g = q[q["GROUP_CODE"] == code]
            if g.empty:
                continue
            if set(g["PATIENT_LIST_TYPE"]) != {list_type}:
                raise RegisteredSourceError(
                    f"QOF {suffix} {code}: list type {sorted(set(g['PATIENT_LIST_TYPE']))}, expected {list_type}"
                )
            ind = register_id(code)
            per_practice.append(
                pd.DataFrame(
                    {
                        "indicator_id": ind,
                        "period": period,
                        "practice_code": g["PRACTICE_CODE"].to_numpy(),
                        "numerator": g["REGISTER"].to_numpy(float),
                        "denominator": g["PRACTICE_LIST_SIZE"].to_numpy(float),
                    }
                )
            )
            england.append(
                {
                    "indicator_id": ind,
                    "period": period,
                    "numerator": float(g["REGISTER"].sum()),
                    "denominator": float(g["PRACTICE_LIST_SIZE"].sum()),
                    "note": f"Sum of all {g['PRACTICE_CODE'].nunique():,} English practices",
                }
            )
    return pd.concat(per_practice, ignore_index=True), pd.DataFrame(england)


def _band_start(band: str) -> int:
    return int(band.rstrip("+").split("_")[0])


def registered_patients(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Patients by age group, July 2026: (rows per practice, England), with ``indicator_id,
    period, numerator, denominator`` for ``reg_patients`` (the list; denominator = itself) and
    each ``reg_age_*`` share. England = the sum of the 7 commissioning regions."""
    p = _read(data_dir, PATIENTS)
    both = p[p["SEX"] == "ALL"] if (p["SEX"] == "ALL").any() else p
    bands = p[(p["AGE_GROUP_5"] != "ALL") & (p["SEX"].isin(["MALE", "FEMALE"]))].copy()
    bands["start"] = bands["AGE_GROUP_5"].map(_band_start)
    total = both[both["AGE_GROUP_5"] == "ALL"].groupby(["ORG_TYPE", "ORG_CODE"])["NUMBER_OF_PATIENTS"].sum()

    def frame(org_type: str) -> pd.DataFrame:
        b = bands[bands["ORG_TYPE"] == org_type]
        t = total.loc[org_type]
        out = [
            pd.DataFrame(
                {
                    "indicator_id": "reg_patients",
                    "org": t.index,
                    "numerator": t.to_numpy(float),
                    "denominator": t.to_numpy(float),
                }
            )
        ]
        for suffix, (_label, first) in AGE_GROUPS.items():
            sel = b["start"] < 15 if first is None else b["start"] >= first
            n = b[sel].groupby("ORG_CODE")["NUMBER_OF_PATIENTS"].sum().reindex(t.index, fill_value=0)
            out.append(
                pd.DataFrame(
                    {
                        "indicator_id": f"reg_age_{suffix}",
                        "org": t.index,
                        "numerator": n.to_numpy(float),
                        "denominator": t.to_numpy(float),
                    }
                )
            )
        return pd.concat(out, ignore_index=True).assign(period=PATIENTS_PERIOD)

    practices = frame("GP").rename(columns={"org": "practice_code"})
    regions = frame("Comm Region")
    if regions["org"].nunique() != 7:
        raise RegisteredSourceError(f"expected 7 commissioning regions, found {regions['org'].nunique()}")
    england = regions.groupby(["indicator_id", "period"], as_index=False)[["numerator", "denominator"]].sum(min_count=1)
    england["note"] = "Sum of NHS England's 7 commissioning regions"
    for frame_ in (practices, england):  # a count has no denominator
        frame_.loc[frame_["indicator_id"] == "reg_patients", "denominator"] = np.nan
    return practices, england


def indicators_registered(data_dir: Path, practices: pd.DataFrame, definition: pd.DataFrame) -> Part:
    """The registered-patient indicators at practice, PCN, neighbourhood, locality, city and
    England: every QOF register of both years, the list and its age shares."""
    part = Part()
    assigned = set(practices["practice_code"])
    for per_practice, england in (qof_registers(data_dir), registered_patients(data_dir)):
        mine = per_practice[per_practice["practice_code"].isin(assigned)]
        part.rows.extend(_levels(mine, england, practices, definition))
    return part
