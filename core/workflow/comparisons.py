"""Prompt comparisons as jobs: store the comparison, run both sides of every item, follow its progress."""

from __future__ import annotations

from typing import Any

from core.jobs.dispatch import dispatch_job
from core.jobs.registry import JobContext
from core.jobs.store import submit_job
from core.permissions import Actor, requires
from core.prompt_lab.comparison_run import run_comparison
from core.prompt_lab.comparisons import (
    ComparisonRequest,
    StartedComparison,
    attach_comparison_job,
    create_comparison,
)

COMPARISON_JOB = "prompt_comparison"


@requires("comparison.run")
def start_comparison(actor: Actor, request: ComparisonRequest) -> StartedComparison:
    """Store a comparison and dispatch the job that writes both sides of every item."""
    comparison_id = create_comparison(actor, request)
    job_id = submit_job(COMPARISON_JOB, {"comparison_id": comparison_id}, created_by=actor.username,
                        idempotency_key=f"comparison:{comparison_id}")
    attach_comparison_job(comparison_id, job_id)
    dispatch_job(job_id)
    return StartedComparison(comparison_id=comparison_id, job_id=job_id)


def run_comparison_job(ctx: JobContext) -> dict[str, Any]:
    return run_comparison(ctx.payload["comparison_id"], progress=ctx.progress, check_cancelled=ctx.check_cancelled)
