"""What reviewers read: the queue, a draft with its versions and claim, diffs, and comment threads."""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.audit import record_event
from core.db import session_scope
from core.domain.statuses import REVIEWABLE
from core.errors import NotFound, ValidationFailed
from core.models import Case, Comment, Draft, DraftVersion, PromptVersion, Trial, User, utcnow
from core.permissions import Actor, requires


class QueueItem(BaseModel):
    draft_id: int
    case_id: int
    case_reference: str
    kind: str
    title: str
    status: str
    drafter: str | None
    model: str | None
    claimed_by: str | None
    claim_expires_at: datetime | None
    waiting_hours: float
    failing_checks: list[str]
    blocking_failures: int
    version_number: int | None = None
    approvals: int = 0  # approvals of the current version so far (a second reviewer may be needed)


class VersionView(BaseModel):
    id: int
    number: int
    sections: dict[str, str]
    sources: dict[str, Any]
    author: str
    author_kind: str
    checks: list[dict[str, Any]]
    note: str
    created_at: datetime


class CommentView(BaseModel):
    id: int
    parent_id: int | None
    author: str
    body: str
    created_at: datetime


class DraftDetail(BaseModel):
    draft_id: int
    case_id: int
    case_reference: str
    kind: str
    trial_registry_id: str | None
    title: str
    status: str
    row_version: int
    claimed_by: str | None
    claim_expires_at: datetime | None
    drafter: str | None
    model: str | None
    prompt: str | None = None  # "trial_summary v2": the prompt version an LLM draft was written with
    error: str | None
    feedback: str | None
    approvals: list[int]
    approved_by: list[str] = []
    overrides: list[dict[str, Any]] = []
    rejected_reason: str | None
    current: VersionView | None
    first: VersionView | None
    versions: list[VersionView]

    @property
    def failing_blocking_checks(self) -> list[str]:
        return [c["name"] for c in (self.current.checks if self.current else []) if c.get("blocking") and not c.get("passed")]


def title_of(draft: Draft, trial_title: str | None) -> str:
    return "Case overview" if draft.kind == "case" else (trial_title or "Trial summary")


def claim_is_active(draft: Draft, now: datetime | None = None) -> bool:
    """A claim counts while it has a holder and has not expired (an expired claim is free for anyone)."""
    return draft.claimed_by is not None and draft.claim_expires_at is not None and draft.claim_expires_at > (now or utcnow())


def version_view(v: DraftVersion) -> VersionView:
    return VersionView.model_validate(v, from_attributes=True)


def get_draft(s: Session, draft_id: int) -> Draft:
    draft = s.get(Draft, draft_id)
    if draft is None:
        raise NotFound(f"No draft with id {draft_id}.")
    return draft


@requires("draft.view")
def list_queue(
    actor: Actor,
    *,
    case_id: int | None = None,
    statuses: tuple[str, ...] = REVIEWABLE,
    failing_only: bool = False,
    drafter: str | None = None,
    min_waiting_hours: float | None = None,
) -> list[QueueItem]:
    """Drafts waiting for review, oldest first, with their failing checks and who is reviewing them."""
    now = utcnow()
    stmt = (
        select(Draft, Case.reference, Trial.brief_title, User.username, DraftVersion.checks, DraftVersion.number)
        .join(Case, Case.id == Draft.case_id)
        .outerjoin(Trial, Trial.id == Draft.trial_id)
        .outerjoin(User, User.id == Draft.claimed_by)
        .outerjoin(DraftVersion, DraftVersion.id == Draft.current_version_id)
        .where(Draft.status.in_(statuses))
        .order_by(func.coalesce(Draft.ready_at, Draft.created_at), Draft.id)
    )
    if case_id:
        stmt = stmt.where(Draft.case_id == case_id)
    if drafter:
        stmt = stmt.where(Draft.drafter == drafter)
    items = []
    with session_scope() as s:
        for draft, ref, trial_title, claimer, checks, number in s.execute(stmt):
            failing = [c["name"] for c in (checks or []) if not c.get("passed")]
            blocking = sum(1 for c in (checks or []) if not c.get("passed") and c.get("blocking"))
            since = draft.ready_at or draft.created_at
            waiting = (now - since).total_seconds() / 3600
            if failing_only and not failing:
                continue
            if min_waiting_hours is not None and waiting < min_waiting_hours:
                continue
            active = claim_is_active(draft, now)
            items.append(
                QueueItem(
                    draft_id=draft.id,
                    case_id=draft.case_id,
                    case_reference=ref,
                    kind=draft.kind,
                    title=title_of(draft, trial_title),
                    status=draft.status,
                    drafter=draft.drafter,
                    model=draft.model,
                    claimed_by=claimer if active else None,
                    claim_expires_at=draft.claim_expires_at if active else None,
                    waiting_hours=round(waiting, 2),
                    failing_checks=failing,
                    blocking_failures=blocking,
                    version_number=number,
                    approvals=len(draft.approvals or []),
                )
            )
    return items


@requires("draft.view")
def queue_counts(actor: Actor) -> dict[str, int]:
    """How many drafts are in each status."""
    with session_scope() as s:
        return dict(s.execute(select(Draft.status, func.count(Draft.id)).group_by(Draft.status)).all())


@requires("draft.view")
def get_draft_detail(actor: Actor, draft_id: int) -> DraftDetail:
    """A draft to read: reading never claims it."""
    now = utcnow()
    with session_scope() as s:
        draft = get_draft(s, draft_id)
        case = s.get(Case, draft.case_id)
        trial = s.get(Trial, draft.trial_id) if draft.trial_id else None
        versions = [version_view(v) for v in draft.versions]
        current = next((v for v in versions if v.id == draft.current_version_id), None)
        first = next((v for v in versions if v.author_kind == "model"), versions[0] if versions else None)
        holder = s.get(User, draft.claimed_by) if claim_is_active(draft, now) else None
        prompt = s.get(PromptVersion, draft.prompt_version_id) if draft.prompt_version_id else None
        approvers = [u.username for u in s.scalars(select(User).where(User.id.in_(draft.approvals or [])))]
        return DraftDetail(
            draft_id=draft.id,
            case_id=draft.case_id,
            case_reference=case.reference,
            kind=draft.kind,
            trial_registry_id=trial.registry_id if trial else None,
            title=title_of(draft, trial.brief_title if trial else None),
            status=draft.status,
            row_version=draft.row_version,
            claimed_by=holder.username if holder else None,
            claim_expires_at=draft.claim_expires_at if holder else None,
            drafter=draft.drafter,
            model=draft.model,
            prompt=f"{prompt.name} v{prompt.version}" if prompt else None,
            error=draft.error,
            feedback=draft.feedback,
            approvals=list(draft.approvals or []),
            approved_by=approvers,
            overrides=list(draft.overrides or []),
            rejected_reason=draft.rejected_reason,
            current=current,
            first=first,
            versions=versions,
        )


def diff_sections(old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """A unified diff per section (only sections that differ)."""
    out = {}
    for key in list(dict.fromkeys([*old, *new])):
        a, b = (old.get(key) or "").splitlines(), (new.get(key) or "").splitlines()
        if a != b:
            out[key] = "\n".join(difflib.unified_diff(a, b, "before", "after", lineterm=""))
    return out


@requires("review.work")
def add_comment(actor: Actor, draft_id: int, body: str, *, parent_id: int | None = None) -> int:
    if not body.strip():
        raise ValidationFailed({"body": "a comment cannot be empty."})
    with session_scope() as s:
        get_draft(s, draft_id)
        if parent_id is not None:
            parent = s.get(Comment, parent_id)
            if parent is None or parent.draft_id != draft_id:
                raise NotFound(f"No comment {parent_id} on draft {draft_id}.")
        comment = Comment(draft_id=draft_id, parent_id=parent_id, author_id=actor.user_id, body=body.strip())
        s.add(comment)
        s.flush()
        record_event(s, actor, "comment.add", "draft", draft_id, after={"comment": comment.id, "parent": parent_id})
        return comment.id


@requires("draft.view")
def list_comments(actor: Actor, draft_id: int) -> list[CommentView]:
    """Comments in thread order: each reply right after its parent."""
    with session_scope() as s:
        rows = s.execute(
            select(Comment, User.username).join(User, User.id == Comment.author_id).where(Comment.draft_id == draft_id).order_by(Comment.id)
        ).all()
    views = [CommentView(id=c.id, parent_id=c.parent_id, author=u, body=c.body, created_at=c.created_at) for c, u in rows]
    children: dict[int | None, list[CommentView]] = {}
    for v in views:
        children.setdefault(v.parent_id, []).append(v)
    ordered: list[CommentView] = []

    def walk(parent: int | None) -> None:
        for v in children.get(parent, []):
            ordered.append(v)
            walk(v.id)

    walk(None)
    return ordered
