"""Through the fake OpenAI server: no planted identifier from the narrative, the location or the contact
reaches the wire during matching (criterion assessment), drafting, the prompt playground and comparison."""

from __future__ import annotations

import contextlib
import json

from core.config import get_settings
from core.domain.trial import ParsedCriterion
from core.llm import LLMError
from core.matching.service import list_matches, select_trial
from core.prompt_lab.comparisons import ComparisonRequest, ItemRef, SideSpec
from core.prompt_lab.playground import render_playground, run_playground
from core.prompting.store import seed_prompts
from core.workflow.comparisons import start_comparison
from core.workflow.drafting import start_drafting
from core.workflow.matching import start_matching
from core.workflow.review import request_changes, start_review
from tests.support.fake_openai import FakeOpenAI, server_error
from tests.support.flow import add_trials, case_with_drafts, make_case, make_trial

NARRATIVE = (
    "GONZALEZ, Lucía is a 14-year-old girl with relapsed T-ALL, CD7 positive, born March 14, 2012. "
    "Hospital number H-99812, MRN 4829173. Her mother María González (maria dot g at example dot com, "
    "+1 314 555 0142) says Dr. Amara Whitcombe at the clinic suggested nelarabine after vincristine failed. "
    "Insurance member ID W123456789. Blog: www.lucia-fights.blog"
)
LOCATION = "area: 4521 Oak Hollow Dr, St. Louis, MO 63110"
SECRETS = (
    "GONZALEZ", "González", "Gonzalez", "gonzalez", "Lucía", "María", "March 14", "2012", "H-99812", "4829173",
    "maria dot g", "maria.g", "314 555 0142", "3145550142", "4521", "Oak Hollow", "63110", "Whitcombe", "W123456789",
    "lucia-fights",
)
# The trial asks something the rules cannot settle, so matching sends it to the model.
UNSETTLED = ParsedCriterion(kind="inclusion", position=2, text="Adequate organ function in the investigator's judgement")


def _wire(server: FakeOpenAI) -> str:
    return json.dumps([r.body for r in server.chat_requests], ensure_ascii=False)


def test_no_planted_identifier_reaches_the_model(team, monkeypatch) -> None:
    trial = make_trial(criteria=[*make_trial().criteria, UNSETTLED])
    add_trials(trial)
    with FakeOpenAI() as server:
        server.respond_with(lambda body: server_error(500))
        for key, value in {"LLM_BASE_URL": server.base_url, "LLM_API_KEY": server.api_key, "LLM_MODEL": server.model,
                           "LLM_MAX_RETRIES": "1"}.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        try:
            seed_prompts()
            case_id = make_case(
                team.reviewer, summary=NARRATIVE, location_label=LOCATION, contact_name="María González",
                contact_email="maria.g@example.com", contact_phone="+1 314 555 0142",
                contact_address="4521 Oak Hollow Dr, St. Louis, MO 63110",
            )
            start_matching(team.reviewer, case_id)
            phases = {"matching": len(server.chat_requests)}
            match = next(m for m in list_matches(team.reviewer, case_id) if m.registry_id == trial.registry_id)
            select_trial(team.reviewer, case_id, match.trial_id)
            start_drafting(team.reviewer, case_id)
            phases["drafting"] = len(server.chat_requests) - sum(phases.values())
            for name in ("trial_summary", "criterion_assessment", "case_overview"):
                messages = render_playground(team.admin, name, 1, case_id, match.trial_id)
                assert not any(s in json.dumps(messages, ensure_ascii=False) for s in SECRETS), name
                with contextlib.suppress(LLMError):  # the server fails every call; what was sent is what counts
                    run_playground(team.admin, name, 1, case_id, match.trial_id)
            phases["playground"] = len(server.chat_requests) - sum(phases.values())
            start_comparison(team.admin, ComparisonRequest(
                prompt_name="trial_summary", left=SideSpec(version=1), right=SideSpec(version=1, model="other-model"),
                items=[ItemRef(case_id=case_id, trial_id=match.trial_id)],
            ))
            phases["comparison"] = len(server.chat_requests) - sum(phases.values())
            wire = _wire(server)
        finally:
            get_settings.cache_clear()
    assert all(count > 0 for count in phases.values()), phases
    leaked = [s for s in SECRETS if s in wire]
    assert leaked == []
    # What the model did get: the clinical facts, with placeholders where identifiers were.
    for kept in ("14-year-old", "T-ALL", "CD7", "nelarabine", "St. Louis", "[NAME]", "[DATE]", "[ID]", "[ADDRESS]"):
        assert kept in wire, kept


REVIEWER_FEEDBACK = (
    "Shorter sentences. Do not call her Zoë Ångström-Test or ZOE ANGSTROM; the mother (ring +44 7700 900123, "
    "or zoe.mum@example.org) and her GP Dr. Priya Ramaswamy-Okafor asked for a plain summary."
)
FEEDBACK_SECRETS = ("Ångström", "Angstrom", "ANGSTROM", "Zoë", "ZOE", "7700 900123", "7700900123", "zoe.mum", "Ramaswamy")


def test_a_request_changes_comment_is_de_identified_before_the_redraft_reaches_the_model(team, monkeypatch) -> None:
    # Drafted offline first (no endpoint), then the redraft after "request changes" goes to the model.
    _, drafts = case_with_drafts(team.reviewer)
    start_review(team.reviewer, drafts[0])
    with FakeOpenAI() as server:
        server.respond_with(lambda body: server_error(500))
        for key, value in {"LLM_BASE_URL": server.base_url, "LLM_API_KEY": server.api_key, "LLM_MODEL": server.model,
                           "LLM_MAX_RETRIES": "1"}.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        try:
            seed_prompts()
            request_changes(team.reviewer, drafts[0], REVIEWER_FEEDBACK)
            wire = _wire(server)
        finally:
            get_settings.cache_clear()
    assert server.chat_requests, "the redraft never reached the model"
    assert "Shorter sentences" in wire  # the instruction itself still goes
    assert [s for s in FEEDBACK_SECRETS if s in wire] == []
