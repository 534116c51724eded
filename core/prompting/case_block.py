"""The case block every prompt carries: clinical facts only, each free-text field de-identified and neutralised."""

from __future__ import annotations

from typing import Any

from core.domain.case_facts import CaseFacts
from core.privacy.deidentify import deidentify_text
from core.prompting.templates import neutralise_untrusted

MAX_DESCRIPTION_CHARS = 4000


def scrub_identifiers(text: str) -> str:
    """Replace every identifier the de-identifier finds (names, dates, addresses, numbers, e-mails, phones, URLs)
    with a typed placeholder. Known contact details are replaced earlier, by deidentify_case_facts."""
    return deidentify_text(text).text


def _case_text(text: str | None, limit: int | None = None) -> str:
    return neutralise_untrusted(scrub_identifiers(text or ""), limit)


def build_case_variables(facts: CaseFacts) -> dict[str, Any]:
    """Return the case's clinical facts for a prompt: no coordinates, and every free-text field de-identified
    (names, dates, street addresses and postcodes, record numbers, e-mails, phones, URLs become placeholders)."""
    return {
        "age_years": f"{facts.age_years:g}" if facts.age_years is not None else "not given",
        "sex": facts.sex,
        "diagnosis": _case_text(facts.diagnosis) or "not given",
        "disease_status": _case_text(facts.disease_status) or "not given",
        "prior_therapies": [_case_text(t) for t in facts.prior_therapies],
        "lines_of_therapy": facts.lines_of_therapy if facts.lines_of_therapy is not None else "not given",
        "biomarkers": [_case_text(b) for b in facts.biomarkers],
        "performance_status": _case_text(facts.performance_status) or "not given",
        "pregnant": {True: "yes", False: "no", None: "not given"}[facts.pregnant],
        "summary": _case_text(facts.summary, MAX_DESCRIPTION_CHARS),
        "location": _case_text(facts.location_label) or "not given",
        "travel_radius_km": f"{facts.travel_radius_km:g}"
        if facts.travel_radius_km is not None
        else "any distance",
        "negations": [_case_text(n) for n in facts.negations],
    }

