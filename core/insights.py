"""Insights: how much reviewers had to change, approval rates, time to approve, throughput and the queue."""

from __future__ import annotations

from datetime import date, datetime
from statistics import median
from typing import Literal

from pydantic import BaseModel
from rapidfuzz.distance import Levenshtein
from sqlalchemy import func, select

from core.db import session_scope
from core.models import AuditEvent, Case, Draft, DraftVersion, PromptVersion, Report, utcnow
from core.permissions import Actor, requires
from core.tabular_export import export_table


class DraftMetric(BaseModel):
    draft_id: int
    case_id: int
    kind: str
    drafter: str
    model: str
    prompt: str
    status: str
    rounds: int
    approved: bool
    overridden: bool
    hours_waiting: float | None  # ready -> first claim
    hours_in_review: float | None  # first claim -> approval
    edit_chars: int | None  # first model version -> approved text
    edit_words: int | None
    edit_ratio: float | None  # 0 = unchanged, 1 = entirely rewritten
    first_check_failures: list[str]
    input_tokens: int
    output_tokens: int
    cost: float
    created: date


class GroupSummary(BaseModel):
    group: str
    drafts: int
    approved: int
    approval_rate: float
    mean_rounds: float
    median_edit_ratio: float | None
    median_edit_words: float | None
    median_hours_to_approve: float | None
    check_failure_rate: dict[str, float]
    tokens: int
    cost: float


class ReviewerMetric(BaseModel):
    reviewer: str
    saves: int
    approvals: int
    overrides: int
    rejections: int
    median_minutes_per_item: float | None


class ThroughputView(BaseModel):
    periods: list[dict[str, object]]  # {period, cases_in, reports_released}
    median_days_intake_to_release: float | None
    queue_size: int
    queue_oldest_hours: float | None
    queue_median_hours: float | None


def _hours(a: datetime | None, b: datetime | None) -> float | None:
    return round((b - a).total_seconds() / 3600, 2) if a and b else None


def _text(sections: dict[str, str]) -> str:
    return "\n".join(v or "" for v in sections.values())


def measure_edit_distance(before: dict[str, str], after: dict[str, str]) -> tuple[int, int, float]:
    """How far one text (by section) is from another: characters, words, and a ratio (0 same, 1 rewritten)."""
    a, b = _text(before), _text(after)
    return (
        Levenshtein.distance(a, b),
        Levenshtein.distance(a.split(), b.split()),
        round(1 - Levenshtein.normalized_similarity(a, b), 4),
    )


def _within(day: date, since: date | None, until: date | None) -> bool:
    return (since is None or day >= since) and (until is None or day <= until)


@requires("insights.view")
def insights_version(actor: Actor) -> tuple[int | None, int | None, int | None]:
    """What the figures are made from, in three numbers (every change is audited, every text is a new version):
    the Insights page computes them again only when this changes."""
    with session_scope() as s:
        return (
            s.scalar(select(func.max(AuditEvent.id))),
            s.scalar(select(func.max(DraftVersion.id))),
            s.scalar(select(func.max(Draft.id))),
        )


@requires("insights.view")
def draft_metrics(actor: Actor, *, since: date | None = None, until: date | None = None) -> list[DraftMetric]:
    """One row per draft: who wrote it, how much the reviewer changed, how long it took, what it cost."""
    out: list[DraftMetric] = []
    with session_scope() as s:
        prompts = {p.id: f"{p.name} v{p.version}" for p in s.scalars(select(PromptVersion))}
        versions: dict[int, list[DraftVersion]] = {}
        for v in s.scalars(select(DraftVersion).order_by(DraftVersion.draft_id, DraftVersion.number)):
            versions.setdefault(v.draft_id, []).append(v)
        for d in s.scalars(select(Draft).order_by(Draft.id)):
            if not _within(d.created_at.date(), since, until):
                continue
            vs = versions.get(d.id, [])
            first = next((v for v in vs if v.author_kind == "model"), None)
            current = next((v for v in vs if v.id == d.current_version_id), None)
            approved = d.status in ("approved", "released")
            chars = words = ratio = None
            if approved and first and current:
                chars, words, ratio = measure_edit_distance(first.sections, current.sections)
            out.append(
                DraftMetric(
                    draft_id=d.id, case_id=d.case_id, kind=d.kind, drafter=d.drafter or "-", model=d.model or "-",
                    prompt=prompts.get(d.prompt_version_id, "-") if d.prompt_version_id else "-", status=d.status,
                    rounds=d.rounds, approved=approved, overridden=bool(d.override_reason),
                    hours_waiting=_hours(d.ready_at, d.review_started_at),
                    hours_in_review=_hours(d.review_started_at, d.approved_at),
                    edit_chars=chars, edit_words=words, edit_ratio=ratio,
                    first_check_failures=[c["name"] for c in (first.checks if first else []) if not c.get("passed")],
                    input_tokens=d.input_tokens, output_tokens=d.output_tokens, cost=round(d.cost, 6),
                    created=d.created_at.date(),
                )
            )
    return out


def _median(values: list[float | int | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(float(median(present)), 4) if present else None


@requires("insights.view")
def summarise_by(
    actor: Actor, key: Literal["prompt", "model", "drafter"], *, since: date | None = None, until: date | None = None
) -> list[GroupSummary]:
    """Per prompt version, model or drafter: approval rate, rounds, edit distance, check failures, time, cost."""
    return summarise_metrics(draft_metrics(actor, since=since, until=until), key)


def summarise_metrics(metrics: list[DraftMetric], key: Literal["prompt", "model", "drafter"]) -> list[GroupSummary]:
    """summarise_by on metrics already read (the Insights page reads them once and shows them several ways)."""
    groups: dict[str, list[DraftMetric]] = {}
    for m in metrics:
        groups.setdefault(getattr(m, key), []).append(m)
    out = []
    for name, ms in sorted(groups.items()):
        approved = [m for m in ms if m.approved]
        failures: dict[str, int] = {}
        for m in ms:
            for f in m.first_check_failures:
                failures[f] = failures.get(f, 0) + 1
        out.append(
            GroupSummary(
                group=name, drafts=len(ms), approved=len(approved),
                approval_rate=round(len(approved) / len(ms), 4) if ms else 0.0,
                mean_rounds=round(sum(m.rounds for m in approved) / len(approved), 2) if approved else 0.0,
                median_edit_ratio=_median([m.edit_ratio for m in approved]),
                median_edit_words=_median([m.edit_words for m in approved]),
                median_hours_to_approve=_median([m.hours_in_review for m in approved]),
                check_failure_rate={k: round(v / len(ms), 4) for k, v in sorted(failures.items())},
                tokens=sum(m.input_tokens + m.output_tokens for m in ms), cost=round(sum(m.cost for m in ms), 6),
            )
        )
    return out


@requires("insights.view")
def reviewer_metrics(actor: Actor, *, since: date | None = None, until: date | None = None) -> list[ReviewerMetric]:
    """Per reviewer, from the audit log: saves, approvals, overrides, rejections, time from claim to approval."""
    counts: dict[str, dict[str, int]] = {}
    claims: dict[tuple[str, str], datetime] = {}
    minutes: dict[str, list[float]] = {}
    with session_scope() as s:
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "draft", AuditEvent.action.like("draft.%")).order_by(AuditEvent.id)
        ).all()
        for e in events:
            if not _within(e.at.date(), since, until):
                continue
            c = counts.setdefault(e.actor, {"draft.save": 0, "draft.approve": 0, "draft.override": 0, "draft.reject": 0})
            if e.action in c:
                c[e.action] += 1
            if e.action == "draft.claim":
                claims.setdefault((e.actor, e.entity_id or ""), e.at)
            if e.action == "draft.approve" and (e.actor, e.entity_id or "") in claims:
                minutes.setdefault(e.actor, []).append((e.at - claims[(e.actor, e.entity_id or "")]).total_seconds() / 60)
    return [
        ReviewerMetric(
            reviewer=who, saves=c["draft.save"], approvals=c["draft.approve"], overrides=c["draft.override"],
            rejections=c["draft.reject"], median_minutes_per_item=_median(minutes.get(who, [])),
        )
        for who, c in sorted(counts.items())
        if who != "system"
    ]


@requires("insights.view")
def throughput(actor: Actor, *, freq: Literal["day", "week", "month"] = "week") -> ThroughputView:
    """Cases in and reports released per period, time from intake to first release, and the queue now."""

    def period(d: datetime) -> str:
        if freq == "day":
            return d.date().isoformat()
        if freq == "month":
            return d.strftime("%Y-%m")
        year, week, _ = d.isocalendar()
        return f"{year}-W{week:02d}"

    now = utcnow()
    rows: dict[str, dict[str, object]] = {}
    with session_scope() as s:
        cases = s.execute(select(Case.id, Case.created_at)).all()
        reports = s.execute(select(Report.case_id, Report.released_at, Report.version)).all()
        queue = s.execute(select(Draft.ready_at, Draft.created_at).where(Draft.status.in_(("ready", "in_review")))).all()
    for _, created in cases:
        rows.setdefault(period(created), {"period": period(created), "cases_in": 0, "reports_released": 0})["cases_in"] += 1  # type: ignore[operator]
    first_release: dict[int, datetime] = {}
    for case_id, released, _version in reports:
        rows.setdefault(period(released), {"period": period(released), "cases_in": 0, "reports_released": 0})["reports_released"] += 1  # type: ignore[operator]
        first_release[case_id] = min(released, first_release.get(case_id, released))
    created_at = dict(cases)
    days = [(first_release[c] - created_at[c]).total_seconds() / 86400 for c in first_release if c in created_at]
    waits = [(now - (ready or created)).total_seconds() / 3600 for ready, created in queue]
    return ThroughputView(
        periods=[rows[k] for k in sorted(rows)],
        median_days_intake_to_release=_median(days),
        queue_size=len(queue),
        queue_oldest_hours=round(max(waits), 2) if waits else None,
        queue_median_hours=_median(waits),
    )


@requires("insights.view")
def export_insights(actor: Actor, fmt: Literal["csv", "xlsx"] = "csv", *, since: date | None = None, until: date | None = None) -> bytes:
    """The per-draft table as CSV or Excel."""
    rows = [m.model_dump() for m in draft_metrics(actor, since=since, until=until)]
    header = list(DraftMetric.model_fields)
    return export_table({"drafts": [header, *[[r[h] for h in header] for r in rows]]}, fmt)

