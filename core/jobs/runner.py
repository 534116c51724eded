"""Running one job to its end: claim it atomically, call its registered handler, record the outcome of that attempt."""

from __future__ import annotations

import logging
import os
import socket
import traceback
from typing import Any

from sqlalchemy import select, update

from core.db import session_scope
from core.domain.statuses import JOB_LIVE, JobStatus
from core.errors import WorkbenchError
from core.jobs.registry import JobCancelled, JobContext, job_kind
from core.jobs.store import JobView, get_job
from core.models import Job, utcnow

log = logging.getLogger(__name__)


def thread_identity() -> str:
    """Who runs a job on a thread of this process, as written into the job row."""
    return f"thread:{socket.gethostname()}:{os.getpid()}"


def claim_job(job_id: int, runner: str) -> int | None:
    """Move a job from queued to running in one conditional UPDATE, so only one runner gets it; returns the attempt."""
    now = utcnow()
    with session_scope() as s:
        res = s.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
            .values(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=Job.attempts + 1, runner=runner)
        )
        if res.rowcount != 1:
            return None
        return s.scalar(select(Job.attempts).where(Job.id == job_id))


def run_job(job_id: int, *, runner: str | None = None) -> JobView:
    """Run a queued job to the end in this thread (inline dispatch, the thread runner and workers all use this)."""
    attempt = claim_job(job_id, runner or thread_identity())
    if attempt is not None:
        with session_scope() as s:
            job = s.get(Job, job_id)
            kind, payload = job.kind, dict(job.payload)
        ctx = JobContext(job_id, payload)
        try:
            result = job_kind(kind).handler(ctx) or {}
            finish_attempt(job_id, attempt, JobStatus.DONE, result=result)
        except JobCancelled:
            finish_attempt(job_id, attempt, JobStatus.CANCELLED, message="Cancelled by the user.")
        except WorkbenchError as exc:
            finish_attempt(job_id, attempt, JobStatus.FAILED, error=str(exc))
        except Exception as exc:  # a job must never take the process down with it
            log.error("job %s (%s) failed:\n%s", job_id, kind, traceback.format_exc())
            finish_attempt(job_id, attempt, JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
    return get_job(job_id)


def finish_attempt(job_id: int, attempt: int, status: JobStatus, *, result: dict[str, Any] | None = None,
                   error: str | None = None, message: str = "") -> None:
    """Record the end of one attempt; an attempt that was given up on (and retried elsewhere) records nothing."""
    with session_scope() as s:
        values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "result": result, "error": error}
        if message:
            values["message"] = message
        res = s.execute(
            update(Job)
            .where(Job.id == job_id, Job.attempts == attempt, Job.status.in_(JOB_LIVE))
            .values(**values)
        )
        if res.rowcount != 1:
            log.warning("job %s: attempt %s ended after it was taken over; its outcome is dropped", job_id, attempt)
