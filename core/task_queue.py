"""The task queue of a team set-up: procrastinate on PostgreSQL runs jobs; the `Job` row stays the truth."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from functools import lru_cache

import procrastinate

from core.config import get_settings

log = logging.getLogger(__name__)

RUN_JOB_TASK = "workbench.run_job"


def is_postgres(url: str) -> bool:
    """True for a PostgreSQL SQLAlchemy URL (the only database procrastinate runs on)."""
    return url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://"))


def queue_conninfo(url: str) -> str:
    """The libpq URI psycopg wants for our SQLAlchemy URL (same host, database and search_path)."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def worker_identity() -> str:
    """Which worker process this is, as written into the job rows it runs."""
    return f"worker:{socket.gethostname()}:{os.getpid()}"


def _run_job_task(context: procrastinate.JobContext, job_id: int) -> str:
    from core.jobs import reclaim_orphaned_job, run_job

    if context.job.attempts > 0:
        # procrastinate retries a task only when the worker running it stopped heart-beating:
        # the job row that worker left "running" is orphaned and is queued again (once).
        reclaim_orphaned_job(job_id)
    return run_job(job_id, runner=worker_identity()).status


@lru_cache(maxsize=4)
def queue_app(url: str) -> procrastinate.App:
    """The procrastinate app on this database (one per process and URL), with our one task registered."""
    # A small pool: each app instance only defers, and each worker runs one job at a time.
    connector = procrastinate.PsycopgConnector(conninfo=queue_conninfo(url), min_size=1, max_size=4)
    app = procrastinate.App(connector=connector)
    app.task(name=RUN_JOB_TASK, pass_context=True)(_run_job_task)
    return app


# Apps opened (synchronously) in this process for deferring, by URL, so they can be closed again.
_opened: dict[str, procrastinate.App] = {}


def defer_job(job_id: int, url: str | None = None) -> int:
    """Put a procrastinate task carrying `job_id` on the queue; returns the queue's own job id."""
    url = url or get_settings().resolved_database_url
    if url not in _opened:
        _opened[url] = queue_app(url).open()
    return _opened[url].tasks[RUN_JOB_TASK].defer(job_id=job_id)


def close_queue() -> None:
    """Close the pools opened for deferring (tests and shutdown)."""
    while _opened:
        _opened.popitem()[1].close()


def _jobs_with_a_task(url: str) -> set[int]:
    """Job ids that already have a task waiting or running on the queue."""
    from sqlalchemy import text

    from core.db import session_scope

    with session_scope(url) as s:
        rows = s.execute(
            text("SELECT args->>'job_id' FROM procrastinate_jobs WHERE task_name = :task AND status IN ('todo', 'doing')"),
            {"task": RUN_JOB_TASK},
        )
        return {int(job_id) for (job_id,) in rows}


FINISHED_TASKS_KEPT_HOURS = 24 * 7  # the Job rows keep the history; the queue's own rows only help debugging


async def _retry_stalled_jobs(app: procrastinate.App, *, every_s: float, stalled_after_s: float) -> None:
    """Put the tasks of workers that stopped heart-beating (killed, crashed, cut off) back on the queue,
    and drop the queue's finished task rows after a week so the table does not grow without end."""
    last_cleanup = 0.0
    while True:
        try:
            for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after_s):
                log.warning("task %s (job %s) was running on a worker that stopped; retrying it", job.id, job.task_kwargs)
                await app.job_manager.retry_job(job)
            if time.monotonic() - last_cleanup > 3600:
                await app.job_manager.delete_old_jobs(
                    FINISHED_TASKS_KEPT_HOURS, include_failed=True, include_cancelled=True, include_aborted=True
                )
                last_cleanup = time.monotonic()
        except Exception:  # the recovery loop must outlive a lost connection
            log.exception("could not look for stalled tasks")
        await asyncio.sleep(every_s)


async def _work(url: str, *, wait: bool) -> None:
    from core.jobs import queued_job_ids

    settings = get_settings()
    app = queue_app(url)
    async with app.open_async():
        # Jobs queued while no task could be deferred (or left by an in-thread runner) get a task now.
        for job_id in sorted(set(queued_job_ids()) - _jobs_with_a_task(url)):
            await app.tasks[RUN_JOB_TASK].defer_async(job_id=job_id)
        recovery = asyncio.create_task(
            _retry_stalled_jobs(
                app, every_s=settings.worker_heartbeat_seconds, stalled_after_s=settings.worker_stalled_after_seconds
            )
        )
        try:
            await app.run_worker_async(
                name=worker_identity(),
                concurrency=1,
                wait=wait,
                update_heartbeat_interval=settings.worker_heartbeat_seconds,
                stalled_worker_timeout=settings.worker_stalled_after_seconds,
                fetch_job_polling_interval=settings.worker_heartbeat_seconds,
            )
        finally:
            recovery.cancel()


def run_queue_worker(url: str, *, once: bool = False) -> int:
    """Run the procrastinate worker until stopped (SIGINT/SIGTERM), or until the queue is empty with `once`."""
    from core.jobs import load_job_handlers

    load_job_handlers()
    asyncio.run(_work(url, wait=not once))
    return 0
