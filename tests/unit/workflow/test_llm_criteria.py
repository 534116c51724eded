"""With an LLM configured, criteria the rules left open go to it in batches; labels that would invert a criterion
are refused, missing answers keep the rules' verdict, and the shortlist is re-ordered by the new verdicts."""

from __future__ import annotations

import json
import re

import pytest

from core.config import get_settings
from core.domain.trial import ParsedCriterion
from core.matching import llm_assessment
from core.matching.service import list_matches, match_case
from core.prompting.store import seed_prompts
from tests.support.fake_openai import FakeOpenAI, server_error
from tests.support.flow import add_trials, make_case, make_trial


def _refs(body: dict) -> list[str]:
    """The criterion references a request asks about, in order."""
    return re.findall(r"\[((?:inclusion|exclusion) \d+)\]", body["messages"][-1]["content"])


def _answer(body: dict) -> str:
    text = json.dumps(body, ensure_ascii=False)
    assessments = []
    for ref in _refs(body):
        if "CD7 expression" in text and ref == "inclusion 3":
            verdict = "excluded"  # the wrong kind of label for an inclusion criterion
        elif "Hidden" in text and ref.startswith("inclusion"):
            verdict = "not included"
        elif ref.startswith("exclusion"):
            verdict = "not excluded"
        else:
            verdict = "included"
        assessments.append({"ref": ref, "verdict": verdict, "evidence_sentences": [0, 99], "explanation": "The note says so."})
    return json.dumps({"assessments": assessments})


@pytest.fixture
def llm(monkeypatch):
    with FakeOpenAI() as server:
        server.respond_with(_answer)
        for k, v in {"LLM_BASE_URL": server.base_url, "LLM_API_KEY": server.api_key, "LLM_MODEL": server.model}.items():
            monkeypatch.setenv(k, v)
        get_settings.cache_clear()
        yield server
        get_settings.cache_clear()


def _open_criteria(n: int, kind: str = "inclusion", start: int = 0) -> list[ParsedCriterion]:
    return [ParsedCriterion(kind=kind, position=start + i, text=f"Adequate organ function measure {i}") for i in range(n)]


def test_open_criteria_are_settled_by_the_llm_without_inverting_any(team, llm):
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
    assert verdicts["Relapsed or refractory T-cell acute lymphoblastic leukemia"].source == "rules"  # settled by rules
    assert len(llm.chat_requests) == 1  # both open criteria in one call
    assert _refs(llm.chat_requests[0].body) == ["inclusion 2", "inclusion 3"]
    wire = json.dumps([r.body for r in llm.chat_requests], ensure_ascii=False)
    assert "<untrusted_trial_record>" in wire
    for secret in ("Zoë", "Ångström", "family@example.org", "7700 900123"):
        assert secret not in wire


def test_open_criteria_go_in_batches_and_each_answer_lands_on_its_criterion(team, llm):
    seed_prompts()
    n = llm_assessment.CRITERIA_PER_CALL + 2
    add_trials(make_trial("NCT07000003", criteria=_open_criteria(n)))
    case_id = make_case(team.reviewer)
    match_case(case_id)
    asked = [_refs(r.body) for r in llm.chat_requests]
    assert sorted(len(a) for a in asked) == [2, llm_assessment.CRITERIA_PER_CALL]
    assert sorted(ref for a in asked for ref in a) == sorted(f"inclusion {i + 1}" for i in range(n))
    # the listed criteria (the implicit conditions and target verdicts, at negative positions, stay the rules')
    verdicts = [v for v in list_matches(team.reviewer, case_id)[0].verdicts if v.position >= 0]
    assert len(verdicts) == n and {(v.verdict, v.source) for v in verdicts} == {("included", "llm")}


def test_missing_or_unasked_answers_keep_the_rules_verdict(team, llm):
    seed_prompts()

    def partial(body: dict) -> str:
        refs = _refs(body)
        return json.dumps({"assessments": [
            {"ref": refs[0], "verdict": "included", "evidence_sentences": [], "explanation": "ok"},
            {"ref": "inclusion 42", "verdict": "included", "evidence_sentences": [], "explanation": "never asked"},
            {"ref": refs[0], "verdict": "not included", "evidence_sentences": [], "explanation": "a second answer"},
        ]})

    llm.respond_with(partial)
    add_trials(make_trial("NCT07000004", criteria=_open_criteria(3)))
    case_id = make_case(team.reviewer)
    match_case(case_id)
    listed = [v for v in list_matches(team.reviewer, case_id)[0].verdicts if v.position >= 0]
    verdicts = sorted(listed, key=lambda v: v.position)
    assert [(v.verdict, v.source) for v in verdicts] == [
        ("included", "llm"), ("not enough information", "rules"), ("not enough information", "rules"),
    ]


def test_llm_verdicts_reorder_the_shortlist(team, llm):
    seed_prompts()
    # Retrieval puts the first trial on top; the LLM finds one of its inclusion criteria not met.
    first = make_trial("NCT07000005", brief_title="CD7 CAR-T cells for relapsed T-cell acute lymphoblastic leukaemia T-ALL",
                       criteria=[ParsedCriterion(kind="inclusion", position=0, text="Hidden marker present")])
    second = make_trial("NCT07000006", brief_title="Venetoclax for leukaemia",
                        criteria=[ParsedCriterion(kind="inclusion", position=0, text="Adequate organ function")])
    add_trials(first, second)
    case_id = make_case(team.reviewer)
    match_case(case_id)
    matches = list_matches(team.reviewer, case_id)
    assert [m.registry_id for m in matches] == ["NCT07000006", "NCT07000005"]
    assert matches[1].eligibility == "likely not eligible"


def test_llm_failure_leaves_the_rules_verdicts(team, llm):
    seed_prompts()
    llm.respond_with(lambda body: server_error(500))
    add_trials(make_trial("NCT07000002"))
    case_id = make_case(team.reviewer)
    assert match_case(case_id)["candidates"] == 1
    assert {v.source for v in list_matches(team.reviewer, case_id)[0].verdicts} == {"rules"}
