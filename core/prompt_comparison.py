"""Prompt comparisons: run two prompt versions (or models) over chosen cases and trials, and read the results.

Nothing from a comparison becomes a draft, reaches the review queue or a family.
"""

from __future__ import annotations

import random
from datetime import datetime
from statistics import mean
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import record_event
from core.comparison_run import JOB_KIND, SIDES
from core.db import session_scope
from core.errors import NotFound, ValidationFailed
from core.insights import measure_edit_distance
from core.jobs import get_job, submit_job
from core.models import (
    Case,
    Comparison,
    ComparisonItem,
    ComparisonJudgement,
    ComparisonOutput,
    Draft,
    DraftVersion,
    Match,
    PromptVersion,
    Trial,
)
from core.permissions import Actor, requires

# Only the prompts that write report text can be compared: they share the draft checks.
COMPARABLE_PROMPTS = ("trial_summary", "case_overview")
MAX_ITEMS = 200


class SideSpec(BaseModel):
    version: int
    model: str | None = None  # empty: the configured model


class ItemRef(BaseModel):
    case_id: int
    trial_id: int | None = None  # None: the case overview


class ComparisonRequest(BaseModel):
    prompt_name: str
    left: SideSpec
    right: SideSpec
    items: list[ItemRef]
    name: str = ""


class StartedComparison(BaseModel):
    comparison_id: int
    job_id: int


class CandidateItem(BaseModel):
    case_id: int
    trial_id: int | None
    label: str
    has_reference: bool


class ComparisonSummary(BaseModel):
    id: int
    name: str
    prompt_name: str
    items: int
    created_by: str
    created_at: datetime


class SideOutput(BaseModel):
    side: str
    status: str
    error: str | None = None
    drafter: str | None = None
    model: str | None = None
    sections: dict[str, str] = Field(default_factory=dict)
    checks: list[dict[str, Any]] = Field(default_factory=list)
    metrics: dict[str, Any] = Field(default_factory=dict)
    edit_chars: int | None = None  # distance to the approved text, when there is one
    edit_words: int | None = None
    edit_ratio: float | None = None


class ItemResult(BaseModel):
    item_id: int
    position: int
    case_id: int
    trial_id: int | None
    label: str
    reference_draft_id: int | None
    reference: dict[str, str] | None
    left: SideOutput
    right: SideOutput
    preferences: dict[str, int]  # left / right / equal -> judges


class SideAggregate(BaseModel):
    side: str
    label: str
    done: int
    failed: int
    checks_pass_rate: float | None
    mean_reading_grade: float | None
    grounding_flags: int
    mean_words: float | None
    input_tokens: int
    output_tokens: int
    cost: float
    mean_latency_s: float | None
    with_reference: int
    mean_edit_ratio: float | None
    preferred: int


class ComparisonResult(BaseModel):
    id: int
    name: str
    prompt_name: str
    labels: dict[str, str]  # side -> "v2 · model"
    job_id: int | None
    job_status: str | None
    created_by: str
    created_at: datetime
    items: list[ItemResult]
    aggregates: list[SideAggregate]
    tally: dict[str, int]  # left / right / equal
    note: str = ""


def _version_row(s: Session, name: str, version: int, field: str) -> PromptVersion:
    row = s.scalar(select(PromptVersion).where(PromptVersion.name == name, PromptVersion.version == version))
    if row is None:
        raise ValidationFailed({field: f"prompt {name!r} has no version {version}."})
    return row


def _checked_items(s: Session, prompt_name: str, items: list[ItemRef]) -> list[ItemRef]:
    """The requested items, de-duplicated, each naming a case (and for trial summaries a trial) that exists."""
    if not items:
        raise ValidationFailed({"items": "pick at least one case and trial to compare on."})
    unique = list(dict.fromkeys((i.case_id, i.trial_id if prompt_name != "case_overview" else None) for i in items))
    if len(unique) > MAX_ITEMS:
        raise ValidationFailed({"items": f"at most {MAX_ITEMS} items per comparison (got {len(unique)})."})
    for case_id, trial_id in unique:
        if s.get(Case, case_id) is None:
            raise ValidationFailed({"items": f"there is no case with id {case_id}."})
        if prompt_name != "case_overview" and (trial_id is None or s.get(Trial, trial_id) is None):
            raise ValidationFailed({"items": f"a trial summary needs a trial: item for case {case_id} has none that exists."})
    return [ItemRef(case_id=c, trial_id=t) for c, t in unique]


@requires("comparison.run")
def start_comparison(actor: Actor, request: ComparisonRequest) -> StartedComparison:
    """Store a comparison and its items (each with a random, fixed blind order) and queue the job that runs it."""
    if request.prompt_name not in COMPARABLE_PROMPTS:
        raise ValidationFailed({"prompt": f"only {', '.join(COMPARABLE_PROMPTS)} can be compared."})
    left_model, right_model = (request.left.model or "").strip() or None, (request.right.model or "").strip() or None
    if (request.left.version, left_model) == (request.right.version, right_model):
        raise ValidationFailed({"sides": "the two sides are the same: pick another version or model for one of them."})
    rng = random.SystemRandom()
    with session_scope() as s:
        left = _version_row(s, request.prompt_name, request.left.version, "left version")
        right = _version_row(s, request.prompt_name, request.right.version, "right version")
        items = _checked_items(s, request.prompt_name, request.items)
        comparison = Comparison(
            name=request.name.strip() or f"{request.prompt_name} v{left.version} vs v{right.version}",
            prompt_name=request.prompt_name, left_version_id=left.id, left_model=left_model,
            right_version_id=right.id, right_model=right_model, created_by=actor.username,
        )
        s.add(comparison)
        s.flush()
        for position, ref in enumerate(items):
            item = ComparisonItem(
                comparison_id=comparison.id, position=position, case_id=ref.case_id, trial_id=ref.trial_id,
                a_side=rng.choice(SIDES),
            )
            s.add(item)
            s.flush()
            s.add_all([ComparisonOutput(item_id=item.id, side=side) for side in SIDES])
        comparison_id = comparison.id
        record_event(
            s, actor, "comparison.start", "comparison", comparison_id,
            after={"prompt": request.prompt_name, "left": f"v{left.version}", "left_model": left_model,
                   "right": f"v{right.version}", "right_model": right_model, "items": len(items)},
        )
    job_id = submit_job(JOB_KIND, {"comparison_id": comparison_id}, created_by=actor.username, idempotency_key=f"comparison:{comparison_id}")
    with session_scope() as s:
        s.get(Comparison, comparison_id).job_id = job_id
    return StartedComparison(comparison_id=comparison_id, job_id=job_id)


def _reference(s: Session, case_id: int, trial_id: int | None) -> tuple[int, dict[str, str]] | None:
    """The most recently approved draft text for this case and trial (or overview), from past review."""
    trial_clause = Draft.trial_id == trial_id if trial_id else Draft.trial_id.is_(None)
    draft = s.scalar(
        select(Draft)
        .where(Draft.case_id == case_id, trial_clause, Draft.status.in_(("approved", "released")))
        .order_by(Draft.approved_at.desc(), Draft.id.desc())
        .limit(1)
    )
    if draft is None or draft.current_version_id is None:
        return None
    return draft.id, dict(s.get(DraftVersion, draft.current_version_id).sections)


def _item_label(s: Session, case_id: int, trial_id: int | None) -> str:
    case_ref = s.scalar(select(Case.reference).where(Case.id == case_id)) or f"case {case_id}"
    if trial_id is None:
        return f"{case_ref} · case overview"
    trial = s.get(Trial, trial_id)
    return f"{case_ref} · {trial.registry_id}: {trial.brief_title[:70]}" if trial else f"{case_ref} · trial {trial_id}"


@requires("comparison.run")
def list_comparison_candidates(actor: Actor, prompt_name: str) -> list[CandidateItem]:
    """Items one can compare on: selected or drafted trials of every case (or each drafted case's overview)."""
    with session_scope() as s:
        if prompt_name == "case_overview":
            pairs = {(c, None) for c in s.scalars(select(Draft.case_id).where(Draft.kind == "trial"))}
        else:
            pairs = set(s.execute(select(Match.case_id, Match.trial_id).where(Match.status == "selected")).all())
            pairs |= set(s.execute(select(Draft.case_id, Draft.trial_id).where(Draft.kind == "trial")).all())
        out = [
            CandidateItem(case_id=c, trial_id=t, label=_item_label(s, c, t), has_reference=_reference(s, c, t) is not None)
            for c, t in pairs
        ]
    # Items with an approved reference first: they say the most about a prompt.
    return sorted(out, key=lambda i: (not i.has_reference, i.label))


@requires("comparison.list")
def list_comparisons(actor: Actor, *, limit: int = 50) -> list[ComparisonSummary]:
    """The latest comparisons (names and prompts only: nothing that tells which output came from which side)."""
    with session_scope() as s:
        rows = s.scalars(select(Comparison).order_by(Comparison.id.desc()).limit(limit)).all()
        return [
            ComparisonSummary(id=c.id, name=c.name, prompt_name=c.prompt_name, items=len(c.items), created_by=c.created_by, created_at=c.created_at)
            for c in rows
        ]


def side_labels(s: Session, comparison: Comparison) -> dict[str, str]:
    """How each side is named on screen and in exports: its version and, when overridden, its model."""
    labels = {}
    for side in SIDES:
        version = s.get(PromptVersion, getattr(comparison, f"{side}_version_id"))
        model = getattr(comparison, f"{side}_model")
        labels[side] = f"v{version.version}" + (f" · {model}" if model else "")
    return labels


def _side_output(output: ComparisonOutput | None, side: str, reference: dict[str, str] | None) -> SideOutput:
    if output is None:
        return SideOutput(side=side, status="pending")
    view = SideOutput(
        side=side, status=output.status, error=output.error, drafter=output.drafter, model=output.model,
        sections=dict(output.sections or {}), checks=list(output.checks or []), metrics=dict(output.metrics or {}),
    )
    if reference is not None and output.status == "done":
        view.edit_chars, view.edit_words, view.edit_ratio = measure_edit_distance(view.sections, reference)
    return view


def _mean(values: list[float]) -> float | None:
    return round(mean(values), 4) if values else None


def _aggregate(side: str, label: str, items: list[ItemResult], tally: dict[str, int]) -> SideAggregate:
    outs = [getattr(i, side) for i in items]
    done = [o for o in outs if o.status == "done"]
    passed = sum(o.metrics.get("checks_passed", 0) for o in done)
    total = sum(o.metrics.get("checks_total", 0) for o in done)
    referenced = [o.edit_ratio for o in done if o.edit_ratio is not None]
    return SideAggregate(
        side=side, label=label, done=len(done), failed=sum(1 for o in outs if o.status == "failed"),
        checks_pass_rate=round(passed / total, 4) if total else None,
        mean_reading_grade=_mean([o.metrics["reading_grade"] for o in done if o.metrics.get("reading_grade") is not None]),
        grounding_flags=sum(o.metrics.get("grounding_flags", 0) for o in done),
        mean_words=_mean([o.metrics.get("words", 0) for o in done]),
        input_tokens=sum(o.metrics.get("input_tokens", 0) for o in done),
        output_tokens=sum(o.metrics.get("output_tokens", 0) for o in done),
        cost=round(sum(o.metrics.get("cost", 0.0) for o in done), 6),
        mean_latency_s=_mean([o.metrics.get("latency_s", 0.0) for o in done]),
        with_reference=len(referenced), mean_edit_ratio=_mean(referenced), preferred=tally[side],
    )


def load_comparison(s: Session, comparison_id: int) -> Comparison:
    """The comparison row, or a plain NotFound."""
    comparison = s.get(Comparison, comparison_id)
    if comparison is None:
        raise NotFound(f"No comparison {comparison_id}.")
    return comparison


@requires("comparison.view")
def get_comparison(actor: Actor, comparison_id: int) -> ComparisonResult:
    """Every item side by side (with the distance to the approved text), per-side aggregates and the judges' tally."""
    with session_scope() as s:
        comparison = load_comparison(s, comparison_id)
        labels = side_labels(s, comparison)
        judgements: dict[int, list[str]] = {}
        for item_id, preferred in s.execute(
            select(ComparisonJudgement.item_id, ComparisonJudgement.preferred)
            .join(ComparisonItem, ComparisonItem.id == ComparisonJudgement.item_id)
            .where(ComparisonItem.comparison_id == comparison_id)
        ).all():
            judgements.setdefault(item_id, []).append(preferred)
        items = []
        for item in comparison.items:
            ref = _reference(s, item.case_id, item.trial_id)
            outputs = {o.side: o for o in item.outputs}
            votes = judgements.get(item.id, [])
            items.append(
                ItemResult(
                    item_id=item.id, position=item.position, case_id=item.case_id, trial_id=item.trial_id,
                    label=_item_label(s, item.case_id, item.trial_id),
                    reference_draft_id=ref[0] if ref else None, reference=ref[1] if ref else None,
                    left=_side_output(outputs.get("left"), "left", ref[1] if ref else None),
                    right=_side_output(outputs.get("right"), "right", ref[1] if ref else None),
                    preferences={k: votes.count(k) for k in ("left", "right", "equal")},
                )
            )
        job = get_job(comparison.job_id) if comparison.job_id else None
        tally = {k: sum(i.preferences[k] for i in items) for k in ("left", "right", "equal")}
        drafters = {o.drafter for i in items for o in (i.left, i.right) if o.drafter}
        return ComparisonResult(
            id=comparison.id, name=comparison.name, prompt_name=comparison.prompt_name, labels=labels,
            job_id=comparison.job_id, job_status=job.status if job else None, created_by=comparison.created_by,
            created_at=comparison.created_at, items=items,
            aggregates=[_aggregate(side, labels[side], items, tally) for side in SIDES], tally=tally,
            note="No LLM endpoint was configured: the offline drafter wrote both sides, and it does not use the prompt."
            if drafters == {"offline"} else "",
        )
