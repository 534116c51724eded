"""With an LLM configured, criteria the rules left open go to it; labels that would invert a criterion are refused."""

from __future__ import annotations

import json

import pytest

from core.config import get_settings
from core.matching.service import list_matches, match_case
from tests.support.fake_openai import FakeOpenAI
from tests.support.flow import add_trials, make_case, make_trial


def _answer(body: dict) -> str:
    text = json.dumps(body, ensure_ascii=False)
    if "CD7 expression" in text:
        return json.dumps({"verdict": "excluded", "evidence_sentences": [0], "explanation": "wrong kind of label"})
    return json.dumps({"verdict": "included", "evidence_sentences": [0, 99], "explanation": "The note says so."})


@pytest.fixture
def llm(monkeypatch):
    with FakeOpenAI() as server:
        server.respond_with(_answer)
        for k, v in {"LLM_BASE_URL": server.base_url, "LLM_API_KEY": server.api_key, "LLM_MODEL": server.model}.items():
            monkeypatch.setenv(k, v)
        get_settings.cache_clear()
        yield server
        get_settings.cache_clear()


def test_open_criteria_are_settled_by_the_llm_without_inverting_any(team, llm):
    from core.catalogue.records import ParsedCriterion
    from core.prompt_store import seed_prompts

    seed_prompts()
    add_trials(make_trial("NCT07000001", criteria=[
        ParsedCriterion(kind="inclusion", position=0, text="Relapsed or refractory T-cell acute lymphoblastic leukemia"),
        ParsedCriterion(kind="inclusion", position=1, text="Adequate organ function"),
        ParsedCriterion(kind="inclusion", position=2, text="CD7 expression on at least 20% of blasts"),
    ]))
    case_id = make_case(team.reviewer)
    match_case(case_id)
    verdicts = {v.criterion_text: v for v in list_matches(team.reviewer, case_id)[0].verdicts}
    organ = verdicts["Adequate organ function"]
    assert (organ.verdict, organ.source, organ.evidence) == ("included", "llm", [0])  # out-of-range sentence ids dropped
    cd7 = verdicts["CD7 expression on at least 20% of blasts"]
    assert cd7.source == "rules" and cd7.verdict == "not enough information"  # "excluded" refused for an inclusion
    wire = json.dumps([r.body for r in llm.chat_requests], ensure_ascii=False)
    assert llm.chat_requests and "<untrusted_trial_record>" in wire
    for secret in ("Zoë", "Ångström", "family@example.org", "7700 900123"):
        assert secret not in wire


def test_llm_failure_leaves_the_rules_verdicts(team, llm):
    from core.prompt_store import seed_prompts
    from tests.support.fake_openai import server_error

    seed_prompts()
    llm.respond_with(lambda body: server_error(500))
    add_trials(make_trial("NCT07000002"))
    case_id = make_case(team.reviewer)
    assert match_case(case_id)["candidates"] == 1
    assert {v.source for v in list_matches(team.reviewer, case_id)[0].verdicts} == {"rules"}
