"""The case sentences the model numbers are the sentences of the case summary as written, so the evidence a
verdict quotes is the sentence the model meant, even when de-identification changes sentence boundaries."""

from __future__ import annotations

import json
import re

import pytest

from core.config import get_settings
from core.domain.trial import ParsedCriterion
from core.matching.service import list_matches, match_case
from core.nlp.sentences import split_sentences
from core.privacy.deidentify import deidentify_sentences
from core.prompting.store import seed_prompts
from tests.support.fake_openai import FakeOpenAI
from tests.support.flow import add_trials, make_case, make_trial

# "14. 03. 2012." reads as three sentences as written, one "[DATE]." once de-identified.
SUMMARY = "Born 14. 03. 2012. Seen by Dr. Amara Whitcombe. Creatinine and bilirubin are normal. CD7 positive."


def test_de_identified_sentences_keep_the_sentence_numbers_of_the_text_as_written() -> None:
    original = split_sentences(SUMMARY)
    sentences = deidentify_sentences(SUMMARY)
    assert len(sentences) == len(original)
    assert sentences[original.index("Creatinine and bilirubin are normal.")] == "Creatinine and bilirubin are normal."
    assert not any(secret in " ".join(sentences) for secret in ("14", "2012", "Whitcombe", "Amara"))


def _answer(body: dict) -> str:
    # Cite the sentence about organ function, by the number the prompt gives it.
    prompt = body["messages"][-1]["content"]
    number = int(re.search(r"^(\d+)\. Creatinine", prompt, re.MULTILINE).group(1))
    refs = re.findall(r"\[((?:inclusion|exclusion) \d+)\]", prompt)
    return json.dumps({"assessments": [
        {"ref": r, "verdict": "included", "evidence_sentences": [number], "explanation": "Normal labs."} for r in refs]})


@pytest.fixture
def llm(monkeypatch):
    with FakeOpenAI() as server:
        server.respond_with(_answer)
        for k, v in {"LLM_BASE_URL": server.base_url, "LLM_API_KEY": server.api_key, "LLM_MODEL": server.model}.items():
            monkeypatch.setenv(k, v)
        get_settings.cache_clear()
        yield server
        get_settings.cache_clear()


def test_the_evidence_of_an_llm_verdict_is_the_sentence_the_model_cited(team, llm) -> None:
    seed_prompts()
    add_trials(make_trial("NCT07000077", criteria=[
        ParsedCriterion(kind="inclusion", position=0, text="Adequate organ function in the investigator's judgement")]))
    case_id = make_case(team.reviewer, summary=SUMMARY)
    match_case(case_id)
    verdict = next(v for v in list_matches(team.reviewer, case_id)[0].verdicts if v.source == "llm")
    assert [split_sentences(SUMMARY)[i] for i in verdict.evidence] == ["Creatinine and bilirubin are normal."]
