"""Disclosure control: small counts are hidden before anything reaches the screen, a download or
the map payload (``../shared/GUIDE.md`` section 4).

Rules (applied by :func:`suppress` to a ``values.csv``-shaped table):

* **Which figures are counts.** The ``numerator`` of every row whose indicator is observed
  (status ``real`` or ``derived``) and is not a weighted mean (``score``/``ratio`` rows carry
  no count: their numerator is blank), plus the ``value`` of ``count`` indicators. Counts of
  *modelled* indicators (expected dementia cases from a prevalence × population, apportioned
  targets) are estimates, usually not whole numbers, and say nothing about real people: they
  are not disclosive and are left alone in the data (a view still shows one below the threshold
  as hidden, through :func:`display_count`). Denominators below the threshold are hidden too.
* **Primary suppression.** A count with ``0 < count < threshold`` (default threshold 5, so 1–4)
  is hidden. Zero is shown: "none" is not a small group of identifiable people, and Fingertips
  publishes zeros too. The row's numerator, value and both intervals are blanked (a value and a
  denominator would give the count back), its comparisons become ``not_compared`` and its note
  says :data:`TOO_FEW`.
* **Secondary suppression.** Children sum to their parent (LSOAs to a ward, wards to a
  neighbourhood, neighbourhoods to a locality, localities to the city). Within each indicator ×
  period × parent, if exactly one child is hidden while the parent is shown, the smallest shown
  child is hidden too, so the hidden count cannot be recovered by subtraction. If a parent is
  hidden while all its children are shown, its smallest child is hidden, so the parent cannot
  be recovered by addition. This repeats until nothing changes.
* **Threshold.** ``NP_SUPPRESS_BELOW`` (environment, default 5) is the deployment's minimum; a
  user may raise it on the "Your data" page but never lower it below that minimum (never < 1).
  The threshold in force travels with the data (``lib.core.data.Dataset.threshold``), so every
  view shows counts through the one display rule, :func:`display_count`, at that threshold.

Pure functions, no Streamlit.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable

import numpy as np
import pandas as pd

from lib.core.selection import LIMIT_COLUMNS

DEFAULT_THRESHOLD = 5
ENV_VAR = "NP_SUPPRESS_BELOW"
TOO_FEW = "too few to show"
#: A count the source itself withheld (the IoD income numerators): blank, never 0, and said so.
WITHHELD = "withheld at source"
#: The benchmark words of a note that says a total with withheld parts is not compared with it
#: (``lib.pipeline.withheld``): "not compared with England", "... with Manchester", "... with the
#: rest of Manchester". Every view's comparison honours them (``lib.methods.indicators``).
#: How the note of a total with some withheld parts (counted as 0) begins.
LOWER_BOUND = "A lower bound:"
WITHHELD_BENCHMARK_WORDS = {"england": "England", "city": "Manchester", "rest": "the rest of Manchester"}
COUNT_COLUMNS = ("numerator", "value", *LIMIT_COLUMNS)
#: Child area type -> the area type of its parent (values.csv ``parent_code``).
#: Each area type's parent in the sums: small areas and wards add up to neighbourhoods; a
#: neighbourhood's registered patients are the sum of its practices; PCNs add up to the city.
PARENT_LEVEL = {
    "lsoa": "ward",
    "lsoa21": "ward",
    "ward": "neighbourhood",
    "practice": "neighbourhood",
    "pcn": "city",
    "neighbourhood": "locality",
    "locality": "city",
}


def configured_threshold() -> int:
    """The deployment's threshold: ``NP_SUPPRESS_BELOW`` if it is a whole number ≥ 1, else 5."""
    raw = os.environ.get(ENV_VAR, "")
    try:
        t = int(raw)
    except ValueError:
        return DEFAULT_THRESHOLD
    return t if t >= 1 else DEFAULT_THRESHOLD


def effective_threshold(requested: int | float | None) -> int:
    """A user's requested threshold, never below the configured one."""
    floor = configured_threshold()
    if requested is None:
        return floor
    try:
        return max(floor, int(requested))
    except (TypeError, ValueError):
        return floor


def too_few(x: float, threshold: int) -> bool:
    """The one rule: a count is too few to show when ``0 < x < threshold`` (zero is shown)."""
    return (x > 0) & (x < threshold)


def _whole(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 else f"{x:,.1f}"


def display_count(x: float | None, threshold: int, words: bool = False, fmt: Callable[[float], str] = _whole) -> str:
    """A count as a view shows it: ``"–"`` when missing, ``"<{threshold}"`` (or :data:`TOO_FEW`
    with ``words``) when :func:`too_few`, else ``fmt(x)`` (thousands separators). Every count a
    view shows passes through here, so a stricter threshold hides on every page what
    :func:`suppress` hides in the data, and a figure the data left (a modelled count) below it."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return "–"
    x = float(x)
    if too_few(x, threshold):
        return TOO_FEW if words else f"<{threshold}"
    return fmt(x)


def not_compared_for_withheld(notes: pd.Series, benchmark: str) -> np.ndarray:
    """Rows whose note says their withheld counts could change the comparison with ``benchmark``
    (``england``, ``city`` or ``rest``), so no verdict is shown against it (boolean array)."""
    word = WITHHELD_BENCHMARK_WORDS.get(benchmark)
    if not word or notes.empty:
        return np.zeros(len(notes), bool)
    text = notes.astype("object").where(notes.notna(), "").astype(str)
    return text.str.contains(f"not compared with {word}:", regex=False).to_numpy(bool)


def blank_count_reason(numerator: object, note: object) -> str | None:
    """Why a row's count is blank, as a view says it: :data:`TOO_FEW` (hidden here) or
    :data:`WITHHELD` (withheld by the source), or None when the count is shown or simply absent."""
    if not (numerator is None or numerator is pd.NA or (isinstance(numerator, float) and math.isnan(numerator))):
        return None
    text = str(note or "")
    if TOO_FEW in text:
        return TOO_FEW
    if text.lower().startswith(WITHHELD):
        return WITHHELD
    return None


def display_count_or_reason(
    x: float | None, note: object, threshold: int, fmt: Callable[[float], str] = _whole, words: bool = False
) -> str:
    """:func:`display_count`, except that a blank count says why (:func:`blank_count_reason`):
    "withheld at source" or "too few to show", never a bare dash or 0; and a total that counts
    withheld parts as 0 (its note starts :data:`LOWER_BOUND`) reads "at least …"."""
    reason = blank_count_reason(x, note)
    if reason:
        return reason
    shown = display_count(x, threshold, words=words, fmt=fmt)
    if isinstance(note, str) and note.startswith(LOWER_BOUND) and shown[:1].isdigit():
        return f"at least {shown}"
    return shown


def count_rows(values: pd.DataFrame, indicators: pd.DataFrame) -> pd.Series:
    """Boolean mask: rows whose numerator (or count value) is a count of people or events."""
    meta = indicators.set_index("indicator_id")
    status = values["indicator_id"].map(meta["status"])
    vt = values["indicator_id"].map(meta["value_type"])
    return (status.isin(["real", "derived"]) & ~vt.isin(["score", "ratio"])).fillna(False).astype(bool)


def the_count(values: pd.DataFrame, indicators: pd.DataFrame) -> pd.Series:
    """The count of each row: its numerator, or its value for ``count`` indicators with none."""
    vt = values["indicator_id"].map(indicators.set_index("indicator_id")["value_type"])
    num = pd.to_numeric(values["numerator"], errors="coerce")
    val = pd.to_numeric(values["value"], errors="coerce")
    return num.where(num.notna() | (vt != "count"), val).astype(float)


def suppress(values: pd.DataFrame, indicators: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Return a copy of ``values`` with small counts hidden (see the module rules)."""
    threshold = max(1, int(threshold))
    out = values.copy().reset_index(drop=True)
    if out.empty:
        return out
    eligible = count_rows(out, indicators).to_numpy()
    count = the_count(out, indicators).to_numpy()
    den = pd.to_numeric(out["denominator"], errors="coerce").to_numpy(float)
    small = lambda x: too_few(x, threshold)  # noqa: E731  (elementwise on arrays)
    with np.errstate(invalid="ignore"):
        hidden = eligible & (small(np.nan_to_num(count, nan=0.0)) | small(np.nan_to_num(den, nan=0.0)))
    if threshold > 1 and eligible.any():
        hidden = _secondary(out, count, eligible, hidden)
    if hidden.any():
        for col in COUNT_COLUMNS:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
            out.loc[hidden, col] = np.nan
        # a small denominator is hidden too; a large one stays (it reveals nothing on its own)
        small_den = hidden & small(np.nan_to_num(den, nan=0.0))
        out["denominator"] = pd.to_numeric(out["denominator"], errors="coerce").astype(float)
        out.loc[small_den, "denominator"] = np.nan
        out.loc[hidden, ["vs_england", "vs_city"]] = "not_compared"
        out["note"] = out["note"].astype("object")
        out.loc[hidden, "note"] = TOO_FEW
    return out


def _secondary(df: pd.DataFrame, count: np.ndarray, eligible: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Complementary suppression within each indicator × period × parent (fixed point)."""
    hidden = hidden.copy()
    idx = pd.DataFrame(
        {
            "ind": df["indicator_id"].astype(str).to_numpy(),
            "period": df["period"].astype(str).to_numpy(),
            "type": df["area_type"].astype(str).to_numpy(),
            "code": df["area_code"].astype(str).to_numpy(),
            "parent": df["parent_code"].astype("object").where(df["parent_code"].notna(), "").astype(str).to_numpy(),
        }
    )
    idx = idx[eligible]
    # row position of each (indicator, period, area_type, code)
    pos = {k: i for i, k in zip(idx.index, zip(idx["ind"], idx["period"], idx["type"], idx["code"]))}
    groups: list[tuple[int | None, np.ndarray]] = []
    for (ind, period, ctype, parent), g in idx.groupby(["ind", "period", "type", "parent"], sort=False):
        ptype = PARENT_LEVEL.get(ctype)
        if ptype is None or not parent:
            continue
        groups.append((pos.get((ind, period, ptype, parent)), g.index.to_numpy()))
    for _ in range(20):
        changed = False
        for parent_row, children in groups:
            if len(children) < 2:
                continue
            h = hidden[children]
            shown = children[~h]
            if len(shown) == 0:
                continue
            parent_shown = parent_row is not None and not hidden[parent_row]
            need = (parent_shown and h.sum() == 1) or (parent_row is not None and hidden[parent_row] and h.sum() == 0)
            if need:
                c = np.nan_to_num(count[shown], nan=np.inf)
                hidden[shown[int(np.argmin(c))]] = True
                changed = True
        if not changed:
            break
    return hidden


def small_counts_present(
    values: pd.DataFrame, indicators: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """Rows that still show a count 0 < count < threshold (for tests and checks): should be empty."""
    eligible = count_rows(values, indicators)
    c = the_count(values, indicators)
    d = pd.to_numeric(values["denominator"], errors="coerce")
    bad = eligible & (too_few(c, threshold) | too_few(d, threshold))
    return values.loc[bad]
