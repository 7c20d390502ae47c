"""The registered-patient indicators of the catalogue: what each one means.

These describe the patients registered with GP practices (``population = registered``), not
residents: QOF registers (both years) and the registered population by age (July 2026). They are
built by :mod:`lib.pipeline.registered`, for practices, PCNs, neighbourhoods (the sum of their
practices, as assigned in ``geodata/practices.csv``), localities, Manchester (sub-ICB 14L) and
England (all practices).
"""

from __future__ import annotations

OGL = "Open Government Licence v3.0"
SRC_QOF_PRACTICE = "NHS England, Quality and Outcomes Framework {years}, practice-level prevalence"
SRC_PATIENTS = "NHS England, Patients Registered at a GP Practice, July 2026 (5-year age bands)"
SRC_PRACTICES = "NHS England, GP practice to PCN mapping (July 2026; QOF 2022-23)"
#: The QOF years built, as (period label, source file suffix).
QOF_YEARS = (("2022/23", "2022_23"), ("2024/25", "2024_25"))
#: QOF list type -> the ages it counts, as the app says it.
LIST_AGES = {
    "TOTAL": "all ages",
    "06OV": "aged 6+",
    "16OV": "aged 16+",
    "17OV": "aged 17+",
    "18OV": "aged 18+",
    "50OV": "aged 50+",
}
#: QOF register group code -> (name, the list type its denominator is). The list type is
#: checked against each year's file when the pipeline runs.
REGISTERS: dict[str, tuple[str, str]] = {
    "AF": ("Atrial fibrillation", "TOTAL"),
    "AST": ("Asthma", "06OV"),
    "CAN": ("Cancer", "TOTAL"),
    "CHD": ("Coronary heart disease", "TOTAL"),
    "CKD": ("Chronic kidney disease (stages 3-5)", "18OV"),
    "COPD": ("COPD", "TOTAL"),
    "DEM": ("Dementia", "TOTAL"),
    "DEP": ("Depression", "18OV"),
    "DM": ("Diabetes", "17OV"),
    "EP": ("Epilepsy", "18OV"),
    "HF": ("Heart failure", "TOTAL"),
    "HYP": ("Hypertension", "TOTAL"),
    "LD": ("Learning disability", "TOTAL"),
    "MH": ("Serious mental illness", "TOTAL"),
    "NDH": ("Non-diabetic hyperglycaemia", "18OV"),
    "OB": ("Obesity", "18OV"),
    "OST": ("Osteoporosis", "50OV"),
    "PAD": ("Peripheral arterial disease", "TOTAL"),
    "PC": ("Palliative care", "TOTAL"),
    "RA": ("Rheumatoid arthritis", "16OV"),
    "STIA": ("Stroke and TIA", "TOTAL"),
}
#: Registered population age groups: indicator suffix -> (label, first 5-year band counted).
AGE_GROUPS = {
    "0_14": ("aged 0-14", None),
    "65plus": ("aged 65+", 65),
    "75plus": ("aged 75+", 75),
    "85plus": ("aged 85+", 85),
}
AREAS = (
    "Practices; PCNs; neighbourhoods (the sum of their practices as assigned in geodata/practices.csv); "
    "localities; Manchester (the practices of sub-ICB 14L); England (all practices)."
)


def register_id(code: str) -> str:
    return f"reg_{code.lower()}"


def _entry(**kw) -> dict:
    return {"population": "registered", "licence": OGL, **kw}


def registered_indicators() -> list[dict]:
    """The catalogue entries, in display order: the registers, then the registered population."""
    years = " and ".join(label for label, _ in QOF_YEARS)
    out = []
    for code, (name, list_type) in REGISTERS.items():
        ages = LIST_AGES[list_type]
        out.append(
            _entry(
                indicator_id=register_id(code),
                name=f"{name}: patients on the GP register (QOF, registered patients)",
                short_name=f"{name} register",
                family="outcome",
                unit=f"% of registered patients ({ages})",
                value_type="proportion",
                multiplier=100,
                polarity="no_judgement",
                ci_method="wilson",
                status="derived",
                source=f"{SRC_QOF_PRACTICE.format(years='2022-23 and 2024-25')}; {SRC_PRACTICES}",
                period=years,
                definition=(
                    f"Patients on the practices' QOF {name.lower()} register as a share of their registered patients "
                    f"{ages} (the register's own list), at 31 March of the QOF year."
                ),
                method_note=(
                    f"Registers and lists summed over practices (QOF group {code}, list type {list_type}): a neighbourhood "
                    "is the sum of its practices, Manchester of the 14L practices, England of every practice. Wilson "
                    f"score intervals; compared with England and Manchester by the Fingertips rule. {AREAS}"
                ),
                caveats=(
                    "Recorded diagnoses among registered patients, wherever they live: not residents, and not true "
                    "prevalence (it also reflects how actively practices find and code the condition, so no higher or "
                    "lower is judged better). Crude: not standardised for age."
                ),
            )
        )
    out.append(
        _entry(
            indicator_id="reg_patients",
            name="Patients registered with the GP practices (all ages)",
            short_name="Registered patients",
            family="context",
            unit="patients",
            value_type="count",
            multiplier=1,
            polarity="no_judgement",
            ci_method="none",
            status="derived",
            source=SRC_PATIENTS,
            period="July 2026",
            definition="Patients registered with the practices on 1 July 2026, all ages.",
            method_note=f"The published count for each practice, summed. {AREAS}",
            caveats="Lists include patients who have moved away and not yet deregistered (list inflation).",
        )
    )
    for suffix, (label, _first) in AGE_GROUPS.items():
        out.append(
            _entry(
                indicator_id=f"reg_age_{suffix}",
                name=f"Registered patients {label}",
                short_name=f"Registered {label}",
                family="context",
                unit="% of registered patients",
                value_type="share",
                multiplier=100,
                polarity="no_judgement",
                ci_method="none",
                status="derived",
                source=SRC_PATIENTS,
                period="July 2026",
                definition=f"Registered patients {label} as a share of all registered patients, 1 July 2026.",
                method_note=(
                    "Summed from the published 5-year age bands (both sexes). The bands do not split at 16, so the "
                    f"youngest group is 0-14, not 0-15. {AREAS}"
                ),
                caveats="A count of the whole list, not a sample: no confidence interval.",
            )
        )
    return out
