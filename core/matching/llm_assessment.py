"""Criteria the rules could not settle go to the LLM in batches per trial, with structured output."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from core.domain.case_facts import CaseFacts
from core.domain.trial import NormalizedTrial, ParsedCriterion
from core.domain.verdicts import EXCLUSION_LABELS, INCLUSION_LABELS, CriterionVerdict
from core.llm import LLMClient, run_concurrently
from core.llm_config import capability_cache, load_llm_settings
from core.matching.criterion_prompt import (
    CriterionBatchAssessment,
    build_criterion_assessment_variables,
    criterion_ref,
)
from core.privacy.deidentify import deidentify_case_facts, deidentify_sentences
from core.privacy.known import KnownIdentifiers, as_known
from core.prompting.guard import guard_messages
from core.prompting.store import get_labelled_version
from core.prompting.templates import parse_prompt_text, render_messages

log = logging.getLogger(__name__)
MAX_CRITERIA_PER_TRIAL = 12
CRITERIA_PER_CALL = 6


@dataclass(frozen=True)
class TrialVerdicts:
    """One trial's rule verdicts, to be completed by the LLM where the rules left a criterion open."""

    trial: NormalizedTrial
    verdicts: Sequence[CriterionVerdict]


def _allowed(kind: str) -> tuple[str, ...]:
    return INCLUSION_LABELS if kind == "inclusion" else EXCLUSION_LABELS


def _open_positions(verdicts: Sequence[CriterionVerdict]) -> list[int]:
    # listed criteria only: the implicit ones (conditions studied, treatment target) are not among the
    # trial's criteria the prompt shows
    pending = [
        i for i, v in enumerate(verdicts)
        if v.source == "rules" and v.verdict == "not enough information" and not v.is_implicit
    ]
    return pending[:MAX_CRITERIA_PER_TRIAL]


def _batches(items: list[int], size: int) -> list[list[int]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def assess_unsettled_with_llm(
    work: Sequence[TrialVerdicts],
    facts: CaseFacts,
    *,
    personal_data: KnownIdentifiers | Sequence[str],
    concurrency: int = 4,
) -> list[list[CriterionVerdict]]:
    """Return each trial's verdicts with "not enough information" rule verdicts replaced by the LLM's where it
    answered validly. Open criteria go in batches of CRITERIA_PER_CALL, all trials' batches at once up to
    `concurrency`. A failed call, a missing answer or one that does not fit the criterion's kind keeps the
    rules' verdict."""
    calls = [(t, batch) for t, item in enumerate(work) for batch in _batches(_open_positions(item.verdicts), CRITERIA_PER_CALL)]
    out = [list(item.verdicts) for item in work]
    if not calls:
        return out
    # Once per case, not per call. The sentences are cut from the summary as written: the evidence numbers
    # the model gives back index the summary the page shows.
    sentences = deidentify_sentences(facts.summary, as_known(personal_data))
    facts = deidentify_case_facts(facts, as_known(personal_data))[0]
    version = get_labelled_version("criterion_assessment")
    template = parse_prompt_text(version.template_text, "criterion_assessment")
    client = LLMClient(load_llm_settings(), capability_cache=capability_cache())

    def ask(call: tuple[int, list[int]]) -> dict[int, CriterionVerdict]:
        t, batch = call
        item = work[t]
        asked = {criterion_ref(item.verdicts[i]): i for i in batch}
        variables = build_criterion_assessment_variables(
            item.trial, [_as_criterion(item.verdicts[i]) for i in batch], facts, sentences)
        messages = render_messages(template, variables)
        guard_messages(messages, personal_data)
        answer = client.complete_structured(
            messages, CriterionBatchAssessment, prompt_name="criterion_assessment", prompt_version=str(version.version),
            forbidden_strings=as_known(personal_data),
        ).parsed
        n_sentences = len(variables["case_sentences"])
        settled: dict[int, CriterionVerdict] = {}
        for a in answer.assessments:
            index = asked.get(a.ref.strip())
            if index is None or index in settled:
                continue  # an answer to a criterion not asked about, or a second answer to one, is ignored
            rule = item.verdicts[index]
            if a.verdict not in _allowed(rule.kind):
                # An "excluded" answer to an inclusion criterion would invert its meaning: keep the rules' verdict.
                log.warning("LLM gave %r for %s of %s; kept the rules' verdict", a.verdict, a.ref, item.trial.registry_id)
                continue
            settled[index] = rule.model_copy(update={
                "verdict": a.verdict, "source": "llm", "explanation": a.explanation[:500],
                "evidence_sentences": sorted({i for i in a.evidence_sentences if 0 <= i < n_sentences}),
            })
        return settled

    for (t, _batch), result in zip(calls, run_concurrently(ask, calls, concurrency), strict=True):
        if isinstance(result, BaseException):
            log.warning("LLM criterion assessment failed for %s: %s", work[t].trial.registry_id, getattr(result, "message", result))
            continue
        for index, verdict in result.items():
            out[t][index] = verdict
    return out


def _as_criterion(v: CriterionVerdict) -> ParsedCriterion:
    return ParsedCriterion(kind=v.kind, position=v.position, text=v.criterion_text)
