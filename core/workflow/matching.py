"""Matching as a workflow step: run the matcher for a case as a job, and move a new case to "matched"."""

from __future__ import annotations

from typing import Any

from core.audit import record_event
from core.db import session_scope
from core.domain.statuses import CaseStatus
from core.jobs.dispatch import dispatch_job
from core.jobs.registry import JobContext
from core.jobs.store import JobView, submit_job
from core.llm_config import load_llm_settings
from core.matching.service import catalogue_fingerprint, catalogue_size, match_case
from core.permissions import Actor, requires
from core.workflow.steps import lock_case, move_case

MATCH_JOB = "match_case"
# Below this many trials matching takes about a second offline: the request waits rather than showing a job panel.
SMALL_CATALOGUE = 20_000


@requires("match.run")
def start_matching(actor: Actor, case_id: int) -> JobView:
    """Match a case as a job (dispatched by the policy); a repeated request on an unchanged case and catalogue joins
    the job already under way."""
    with session_scope() as s:
        case = lock_case(s, case_id)
        record_event(s, actor, "match.start", "case", case_id)
        key = f"match:{case_id}:{case.updated_at.isoformat()}:{catalogue_fingerprint(s)}"
    job_id = submit_job(MATCH_JOB, {"case_id": case_id}, created_by=actor.username, idempotency_key=key)
    return dispatch_job(job_id)


def run_match_case(ctx: JobContext) -> dict[str, Any]:
    """The matching job: rank and assess, store the list, and a new case becomes "matched"."""
    case_id = ctx.payload["case_id"]
    result = match_case(case_id, on_progress=lambda d, t, m: ctx.progress(d, t, m))
    with session_scope(write=True) as s:
        case = lock_case(s, case_id)
        if case.status == CaseStatus.OPEN:  # a case further along keeps its status when matched again
            move_case(s, "system", case, "matched", after={"candidates": result["candidates"]})
    return result


def matching_is_small(payload: dict[str, Any]) -> bool:
    """Offline and on a small catalogue, matching answers within the request."""
    return not load_llm_settings().is_configured and catalogue_size() < SMALL_CATALOGUE
