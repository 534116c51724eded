"""Blind pairwise judging of a comparison: outputs shown as "A" and "B" in a per-item fixed random order."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select

from core.audit import record_event
from core.db import session_scope
from core.errors import NotFound, ValidationFailed
from core.models import ComparisonItem, ComparisonJudgement, utcnow
from core.permissions import Actor, requires
from core.prompt_comparison import load_comparison, side_labels

Choice = Literal["A", "B", "equal"]


class BlindPair(BaseModel):
    """One item as a judge sees it: the two texts, never which version or model wrote them."""

    item_id: int
    position: int
    ready: bool  # both sides written
    a: dict[str, str] = Field(default_factory=dict)
    b: dict[str, str] = Field(default_factory=dict)
    my_choice: Choice | None = None


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def _to_choice(item: ComparisonItem, preferred: str) -> Choice:
    if preferred == "equal":
        return "equal"
    return "A" if preferred == item.a_side else "B"


def _to_side(item: ComparisonItem, choice: Choice) -> str:
    if choice == "equal":
        return "equal"
    return item.a_side if choice == "A" else _other(item.a_side)


@requires("comparison.judge")
def list_blind_pairs(actor: Actor, comparison_id: int) -> list[BlindPair]:
    """Every item's two outputs as A and B, with this judge's earlier choice."""
    with session_scope() as s:
        comparison = load_comparison(s, comparison_id)
        mine = dict(
            s.execute(
                select(ComparisonJudgement.item_id, ComparisonJudgement.preferred)
                .join(ComparisonItem, ComparisonItem.id == ComparisonJudgement.item_id)
                .where(ComparisonItem.comparison_id == comparison_id, ComparisonJudgement.judge == actor.username)
            ).all()
        )
        pairs = []
        for item in comparison.items:
            outputs = {o.side: o for o in item.outputs}
            a, b = outputs.get(item.a_side), outputs.get(_other(item.a_side))
            ready = bool(a and b and a.status == b.status == "done")
            pairs.append(
                BlindPair(
                    item_id=item.id, position=item.position, ready=ready,
                    a=dict(a.sections) if ready else {}, b=dict(b.sections) if ready else {},
                    my_choice=_to_choice(item, mine[item.id]) if item.id in mine else None,
                )
            )
        return pairs


@requires("comparison.judge")
def judge_pair(actor: Actor, item_id: int, choice: Choice) -> str:
    """Record which output this judge prefers (A, B or equal), stored as the side it maps to; a new choice replaces the old."""
    if choice not in ("A", "B", "equal"):
        raise ValidationFailed({"choice": "pick A better, B better or equal."})
    with session_scope() as s:
        item = s.get(ComparisonItem, item_id)
        if item is None:
            raise NotFound(f"No comparison item {item_id}.")
        if any(o.status != "done" for o in item.outputs) or len(item.outputs) != 2:
            raise ValidationFailed({"item": "both outputs must be written before the pair can be judged."})
        side = _to_side(item, choice)
        row = s.scalar(select(ComparisonJudgement).where(ComparisonJudgement.item_id == item_id, ComparisonJudgement.judge == actor.username))
        before = {"preferred": row.preferred} if row else None
        if row is None:
            s.add(ComparisonJudgement(item_id=item_id, judge=actor.username, preferred=side))
        else:
            row.preferred, row.judged_at = side, utcnow()
        labels = side_labels(s, item.comparison)
        record_event(
            s, actor, "comparison.judge", "comparison_item", item_id, before=before,
            after={"comparison": item.comparison_id, "preferred": side, "version": labels.get(side, "equal")},
        )
        return side
