"""Persisted jobs for long work (imports, matching, drafting batches): progress, cancel, resume, idempotency."""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from core.config import get_settings
from core.db import session_scope
from core.errors import ConfigurationError, NotFound, WorkbenchError
from core.models import Job, utcnow
from core.permissions import Actor, requires

log = logging.getLogger(__name__)

# A running job whose heartbeat is older than this is taken to have died with its process.
STALE_AFTER = timedelta(minutes=2)
MAX_ATTEMPTS = 2


class JobCancelled(Exception):
    """Raised inside a handler when the user asked to cancel."""


class JobView(BaseModel):
    id: int
    kind: str
    status: str
    progress_done: int
    progress_total: int | None
    message: str
    error: str | None
    result: dict[str, Any] | None
    attempts: int
    runner: str | None = None

    @property
    def fraction(self) -> float:
        if not self.progress_total:
            return 0.0 if self.status != "done" else 1.0
        return min(1.0, self.progress_done / self.progress_total)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed", "cancelled")


class JobContext:
    """Given to a handler: report progress (which also beats the heartbeat) and learn about cancellation."""

    def __init__(self, job_id: int, payload: dict[str, Any]):
        self.job_id = job_id
        self.payload = payload

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        with session_scope() as s:
            values: dict[str, Any] = {"progress_done": done, "heartbeat_at": utcnow()}
            if total is not None:
                values["progress_total"] = total
            if message:
                values["message"] = message
            s.execute(update(Job).where(Job.id == self.job_id).values(**values))

    def pause(self, message: str) -> None:
        """Show the job as paused (it keeps its claim and heartbeat while it waits to go on)."""
        with session_scope() as s:
            s.execute(
                update(Job).where(Job.id == self.job_id).values(status="paused", message=message, heartbeat_at=utcnow())
            )

    def resume(self, message: str) -> None:
        """Back to running after a pause."""
        with session_scope() as s:
            s.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.status == "paused")
                .values(status="running", message=message, heartbeat_at=utcnow())
            )

    def cancelled(self) -> bool:
        with session_scope() as s:
            return bool(s.scalar(select(Job.cancel_requested).where(Job.id == self.job_id)))

    def check_cancelled(self) -> None:
        if self.cancelled():
            raise JobCancelled()


Handler = Callable[[JobContext], dict[str, Any] | None]
_HANDLERS: dict[str, Handler] = {}


def register_handler(kind: str) -> Callable[[Handler], Handler]:
    def wrap(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return wrap


def load_job_handlers() -> None:
    """Import every module that registers a job handler (a worker process runs any kind of job)."""
    import core.catalogue.importer  # noqa: F401
    import core.comparison_run  # noqa: F401
    import core.drafting.service  # noqa: F401
    import core.matching.embeddings  # noqa: F401
    import core.matching.service  # noqa: F401


def submit_job(kind: str, payload: dict[str, Any], *, created_by: str, idempotency_key: str | None = None) -> int:
    """Queue a job; while one with the same idempotency key is queued or running, return that one instead."""
    with session_scope() as s:
        if idempotency_key:
            existing = s.scalar(select(Job).where(Job.idempotency_key == idempotency_key))
            if existing and existing.status in ("queued", "running"):
                return existing.id  # a double click or a rerun joins the job already under way
            if existing:
                existing.idempotency_key = None  # a finished job may be run again
                s.flush()
        job = Job(kind=kind, payload=payload, created_by=created_by, idempotency_key=idempotency_key)
        s.add(job)
        try:
            s.flush()
        except IntegrityError:
            s.rollback()
            return s.scalar(select(Job.id).where(Job.idempotency_key == idempotency_key))  # type: ignore[return-value]
        return job.id


def thread_identity() -> str:
    """Who runs a job on a thread of this process, as written into the job row."""
    return f"thread:{socket.gethostname()}:{os.getpid()}"


def _claim(job_id: int, runner: str) -> int | None:
    """Move a job from queued to running in one conditional UPDATE, so only one runner gets it; returns the attempt."""
    now = utcnow()
    with session_scope() as s:
        res = s.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(status="running", started_at=now, heartbeat_at=now, attempts=Job.attempts + 1, runner=runner)
        )
        if res.rowcount != 1:
            return None
        return s.scalar(select(Job.attempts).where(Job.id == job_id))


def run_job(job_id: int, *, runner: str | None = None) -> JobView:
    """Run a queued job to the end in this thread (the CLI, the in-process runner and workers all use this)."""
    attempt = _claim(job_id, runner or thread_identity())
    if attempt is not None:
        with session_scope() as s:
            job = s.get(Job, job_id)
            kind, payload = job.kind, dict(job.payload)
        ctx = JobContext(job_id, payload)
        try:
            handler = _HANDLERS[kind]
            result = handler(ctx) or {}
            _finish(job_id, attempt, "done", result=result)
        except JobCancelled:
            _finish(job_id, attempt, "cancelled", message="Cancelled by the user.")
        except WorkbenchError as exc:
            _finish(job_id, attempt, "failed", error=str(exc))
        except Exception as exc:  # a job must never take the process down with it
            log.error("job %s (%s) failed:\n%s", job_id, kind, traceback.format_exc())
            _finish(job_id, attempt, "failed", error=f"{type(exc).__name__}: {exc}")
    return get_job(job_id)


def _finish(job_id: int, attempt: int, status: str, *, result: dict | None = None, error: str | None = None,
            message: str = "") -> None:
    """Record the end of one attempt; an attempt that was given up on (and retried elsewhere) records nothing."""
    with session_scope() as s:
        values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "result": result, "error": error}
        if message:
            values["message"] = message
        res = s.execute(
            update(Job)
            .where(Job.id == job_id, Job.attempts == attempt, Job.status.in_(("running", "paused")))
            .values(**values)
        )
        if res.rowcount != 1:
            log.warning("job %s: attempt %s ended after it was taken over; its outcome is dropped", job_id, attempt)


def reclaim_orphaned_job(job_id: int) -> bool:
    """A job left running by a process that died is queued again if it has an attempt left (True), else failed."""
    with session_scope() as s:
        live = (Job.id == job_id, Job.status.in_(("running", "paused")))
        requeued = s.execute(
            update(Job)
            .where(*live, Job.attempts < MAX_ATTEMPTS)
            .values(status="queued", message="Resumed after the process running it stopped.")
        ).rowcount == 1
        s.execute(
            update(Job)
            .where(*live, Job.attempts >= MAX_ATTEMPTS)
            .values(status="failed", error="Stopped twice while running; not retried.", finished_at=utcnow())
        )
        return requeued


def dispatch_job(job_id: int, *, inline: bool = False) -> JobView | None:
    """Hand a submitted job to its runner: the worker queue (JOB_RUNNER=worker), this call (`inline`), or a thread.

    Returns the finished job when it ran inline, else None (the page then follows its progress).
    """
    settings = get_settings()
    if settings.job_runner == "worker":
        from core.task_queue import defer_job, is_postgres

        if not is_postgres(settings.resolved_database_url):
            raise ConfigurationError("JOB_RUNNER=worker needs a PostgreSQL DATABASE_URL; use JOB_RUNNER=thread.")
        defer_job(job_id)
        return None
    if inline:
        return run_job(job_id)
    start_job_in_background(job_id)
    return None


def start_job_in_background(job_id: int) -> threading.Thread:
    """Run a job on a daemon thread of this process (the embedded default; a team uses workers)."""
    thread = threading.Thread(target=run_job, args=(job_id,), name=f"job-{job_id}", daemon=True)
    thread.start()
    return thread


def get_job(job_id: int) -> JobView:
    with session_scope() as s:
        job = s.get(Job, job_id)
        if job is None:
            raise NotFound(f"No job {job_id}.")
        return JobView.model_validate(job, from_attributes=True)


@requires("job.view")
def list_jobs(actor: Actor, *, kind: str | None = None, limit: int = 50) -> list[JobView]:
    stmt = select(Job).order_by(Job.id.desc()).limit(limit)
    if kind:
        stmt = stmt.where(Job.kind == kind)
    with session_scope() as s:
        return [JobView.model_validate(j, from_attributes=True) for j in s.scalars(stmt)]


@requires("job.view")
def cancel_job(actor: Actor, job_id: int) -> None:
    """Ask a job to stop at its next progress point; a queued job is cancelled at once."""
    with session_scope() as s:
        s.execute(update(Job).where(Job.id == job_id).values(cancel_requested=True))
        s.execute(
            update(Job).where(Job.id == job_id, Job.status == "queued").values(status="cancelled", finished_at=utcnow())
        )


def requeue_stale_jobs() -> list[int]:
    """After a restart: running jobs with a stale heartbeat are queued again once, then failed."""
    cutoff = utcnow() - STALE_AFTER
    with session_scope() as s:
        stale = list(s.scalars(select(Job.id).where(
            Job.status.in_(("running", "paused")), or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < cutoff)
        )))
    return [job_id for job_id in stale if reclaim_orphaned_job(job_id)]


def queued_job_ids() -> list[int]:
    """Every queued job, oldest first."""
    with session_scope() as s:
        return list(s.scalars(select(Job.id).where(Job.status == "queued").order_by(Job.id)))


def next_queued_job() -> int | None:
    with session_scope() as s:
        return s.scalar(select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(1))
