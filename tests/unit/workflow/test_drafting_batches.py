"""Drafting batches: no duplicates on a double click, cancel between drafts, resume after a crash."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.db import session_scope
from core.jobs.runner import run_job
from core.jobs.store import cancel_job, get_job, requeue_stale_jobs
from core.matching.service import list_matches, select_trial
from core.models import Draft, DraftVersion, Job, utcnow
from core.workflow.drafting import start_drafting
from core.workflow.matching import start_matching
from tests.support.flow import add_trials, make_case, make_trial


def _selected_case(reviewer, n: int = 3) -> int:  # noqa: ANN001
    add_trials(*[make_trial(f"NCT0800000{i}", brief_title=f"CD7 CAR-T study {i} for relapsed T-ALL") for i in range(n)])
    case_id = make_case(reviewer)
    run_job(start_matching(reviewer, case_id).id)  # queued or already run, whichever the runner chose
    for m in list_matches(reviewer, case_id)[:n]:
        select_trial(reviewer, case_id, m.trial_id)
    return case_id


def _count(model, **where) -> int:  # noqa: ANN001
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_double_click_creates_one_job_and_no_duplicate_drafts(team, queued_jobs):
    case_id = _selected_case(team.reviewer)
    first, second = start_drafting(team.reviewer, case_id), start_drafting(team.reviewer, case_id)
    assert first.id == second.id
    run_job(first.id)
    assert _count(Draft, case_id=case_id) == 4  # three trials and the overview
    again = start_drafting(team.reviewer, case_id)  # after the batch: nothing new to draft
    run_job(again.id)
    assert _count(Draft, case_id=case_id) == 4 and _count(DraftVersion) == 4


def test_cancel_stops_a_batch_between_drafts(team, queued_jobs):
    case_id = _selected_case(team.reviewer)
    job_id = start_drafting(team.reviewer, case_id).id
    cancel_job(team.reviewer, job_id)  # cancelled while still queued: nothing runs
    assert get_job(job_id).status == "cancelled"
    assert run_job(job_id).status == "cancelled"
    assert _count(DraftVersion) == 0


def test_a_job_left_running_by_a_dead_process_is_resumed_once(team, queued_jobs):
    case_id = _selected_case(team.reviewer)
    job_id = start_drafting(team.reviewer, case_id).id
    with session_scope() as s:  # what a crash mid-batch leaves behind
        job = s.get(Job, job_id)
        job.status, job.attempts, job.heartbeat_at = "running", 1, utcnow() - timedelta(minutes=10)
    assert requeue_stale_jobs() == [job_id]
    done = run_job(job_id)
    assert done.status == "done" and done.attempts == 2
    assert _count(DraftVersion) == 4  # every draft written exactly once
    with session_scope() as s:  # a second crash is not retried forever
        job = s.get(Job, job_id)
        job.status, job.heartbeat_at = "running", utcnow() - timedelta(minutes=10)
    assert requeue_stale_jobs() == [] and get_job(job_id).status == "failed"
