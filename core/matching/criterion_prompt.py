"""The criterion-assessment prompt: a batch of one trial's open criteria with the de-identified, numbered case
sentences, and the structured answer the model must give under each criterion's reference."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.domain.case_facts import CaseFacts
from core.domain.trial import NormalizedTrial, ParsedCriterion
from core.domain.verdicts import CriterionVerdict, VerdictLabel
from core.nlp.sentences import split_sentences
from core.prompting.case_block import MAX_DESCRIPTION_CHARS, build_case_variables, scrub_identifiers
from core.prompting.templates import neutralise_untrusted


def criterion_ref(criterion: ParsedCriterion | CriterionVerdict) -> str:
    """The reference a criterion (or its verdict) goes by in prompts and answers, e.g. "inclusion 2"."""
    return f"{criterion.kind} {criterion.position + 1}"


def build_criterion_assessment_variables(
    trial: NormalizedTrial, criteria: Sequence[ParsedCriterion], facts: CaseFacts,
    case_sentences: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Return the variables of prompts/criterion_assessment.md: a batch of criteria and the numbered case sentences.

    case_sentences: the summary's sentences as written, each de-identified (deidentify_sentences), so the
    numbers the model cites are those of the summary the reviewer reads; without them, the (de-identified)
    summary in `facts` is split, whose sentences may differ.
    """
    return {
        "trial": {
            "registry_id": neutralise_untrusted(trial.registry_id),
            "brief_title": neutralise_untrusted(trial.brief_title),
        },
        "criteria": [
            {"kind": c.kind, "ref": criterion_ref(c), "text": neutralise_untrusted(c.text, 1000)} for c in criteria
        ],
        "case": build_case_variables(facts),
        "case_sentences": [neutralise_untrusted(scrub_identifiers(s), MAX_DESCRIPTION_CHARS) for s in case_sentences]
        if case_sentences is not None
        else split_sentences(scrub_identifiers(neutralise_untrusted(facts.summary, MAX_DESCRIPTION_CHARS))),
    }


class CriterionAssessment(BaseModel):
    """The LLM's verdict on one eligibility criterion of a batch, under the criterion's reference."""

    model_config = ConfigDict(extra="forbid")

    ref: str = Field(description='The criterion\'s reference as given, e.g. "inclusion 2"')
    verdict: VerdictLabel
    evidence_sentences: list[int] = Field(description="Numbers of the case sentences the verdict rests on")
    explanation: str


class CriterionBatchAssessment(BaseModel):
    """The LLM's verdicts on a batch of criteria of one trial (output of prompts/criterion_assessment.md)."""

    model_config = ConfigDict(extra="forbid")

    assessments: list[CriterionAssessment]
