"""Fault: the LLM endpoint vanishes in the middle of a drafting batch; the batch pauses, loses nothing, and resumes."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from core.config import get_settings
from core.db import session_scope
from core.jobs.dispatch import Runner, set_entry_runner
from core.jobs.store import get_job
from core.models import Draft, DraftVersion
from core.workflow.drafting import start_drafting
from tests.support.fake_openai import FakeOpenAI
from tests.support.flow import case_with_selected_trials
from tests.support.model_answers import answer_like_a_model
from tests.support.processes import wait_until

N_TRIALS = 4


def _draft_statuses(case_id: int) -> list[str]:
    with session_scope() as s:
        return list(s.scalars(select(Draft.status).where(Draft.case_id == case_id).order_by(Draft.id)))


@pytest.fixture
def llm_env(monkeypatch):
    """LLM settings aimed at a port that a fake server will serve, stop serving, and serve again."""
    first = FakeOpenAI(latency_s=0.2).start()
    first.respond_with(answer_like_a_model)
    for key, value in {
        "LLM_BASE_URL": first.base_url, "LLM_API_KEY": first.api_key, "LLM_MODEL": first.model,
        "LLM_MAX_RETRIES": "1", "LLM_CONCURRENCY": "1", "LLM_TIMEOUT_S": "5", "LLM_PAUSE_PROBE_SECONDS": "0.2",
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    servers = [first]
    yield servers
    for server in servers:
        server.stop()
    get_settings.cache_clear()


def test_the_endpoint_vanishing_mid_batch_pauses_it_and_it_resumes_when_back(team, llm_env):
    from core.prompting.store import seed_prompts

    seed_prompts()
    first = llm_env[0]
    case_id = case_with_selected_trials(team.reviewer, N_TRIALS)
    set_entry_runner(Runner.THREAD)  # as the app runs an LLM batch: on a thread, the page following its progress
    try:
        job_id = start_drafting(team.reviewer, case_id).id
    finally:
        set_entry_runner(Runner.INLINE)

    wait_until(lambda: "ready" in _draft_statuses(case_id), "the first draft")
    first.stop()  # the endpoint vanishes mid-batch
    wait_until(lambda: get_job(job_id).status == "paused", "the batch to pause")
    paused = get_job(job_id)
    assert "unreachable" in paused.message and not paused.finished
    time.sleep(0.6)  # several probes find it still gone: the batch stays paused, nothing fails
    statuses = _draft_statuses(case_id)
    assert get_job(job_id).status == "paused"
    assert "failed" not in statuses and "drafting" not in statuses
    assert 1 <= statuses.count("ready") < N_TRIALS + 1 and "queued" in statuses  # the rest wait in the queue

    back = FakeOpenAI(port=int(first.base_url.rsplit(":", 1)[1].split("/")[0])).start()  # the same endpoint returns
    llm_env.append(back)
    back.respond_with(answer_like_a_model)
    wait_until(lambda: get_job(job_id).finished, "the batch to finish", timeout=30)
    job = get_job(job_id)
    assert job.status == "done", (job.status, job.message, job.error)
    assert job.result == {"drafted": N_TRIALS + 1, "failed": []}
    assert _draft_statuses(case_id) == ["ready"] * (N_TRIALS + 1)
    with session_scope() as s:  # every draft written exactly once: nothing lost, nothing doubled
        versions = s.execute(
            select(DraftVersion.draft_id, func.count()).join(Draft).where(Draft.case_id == case_id).group_by(DraftVersion.draft_id)
        ).all()
    assert sorted(n for _, n in versions) == [1] * (N_TRIALS + 1)
    assert back.chat_requests  # the drafts after the outage were written by the returned server
