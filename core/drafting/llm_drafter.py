"""The LLM drafter: renders a prompt from de-identified data, guards it, and asks the LLM client for a structured draft."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from core.domain.case_facts import CaseFacts
from core.domain.trial import NormalizedTrial, Site
from core.domain.verdicts import CriterionVerdict
from core.drafting.context import OptionSummary
from core.drafting.prompts import build_case_overview_variables, build_trial_summary_variables
from core.drafting.schema import SECTION_TITLES, CaseOverviewDraft, TrialSummaryDraft
from core.prompting.guard import PersonalData, deidentified_facts, deidentified_text, guard_messages
from core.prompting.templates import PromptTemplate, render_messages

ModelT = TypeVar("ModelT", bound=BaseModel)


class StructuredClient(Protocol):
    """What the drafter needs from core.llm.client.LLMClient."""

    def complete_structured(
        self,
        messages: list[dict[str, str]],
        schema: type[ModelT],
        *,
        prompt_name: str,
        prompt_version: Any,
        forbidden_strings: PersonalData,
        temperature: float | None = None,
        max_output_tokens: int | None = None,
    ) -> Any: ...


def with_feedback(messages: list[dict[str, str]], feedback: str | None) -> list[dict[str, str]]:
    """Add the reviewer's requested changes (a redraft after 'request changes') as a final user message."""
    if not feedback:
        return messages
    note = "A reviewer asked for these changes to the previous draft. Apply them within the same rules:\n" + feedback
    return [*messages, {"role": "user", "content": note}]


def _deidentified_verdicts(verdicts: Sequence[CriterionVerdict], personal_data: PersonalData) -> list[CriterionVerdict]:
    # An explanation may be a reviewer's own words about the case, as free as the narrative.
    return [v.model_copy(update={"explanation": deidentified_text(v.explanation, personal_data)}) if v.explanation else v
            for v in verdicts]


def _normalise_titles(draft: ModelT) -> ModelT:
    for section in getattr(draft, "sections", []):
        section.title = SECTION_TITLES.get(section.key, section.title)
    return draft


def draft_trial_summary_with_llm(
    client: StructuredClient,
    template: PromptTemplate,
    *,
    prompt_version: Any,
    trial: NormalizedTrial,
    facts: CaseFacts,
    verdicts: Sequence[CriterionVerdict],
    nearest_sites: Sequence[tuple[Site, float | None]],
    personal_data: PersonalData = (),
    feedback: str | None = None,
    temperature: float | None = None,
    max_output_tokens: int | None = None,
) -> tuple[TrialSummaryDraft, Any]:
    """Ask the LLM for a trial summary; returns the validated draft (our titles and registry id) and the call record."""
    facts = deidentified_facts(facts, personal_data)
    verdicts = _deidentified_verdicts(verdicts, personal_data)
    feedback = deidentified_text(feedback, personal_data) if feedback else None
    messages = with_feedback(render_messages(template, build_trial_summary_variables(trial, facts, verdicts, nearest_sites)), feedback)
    guard_messages(messages, personal_data)
    result = client.complete_structured(
        messages,
        TrialSummaryDraft,
        prompt_name=template.name,
        prompt_version=prompt_version,
        forbidden_strings=personal_data,  # typed as given: a private phrase stays one
        temperature=temperature,
        max_output_tokens=max_output_tokens,
    )
    draft: TrialSummaryDraft = _normalise_titles(result.parsed)
    # The id comes from our record, never from the model's reply.
    draft.registry_id = trial.registry_id
    return draft, result.record


def draft_case_overview_with_llm(
    client: StructuredClient,
    template: PromptTemplate,
    *,
    prompt_version: Any,
    options: Sequence[OptionSummary],
    facts: CaseFacts,
    personal_data: PersonalData = (),
    feedback: str | None = None,
    temperature: float | None = None,
    max_output_tokens: int | None = None,
) -> tuple[CaseOverviewDraft, Any]:
    """Ask the LLM for the case overview; returns the validated draft (our titles) and the call record."""
    facts = deidentified_facts(facts, personal_data)
    feedback = deidentified_text(feedback, personal_data) if feedback else None
    messages = with_feedback(render_messages(template, build_case_overview_variables(options, facts)), feedback)
    guard_messages(messages, personal_data)
    result = client.complete_structured(
        messages,
        CaseOverviewDraft,
        prompt_name=template.name,
        prompt_version=prompt_version,
        forbidden_strings=personal_data,  # typed as given: a private phrase stays one
        temperature=temperature,
        max_output_tokens=max_output_tokens,
    )
    return _normalise_titles(result.parsed), result.record
