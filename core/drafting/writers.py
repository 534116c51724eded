"""The two drafters behind one call: the LLM when an endpoint is configured, else the offline drafter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases import get_case_facts, get_known_identifiers
from core.catalogue.records import NormalizedTrial
from core.catalogue.store import split_bars
from core.drafting.offline import OFFLINE_DRAFTER
from core.models import Draft, Match, Trial

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
    from core.drafting.schema import section_texts, sentence_sources

    return section_texts(draft_obj), {k: [[t, list(src)] for t, src in v] for k, v in sentence_sources(draft_obj).items()}


def _llm_context(prompt_name: str, pin: Pin | None = None):  # noqa: ANN202
    """The production prompt (or the pinned version), parsed, and a client for the configured endpoint."""
    from core.drafting.prompts import parse_prompt_text
    from core.llm import LLMClient
    from core.llm_config import capability_cache, load_llm_settings
    from core.prompt_store import get_labelled_version

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
    from core.drafting.offline import draft_trial_summary_offline
    from core.drafting.service import load_match_verdicts, nearest_open_sites
    from core.llm_config import load_llm_settings

    trial = NormalizedTrial.model_validate(s.get(Trial, trial_id).record)
    facts = get_case_facts(case_id, s)
    verdicts = load_match_verdicts(s, case_id, trial_id)
    nearest = nearest_open_sites(trial, facts)
    if load_llm_settings().is_configured:
        from core.drafting.llm_drafter import draft_trial_summary_with_llm

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


def option_summaries(s: Session, case_id: int) -> list[Any]:
    from core.drafting.context import OptionSummary

    options = []
    rows = s.execute(
        select(Trial, Match)
        .join(Draft, Draft.trial_id == Trial.id)
        .join(Match, (Match.trial_id == Trial.id) & (Match.case_id == case_id))
        .where(Draft.case_id == case_id, Draft.kind == "trial", Draft.status != "rejected")
        .order_by(Match.rank)
    ).all()
    for trial, match in rows:
        options.append(
            OptionSummary(
                registry_id=trial.registry_id,
                title=trial.brief_title,
                study_type=trial.study_type,
                phases=split_bars(trial.phases),
                overall_status=trial.overall_status,
                met=match.met,
                unknown=match.unknown,
                not_met=match.not_met,
                nearest_distance_km=match.distance_km,
            )
        )
    return options


def write_case_overview(s: Session, draft: Draft) -> Written:
    return write_case_overview_for(s, draft.case_id, feedback=draft.feedback)


def write_case_overview_for(s: Session, case_id: int, *, feedback: str | None = None, pin: Pin | None = None) -> Written:
    """A case overview from de-identified facts and the drafted options: LLM when configured, else offline."""
    from core.drafting.offline import draft_case_overview_offline
    from core.llm_config import load_llm_settings

    facts = get_case_facts(case_id, s)
    options = option_summaries(s, case_id)
    if load_llm_settings().is_configured:
        from core.drafting.llm_drafter import draft_case_overview_with_llm

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

