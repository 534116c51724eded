"""Case intake: create, read and correct a family's case, with contact details kept apart from clinical facts."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.audit import record_event
from core.case_records import case_facts_of
from core.db import session_scope
from core.domain.case_facts import CaseFacts
from core.errors import NotFound, ValidationFailed
from core.matching.extract import extract_case_facts
from core.models import Case, CaseContact, utcnow
from core.permissions import Actor, requires
from core.places import find_place

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class CaseInput(BaseModel):
    """What the intake form (or the CLI, or the demo seed) provides."""

    age_years: float | None = None
    sex: Literal["female", "male", "unknown"] = "unknown"
    diagnosis: str = ""
    disease_status: str | None = None
    prior_therapies: list[str] = Field(default_factory=list)
    lines_of_therapy: int | None = None
    biomarkers: list[str] = Field(default_factory=list)
    performance_status: str | None = None
    pregnant: bool | None = None
    summary: str = ""
    location_label: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    travel_radius_km: float | None = None
    contact_name: str = ""
    contact_email: str | None = None
    contact_phone: str | None = None
    contact_address: str | None = None
    is_demo: bool = False
    reference: str | None = None


class CaseView(BaseModel):
    extracted: dict[str, object] | None = None  # what was read from the free-text summary
    id: int
    reference: str
    status: str
    is_demo: bool
    facts: CaseFacts
    created_at: datetime
    contact_name: str | None = None  # only filled for roles allowed to see contact details
    contact_email: str | None = None
    contact_phone: str | None = None
    contact_address: str | None = None


def validate_case_input(data: CaseInput) -> CaseInput:
    """Check every field; raise ValidationFailed naming each field that is wrong. Fills coordinates from the place."""
    errors: dict[str, str] = {}
    if data.age_years is not None and not 0 <= data.age_years <= 120:
        errors["age_years"] = "age must be between 0 and 120 years."
    if not data.diagnosis.strip() and not data.summary.strip():
        errors["diagnosis"] = (
            "give the diagnosis (for example 'relapsed T-cell acute lymphoblastic leukaemia') or a clinical summary."
        )
    for field, limit in (("diagnosis", 500), ("disease_status", 100), ("performance_status", 60), ("location_label", 200),
                         ("contact_name", 200), ("contact_email", 320), ("contact_address", 500)):
        value = getattr(data, field) or ""
        if len(value) > limit:
            errors[field] = f"at most {limit} characters (this has {len(value)})."
    if len(data.summary) > 20_000:
        errors["summary"] = "the clinical summary is longer than 20,000 characters; shorten it."
    if data.travel_radius_km is not None and data.travel_radius_km < 0:
        errors["travel_radius_km"] = "the travel radius cannot be negative."
    if (data.latitude is None) != (data.longitude is None):
        errors["latitude"] = "give both latitude and longitude, or neither."
    if data.latitude is not None and not -90 <= data.latitude <= 90:
        errors["latitude"] = "latitude must be between -90 and 90."
    if data.longitude is not None and not -180 <= data.longitude <= 180:
        errors["longitude"] = "longitude must be between -180 and 180."
    if data.lines_of_therapy is not None and not 0 <= data.lines_of_therapy <= 30:
        errors["lines_of_therapy"] = "lines of therapy must be between 0 and 30."
    if not data.contact_name.strip():
        errors["contact_name"] = "the contact's name is required (it is never sent to the drafting model)."
    if data.contact_email and not _EMAIL.fullmatch(data.contact_email.strip()):
        errors["contact_email"] = "this is not an e-mail address."
    if data.contact_phone and not re.fullmatch(r"[+()\d\s.-]{5,30}", data.contact_phone.strip()):
        errors["contact_phone"] = "use digits, spaces and + ( ) - only."
    if errors:
        raise ValidationFailed(errors)
    if data.latitude is None and data.location_label:
        found = find_place(data.location_label).place
        if found:
            data = data.model_copy(update={"latitude": found.latitude, "longitude": found.longitude})
    return data


class LocationCheck(BaseModel):
    """How a case's location was read, for the intake and correction forms: fine, worth a look, or not found."""

    level: Literal["ok", "note", "warning"]
    message: str


def check_case_location(facts: CaseFacts) -> LocationCheck | None:
    """Say which place a case's location became, or warn that it was not found (so no distance is checked)."""
    if facts.latitude is not None and facts.longitude is not None:
        lookup = find_place(facts.location_label or "") if facts.location_label else None
        place = lookup.place if lookup else None
        if place is not None and (round(place.latitude, 4), round(place.longitude, 4)) == (
            round(facts.latitude, 4), round(facts.longitude, 4)
        ):
            return LocationCheck(level="ok" if lookup.is_certain else "note", message=lookup.message)
        return LocationCheck(level="ok", message=f"Using the coordinates entered: {facts.latitude:.4f}, {facts.longitude:.4f}.")
    if not facts.location_label:
        return None
    return LocationCheck(level="warning", message=find_place(facts.location_label).message)


def _locate_changes(changes: dict[str, object]) -> dict[str, object]:
    """A new location without new coordinates replaces the old coordinates: stale ones would give wrong distances."""
    if "location_label" not in changes or "latitude" in changes or "longitude" in changes:
        return changes
    label = str(changes["location_label"] or "").strip()
    found = find_place(label).place if label else None
    return {**changes, "location_label": label or None,
            "latitude": found.latitude if found else None, "longitude": found.longitude if found else None}


EXTRACTABLE = ("age_years", "sex", "diagnosis", "disease_status", "prior_therapies", "lines_of_therapy",
               "biomarkers", "performance_status", "pregnant")


def fill_from_summary(data: CaseInput) -> tuple[CaseInput, dict[str, object]]:
    """Read the free-text summary; fill only the fields the family left blank, and return what was read.

    What was typed always wins over what was extracted; the extraction is kept so the reviewer can see
    and correct it.
    """
    if not data.summary.strip():
        return data, {}
    found = extract_case_facts(data.summary)
    extracted = found.model_dump(mode="json", include=set(EXTRACTABLE) | {"negations", "conditions"})
    blanks = {}
    for field in EXTRACTABLE:
        current, value = getattr(data, field), getattr(found, field)
        if current in (None, "", [], "unknown") and value not in (None, "", [], "unknown"):
            blanks[field] = value
    return data.model_copy(update=blanks), {**extracted, "filled": sorted(blanks)}


def _next_reference(session) -> str:  # noqa: ANN001
    year = utcnow().year
    count = session.scalar(select(func.count(Case.id))) or 0
    return f"C-{year}-{count + 1:04d}"


@requires("case.create")
def create_case(actor: Actor, data: CaseInput, *, intake_key: str | None = None) -> int:
    """Save a new case and its separate contact record; returns the case id.

    `intake_key` identifies one submission of the intake form: submitting it again (a double click, a rerun)
    returns the case it made instead of making a second one."""
    data = validate_case_input(data)
    data, extracted = fill_from_summary(data)
    if intake_key is not None and not (1 <= len(intake_key) <= 80):
        raise ValidationFailed({"intake_key": "a submission key has 1 to 80 characters."})
    for _ in range(5):
        existing = _case_of_submission(intake_key)
        if existing is not None:
            return existing
        try:
            return _insert_case(actor, data, extracted, intake_key)
        except IntegrityError:
            # Another submission won the race: either the same form (its key now exists) or another case took
            # the next reference; look again.
            continue
    raise ValidationFailed({"reference": "could not give the case a unique reference; try again."})


def _case_of_submission(intake_key: str | None) -> int | None:
    if intake_key is None:
        return None
    with session_scope() as s:
        return s.scalar(select(Case.id).where(Case.intake_key == intake_key))


def _insert_case(actor: Actor, data: CaseInput, extracted: dict[str, object], intake_key: str | None) -> int:
    with session_scope() as s:
        reference = data.reference or _next_reference(s)
        if data.reference and s.scalar(select(Case.id).where(Case.reference == reference)):
            raise ValidationFailed({"reference": f"a case {reference} exists already."})
        fields = data.model_dump(
            exclude={"contact_name", "contact_email", "contact_phone", "contact_address", "reference"}
        )
        case = Case(reference=reference, created_by=actor.user_id, extracted=extracted or None, intake_key=intake_key,
                    **fields)
        case.contact = CaseContact(
            name=data.contact_name.strip(),
            email=(data.contact_email or "").strip() or None,
            phone=(data.contact_phone or "").strip() or None,
            address=(data.contact_address or "").strip() or None,
        )
        s.add(case)
        s.flush()
        # The audit log keeps clinical facts; contact details are recorded only as present/absent.
        after = data.model_dump(mode="json", include=set(CaseFacts.model_fields) | {"is_demo"})
        after["contact"] = "provided"
        record_event(s, actor, "case.create", "case", case.id, after={"reference": reference, **after})
        return case.id


@requires("case.view")
def get_case(actor: Actor, case_id: int) -> CaseView:
    """The case's facts, plus its contact details for roles allowed to see them."""
    with session_scope() as s:
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(f"No case with id {case_id}.")
        view = CaseView(
            id=case.id,
            reference=case.reference,
            status=case.status,
            is_demo=case.is_demo,
            facts=case_facts_of(case),
            created_at=case.created_at,
            extracted=case.extracted,
        )
        if actor.can("case.view_contact") and case.contact:
            view.contact_name = case.contact.name
            view.contact_email = case.contact.email
            view.contact_phone = case.contact.phone
            view.contact_address = case.contact.address
        return view


@requires("case.view")
def list_cases(actor: Actor) -> list[CaseView]:
    with session_scope() as s:
        ids = list(s.scalars(select(Case.id).order_by(Case.id.desc())))
    return [get_case(actor, i) for i in ids]


# Facts read from the summary that have no column of their own: kept, and corrected, in `extracted`.
EXTRACTED_LISTS = ("conditions", "negations")


@requires("case.update")
def update_case_facts(actor: Actor, case_id: int, changes: dict[str, object]) -> None:
    """Correct clinical facts (for example what was extracted from the free text); audited with before and after."""
    allowed = set(CaseFacts.model_fields)
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed({k: "this field cannot be changed here." for k in sorted(unknown)})
    changes = _locate_changes(changes)
    lists = {k: changes[k] for k in EXTRACTED_LISTS if k in changes}
    for field, value in lists.items():
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise ValidationFailed({field: "give a list of short phrases, one per line."})
        if any(len(x) > 200 for x in value) or len(value) > 100:
            raise ValidationFailed({field: "at most 100 phrases of up to 200 characters each."})
    columns = {k: v for k, v in changes.items() if k not in EXTRACTED_LISTS}
    with session_scope() as s:
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(f"No case with id {case_id}.")
        extracted = dict(case.extracted or {})
        before = {k: getattr(case, k) for k in columns} | {k: extracted.get(k, []) for k in lists}
        current = CaseInput(
            **{k: getattr(case, k) for k in CaseInput.model_fields if hasattr(case, k) and k != "reference"},
            contact_name=case.contact.name if case.contact else "-",
        )
        validate_case_input(current.model_copy(update=columns))
        for k, v in columns.items():
            setattr(case, k, v)
        if lists:
            # a new dict, so the JSON column is seen as changed
            case.extracted = extracted | {k: [x.strip() for x in v if x.strip()] for k, v in lists.items()}
        record_event(s, actor, "case.update", "case", case.id, before=before, after=dict(changes))
