"""The prompt playground: render a prompt version for a real case and trial (de-identified) and try it out.

Nothing from the playground is stored as a draft or reaches the review queue.
"""

from __future__ import annotations

import difflib
import json
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from core.audit import record_event
from core.case_records import get_case_facts, get_known_identifiers
from core.db import session_scope
from core.domain.trial import NormalizedTrial, ParsedCriterion
from core.drafting.checks import run_checks
from core.drafting.inputs import load_match_verdicts, nearest_open_sites, option_summaries
from core.drafting.offline import OFFLINE_DRAFTER, draft_case_overview_offline, draft_trial_summary_offline
from core.drafting.prompts import build_case_overview_variables, build_trial_summary_variables
from core.drafting.schema import section_texts
from core.errors import NotFound
from core.llm import LLMClient
from core.llm_config import load_llm_settings
from core.matching.criterion_prompt import build_criterion_assessment_variables, criterion_ref
from core.matching.llm_assessment import CRITERIA_PER_CALL
from core.models import PromptVersion, Trial
from core.permissions import Actor, requires
from core.privacy.deidentify import deidentify_case_facts, deidentify_sentences
from core.prompting.guard import guard_messages
from core.prompting.templates import parse_prompt_text, render_messages


class PlaygroundResult(BaseModel):
    text: str
    sections: dict[str, str]
    checks: list[dict[str, Any]]
    drafter: str
    model: str | None
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    latency_s: float = 0.0
    note: str = ""


def _version(s, name: str, version: int) -> PromptVersion:  # noqa: ANN001
    row = s.scalar(select(PromptVersion).where(PromptVersion.name == name, PromptVersion.version == version))
    if row is None:
        raise NotFound(f"No version {version} of prompt {name!r}.")
    return row


@requires("prompt.view")
def diff_prompt_versions(actor: Actor, name: str, a: int, b: int) -> str:
    """A unified diff between two versions of a prompt."""
    with session_scope() as s:
        left, right = _version(s, name, a).template_text, _version(s, name, b).template_text
    return "\n".join(
        difflib.unified_diff(left.splitlines(), right.splitlines(), f"{name} v{a}", f"{name} v{b}", lineterm="")
    ) or "The two versions are identical."


def _inputs(s, name: str, case_id: int, trial_id: int | None) -> dict[str, Any]:  # noqa: ANN001
    # Exactly what drafting and matching send: the case facts with every identifier replaced.
    original, known = get_case_facts(case_id), get_known_identifiers(case_id)
    facts = deidentify_case_facts(original, known)[0]
    if name == "case_overview":
        return build_case_overview_variables(option_summaries(s, case_id), facts)
    row = s.get(Trial, trial_id) if trial_id else None
    if row is None:
        raise NotFound("Pick a trial matched to this case.")
    trial = NormalizedTrial.model_validate(row.record)
    if name == "criterion_assessment":
        return build_criterion_assessment_variables(trial, _criteria_to_try(s, case_id, row.id, trial), facts,
                                                    deidentify_sentences(original.summary, known))
    return build_trial_summary_variables(trial, facts, load_match_verdicts(s, case_id, row.id), nearest_open_sites(trial, facts))


@requires("prompt.view")
def render_playground(actor: Actor, name: str, version: int, case_id: int, trial_id: int | None) -> list[dict[str, str]]:
    """The exact messages that would be sent, built from de-identified facts; refused if personal data slipped in."""
    with session_scope() as s:
        template = parse_prompt_text(_version(s, name, version).template_text, name)
        messages = render_messages(template, _inputs(s, name, case_id, trial_id))
    guard_messages(messages, get_known_identifiers(case_id))
    return messages


@requires("prompt.edit")
def run_playground(
    actor: Actor, name: str, version: int, case_id: int, trial_id: int | None,
    *, on_text: Callable[[str], None] | None = None,
) -> PlaygroundResult:
    """Run a prompt version on a case: streamed through the LLM when configured, else the offline drafter."""
    messages = render_playground(actor, name, version, case_id, trial_id)
    facts = get_case_facts(case_id)
    personal = get_known_identifiers(case_id)
    with session_scope() as s:
        trial = NormalizedTrial.model_validate(s.get(Trial, trial_id).record) if trial_id and name != "case_overview" else None
    settings = load_llm_settings()
    started = time.perf_counter()
    if settings.is_configured:
        stream = LLMClient(settings).stream_text(messages, prompt_name=name, prompt_version=str(version), forbidden_strings=personal)
        for piece in stream:
            if on_text:
                on_text(piece)
        text, rec = stream.text, stream.record
        sections, note = ({}, "") if name == "criterion_assessment" else _sections_from(text)
        result = PlaygroundResult(
            text=text, sections=sections, checks=[], drafter="llm", model=rec.model if rec else settings.model,
            input_tokens=rec.input_tokens if rec else 0, output_tokens=rec.output_tokens if rec else 0,
            cost=rec.cost if rec else 0.0, latency_s=rec.latency_s if rec else time.perf_counter() - started, note=note,
        )
    elif name == "criterion_assessment":
        with session_scope() as s:
            text = _offline_criteria(s, case_id, trial_id)  # type: ignore[arg-type]
        if on_text:
            on_text(text)
        result = PlaygroundResult(
            text=text, sections={}, checks=[], drafter="rules", model=None, latency_s=time.perf_counter() - started,
            note="No LLM endpoint is configured: these are the rules' verdicts for the same criteria.",
        )
    else:
        with session_scope() as s:
            draft = _offline(s, name, case_id, trial_id)
        sections = section_texts(draft)
        text = json.dumps(draft.model_dump(), indent=2, ensure_ascii=False)
        if on_text:
            on_text(text)
        result = PlaygroundResult(
            text=text, sections=sections, checks=[], drafter="offline", model=OFFLINE_DRAFTER,
            latency_s=time.perf_counter() - started,
            note="No LLM endpoint is configured: this is the offline drafter's output (it does not use the prompt).",
        )
    if name != "criterion_assessment":  # the draft checks read drafts; criterion answers are not drafts
        result.checks = [
            c.model_dump(mode="json")
            for c in run_checks(result.sections, kind="case" if name == "case_overview" else "trial", trial=trial, facts=facts, personal_data=personal)
        ]
    with session_scope() as s:
        record_event(s, actor, "prompt.playground", "prompt", f"{name}@{version}", after={"case": case_id, "trial": trial_id, "drafter": result.drafter})
    return result


def _criteria_to_try(s, case_id: int, trial_id: int, trial: NormalizedTrial) -> list[ParsedCriterion]:  # noqa: ANN001
    """One batch as matching would send it: the criteria the rules left open, else the first ones."""
    open_ = [
        ParsedCriterion(kind=v.kind, position=v.position, text=v.criterion_text)
        for v in load_match_verdicts(s, case_id, trial_id) if v.is_unknown
    ]
    return (open_ or list(trial.criteria))[:CRITERIA_PER_CALL]


def _offline_criteria(s, case_id: int, trial_id: int) -> str:  # noqa: ANN001
    """Without an LLM, matching keeps the rules' verdicts: show those for the same batch, in the answer's shape."""
    trial = NormalizedTrial.model_validate(s.get(Trial, trial_id).record)
    asked = {(c.kind, c.position) for c in _criteria_to_try(s, case_id, trial_id, trial)}
    answers = [
        {"ref": criterion_ref(v), "verdict": v.verdict, "evidence_sentences": v.evidence_sentences,
         "explanation": f"rules ({v.source})"}
        for v in load_match_verdicts(s, case_id, trial_id) if (v.kind, v.position) in asked
    ]
    return json.dumps({"assessments": answers}, indent=2, ensure_ascii=False)


def _offline(s, name: str, case_id: int, trial_id: int | None):  # noqa: ANN001, ANN202
    facts = get_case_facts(case_id)
    if name == "case_overview":
        return draft_case_overview_offline(option_summaries(s, case_id), facts)
    trial = NormalizedTrial.model_validate(s.get(Trial, trial_id).record)
    return draft_trial_summary_offline(trial, facts, load_match_verdicts(s, case_id, trial_id), nearest_open_sites(trial, facts))


def _sections_from(text: str) -> tuple[dict[str, str], str]:
    """Sections of a JSON answer in the draft schema; otherwise the whole text as one section, said so."""
    try:
        data = json.loads(text)
        return {sec["key"]: " ".join(x["text"] for x in sec["sentences"]) for sec in data["sections"]}, ""
    except (ValueError, KeyError, TypeError):
        return {"text": text}, "The answer was not JSON in the draft schema; it was checked as one section."
