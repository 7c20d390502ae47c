"""What the user has chosen: the neighbourhood, its benchmark, the confidence level and the
population the figures describe (residents, or the patients registered with its GP practices).

The four travel together as one :class:`Selection` (never as three loose strings, whose order
was easy to swap unnoticed), and the one mapping from a confidence level to the suffix of the
value table's limit columns (``lower_95``, ``upper_998``) lives here.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Benchmark id -> name as the app says it.
BENCHMARKS: dict[str, str] = {"england": "England", "city": "Manchester", "rest": "Rest of Manchester"}
#: Benchmark id -> its name inside a sentence ("How it compares with the rest of Manchester").
BENCHMARK_PHRASES: dict[str, str] = {"england": "England", "city": "Manchester", "rest": "the rest of Manchester"}
#: Confidence level id -> label.
CONFIDENCE: dict[str, str] = {"95": "95%", "99.8": "99.8%"}
#: The indicator a page opens on in the registered lens (its residents default has no registered
#: figures): the diabetes register, the commonest long-term condition teams plan for.
REGISTERED_DEFAULT_INDICATOR = "reg_dm"


def default_indicator(population: str, residents_default: str) -> str:
    """The indicator a page opens on for a population lens."""
    return REGISTERED_DEFAULT_INDICATOR if population == "registered" else residents_default


#: Confidence level id -> suffix of the limit columns in the data contract.
LEVEL_SUFFIX: dict[str, str] = {"95": "95", "99.8": "998"}
#: Population lens id -> label (also the catalogue's ``population`` ids and labels:
#: ``lib.core.contract.POPULATION_LABELS`` is this).
LENSES: dict[str, str] = {"residents": "Residents", "registered": "Registered patients"}


def suffix(level: str) -> str:
    """The limit columns' suffix for a confidence level (``"95"`` -> ``"95"``, ``"99.8"`` -> ``"998"``)."""
    try:
        return LEVEL_SUFFIX[level]
    except KeyError:
        raise ValueError(f"unknown confidence level {level!r}: expected one of {', '.join(LEVEL_SUFFIX)}") from None


def limit_columns(level: str) -> tuple[str, str]:
    """The (lower, upper) limit column names for a confidence level."""
    s = suffix(level)
    return f"lower_{s}", f"upper_{s}"


#: Every limit column of the contract, 95% first.
LIMIT_COLUMNS: tuple[str, ...] = tuple(c for level in LEVEL_SUFFIX for c in limit_columns(level))


@dataclass(frozen=True)
class Selection:
    """The neighbourhood, the benchmark it is compared with, the confidence level, and the
    population lens: ``residents`` (people who live in the area) or ``registered`` (patients of
    the neighbourhood's GP practices, wherever they live)."""

    nbhd: str
    bench: str = "england"
    level: str = "95"
    population: str = "residents"

    def __post_init__(self) -> None:
        if self.bench not in BENCHMARKS:
            raise ValueError(f"unknown benchmark {self.bench!r}: expected one of {', '.join(BENCHMARKS)}")
        if self.level not in CONFIDENCE:
            raise ValueError(f"unknown confidence level {self.level!r}: expected one of {', '.join(CONFIDENCE)}")
        if self.population not in LENSES:
            raise ValueError(f"unknown population {self.population!r}: expected one of {', '.join(LENSES)}")

    @property
    def suffix(self) -> str:
        return suffix(self.level)

    @property
    def bench_name(self) -> str:
        return BENCHMARKS[self.bench]

    @property
    def level_label(self) -> str:
        return CONFIDENCE[self.level]

    @property
    def lens_label(self) -> str:
        return LENSES[self.population]

    @property
    def registered(self) -> bool:
        return self.population == "registered"

    def params(self) -> dict[str, str]:
        """As URL parameters (``population`` only for the registered lens, so a residents link
        is the same as before the lens existed)."""
        out = {"nbhd": self.nbhd, "bench": self.bench, "level": self.level}
        if self.registered:
            out["population"] = self.population
        return out
