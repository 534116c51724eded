"""The review steps: explicit claims, immutable versions with optimistic locking, approval of a named version,
overrides with a reason, sending back for changes (the redraft is dispatched at once), and rejection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.audit import record_event
from core.config import get_settings
from core.db import session_scope
from core.domain.overrides import CheckOverride
from core.domain.statuses import REVIEWABLE, DraftStatus
from core.drafting.checking import check_sections
from core.errors import ConflictError, InvalidTransition, ValidationFailed
from core.jobs.dispatch import dispatch_job
from core.jobs.store import JobView, add_job
from core.models import Draft, DraftVersion, User, utcnow
from core.permissions import Actor, require, requires
from core.sessions import lapse_claims_without_session, live_session_user
from core.workflow.drafting import DRAFT_ONE_JOB
from core.workflow.review_views import VersionView, claim_is_active, get_draft, version_view
from core.workflow.steps import check_draft_step, lock_draft, move_draft
from core.workflow.versions import add_version


def _claim_expiry() -> datetime:
    return utcnow() + timedelta(minutes=get_settings().claim_timeout_minutes)


def _unclaimed_clause(now: datetime):  # noqa: ANN202
    return or_(Draft.claimed_by.is_(None), Draft.claim_expires_at < now)


def _holder_name(s: Session, draft: Draft) -> str:
    holder = s.get(User, draft.claimed_by) if draft.claimed_by else None
    return holder.username if holder else "another reviewer"


def _current_view(s: Session, draft_id: int) -> VersionView | None:
    draft = s.get(Draft, draft_id)
    current = s.get(DraftVersion, draft.current_version_id) if draft and draft.current_version_id else None
    return version_view(current) if current else None


@contextmanager
def _step(draft_id: int) -> Iterator[Session]:
    """One review step as one write transaction. A concurrent step on the same draft that slipped past the row
    lock (the row version moved, or the version number was taken) ends in the product's conflict message with
    the current text, never in a raw database error; nothing of this step is saved."""
    try:
        with session_scope(write=True) as s:
            yield s
    except (StaleDataError, IntegrityError) as exc:
        with session_scope() as s:
            current = _current_view(s, draft_id)
        raise ConflictError(
            "Someone else changed this draft at the same moment, so nothing of your action was saved. "
            "Your text is kept: compare it with the current version and try again.",
            current=current,
        ) from exc


def _require_claim(s: Session, actor: Actor, draft: Draft, doing: str) -> None:
    """Review actions need the claim: "Start review" first, and nobody else may hold it meanwhile."""
    if claim_is_active(draft) and draft.claimed_by == actor.user_id:
        return
    if claim_is_active(draft):
        raise ConflictError(
            f"{_holder_name(s, draft)} is reviewing this draft (they hold the claim), so you cannot {doing} it. "
            "Your text is kept. Ask them to release it, or wait for the claim to expire.",
            current=_current_view(s, draft.id),
        )
    raise InvalidTransition(f"Start review on draft {draft.id} first: {doing} needs your claim on it.")


def _claimed_step(s: Session, actor: Actor, draft: Draft, name: str, doing: str) -> None:
    """A step that needs the reviewer's claim: in review, the claim is what decides (and says so); otherwise the
    draft's status refuses the step."""
    if draft.status in REVIEWABLE:
        _require_claim(s, actor, draft, doing)
    check_draft_step(actor, draft, name)


def _claim_values(actor: Actor, now: datetime) -> dict[str, Any]:
    return {
        "claimed_by": actor.user_id,
        "claim_expires_at": _claim_expiry(),
        "status": DraftStatus.IN_REVIEW,
        "review_started_at": func.coalesce(Draft.review_started_at, now),
        "row_version": Draft.row_version + 1,
    }


@requires("review.work")
def start_review(actor: Actor, draft_id: int) -> datetime:
    """Claim a draft for review ("Start review") in one conditional UPDATE; returns when the claim expires.
    Refused while another reviewer holds an active claim; renews the reviewer's own claim."""
    now = utcnow()
    with session_scope(write=True) as s:
        draft = get_draft(s, draft_id)
        check_draft_step(actor, draft, "start_review")
        res = s.execute(
            update(Draft)
            .where(
                Draft.id == draft_id,
                Draft.status.in_(REVIEWABLE),
                or_(_unclaimed_clause(now), Draft.claimed_by == actor.user_id),
            )
            .values(**_claim_values(actor, now))
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:
            s.refresh(draft)
            check_draft_step(actor, draft, "start_review")
            raise ConflictError(f"Draft {draft_id} is being reviewed by {_holder_name(s, draft)}.")
        record_event(s, actor, "draft.claim", "draft", draft_id, before={"status": draft.status},
                     after={"status": DraftStatus.IN_REVIEW})
        return s.scalar(select(Draft.claim_expires_at).where(Draft.id == draft_id))


@requires("review.work")
def claim_next_draft(actor: Actor) -> int | None:
    """Claim the oldest unclaimed reviewable draft with one conditional UPDATE; None when the queue is empty.
    A draft this reviewer already approved (waiting for a second reviewer) is left for someone else."""
    for _ in range(20):
        now = utcnow()
        with session_scope(write=True) as s:
            candidates = s.execute(
                select(Draft.id, Draft.approvals)
                .where(Draft.status.in_(REVIEWABLE), _unclaimed_clause(now))
                .order_by(func.coalesce(Draft.ready_at, Draft.created_at), Draft.id)
                .limit(50)
                # PostgreSQL: rows another reviewer is claiming right now are skipped, not waited for.
                .with_for_update(skip_locked=True)
            ).all()
            candidate = next((d for d, approvals in candidates if actor.user_id not in (approvals or [])), None)
            if candidate is None:
                return None
            # The claim condition is checked again inside the UPDATE: of two reviewers racing, one wins.
            res = s.execute(
                update(Draft)
                .where(Draft.id == candidate, Draft.status.in_(REVIEWABLE), _unclaimed_clause(now))
                .values(**_claim_values(actor, now))
                .execution_options(synchronize_session=False)
            )
            if res.rowcount == 1:
                record_event(s, actor, "draft.claim", "draft", candidate, after={"status": DraftStatus.IN_REVIEW})
                return candidate
    return None


@requires("review.work")
def heartbeat_claim(actor: Actor, draft_id: int, *, session_token: str | None = None) -> datetime | None:
    """Keep an active claim alive; returns the new expiry, or None if the claim was lost. From a browser, pass its
    session token: once that session ended (logout, inactivity, expiry), the page's timer renews nothing, and the
    claim lapses unless the reviewer is still logged in elsewhere."""
    expiry = _claim_expiry()
    if session_token is not None and live_session_user(session_token) != actor.user_id:
        with session_scope() as s:
            lapse_claims_without_session(s, actor.user_id)
        return None
    with session_scope() as s:
        res = s.execute(
            update(Draft)
            .where(Draft.id == draft_id, Draft.claimed_by == actor.user_id, Draft.claim_expires_at > utcnow())
            .values(claim_expires_at=expiry)
            .execution_options(synchronize_session=False)
        )
        return expiry if res.rowcount == 1 else None


def _drop_claim(draft: Draft) -> None:
    draft.claimed_by, draft.claim_expires_at = None, None


@requires("review.work")
def release_claim(actor: Actor, draft_id: int) -> None:
    """Give the draft back to the queue; refused unless this reviewer holds the claim."""
    with _step(draft_id) as s:
        draft = lock_draft(s, draft_id)
        if not (claim_is_active(draft) and draft.claimed_by == actor.user_id):
            raise InvalidTransition(f"You do not hold the claim on draft {draft_id}; there is nothing to release.")
        _drop_claim(draft)
        move_draft(s, actor, draft, "release_claim")


@requires("review.work")
def save_draft(actor: Actor, draft_id: int, sections: dict[str, str], *, base_version_id: int | None) -> VersionView:
    """Save the reviewer's text as a new version. Needs the claim; refused (ConflictError, with the current text)
    when someone saved since `base_version_id`."""
    cleaned = {k: (v or "").strip() for k, v in sections.items()}
    # Checked before the write step: the checks read the record and the case for tens of milliseconds, which
    # must not hold the draft's lock (on SQLite, the whole database's write lock).
    with session_scope() as s:
        draft = get_draft(s, draft_id)
        checks = check_sections(s, draft.case_id, draft.trial_id, cleaned)
    with _step(draft_id) as s:
        draft = lock_draft(s, draft_id)
        if draft.status not in REVIEWABLE:
            check_draft_step(actor, draft, "save")  # approved, rejected...: it cannot be edited, and says why
        current = s.get(DraftVersion, draft.current_version_id) if draft.current_version_id else None
        if draft.current_version_id != base_version_id:
            raise ConflictError(
                f"Someone saved version {current.number} by {current.author} since you opened this draft. "
                "Nothing was overwritten: compare both texts and save again.",
                current=version_view(current) if current else None,
            )
        _claimed_step(s, actor, draft, "save", "edit")
        version = add_version(
            s, draft, cleaned, author=actor.username, author_kind="user", checks=checks,
            sources=_carry_sources(current, cleaned),
        )
        draft.claim_expires_at = _claim_expiry()
        move_draft(s, actor, draft, "save",
                   before={"version": current.number if current else None, "sections": current.sections if current else None},
                   after={"version": version.number, "sections": cleaned})
        s.flush()  # bumps row_version: a concurrent step on the same row fails here
        return version_view(version)


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
def approve_draft(actor: Actor, draft_id: int, *, version: int, override: CheckOverride | None = None) -> str:
    """Approve the version the reviewer read (its number). Needs the claim; refused when a newer version exists,
    and while a blocking check fails unless overridden with a reason category and a sentence. With a second
    reviewer required, the first approval hands the draft back to the queue for a different reviewer.
    Returns the draft's new status."""
    with _step(draft_id) as s:
        draft = lock_draft(s, draft_id)
        _claimed_step(s, actor, draft, "approve", "approve")
        current = s.get(DraftVersion, draft.current_version_id) if draft.current_version_id else None
        if current is None:
            raise InvalidTransition("There is no text to approve yet.")
        if version != current.number:
            raise ConflictError(
                f"You read version {version}, but version {current.number} by {current.author} is the current text. "
                "Nothing was approved: read the current version, then approve it.",
                current=version_view(current),
            )
        blocking = [c["name"] for c in current.checks if c.get("blocking") and not c.get("passed")]
        if blocking and override is None:
            raise ValidationFailed({
                "override": f"blocking checks fail ({', '.join(blocking)}); fix the text, or override them with a "
                "reason category and a sentence saying why."
            })
        approvals = list(draft.approvals or [])
        if actor.user_id in approvals:
            raise InvalidTransition("You have approved this version already; a second reviewer must approve it.")
        approvals.append(actor.user_id)
        draft.approvals = approvals
        if blocking:
            records = [{"check": name, "category": override.category, "reason": override.reason,  # type: ignore[union-attr]
                        "by": actor.username, "version": current.number} for name in blocking]
            draft.overrides = [o for o in (draft.overrides or []) if o.get("version") == current.number] + records
            draft.override_reason = override.reason  # type: ignore[union-attr]
            record_event(s, actor, "draft.override", "draft", draft_id,
                         after={"checks": blocking, "category": override.category, "version": current.number},  # type: ignore[union-attr]
                         reason=override.reason)  # type: ignore[union-attr]
        needed = 2 if get_settings().second_reviewer_required else 1
        _drop_claim(draft)
        if len(set(approvals)) >= needed:
            draft.approved_at = utcnow()
            move_draft(s, actor, draft, "approve", after={"version": current.number})
        else:
            move_draft(s, actor, draft, "approve_first", after={"version": current.number, "approvals": len(approvals)})
        s.flush()
        return str(draft.status)


@requires("review.work")
def reject_draft(actor: Actor, draft_id: int, reason: str) -> None:
    if not reason.strip():
        raise ValidationFailed({"reason": "say why the draft is rejected."})
    with _step(draft_id) as s:
        draft = lock_draft(s, draft_id)
        _claimed_step(s, actor, draft, "reject", "reject")
        draft.rejected_reason = reason.strip()
        _drop_claim(draft)
        move_draft(s, actor, draft, "reject", reason=reason.strip())


@requires("review.work")
def request_changes(actor: Actor, draft_id: int, feedback: str) -> JobView:
    """Send a draft back with the reviewer's feedback; the redraft job is queued in the same transaction as the
    step (a failure leaves neither), then dispatched at once (by the dispatch policy) and returned, finished when
    it was small enough to run right away."""
    if not feedback.strip():
        raise ValidationFailed({"feedback": "say what should change."})
    require(actor, "draft.create")  # the redraft is drafting: checked before anything is written
    with _step(draft_id) as s:
        draft = lock_draft(s, draft_id)
        _claimed_step(s, actor, draft, "request_changes", "send back")
        draft.feedback, draft.rounds = feedback.strip(), draft.rounds + 1
        _drop_claim(draft)
        move_draft(s, actor, draft, "request_changes", reason=feedback.strip())
        job_id = add_job(s, DRAFT_ONE_JOB, {"draft_id": draft_id, "case_id": draft.case_id},
                         created_by=actor.username, idempotency_key=f"redraft:{draft_id}:r{draft.rounds}")
    return dispatch_job(job_id)


@requires("review.work")
def restore_version(actor: Actor, draft_id: int, version_id: int, *, base_version_id: int | None) -> VersionView:
    """Make an earlier version's text current again, as a new version."""
    with session_scope() as s:
        old = s.get(DraftVersion, version_id)
        if old is None or old.draft_id != draft_id:
            raise ValidationFailed({"version": f"draft {draft_id} has no version {version_id}."})
        sections = dict(old.sections)
        number = old.number
    view = save_draft(actor, draft_id, sections, base_version_id=base_version_id)
    with session_scope() as s:
        record_event(s, actor, "draft.restore", "draft", draft_id, after={"restored": number, "as_version": view.number})
    return view
