"""Criteria the rules could not settle go to the LLM, a batch of calls per trial, with structured output."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from core.catalogue.records import NormalizedTrial, ParsedCriterion
from core.matching.case_facts import CaseFacts
from core.matching.verdicts import EXCLUSION_LABELS, INCLUSION_LABELS, CriterionVerdict

log = logging.getLogger(__name__)
MAX_CRITERIA_PER_TRIAL = 12


def _allowed(kind: str) -> tuple[str, ...]:
    return INCLUSION_LABELS if kind == "inclusion" else EXCLUSION_LABELS


def assess_unsettled_with_llm(
    trial: NormalizedTrial,
    facts: CaseFacts,
    verdicts: Sequence[CriterionVerdict],
    *,
    personal_data: Sequence[str],
    concurrency: int = 4,
) -> list[CriterionVerdict]:
    """Return the verdicts with "not enough information" rule verdicts replaced by the LLM's, where it answered
    validly. A failed call or an answer that does not fit the criterion's kind keeps the rules' verdict."""
    from core.drafting.llm_drafter import guard_messages
    from core.drafting.prompts import build_criterion_assessment_variables, parse_prompt_text, render_messages
    from core.drafting.schema import CriterionAssessment
    from core.llm import LLMClient, run_concurrently
    from core.llm_config import capability_cache, load_llm_settings
    from core.prompt_store import get_labelled_version

    pending = [i for i, v in enumerate(verdicts) if v.source == "rules" and v.verdict == "not enough information"]
    pending = pending[:MAX_CRITERIA_PER_TRIAL]
    if not pending:
        return list(verdicts)
    version = get_labelled_version("criterion_assessment")
    template = parse_prompt_text(version.template_text, "criterion_assessment")
    client = LLMClient(load_llm_settings(), capability_cache=capability_cache())
    n_sentences = len(build_criterion_assessment_variables(trial, ParsedCriterion(kind="inclusion", position=0, text="-"), facts)["case_sentences"])

    def ask(index: int) -> CriterionVerdict | None:
        v = verdicts[index]
        criterion = ParsedCriterion(kind=v.kind, position=v.position, text=v.criterion_text)
        messages = render_messages(template, build_criterion_assessment_variables(trial, criterion, facts))
        guard_messages(messages, personal_data)
        answer = client.complete_structured(
            messages, CriterionAssessment, prompt_name="criterion_assessment", prompt_version=str(version.version),
            forbidden_strings=list(personal_data),
        ).parsed
        if answer.verdict not in _allowed(v.kind):
            # An "excluded" answer to an inclusion criterion would invert its meaning: keep the rules' verdict.
            log.warning("LLM gave %r for %s criterion %s of %s; kept the rules' verdict", answer.verdict, v.kind, v.position, trial.registry_id)
            return None
        return CriterionVerdict(
            kind=v.kind, position=v.position, criterion_text=v.criterion_text, verdict=answer.verdict,
            evidence_sentences=sorted({i for i in answer.evidence_sentences if 0 <= i < n_sentences}),
            source="llm", explanation=answer.explanation[:500],
        )

    results = run_concurrently(ask, pending, concurrency)
    out = list(verdicts)
    for index, result in zip(pending, results, strict=True):
        if isinstance(result, BaseException):
            log.warning("LLM criterion assessment failed for %s: %s", trial.registry_id, getattr(result, "message", result))
        elif result is not None:
            out[index] = result
    return out
