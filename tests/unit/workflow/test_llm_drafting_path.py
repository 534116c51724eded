"""Drafting through a real OpenAI-compatible server: drafts record the model and prompt, contact details never
leave, trial text travels as delimited data, and an injected promise is caught by the checks."""

from __future__ import annotations

import json

import pytest

from core.config import get_settings
from core.workflow.review import approve_draft, start_review
from core.workflow.review_views import get_draft_detail, list_queue
from tests.support.fake_openai import FakeOpenAI, server_error
from tests.support.flow import add_trials, case_with_drafts, make_trial
from tests.support.model_answers import INJECTION, answer_like_a_model


@pytest.fixture
def llm(monkeypatch):
    with FakeOpenAI() as server:
        server.respond_with(answer_like_a_model)
        monkeypatch.setenv("LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("LLM_API_KEY", server.api_key)
        monkeypatch.setenv("LLM_MODEL", server.model)
        monkeypatch.setenv("LLM_MAX_RETRIES", "1")
        get_settings.cache_clear()
        yield server
        get_settings.cache_clear()


def test_llm_drafts_record_model_and_prompt_and_never_send_contact_details(team, llm):
    from core.prompting.store import seed_prompts

    seed_prompts()
    _, drafts = case_with_drafts(team.reviewer)
    assert [get_draft_detail(team.reviewer, d).status for d in drafts] == ["ready", "ready"]
    trial_draft = get_draft_detail(team.reviewer, drafts[0])
    assert trial_draft.drafter == "llm" and trial_draft.model == llm.model
    assert trial_draft.current.author == f"llm:{llm.model}"
    wire = json.dumps([r.body for r in llm.chat_requests], ensure_ascii=False)
    assert len(llm.chat_requests) >= 2
    for secret in ("Zoë", "Ångström", "family@example.org", "7700 900123", "+44 7700"):
        assert secret not in wire, secret
    assert "<untrusted_trial_record>" in wire


def test_prompt_injection_in_a_trial_is_flagged_and_blocks_approval(team, llm):
    from core.errors import ValidationFailed
    from core.prompting.store import seed_prompts

    seed_prompts()
    from core.matching.service import list_matches, select_trial
    from core.workflow.drafting import start_drafting
    from core.workflow.matching import start_matching
    from tests.support.flow import make_case

    add_trials(make_trial("NCT09000042", brief_summary="CD7 CAR-T study. " + INJECTION))
    case_id = make_case(team.reviewer)
    start_matching(team.reviewer, case_id)
    select_trial(team.reviewer, case_id, list_matches(team.reviewer, case_id)[0].trial_id)
    start_drafting(team.reviewer, case_id)
    d = next(i.draft_id for i in list_queue(team.reviewer) if i.kind == "trial")
    detail = get_draft_detail(team.reviewer, d)
    assert "cures" in detail.current.sections["what_is_tested"]
    promise = next(c for c in detail.current.checks if c["name"] == "no_promises")
    assert not promise["passed"] and promise["blocking"]
    start_review(team.reviewer, d)
    with pytest.raises(ValidationFailed):
        approve_draft(team.reviewer, d, version=detail.current.number)


def test_an_llm_failure_ends_as_a_failed_draft_with_a_reason(team, llm):
    from core.prompting.store import seed_prompts

    seed_prompts()
    llm.respond_with(lambda body: server_error(500))
    _, drafts = case_with_drafts(team.reviewer)
    from core.db import session_scope
    from core.models import Draft

    with session_scope() as s:
        failed = [d for d in s.query(Draft).all() if d.status == "failed"]
        assert failed and all(d.error for d in failed)


def test_a_failed_draft_can_be_retried_and_json_mode_is_remembered(team, llm):
    from core.db import session_scope
    from core.models import Draft
    from core.prompting.store import seed_prompts
    from core.workflow.drafting import retry_draft

    seed_prompts()
    llm.reject_json_schema = True  # a llama.cpp-like server: json_object only
    llm.respond_with(lambda body: server_error(500))
    case_with_drafts(team.reviewer)
    with session_scope() as s:
        failed = [d.id for d in s.query(Draft).filter(Draft.status == "failed")]
    llm.respond_with(answer_like_a_model)
    before = len(llm.chat_requests)
    for d in failed:
        assert retry_draft(team.reviewer, d).result == {"status": "ready"}
    formats = [r.body["response_format"]["type"] for r in llm.chat_requests[before:]]
    # The first retry learns that json_schema is refused; the database remembers it for the next one.
    assert formats[:2] == ["json_schema", "json_object"] and set(formats[2:]) == {"json_object"}
