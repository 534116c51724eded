"""Fault: a worker killed (SIGKILL) in the middle of a job; another worker retries it once and it completes once."""

from __future__ import annotations

import signal

import pytest
from sqlalchemy import func, select, text

from core.config import get_settings
from core.db import session_scope
from core.jobs.dispatch import Runner, set_entry_runner
from core.jobs.runner import claim_job, finish_attempt
from core.jobs.store import get_job, reclaim_orphaned_job, submit_job
from core.jobs.task_queue import close_queue, is_postgres
from core.models import AuditEvent, Draft, DraftVersion
from core.workflow.drafting import start_drafting
from tests.support.fake_openai import FakeOpenAI
from tests.support.flow import case_with_selected_trials
from tests.support.model_answers import answer_like_a_model
from tests.support.processes import clean_env, start_worker, stop_process, wait_until

N_TRIALS = 3


def _pid(runner: str | None) -> int | None:
    return int(runner.rsplit(":", 1)[1]) if runner and runner.startswith("worker:") else None


def _drafts(case_id: int) -> list[str]:
    with session_scope() as s:
        return list(s.scalars(select(Draft.status).where(Draft.case_id == case_id)))


def test_a_worker_killed_mid_job_is_retried_once_by_another_and_completes_exactly_once(team, db, tmp_path, monkeypatch):
    if not is_postgres(db):
        pytest.skip("the worker runs on the task queue, which needs PostgreSQL")
    from core.prompting.store import seed_prompts

    seed_prompts()
    with FakeOpenAI(latency_s=0.8) as llm:  # slow enough replies that the kill lands mid-batch
        llm.respond_with(answer_like_a_model)
        llm_env = {"LLM_BASE_URL": llm.base_url, "LLM_API_KEY": llm.api_key, "LLM_MODEL": llm.model,
                   "LLM_CONCURRENCY": "1", "LLM_MAX_RETRIES": "1"}
        env = clean_env(DATABASE_URL=db, DATA_DIR=str(tmp_path / "data"), DEMO_MODE="false", JOB_RUNNER="worker",
                        WORKER_HEARTBEAT_SECONDS="0.5", WORKER_STALLED_AFTER_SECONDS="2", **llm_env)
        case_id = case_with_selected_trials(team.reviewer, N_TRIALS)
        for key, value in {**llm_env, "JOB_RUNNER": "worker"}.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        set_entry_runner(None)  # the app's policy, as a page would start it: JOB_RUNNER=worker defers it
        try:
            job = start_drafting(team.reviewer, case_id)
        finally:
            set_entry_runner(Runner.INLINE)
        job_id = job.id
        assert job.status == "queued"  # deferred to the queue, not run here

        first = start_worker(env, tmp_path / "worker-a.log")
        second = None
        try:
            wait_until(lambda: _pid(get_job(job_id).runner) == first.pid and "ready" in _drafts(case_id),
                       "the first worker to be part-way through the batch")
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            assert get_job(job_id).status == "running"  # left behind by the dead worker
            second = start_worker(env, tmp_path / "worker-b.log")
            wait_until(lambda: get_job(job_id).finished, "the second worker to finish the job", timeout=45)
        finally:
            stop_process(first)
            if second is not None:
                stop_process(second)
            close_queue()
            get_settings.cache_clear()

    job = get_job(job_id)
    assert job.status == "done", (job.status, job.error, (tmp_path / "worker-b.log").read_text()[-2000:])
    assert job.attempts == 2 and _pid(job.runner) == second.pid  # retried once, by the other worker
    assert job.result["failed"] == [] and job.result["drafted"] < N_TRIALS + 1  # the retry wrote only what was left
    assert _drafts(case_id) == ["ready"] * (N_TRIALS + 1)
    with session_scope() as s:
        versions = s.execute(
            select(func.count()).select_from(DraftVersion).join(Draft).where(Draft.case_id == case_id)
        ).scalar_one()
        written = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "draft.write"))
        tasks = s.execute(text("SELECT status, attempts FROM procrastinate_jobs")).all()
        events = s.execute(text("SELECT type FROM procrastinate_events ORDER BY id")).all()
    assert versions == written == N_TRIALS + 1  # each draft completed exactly once, none twice
    # One task on the queue, started twice (procrastinate counts both runs), retried once, succeeded once.
    assert [(str(status), attempts) for status, attempts in tasks] == [("succeeded", 2)]
    # "scheduled" rows are written whenever the retry's start time is (re)set, so their number depends on timing.
    assert [t for (t,) in events if t != "scheduled"] == [
        "deferred", "started", "deferred_for_retry", "started", "succeeded"
    ]


def test_a_job_is_given_one_retry_and_a_superseded_attempt_records_nothing(db):
    job_id = submit_job("noop", {}, created_by="test")
    assert claim_job(job_id, "worker:a:1") == 1
    reclaim_orphaned_job(job_id)  # worker a died: the job goes back to the queue once
    assert get_job(job_id).status == "queued"
    assert claim_job(job_id, "worker:b:2") == 2
    finish_attempt(job_id, 1, "done", result={"by": "a"})  # worker a was only cut off, and ends late: dropped
    assert get_job(job_id).status == "running"
    finish_attempt(job_id, 2, "done", result={"by": "b"})
    assert get_job(job_id).result == {"by": "b"}

    again = submit_job("noop", {}, created_by="test")
    claim_job(again, "worker:a:1")
    reclaim_orphaned_job(again)
    claim_job(again, "worker:b:2")
    reclaim_orphaned_job(again)  # died on its retry too: failed, not run a third time
    view = get_job(again)
    assert view.status == "failed" and "not retried" in view.error
