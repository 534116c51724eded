"""Reading a stored case: its de-identified clinical facts, and apart from them its contact's identifying strings."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import session_scope
from core.domain.case_facts import CaseFacts
from core.errors import NotFound
from core.models import Case, CaseContact
from core.privacy.known import KnownIdentifiers


def case_facts_of(case: Case) -> CaseFacts:
    """The case row as the clinical facts matching and drafting read (contact details are not part of them)."""
    return CaseFacts(
        age_years=case.age_years,
        sex=case.sex,  # type: ignore[arg-type]
        diagnosis=case.diagnosis,
        disease_status=case.disease_status,
        prior_therapies=list(case.prior_therapies or []),
        lines_of_therapy=case.lines_of_therapy,
        biomarkers=list(case.biomarkers or []),
        performance_status=case.performance_status,
        pregnant=case.pregnant,
        summary=case.summary,
        latitude=case.latitude,
        longitude=case.longitude,
        location_label=case.location_label,
        travel_radius_km=case.travel_radius_km,
        negations=list((case.extracted or {}).get("negations", [])),
        conditions=list((case.extracted or {}).get("conditions", [])),
    )


def get_case_facts(case_id: int, session: Session | None = None) -> CaseFacts:
    """De-identified facts for internal use by matching and drafting (callers check permissions).

    Pass the caller's session when inside one: a second connection per call would exhaust the pool under load.
    """
    if session is not None:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound(f"No case with id {case_id}.")
        return case_facts_of(case)
    with session_scope() as s:
        return get_case_facts(case_id, s)


def get_known_identifiers(case_id: int, session: Session | None = None) -> KnownIdentifiers:
    """The contact's details and the phrases marked private, by kind, for de-identification (callers check permissions)."""
    if session is None:
        with session_scope() as s:
            return get_known_identifiers(case_id, s)
    contact = session.scalar(select(CaseContact).where(CaseContact.case_id == case_id))
    if contact is None:
        return KnownIdentifiers()
    return KnownIdentifiers(
        names=[contact.name] if contact.name else [],
        emails=[contact.email] if contact.email else [],
        phones=[contact.phone] if contact.phone else [],
        addresses=[contact.address] if contact.address else [],
        private_phrases=list(contact.private_phrases or []),
    )
