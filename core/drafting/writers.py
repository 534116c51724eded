"""The two drafters behind one call: the LLM when an endpoint is configured, else the offline drafter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from core.case_records import get_case_facts, get_known_identifiers
from core.drafting.inputs import load_match_verdicts, load_trial, nearest_open_sites, option_summaries
from core.drafting.llm_drafter import draft_case_overview_with_llm, draft_trial_summary_with_llm
from core.drafting.offline import OFFLINE_DRAFTER, draft_case_overview_offline, draft_trial_summary_offline
from core.drafting.schema import section_texts, sentence_sources
from core.llm import LLMClient
from core.llm_config import capability_cache, load_llm_settings
from core.models import Draft
from core.prompting.store import get_labelled_version
from core.prompting.templates import parse_prompt_text

OFFLINE_AUTHOR = "offline drafter"


@dataclass
class Written:
    sections: dict[str, str]
    sources: dict[str, Any]
    drafter: str
    model: str | None
    author: str
    prompt_version_id: int | None = None
    prompt_hash: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    latency_s: float = 0.0
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _from_structured(draft_obj: Any) -> tuple[dict[str, str], dict[str, Any]]:
    return section_texts(draft_obj), {k: [[t, list(src)] for t, src in v] for k, v in sentence_sources(draft_obj).items()}


def _llm_context(prompt_name: str, pin: Pin | None = None):  # noqa: ANN202
    """The production prompt (or the pinned version), parsed, and a client for the configured endpoint."""
    version = pin.version if pin and pin.version is not None else get_labelled_version(prompt_name)
    template = parse_prompt_text(version.template_text, prompt_name)
    settings = load_llm_settings()
    if pin and pin.model:
        settings = settings.model_copy(update={"model": pin.model, "azure_deployment": pin.model if settings.is_azure else None})
    client = LLMClient(settings, capability_cache=capability_cache())
    params = {k: version.parameters.get(k) for k in ("temperature", "max_output_tokens")}
    return version, template, client, params


def _written_from_llm(parsed: Any, record: Any, version: Any) -> Written:
    sections, sources = _from_structured(parsed)
    return Written(
        sections=sections,
        sources=sources,
        drafter="llm",
        model=record.model,
        author=f"llm:{record.model}",
        prompt_version_id=version.id,
        prompt_hash=version.content_hash,
        input_tokens=record.input_tokens,
        output_tokens=record.output_tokens,
        cost=record.cost,
        latency_s=record.latency_s,
        note=f"Drafted by {record.model} with prompt {version.name} v{version.version}",
    )


@dataclass(frozen=True)
class Pin:
    """A prompt version and model to write with instead of the production label and configured model (comparisons)."""

    version: Any = None  # a PromptVersion row or view
    model: str | None = None


def write_trial_summary(s: Session, draft: Draft) -> Written:
    return write_trial_summary_for(s, draft.case_id, draft.trial_id, feedback=draft.feedback)


def write_trial_summary_for(s: Session, case_id: int, trial_id: int, *, feedback: str | None = None, pin: Pin | None = None) -> Written:
    """A trial summary for a case, from de-identified facts only: LLM when configured, else the offline drafter."""
    trial = load_trial(s, trial_id)
    facts = get_case_facts(case_id, s)
    verdicts = load_match_verdicts(s, case_id, trial_id)
    nearest = nearest_open_sites(trial, facts)
    if load_llm_settings().is_configured:
        version, template, client, params = _llm_context("trial_summary", pin)
        parsed, record = draft_trial_summary_with_llm(
            client, template, prompt_version=str(version.version), trial=trial, facts=facts, verdicts=verdicts,
            nearest_sites=nearest, personal_data=get_known_identifiers(case_id, s), feedback=feedback, **params,
        )
        return _written_from_llm(parsed, record, version)
    structured = draft_trial_summary_offline(trial, facts, verdicts, nearest)
    sections, sources = _from_structured(structured)
    note = "Written by the offline drafter from the trial record and the criterion verdicts"
    if feedback:
        note += "; the offline drafter cannot take feedback: edit the text directly"
    return Written(sections=sections, sources=sources, drafter="offline", model=OFFLINE_DRAFTER, author=OFFLINE_AUTHOR, note=note)


def write_case_overview(s: Session, draft: Draft) -> Written:
    return write_case_overview_for(s, draft.case_id, feedback=draft.feedback)


def write_case_overview_for(s: Session, case_id: int, *, feedback: str | None = None, pin: Pin | None = None) -> Written:
    """A case overview from de-identified facts and the drafted options: LLM when configured, else offline."""
    facts = get_case_facts(case_id, s)
    options = option_summaries(s, case_id)
    if load_llm_settings().is_configured:
        version, template, client, params = _llm_context("case_overview", pin)
        parsed, record = draft_case_overview_with_llm(
            client, template, prompt_version=str(version.version), options=options, facts=facts,
            personal_data=get_known_identifiers(case_id, s), feedback=feedback, **params,
        )
        return _written_from_llm(parsed, record, version)
    structured = draft_case_overview_offline(options, facts)
    sections, sources = _from_structured(structured)
    return Written(
        sections=sections, sources=sources, drafter="offline", model=OFFLINE_DRAFTER, author=OFFLINE_AUTHOR,
        note="Written by the offline drafter from the selected options",
    )

