"""Persisted jobs for long work (imports, matching, drafting batches): submit, read, cancel, and recover after a crash."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.audit import record_event
from core.db import session_scope
from core.domain.statuses import JOB_FINISHED, JOB_LIVE, JobStatus
from core.errors import NotFound, PermissionDenied
from core.models import Job, utcnow
from core.permissions import Actor, requires

# A running job whose heartbeat is older than this is taken to have died with its process.
STALE_AFTER = timedelta(minutes=2)
MAX_ATTEMPTS = 2


class JobView(BaseModel):
    id: int
    kind: str
    payload: dict[str, Any] = {}
    status: str
    progress_done: int
    progress_total: int | None
    message: str
    error: str | None
    result: dict[str, Any] | None
    attempts: int
    runner: str | None = None
    created_by: str = "system"

    @property
    def fraction(self) -> float:
        if not self.progress_total:
            return 0.0 if self.status != JobStatus.DONE else 1.0
        return min(1.0, self.progress_done / self.progress_total)

    @property
    def finished(self) -> bool:
        return self.status in JOB_FINISHED


def add_job(s: Session, kind: str, payload: dict[str, Any], *, created_by: str, idempotency_key: str | None = None) -> int:
    """Queue a job in the caller's transaction, so the step that asks for it and the job commit together or not at
    all; while one with the same idempotency key is queued or running, return that one instead. (A concurrent
    insert of the same key fails the caller's transaction with IntegrityError.)"""
    if idempotency_key:
        existing = s.scalar(select(Job).where(Job.idempotency_key == idempotency_key))
        if existing and existing.status not in JOB_FINISHED:
            return existing.id
        if existing:
            existing.idempotency_key = None  # a finished job may be run again
            s.flush()
    job = Job(kind=kind, payload=payload, created_by=created_by, idempotency_key=idempotency_key)
    s.add(job)
    s.flush()
    return job.id


def submit_job(kind: str, payload: dict[str, Any], *, created_by: str, idempotency_key: str | None = None) -> int:
    """Queue a job; while one with the same idempotency key is queued or running, return that one instead."""
    with session_scope() as s:
        if idempotency_key:
            existing = s.scalar(select(Job).where(Job.idempotency_key == idempotency_key))
            if existing and existing.status not in JOB_FINISHED:
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


@requires("job.cancel")
def cancel_job(actor: Actor, job_id: int) -> JobView:
    """Ask a job to stop at its next progress point; a queued job is cancelled at once. Only its starter or an admin."""
    with session_scope() as s:
        job = s.get(Job, job_id)
        if job is None:
            raise NotFound(f"No job {job_id}.")
        if job.created_by != actor.username and "admin" not in actor.roles:
            raise PermissionDenied(f"{actor.username} may not cancel job {job_id}: it was started by {job.created_by}.")
        before = job.status
        if job.status not in JOB_FINISHED:
            job.cancel_requested = True
            if job.status == JobStatus.QUEUED:
                job.status, job.finished_at = JobStatus.CANCELLED, utcnow()
        record_event(s, actor, "job.cancel", "job", job_id, before={"status": before}, after={"status": job.status})
        s.flush()
        return JobView.model_validate(job, from_attributes=True)


def reclaim_orphaned_job(job_id: int) -> bool:
    """A job left running by a process that died is queued again if it has an attempt left (True), else failed."""
    with session_scope() as s:
        live = (Job.id == job_id, Job.status.in_(JOB_LIVE))
        requeued = s.execute(
            update(Job)
            .where(*live, Job.attempts < MAX_ATTEMPTS)
            .values(status=JobStatus.QUEUED, message="Resumed after the process running it stopped.")
        ).rowcount == 1
        s.execute(
            update(Job)
            .where(*live, Job.attempts >= MAX_ATTEMPTS)
            .values(status=JobStatus.FAILED, error="Stopped twice while running; not retried.", finished_at=utcnow())
        )
        return requeued


def requeue_stale_jobs() -> list[int]:
    """After a restart: running jobs with a stale heartbeat are queued again once, then failed."""
    cutoff = utcnow() - STALE_AFTER
    with session_scope() as s:
        stale = list(s.scalars(select(Job.id).where(
            Job.status.in_(JOB_LIVE), or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < cutoff)
        )))
    return [job_id for job_id in stale if reclaim_orphaned_job(job_id)]


def queued_job_ids() -> list[int]:
    """Every queued job, oldest first."""
    with session_scope() as s:
        return list(s.scalars(select(Job.id).where(Job.status == JobStatus.QUEUED).order_by(Job.id)))


def next_queued_job() -> int | None:
    with session_scope() as s:
        return s.scalar(select(Job.id).where(Job.status == JobStatus.QUEUED).order_by(Job.id).limit(1))
