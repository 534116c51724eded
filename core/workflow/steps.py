"""Taking one step of the table: lock the row, check the step is allowed, write the new status, audit it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import record_event
from core.domain.statuses import DRAFTING_PENDING, CaseStatus
from core.errors import NotFound
from core.models import Case, Draft
from core.permissions import Actor
from core.workflow.transitions import Transition, check_transition


def lock_draft(s: Session, draft_id: int) -> Draft:
    """The draft, its row locked until the step commits (PostgreSQL; SQLite's write transaction locks the file)."""
    draft = s.get(Draft, draft_id, with_for_update=True)
    if draft is None:
        raise NotFound(f"No draft with id {draft_id}.")
    return draft


def lock_case(s: Session, case_id: int) -> Case:
    case = s.get(Case, case_id, with_for_update=True)
    if case is None:
        raise NotFound(f"No case with id {case_id}.")
    return case


def check_draft_step(who: Actor | str, draft: Draft, name: str) -> Transition:
    """The step, if this user (or the system) may take it from the draft's status (else PermissionDenied or
    InvalidTransition)."""
    return check_transition(who if isinstance(who, Actor) else None, "draft", name, draft.id, draft.status)


def move_draft(s: Session, actor: Actor | str, draft: Draft, name: str, *, reason: str | None = None,
               before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> Transition:
    """Take a draft step: check it, set the status, and add the audit event to the same transaction."""
    step = check_draft_step(actor, draft, name)
    old = draft.status
    draft.status = step.target
    record_event(s, actor, step.audit, "draft", draft.id, before={"status": old, **(before or {})},
                 after={"status": step.target, **(after or {})}, reason=reason)
    return step


def move_case(s: Session, actor: Actor | str, case: Case, name: str, *, after: dict[str, Any] | None = None) -> Transition:
    """Take a case step: check it, set the status, audit it."""
    step = check_transition(actor if isinstance(actor, Actor) else None, "case", name, case.id, case.status)
    old = case.status
    case.status = step.target
    record_event(s, actor, step.audit, "case", case.id, before={"status": old}, after={"status": step.target, **(after or {})})
    return step


def settle_drafted_case(s: Session, case: Case) -> None:
    """A case left "drafting" with nothing left to draft is drafted: in review. Whichever run wrote the last draft
    (the case's drafting job, a redraft, a retry) takes the step, so a case never stays "drafting" because the
    job that would have moved it stopped or was not the one that finished."""
    if case.status != CaseStatus.DRAFTING:
        return
    pending = s.scalar(select(Draft.id).where(Draft.case_id == case.id, Draft.status.in_(DRAFTING_PENDING)).limit(1))
    if pending is None:
        move_case(s, "system", case, "drafted")
