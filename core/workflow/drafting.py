"""Drafting as workflow steps: create a case's drafts, run them as a job (offline or LLM), write and check each
version, and move every draft and the case through their statuses."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import record_event
from core.config import get_settings
from core.db import session_scope
from core.domain.statuses import DRAFTABLE, JOB_LIVE, CaseStatus, DraftStatus, MatchStatus
from core.drafting.checking import check_sections
from core.drafting.writers import write_case_overview, write_trial_summary
from core.errors import NotFound, ValidationFailed, WorkbenchError
from core.jobs.dispatch import dispatch_job
from core.jobs.registry import JobContext
from core.jobs.store import STALE_AFTER, JobView, add_job, submit_job
from core.llm import LLMClient, run_concurrently
from core.llm_config import load_llm_settings
from core.models import Draft, Job, Match, utcnow
from core.permissions import Actor, requires
from core.workflow.steps import (
    check_draft_step,
    lock_case,
    lock_draft,
    move_case,
    move_draft,
    settle_drafted_case,
)
from core.workflow.versions import add_version

log = logging.getLogger(__name__)

DRAFT_CASE_JOB = "draft_case"
DRAFT_ONE_JOB = "draft_one"


@requires("draft.create")
def start_drafting(actor: Actor, case_id: int) -> JobView:
    """Create a draft for every selected trial without one, and the case overview; dispatch the drafting job.
    Returns the job (finished when the policy ran it right away)."""
    with session_scope(write=True) as s:
        case = lock_case(s, case_id)
        selected = list(
            s.scalars(select(Match.trial_id).where(Match.case_id == case_id, Match.status == MatchStatus.SELECTED).order_by(Match.rank))
        )
        if not selected:
            raise ValidationFailed({"selection": "select at least one trial on the matching page before drafting."})
        # A rejected draft keeps its slot: it stays out of the report until someone asks to draft it again.
        existing = set(s.scalars(select(Draft.trial_id).where(Draft.case_id == case_id)))
        created = []
        for trial_id in [*selected, None]:
            if trial_id in existing:
                continue
            # The unique idempotency key makes a double click or a rerun create nothing twice.
            key = f"case{case_id}:{'trial' + str(trial_id) if trial_id else 'overview'}:r1"
            if s.scalar(select(Draft.id).where(Draft.idempotency_key == key)):
                continue
            draft = Draft(case_id=case_id, trial_id=trial_id, kind="trial" if trial_id else "case", idempotency_key=key)
            s.add(draft)
            s.flush()
            created.append(draft.id)
        move_case(s, actor, case, "start_drafting", after={"drafts_created": created, "selected": selected})
        pending = sorted(
            d for d in s.scalars(select(Draft.id).where(Draft.case_id == case_id, Draft.status.in_(DRAFTABLE)))
        )
    key = f"draft-case:{case_id}:" + ",".join(map(str, pending))
    job_id = submit_job(DRAFT_CASE_JOB, {"case_id": case_id}, created_by=actor.username, idempotency_key=key)
    return dispatch_job(job_id)


@requires("draft.create")
def redraft(actor: Actor, draft_id: int, round_number: int) -> JobView:
    """Dispatch a new drafting run for one draft (after "request changes" or a failure); the caller took the step."""
    with session_scope() as s:
        draft = s.get(Draft, draft_id)
        if draft is None:
            raise NotFound(f"No draft {draft_id}.")
        case_id = draft.case_id
    job_id = submit_job(
        DRAFT_ONE_JOB,
        {"draft_id": draft_id, "case_id": case_id},
        created_by=actor.username,
        idempotency_key=f"redraft:{draft_id}:r{round_number}",
    )
    return dispatch_job(job_id)


def _queue_redraft(s: Session, actor: Actor, draft: Draft) -> int:
    """Queue the drafting job of one draft in the caller's transaction; a released case goes back to drafting, since
    its report will change."""
    case = lock_case(s, draft.case_id)
    if case.status == CaseStatus.RELEASED:
        move_case(s, actor, case, "start_drafting", after={"redraft": draft.id})
    return add_job(s, DRAFT_ONE_JOB, {"draft_id": draft.id, "case_id": draft.case_id},
                   created_by=actor.username, idempotency_key=f"redraft:{draft.id}:r{draft.rounds}")


@requires("draft.create")
def retry_draft(actor: Actor, draft_id: int) -> JobView:
    """Draft a failed or a rejected draft again ("Retry drafting", "Draft again", `review redraft`), dispatched at
    once. A failed draft is retried. A rejected draft stays rejected, for the record, and out of the report: its
    slot (the case's overview, or its summary of one trial) gets a new draft, which needs its own approval."""
    with session_scope(write=True) as s:
        draft = lock_draft(s, draft_id)
        if draft.status == DraftStatus.REJECTED:
            # The slot's latest draft: a double click makes one new draft, and a new draft rejected in its turn
            # is the one drafted again.
            source, again = draft, None
            while True:
                again = s.scalar(select(Draft).where(Draft.idempotency_key == f"redraft-of:{source.id}"))
                if again is None or again.status != DraftStatus.REJECTED:
                    break
                source = again
            if again is None:
                again = Draft(case_id=draft.case_id, trial_id=draft.trial_id, kind=draft.kind,
                              idempotency_key=f"redraft-of:{source.id}", status=DraftStatus.QUEUED)
                s.add(again)
                s.flush()
                record_event(s, actor, "draft.redraft", "draft", again.id, before={"rejected_draft": source.id},
                             after={"status": again.status})
            job_id = _queue_redraft(s, actor, again)
        else:
            move_draft(s, actor, draft, "retry")
            draft.rounds += 1
            draft.error = None
            job_id = _queue_redraft(s, actor, draft)
    return dispatch_job(job_id)


class EndpointUnreachable(Exception):
    """The LLM endpoint could not be reached while writing a draft; the draft went back to the queue."""


def _still_ours(draft: Draft, run_token: int) -> bool:
    """Whether this drafting run still owns the draft: it is drafting, and no other step touched it since the run
    began (a requeue and a second run move its row version). Compare-and-set: a run that lost the draft writes
    nothing, so a draft is never written twice."""
    return draft.status == DraftStatus.DRAFTING and draft.row_version == run_token


def _settle_case(s: Session, case_id: int) -> None:
    settle_drafted_case(s, lock_case(s, case_id))


def draft_one(draft_id: int) -> str:
    """Write the next version of one draft (offline or LLM) and check it; returns the draft's new status."""
    with session_scope(write=True) as s:
        draft = lock_draft(s, draft_id)
        if draft.status not in DRAFTABLE:
            return draft.status  # already drafted: a rerun of the job must not draft twice
        draft.error = None
        move_draft(s, "system", draft, "begin_drafting")
        s.flush()
        run_token = draft.row_version
    try:
        # Written outside the write transaction: an LLM call takes seconds, and SQLite has one writer at a time.
        with session_scope() as s:
            draft = s.get(Draft, draft_id)
            written = write_trial_summary(s, draft) if draft.kind == "trial" else write_case_overview(s, draft)
            checks = check_sections(s, draft.case_id, draft.trial_id, written.sections)
        with session_scope(write=True) as s:
            draft = lock_draft(s, draft_id)
            if not _still_ours(draft, run_token):
                log.info("draft %s: another run took it over while this one wrote; its text is dropped", draft_id)
                return draft.status
            check_draft_step("system", draft, "finish_drafting")
            add_version(
                s, draft, written.sections, author=written.author, author_kind="model", checks=checks,
                sources=written.sources, note=written.note,
            )
            draft.drafter, draft.model = written.drafter, written.model
            draft.prompt_version_id, draft.prompt_hash = written.prompt_version_id, written.prompt_hash
            draft.input_tokens += written.input_tokens
            draft.output_tokens += written.output_tokens
            draft.cost += written.cost
            draft.latency_s += written.latency_s
            draft.ready_at = utcnow()
            move_draft(s, "system", draft, "finish_drafting", after={"drafter": written.drafter, "model": written.model})
            _settle_case(s, draft.case_id)
            return DraftStatus.READY
    except Exception as exc:
        reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        unreachable = getattr(exc, "kind", None) == "unreachable"
        with session_scope(write=True) as s:
            draft = lock_draft(s, draft_id)
            if not _still_ours(draft, run_token):
                return draft.status  # another run owns the draft now: its outcome is the one that counts
            if unreachable:
                move_draft(s, "system", draft, "requeue_drafting", reason=reason)
            else:
                log.warning("draft %s failed: %s", draft_id, reason)
                draft.error = reason
                move_draft(s, "system", draft, "fail_drafting", reason=reason)
                _settle_case(s, draft.case_id)
        if unreachable:
            raise EndpointUnreachable(reason) from exc
        return DraftStatus.FAILED


def _drafts_of_live_jobs(s: Session, case_id: int, this_job: int) -> set[int] | None:
    """The drafts of this case another live drafting job may be writing now (None: all of them, when another
    drafting job of the whole case is live). A draft of a live job is not interrupted, and must not be requeued."""
    live = s.execute(
        select(Job.id, Job.kind, Job.payload).where(
            Job.kind.in_((DRAFT_CASE_JOB, DRAFT_ONE_JOB)), Job.status.in_(JOB_LIVE), Job.id != this_job,
            Job.heartbeat_at >= utcnow() - STALE_AFTER,
        )
    ).all()
    drafts: set[int] = set()
    for _, kind, payload in live:
        if (payload or {}).get("case_id") != case_id:
            continue
        if kind == DRAFT_CASE_JOB:
            return None
        drafts.add(payload.get("draft_id"))
    return drafts


def _requeue_interrupted_drafts(case_id: int, this_job: int) -> None:
    """Drafts left 'drafting' by a runner that died go back to the queue; a draft another live job is writing is
    left to it."""
    with session_scope(write=True) as s:
        busy = _drafts_of_live_jobs(s, case_id, this_job)
        if busy is None:
            return
        stuck = select(Draft).where(Draft.case_id == case_id, Draft.status == DraftStatus.DRAFTING).with_for_update()
        for draft in s.scalars(stuck):
            if draft.id not in busy:
                move_draft(s, "system", draft, "requeue_drafting", reason="the runner drafting it stopped")


PAUSED_MESSAGE = "Paused: the LLM endpoint is unreachable. Drafts not yet written stay queued; resuming when it is back."


def wait_for_endpoint(ctx: JobContext) -> None:
    """Pause the job until the LLM endpoint answers again (probing it), or give up after LLM_PAUSE_MAX_MINUTES."""
    settings = get_settings()
    ctx.pause(PAUSED_MESSAGE)
    deadline = time.monotonic() + settings.llm_pause_max_minutes * 60
    while time.monotonic() < deadline:
        time.sleep(settings.llm_pause_probe_seconds)
        ctx.check_cancelled()
        check = LLMClient(load_llm_settings()).check_endpoint()
        # Any answer, even one that is not the JSON asked for, means the server is there again.
        if check.ok or check.error_kind not in ("unreachable", "timeout"):
            ctx.resume("The LLM endpoint is back; drafting resumed.")
            return
        ctx.pause(PAUSED_MESSAGE)  # also beats the heartbeat, so the paused job is not taken for dead
    raise WorkbenchError(
        f"The LLM endpoint stayed unreachable for {settings.llm_pause_max_minutes:g} minutes. Nothing was lost: the "
        "drafts not yet written are still queued; start drafting again to resume."
    )


def _draft_until_written(ctx: JobContext, draft_id: int) -> str:
    """Write one draft, waiting out an unreachable endpoint."""
    while True:
        ctx.check_cancelled()
        try:
            return draft_one(draft_id)
        except EndpointUnreachable:
            wait_for_endpoint(ctx)


def run_draft_case(ctx: JobContext) -> dict[str, Any]:
    """The drafting job of a case: trial summaries concurrently, then the overview; then the case is in review."""
    case_id = ctx.payload["case_id"]
    _requeue_interrupted_drafts(case_id, ctx.job_id)
    with session_scope() as s:
        drafts = list(
            s.execute(
                select(Draft.id, Draft.kind).where(Draft.case_id == case_id, Draft.status.in_((DraftStatus.QUEUED, DraftStatus.FAILED)))
            ).all()
        )
    trial_ids = [d for d, kind in drafts if kind == "trial"]
    overview = [d for d, kind in drafts if kind == "case"]
    total = len(drafts)
    ctx.progress(0, total, "Drafting trial summaries")
    statuses: dict[int, str] = {}
    concurrency = max(1, load_llm_settings().concurrency)
    unreachable = threading.Event()

    def work(draft_id: int) -> str:
        ctx.check_cancelled()
        if unreachable.is_set():  # no point calling a server already found gone: leave the draft queued
            raise EndpointUnreachable("skipped while the endpoint is unreachable")
        try:
            return draft_one(draft_id)
        except EndpointUnreachable:
            unreachable.set()
            raise

    def on_progress(_finished: int, _total: int) -> None:
        ctx.progress(len(statuses) + _finished, total, f"Drafted {len(statuses) + _finished} of {total}")

    pending = trial_ids
    while pending:
        results = run_concurrently(work, pending, concurrency, on_progress=on_progress)
        for draft_id, result in zip(pending, results, strict=True):
            if isinstance(result, EndpointUnreachable):
                continue
            if isinstance(result, BaseException):
                raise result
            statuses[draft_id] = result
        pending = [d for d in pending if d not in statuses]
        if pending:
            wait_for_endpoint(ctx)
            unreachable.clear()
    # The overview is written last: it summarises the trial drafts.
    for draft_id in overview:
        statuses[draft_id] = _draft_until_written(ctx, draft_id)
        ctx.progress(len(statuses), total, "Drafted the case overview")
    with session_scope(write=True) as s:
        _settle_case(s, case_id)
    failed = [d for d, st in statuses.items() if st == DraftStatus.FAILED]
    return {"drafted": len(statuses) - len(failed), "failed": failed}


def run_draft_one(ctx: JobContext) -> dict[str, Any]:
    """The job of one redraft (after "request changes" or a retry)."""
    ctx.progress(0, 1, "Drafting")
    status = _draft_until_written(ctx, ctx.payload["draft_id"])
    ctx.progress(1, 1, f"Draft {status}")
    return {"status": status}


def drafting_is_small(payload: dict[str, Any]) -> bool:
    """The offline drafter writes a draft in milliseconds: no job panel needed. An LLM takes seconds per draft."""
    return not load_llm_settings().is_configured
