"""Drafting as a service: create drafts for a case's selected trials and overview, run them as a job, check them."""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import record_event
from core.cases import get_case_facts, get_personal_data
from core.catalogue.records import NormalizedTrial, Site
from core.db import session_scope
from core.errors import NotFound, ValidationFailed, WorkbenchError
from core.jobs import JobContext, register_handler, submit_job
from core.matching.case_facts import CaseFacts
from core.matching.geo import haversine_km, is_site_open
from core.matching.verdicts import CriterionVerdict
from core.models import AppSetting, Case, Draft, Match, Trial, utcnow
from core.permissions import Actor, requires

log = logging.getLogger(__name__)
NEAREST_SITES_SHOWN = 3


def load_checks_config(s: Session):  # noqa: ANN201
    """The admin's choice of blocking checks (AppSetting 'checks'), as a ChecksConfig."""
    from core.drafting.checks import ChecksConfig

    row = s.get(AppSetting, "checks")
    return ChecksConfig(**row.value) if row else ChecksConfig()


def nearest_open_sites(trial: NormalizedTrial, facts: CaseFacts, limit: int = NEAREST_SITES_SHOWN) -> list[tuple[Site, float | None]]:
    """The open sites nearest to the case (all open sites, unsorted distance None, when the location is unknown)."""
    open_sites = [site for site in trial.sites if is_site_open(site, trial.overall_status)]
    if facts.latitude is None or facts.longitude is None:
        return [(site, None) for site in open_sites[:limit]]
    with_distance = [
        (site, haversine_km(facts.latitude, facts.longitude, site.latitude, site.longitude))
        for site in open_sites
        if site.latitude is not None and site.longitude is not None
    ]
    with_distance.sort(key=lambda pair: pair[1])
    return with_distance[:limit]  # type: ignore[return-value]


def load_match_verdicts(s: Session, case_id: int, trial_id: int) -> list[CriterionVerdict]:
    """The stored criterion verdicts of a case's match with a trial (empty when it was never matched)."""
    match = s.scalar(select(Match).where(Match.case_id == case_id, Match.trial_id == trial_id))
    if match is None:
        return []
    return [
        CriterionVerdict(
            kind=v.kind,  # type: ignore[arg-type]
            position=v.position,
            criterion_text=v.criterion_text,
            verdict=v.verdict,  # type: ignore[arg-type]
            evidence_sentences=list(v.evidence or []),
            source=v.source,  # type: ignore[arg-type]
            explanation=v.explanation,
        )
        for v in match.verdicts
    ]


def check_draft_sections(s: Session, draft: Draft, sections: dict[str, str]) -> list[dict[str, Any]]:
    """Run every automatic check on a draft's text; results are stored with the version."""
    return check_sections(s, draft.case_id, draft.trial_id, sections)


def check_sections(s: Session, case_id: int, trial_id: int | None, sections: dict[str, str]) -> list[dict[str, Any]]:
    """Run every automatic check on text written for a case's trial (or its overview when trial_id is None)."""
    from core.drafting.checks import run_checks
    from core.drafting.context import grounding_context_for_sites

    facts = get_case_facts(case_id, s)
    trial = None
    context: list[str] = []
    if trial_id:
        trial = NormalizedTrial.model_validate(s.get(Trial, trial_id).record)
        context = grounding_context_for_sites([d for _, d in nearest_open_sites(trial, facts)])
    else:
        from core.drafting.context import context_texts_for_options
        from core.drafting.writers import option_summaries

        context = context_texts_for_options(option_summaries(s, case_id))
    results = run_checks(
        sections,
        kind="trial" if trial_id else "case",
        trial=trial,
        facts=facts,
        personal_data=get_personal_data(case_id, s),
        context_texts=context,
        config=load_checks_config(s),
    )
    return [r.model_dump(mode="json") for r in results]


@requires("draft.create")
def start_drafting(actor: Actor, case_id: int) -> int:
    """Create a draft for every selected trial without one, and the case overview; queue the drafting job."""
    with session_scope() as s:
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(f"No case with id {case_id}.")
        selected = list(
            s.scalars(select(Match.trial_id).where(Match.case_id == case_id, Match.status == "selected").order_by(Match.rank))
        )
        if not selected:
            raise ValidationFailed({"selection": "select at least one trial on the matching page before drafting."})
        existing = {
            d.trial_id: d for d in s.scalars(select(Draft).where(Draft.case_id == case_id, Draft.status != "rejected"))
        }
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
        case.status = "drafting"
        record_event(s, actor, "draft.start", "case", case_id, after={"drafts_created": created, "selected": selected})
        pending = sorted(
            d for d in s.scalars(select(Draft.id).where(Draft.case_id == case_id, Draft.status.in_(("queued", "failed"))))
        )
    key = f"draft-case:{case_id}:" + ",".join(map(str, pending))
    return submit_job("draft_case", {"case_id": case_id}, created_by=actor.username, idempotency_key=key)


def submit_redraft(actor: Actor, draft_id: int, round_number: int) -> int:
    """Queue a new drafting run for one draft (after 'request changes' or a failure)."""
    with session_scope() as s:
        draft = s.get(Draft, draft_id)
        if draft is None:
            raise NotFound(f"No draft {draft_id}.")
        case_id = draft.case_id
    return submit_job(
        "draft_one",
        {"draft_id": draft_id, "case_id": case_id},
        created_by=actor.username,
        idempotency_key=f"redraft:{draft_id}:r{round_number}",
    )


@requires("draft.create")
def retry_draft(actor: Actor, draft_id: int) -> int:
    """Retry a failed draft."""
    with session_scope() as s:
        draft = s.get(Draft, draft_id)
        if draft is None or draft.status != "failed":
            raise ValidationFailed({"draft": "only a failed draft can be retried."})
        draft.status = "queued"
        draft.rounds += 1
        record_event(s, actor, "draft.retry", "draft", draft_id)
        rounds = draft.rounds
    return submit_redraft(actor, draft_id, rounds)


def draft_one(draft_id: int) -> str:
    """Write the next version of one draft (offline or LLM) and check it; returns the draft's new status."""
    from core.drafting.writers import write_case_overview, write_trial_summary

    with session_scope() as s:
        draft = s.get(Draft, draft_id)
        if draft is None:
            raise NotFound(f"No draft {draft_id}.")
        if draft.status not in ("queued", "failed", "changes_requested"):
            return draft.status  # already drafted: a rerun of the job must not draft twice
        draft.status, draft.error = "drafting", None
    try:
        with session_scope() as s:
            draft = s.get(Draft, draft_id)
            if draft.kind == "trial":
                written = write_trial_summary(s, draft)
            else:
                written = write_case_overview(s, draft)
            from core.review import add_version

            checks = check_draft_sections(s, draft, written.sections)
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
            draft.status, draft.ready_at = "ready", utcnow()
            record_event(s, "system", "draft.write", "draft", draft_id, after={"drafter": written.drafter, "model": written.model})
            return "ready"
    except Exception as exc:
        if getattr(exc, "kind", None) == "unreachable":
            _requeue_draft(draft_id, getattr(exc, "message", str(exc)))
            raise EndpointUnreachable(getattr(exc, "message", str(exc))) from exc
        reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        log.warning("draft %s failed: %s", draft_id, reason)
        with session_scope() as s:
            draft = s.get(Draft, draft_id)
            draft.status, draft.error = "failed", reason
            record_event(s, "system", "draft.fail", "draft", draft_id, reason=reason)
        return "failed"


class EndpointUnreachable(Exception):
    """The LLM endpoint could not be reached while writing a draft; the draft went back to the queue."""


def _requeue_draft(draft_id: int, reason: str) -> None:
    with session_scope() as s:
        draft = s.get(Draft, draft_id)
        draft.status, draft.error = "queued", None
        record_event(s, "system", "draft.requeue", "draft", draft_id, reason=reason)


def _requeue_interrupted_drafts(case_id: int) -> None:
    """Drafts left 'drafting' by a runner that died go back to the queue (this job is their only writer)."""
    with session_scope() as s:
        for draft in s.scalars(select(Draft).where(Draft.case_id == case_id, Draft.status == "drafting")):
            draft.status = "queued"


PAUSED_MESSAGE = "Paused: the LLM endpoint is unreachable. Drafts not yet written stay queued; resuming when it is back."


def wait_for_endpoint(ctx: JobContext) -> None:
    """Pause the job until the LLM endpoint answers again (probing it), or give up after LLM_PAUSE_MAX_MINUTES."""
    import time

    from core.config import get_settings
    from core.llm import LLMClient
    from core.llm_config import load_llm_settings

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


@register_handler("draft_case")
def _run_draft_case(ctx: JobContext) -> dict[str, Any]:
    from core.llm import run_concurrently
    from core.llm_config import load_llm_settings

    case_id = ctx.payload["case_id"]
    _requeue_interrupted_drafts(case_id)
    with session_scope() as s:
        drafts = list(
            s.execute(
                select(Draft.id, Draft.kind).where(Draft.case_id == case_id, Draft.status.in_(("queued", "failed")))
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
    with session_scope() as s:
        case = s.get(Case, case_id)
        case.status = "in_review"
    failed = [d for d, st in statuses.items() if st == "failed"]
    return {"drafted": len(statuses) - len(failed), "failed": failed}


@register_handler("draft_one")
def _run_draft_one(ctx: JobContext) -> dict[str, Any]:
    ctx.progress(0, 1, "Drafting")
    status = _draft_until_written(ctx, ctx.payload["draft_id"])
    ctx.progress(1, 1, f"Draft {status}")
    return {"status": status}
