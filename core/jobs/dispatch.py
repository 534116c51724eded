"""One dispatch policy for every job kind: inline for small work, a thread of this process, or the worker queue."""

from __future__ import annotations

import threading
from enum import StrEnum

from core.config import get_settings
from core.jobs.registry import job_kind
from core.jobs.runner import run_job
from core.jobs.store import JobView, get_job
from core.jobs.task_queue import defer_job, is_postgres


class Runner(StrEnum):
    INLINE = "inline"  # in the caller's thread: the call returns when the job has finished
    THREAD = "thread"  # a daemon thread of this process (the embedded default)
    WORKER = "worker"  # `python -m core worker` processes: the task queue on PostgreSQL, polling on SQLite
    QUEUE = "queue"  # left queued for whoever polls the jobs table (a polling worker, a test)


# Set by an entry point that is itself the runner (the CLI, tests): every job runs in its own thread of control.
_entry: dict[str, Runner | None] = {"runner": None}


def set_entry_runner(runner: Runner | None) -> None:
    """An entry point's own choice that overrides the policy (the CLI runs its jobs inline); None restores it."""
    _entry["runner"] = runner


def choose_runner(job: JobView) -> Runner:
    """The policy: the entry point's choice; else workers when JOB_RUNNER=worker; else inline for small work; else a thread."""
    if _entry["runner"] is not None:
        return _entry["runner"]
    if get_settings().job_runner == "worker":
        return Runner.WORKER
    small = job_kind(job.kind).small
    if small is not None and small(job.payload):
        return Runner.INLINE
    return Runner.THREAD


def dispatch_job(job_id: int, *, runner: Runner | None = None) -> JobView:
    """Hand a submitted job to the runner the policy picks (or `runner`); returns the job as it is afterwards
    (finished when it ran inline, queued or running otherwise: the page follows its progress)."""
    job = get_job(job_id)
    if job.finished:
        return job  # a double click joined a job that is over: nothing to run
    chosen = runner or choose_runner(job)
    if chosen == Runner.WORKER:
        url = get_settings().resolved_database_url
        if is_postgres(url):
            defer_job(job_id, url)
        return get_job(job_id)  # on SQLite the polling worker finds the queued job
    if chosen == Runner.QUEUE:
        return job
    if chosen == Runner.INLINE:
        return run_job(job_id)
    thread = threading.Thread(target=run_job, args=(job_id,), name=f"job-{job_id}", daemon=True)
    thread.start()
    return get_job(job_id)
