"""A worker process that runs queued jobs: `python -m core worker`."""

from __future__ import annotations

import logging
import time

from core.jobs import next_queued_job, requeue_stale_jobs, run_job

log = logging.getLogger(__name__)


def run_worker(*, once: bool = False, poll_seconds: float = 1.0) -> int:
    """Claim and run queued jobs one at a time; several workers can run side by side (claims are atomic)."""
    import core.catalogue.importer  # noqa: F401  (registers job handlers)
    import core.comparison_run  # noqa: F401
    import core.drafting.service  # noqa: F401
    import core.matching.service  # noqa: F401

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
