"""The review workflow: queue, claims, immutable versions with optimistic locking, approval, comments."""

from __future__ import annotations

import difflib
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from core.audit import record_event
from core.config import get_settings
from core.db import session_scope
from core.errors import ConflictError, InvalidTransition, NotFound, ValidationFailed
from core.models import Case, Comment, Draft, DraftVersion, PromptVersion, Trial, User, utcnow
from core.permissions import Actor, requires

REVIEWABLE = ("ready", "in_review")


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
    rejected_reason: str | None
    current: VersionView | None
    first: VersionView | None
    versions: list[VersionView]


def _claim_expiry() -> datetime:
    return utcnow() + timedelta(minutes=get_settings().claim_timeout_minutes)


def _unclaimed_clause(now: datetime):  # noqa: ANN202
    return or_(Draft.claimed_by.is_(None), Draft.claim_expires_at < now)


def _get(s: Session, draft_id: int) -> Draft:
    draft = s.get(Draft, draft_id)
    if draft is None:
        raise NotFound(f"No draft with id {draft_id}.")
    return draft


def _title(draft: Draft, trial_title: str | None) -> str:
    return "Case overview" if draft.kind == "case" else (trial_title or "Trial summary")


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
    """Drafts waiting for review, oldest first, with their failing checks."""
    now = utcnow()
    stmt = (
        select(Draft, Case.reference, Trial.brief_title, User.username, DraftVersion.checks)
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
        for draft, ref, trial_title, claimer, checks in s.execute(stmt):
            failing = [c["name"] for c in (checks or []) if not c.get("passed")]
            blocking = sum(1 for c in (checks or []) if not c.get("passed") and c.get("blocking"))
            since = draft.ready_at or draft.created_at
            waiting = (now - since).total_seconds() / 3600
            if failing_only and not failing:
                continue
            if min_waiting_hours is not None and waiting < min_waiting_hours:
                continue
            active = draft.claimed_by is not None and draft.claim_expires_at and draft.claim_expires_at > now
            items.append(
                QueueItem(
                    draft_id=draft.id,
                    case_id=draft.case_id,
                    case_reference=ref,
                    kind=draft.kind,
                    title=_title(draft, trial_title),
                    status=draft.status,
                    drafter=draft.drafter,
                    model=draft.model,
                    claimed_by=claimer if active else None,
                    claim_expires_at=draft.claim_expires_at if active else None,
                    waiting_hours=round(waiting, 2),
                    failing_checks=failing,
                    blocking_failures=blocking,
                )
            )
    return items


@requires("draft.view")
def queue_counts(actor: Actor) -> dict[str, int]:
    """How many drafts are in each status."""
    with session_scope() as s:
        return dict(s.execute(select(Draft.status, func.count(Draft.id)).group_by(Draft.status)).all())


@requires("review.work")
def claim_next_draft(actor: Actor) -> int | None:
    """Claim the oldest unclaimed reviewable draft with one conditional UPDATE; None when the queue is empty."""
    for _ in range(20):
        now = utcnow()
        with session_scope() as s:
            candidate = s.scalar(
                select(Draft.id)
                .where(Draft.status.in_(REVIEWABLE), _unclaimed_clause(now))
                .order_by(func.coalesce(Draft.ready_at, Draft.created_at), Draft.id)
                .limit(1)
                # PostgreSQL: rows another reviewer is claiming right now are skipped, not waited for.
                .with_for_update(skip_locked=True)
            )
            if candidate is None:
                return None
            # The claim condition is checked again inside the UPDATE: of two reviewers racing, one wins.
            res = s.execute(
                update(Draft)
                .where(Draft.id == candidate, Draft.status.in_(REVIEWABLE), _unclaimed_clause(now))
                .values(
                    claimed_by=actor.user_id,
                    claim_expires_at=_claim_expiry(),
                    status="in_review",
                    review_started_at=func.coalesce(Draft.review_started_at, now),
                    row_version=Draft.row_version + 1,
                )
                .execution_options(synchronize_session=False)
            )
            if res.rowcount == 1:
                record_event(s, actor, "draft.claim", "draft", candidate)
                return candidate
    return None


@requires("review.work")
def claim_draft(actor: Actor, draft_id: int) -> None:
    """Claim a given draft (opened from the queue); refused while someone else holds an active claim."""
    now = utcnow()
    with session_scope() as s:
        res = s.execute(
            update(Draft)
            .where(
                Draft.id == draft_id,
                Draft.status.in_(REVIEWABLE),
                or_(_unclaimed_clause(now), Draft.claimed_by == actor.user_id),
            )
            .values(
                claimed_by=actor.user_id,
                claim_expires_at=_claim_expiry(),
                status="in_review",
                review_started_at=func.coalesce(Draft.review_started_at, now),
                row_version=Draft.row_version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:
            draft = _get(s, draft_id)
            if draft.status not in REVIEWABLE:
                raise InvalidTransition(f"Draft {draft_id} is {draft.status}; it cannot be claimed.")
            holder = s.get(User, draft.claimed_by)
            raise ConflictError(f"Draft {draft_id} is being reviewed by {holder.username if holder else 'someone'}.")
        record_event(s, actor, "draft.claim", "draft", draft_id)


@requires("review.work")
def heartbeat_claim(actor: Actor, draft_id: int) -> datetime | None:
    """Keep an active claim alive; returns the new expiry, or None if the claim was lost."""
    expiry = _claim_expiry()
    with session_scope() as s:
        res = s.execute(
            update(Draft)
            .where(Draft.id == draft_id, Draft.claimed_by == actor.user_id, Draft.claim_expires_at > utcnow())
            .values(claim_expires_at=expiry)
            .execution_options(synchronize_session=False)
        )
        return expiry if res.rowcount == 1 else None


@requires("review.work")
def release_claim(actor: Actor, draft_id: int) -> None:
    with session_scope() as s:
        draft = _get(s, draft_id)
        if draft.claimed_by != actor.user_id:
            return
        draft.claimed_by, draft.claim_expires_at = None, None
        if draft.status == "in_review":
            draft.status = "ready"
        record_event(s, actor, "draft.release_claim", "draft", draft_id)


def _version_view(v: DraftVersion) -> VersionView:
    return VersionView.model_validate(v, from_attributes=True)


@requires("draft.view")
def get_draft_detail(actor: Actor, draft_id: int) -> DraftDetail:
    now = utcnow()
    with session_scope() as s:
        draft = _get(s, draft_id)
        case = s.get(Case, draft.case_id)
        trial = s.get(Trial, draft.trial_id) if draft.trial_id else None
        versions = [_version_view(v) for v in draft.versions]
        current = next((v for v in versions if v.id == draft.current_version_id), None)
        first = next((v for v in versions if v.author_kind == "model"), versions[0] if versions else None)
        active = draft.claimed_by and draft.claim_expires_at and draft.claim_expires_at > now
        holder = s.get(User, draft.claimed_by) if active else None
        prompt = s.get(PromptVersion, draft.prompt_version_id) if draft.prompt_version_id else None
        return DraftDetail(
            draft_id=draft.id,
            case_id=draft.case_id,
            case_reference=case.reference,
            kind=draft.kind,
            trial_registry_id=trial.registry_id if trial else None,
            title=_title(draft, trial.brief_title if trial else None),
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
            rejected_reason=draft.rejected_reason,
            current=current,
            first=first,
            versions=versions,
        )


def add_version(
    s: Session,
    draft: Draft,
    sections: dict[str, str],
    *,
    author: str,
    author_kind: str,
    checks: list[dict[str, Any]],
    sources: dict[str, Any] | None = None,
    note: str = "",
) -> DraftVersion:
    """Append an immutable version and make it current (used by drafting and by reviewers' saves)."""
    number = (s.scalar(select(func.max(DraftVersion.number)).where(DraftVersion.draft_id == draft.id)) or 0) + 1
    version = DraftVersion(
        draft_id=draft.id,
        number=number,
        sections=sections,
        sources=sources or {},
        author=author,
        author_kind=author_kind,
        parent_id=draft.current_version_id,
        checks=checks,
        note=note,
    )
    s.add(version)
    s.flush()
    draft.current_version_id = version.id
    draft.approvals = []
    return version


@requires("review.work")
def save_draft(actor: Actor, draft_id: int, sections: dict[str, str], *, base_version_id: int | None) -> VersionView:
    """Save the reviewer's text as a new version, unless someone saved since `base_version_id` (ConflictError)."""
    from core.drafting.service import check_draft_sections  # drafting depends on review; import late

    cleaned = {k: (v or "").strip() for k, v in sections.items()}
    with session_scope() as s:
        draft = _get(s, draft_id)
        if draft.status not in REVIEWABLE:
            raise InvalidTransition(f"Draft {draft_id} is {draft.status}; only drafts in review can be edited.")
        current = s.get(DraftVersion, draft.current_version_id) if draft.current_version_id else None
        if draft.current_version_id != base_version_id:
            raise ConflictError(
                f"Someone saved version {current.number} by {current.author} since you opened this draft. "
                "Nothing was overwritten: compare both texts and save again.",
                current=_version_view(current) if current else None,
            )
        now = utcnow()
        if draft.claimed_by not in (None, actor.user_id) and draft.claim_expires_at and draft.claim_expires_at > now:
            holder = s.get(User, draft.claimed_by)
            raise ConflictError(
                f"{holder.username if holder else 'Another reviewer'} holds the claim on this draft; your text is kept. "
                "Ask them to release it, or wait for the claim to expire.",
                current=_version_view(current) if current else None,
            )
        before = s.get(DraftVersion, draft.current_version_id) if draft.current_version_id else None
        checks = check_draft_sections(s, draft, cleaned)
        version = add_version(
            s, draft, cleaned, author=actor.username, author_kind="user", checks=checks,
            sources=_carry_sources(before, cleaned),
        )
        draft.status = "in_review"
        draft.claimed_by, draft.claim_expires_at = actor.user_id, _claim_expiry()
        s.flush()  # bumps row_version: a concurrent save of the same base fails here
        record_event(
            s, actor, "draft.save", "draft", draft_id,
            before={"version": before.number if before else None, "sections": before.sections if before else None},
            after={"version": version.number, "sections": cleaned},
        )
        return _version_view(version)


def _carry_sources(before: DraftVersion | None, sections: dict[str, str]) -> dict[str, Any]:
    """Keep the source fields of sentences the reviewer left unchanged."""
    if before is None:
        return {}
    carried: dict[str, Any] = {}
    for key, pairs in (before.sources or {}).items():
        text = sections.get(key, "")
        carried[key] = [[sentence, fields] for sentence, fields in pairs if sentence and sentence in text]
    return carried


@requires("review.work")
def approve_draft(actor: Actor, draft_id: int, *, override_reason: str | None = None) -> str:
    """Approve the current version; refused while a blocking check fails unless overridden with a written reason."""
    with session_scope() as s:
        draft = _get(s, draft_id)
        if draft.status not in REVIEWABLE:
            raise InvalidTransition(f"Draft {draft_id} is {draft.status}; it cannot be approved.")
        version = s.get(DraftVersion, draft.current_version_id) if draft.current_version_id else None
        if version is None:
            raise InvalidTransition("There is no text to approve yet.")
        blocking = [c for c in version.checks if c.get("blocking") and not c.get("passed")]
        if blocking and not (override_reason and override_reason.strip()):
            names = ", ".join(c["name"] for c in blocking)
            raise ValidationFailed(
                {"override_reason": f"blocking checks fail ({names}); fix the text or write why you override them."}
            )
        approvals = list(draft.approvals or [])
        if actor.user_id in approvals:
            raise InvalidTransition("You have approved this version already; a second reviewer must approve it.")
        approvals.append(actor.user_id)
        draft.approvals = approvals
        needed = 2 if get_settings().second_reviewer_required else 1
        before_status = draft.status
        if len(set(approvals)) >= needed:
            draft.status, draft.approved_at = "approved", utcnow()
            draft.claimed_by, draft.claim_expires_at = None, None
        if blocking:
            draft.override_reason = override_reason
            record_event(
                s, actor, "draft.override", "draft", draft_id,
                after={"checks": [c["name"] for c in blocking]}, reason=override_reason,
            )
        record_event(
            s, actor, "draft.approve", "draft", draft_id,
            before={"status": before_status}, after={"status": draft.status, "version": version.number},
        )
        return draft.status


def _leave_review(s: Session, draft_id: int, status: str, refusal: str) -> tuple[Draft, str]:
    """Move a draft out of review (claim released); refused unless it is in review. Returns it and its old status."""
    draft = _get(s, draft_id)
    if draft.status not in REVIEWABLE:
        raise InvalidTransition(f"Draft {draft_id} is {draft.status}; {refusal}.")
    before = draft.status
    draft.status, draft.claimed_by, draft.claim_expires_at = status, None, None
    return draft, before


@requires("review.work")
def reject_draft(actor: Actor, draft_id: int, reason: str) -> None:
    if not reason.strip():
        raise ValidationFailed({"reason": "say why the draft is rejected."})
    with session_scope() as s:
        draft, before = _leave_review(s, draft_id, "rejected", "it cannot be rejected")
        draft.rejected_reason = reason.strip()
        record_event(s, actor, "draft.reject", "draft", draft_id, before={"status": before}, after={"status": "rejected"}, reason=reason)


@requires("review.work")
def request_changes(actor: Actor, draft_id: int, feedback: str) -> int:
    """Send a draft back for a new drafting run with the reviewer's feedback; returns the drafting job id."""
    if not feedback.strip():
        raise ValidationFailed({"feedback": "say what should change."})
    with session_scope() as s:
        draft, before = _leave_review(s, draft_id, "changes_requested", "changes cannot be requested")
        draft.feedback, draft.rounds = feedback.strip(), draft.rounds + 1
        record_event(s, actor, "draft.request_changes", "draft", draft_id, before={"status": before}, after={"status": draft.status}, reason=feedback)
        rounds = draft.rounds
    from core.drafting.service import submit_redraft

    return submit_redraft(actor, draft_id, rounds)


@requires("review.work")
def restore_version(actor: Actor, draft_id: int, version_id: int, *, base_version_id: int | None) -> VersionView:
    """Make an earlier version's text current again, as a new version."""
    with session_scope() as s:
        old = s.get(DraftVersion, version_id)
        if old is None or old.draft_id != draft_id:
            raise NotFound(f"Draft {draft_id} has no version {version_id}.")
        sections = dict(old.sections)
    view = save_draft(actor, draft_id, sections, base_version_id=base_version_id)
    with session_scope() as s:
        record_event(s, actor, "draft.restore", "draft", draft_id, after={"restored": version_id, "as_version": view.number})
    return view


@requires("review.work")
def add_comment(actor: Actor, draft_id: int, body: str, *, parent_id: int | None = None) -> int:
    if not body.strip():
        raise ValidationFailed({"body": "a comment cannot be empty."})
    with session_scope() as s:
        _get(s, draft_id)
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


def diff_sections(old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """A unified diff per section (only sections that differ)."""
    out = {}
    for key in list(dict.fromkeys([*old, *new])):
        a, b = (old.get(key) or "").splitlines(), (new.get(key) or "").splitlines()
        if a != b:
            out[key] = "\n".join(difflib.unified_diff(a, b, "before", "after", lineterm=""))
    return out


def case_ready_for_release(s: Session, case_id: int) -> tuple[bool, list[str]]:
    """Whether every selected trial's summary and the case overview are approved, and what is missing."""
    drafts = list(s.scalars(select(Draft).where(Draft.case_id == case_id, Draft.status != "rejected")))
    missing = []
    if not any(d.kind == "case" for d in drafts):
        missing.append("the case overview has not been drafted")
    if not any(d.kind == "trial" for d in drafts):
        missing.append("no trial summary has been drafted")
    for d in drafts:
        if d.status not in ("approved", "released"):
            name = "case overview" if d.kind == "case" else f"summary of trial #{d.trial_id}"
            missing.append(f"the {name} is {d.status}")
    return (not missing, missing)

