"""What a model will see of a case, and the phrases a reviewer marks private so they are replaced too."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from core.audit import record_event
from core.case_records import get_case_facts, get_known_identifiers
from core.db import session_scope
from core.errors import NotFound, ValidationFailed
from core.models import CaseContact
from core.permissions import Actor, requires
from core.privacy.deidentify import deidentify_case_facts
from core.privacy.spans import IdentifierType
from core.prompting.case_block import build_case_variables

MAX_PRIVATE_PHRASES = 50
MAX_PHRASE_CHARS = 200


class HiddenSpan(BaseModel):
    """One replaced piece of a field: where it was and its type; the original only for roles that may see it."""

    field: str
    start: int
    end: int
    type: IdentifierType
    original: str | None = None


class ModelView(BaseModel):
    """The case block exactly as every prompt receives it, and what was replaced to get there."""

    case_id: int
    variables: dict[str, Any]
    hidden: list[HiddenSpan]
    private_phrases: list[str]


@requires("case.view")
def preview_case_for_model(actor: Actor, case_id: int) -> ModelView:
    """The de-identified case facts a model would be sent (the prompts' `case` variable), with the spans replaced."""
    known = get_known_identifiers(case_id)
    facts = get_case_facts(case_id)
    clean, report = deidentify_case_facts(facts, known)
    show = actor.can("case.view_contact")
    raw = facts.model_dump()
    hidden = []
    for field, result in report.items():
        name, _, index = field.partition("[")
        source = raw[name] if not index else raw[name][int(index.rstrip("]"))]
        for span in result.spans:
            hidden.append(HiddenSpan(field=field, start=span.start, end=span.end, type=span.type,
                                     original=source[span.start : span.end] if show else None))
    return ModelView(case_id=case_id, variables=build_case_variables(clean), hidden=hidden,
                     private_phrases=known.private_phrases if show else [])


@requires("case.update")
def set_private_phrases(actor: Actor, case_id: int, phrases: list[str]) -> list[str]:
    """Replace the case's private phrases (each is hidden from every model from now on); returns them cleaned."""
    cleaned = list(dict.fromkeys(" ".join(p.split()) for p in phrases if p and p.strip()))
    if len(cleaned) > MAX_PRIVATE_PHRASES:
        raise ValidationFailed({"private_phrases": f"at most {MAX_PRIVATE_PHRASES} phrases (got {len(cleaned)})."})
    too_long = [i + 1 for i, p in enumerate(cleaned) if len(p) > MAX_PHRASE_CHARS]
    if too_long:
        raise ValidationFailed({"private_phrases": f"phrase {too_long[0]} is longer than {MAX_PHRASE_CHARS} characters."})
    too_short = [p for p in cleaned if len(p) < 2]
    if too_short:
        raise ValidationFailed({"private_phrases": "a private phrase needs at least 2 characters."})
    with session_scope() as s:
        contact = s.scalar(select(CaseContact).where(CaseContact.case_id == case_id))
        if contact is None:
            raise NotFound(f"No contact record for case {case_id}.")
        before = len(contact.private_phrases or [])
        contact.private_phrases = cleaned
        # The audit log records how many, never the private text itself.
        record_event(s, actor, "case.private_phrases", "case", case_id, before={"count": before}, after={"count": len(cleaned)})
    return cleaned
