"""A worker process that runs queued jobs (`python -m core worker`): the task queue on PostgreSQL, polling on SQLite."""

from __future__ import annotations

import logging
import time

from core.config import get_settings
from core.jobs.runner import run_job
from core.jobs.store import next_queued_job, requeue_stale_jobs
from core.jobs.task_queue import is_postgres, run_queue_worker

log = logging.getLogger(__name__)


def run_worker(*, once: bool = False, poll_seconds: float = 1.0) -> int:
    """On PostgreSQL run the procrastinate worker; on the embedded SQLite database, a small polling loop.
    The caller has registered the job handlers."""
    url = get_settings().resolved_database_url
    if is_postgres(url):
        return run_queue_worker(url, once=once)
    return run_polling_worker(once=once, poll_seconds=poll_seconds)


def run_polling_worker(*, once: bool = False, poll_seconds: float = 1.0) -> int:
    """Claim and run queued jobs one at a time; several can run side by side (claims are atomic)."""
    requeue_stale_jobs()
    while True:
        job_id = next_queued_job()
        if job_id is None:
            if once:
                return 0
            time.sleep(poll_seconds)
            continue
        view = run_job(job_id)
        log.info("job %s %s: %s", job_id, view.kind, view.status)
