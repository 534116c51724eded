"""The allowed status transitions of drafts and cases, as one table: who may take each, from where, to where, and
what must hold first. The workflow functions look their step up here; nothing else writes a status."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.statuses import CaseStatus, DraftStatus
from core.errors import InvalidTransition
from core.permissions import Actor, require

D, C = DraftStatus, CaseStatus


@dataclass(frozen=True)
class Transition:
    """One step of the workflow."""

    name: str
    entity: str  # "draft" or "case"
    sources: frozenset[str]
    target: str
    permission: str | None  # None: only the system takes it (a job, the drafting run)
    preconditions: tuple[str, ...] = ()  # said in plain words; each is checked by the transition's function
    # What the step is called when it is refused ("it cannot be approved").
    verb: str = ""
    # The audit log's action for the step.
    audit: str = ""


def _t(name: str, entity: str, sources: set[str], target: str, permission: str | None,
       preconditions: tuple[str, ...] = (), verb: str = "", audit: str = "") -> Transition:
    return Transition(name, entity, frozenset(sources), target, permission, preconditions,
                      verb or name.replace("_", " "), audit or f"{entity}.{name}")


DRAFT_TRANSITIONS: dict[str, Transition] = {t.name: t for t in (
    _t("begin_drafting", "draft", {D.QUEUED, D.FAILED, D.CHANGES_REQUESTED}, D.DRAFTING, None, verb="drafted",
       audit="draft.begin"),
    _t("finish_drafting", "draft", {D.DRAFTING}, D.READY, None, ("a version was written and checked",),
       audit="draft.write"),
    _t("fail_drafting", "draft", {D.DRAFTING}, D.FAILED, None, ("the drafter gave a reason",), audit="draft.fail"),
    _t("requeue_drafting", "draft", {D.DRAFTING}, D.QUEUED, None,
       ("the LLM endpoint was unreachable, or the runner died",), audit="draft.requeue"),
    _t("retry", "draft", {D.FAILED}, D.QUEUED, "draft.create", verb="retried"),
    _t("start_review", "draft", {D.READY, D.IN_REVIEW}, D.IN_REVIEW, "review.work",
       ("no other reviewer holds an active claim",), verb="claimed", audit="draft.claim"),
    _t("release_claim", "draft", {D.IN_REVIEW}, D.READY, "review.work", ("the reviewer holds the claim",),
       verb="released"),
    _t("save", "draft", {D.IN_REVIEW}, D.IN_REVIEW, "review.work",
       ("the reviewer holds the claim", "the edit is based on the current version"), verb="edited"),
    _t("approve", "draft", {D.IN_REVIEW}, D.APPROVED, "review.work",
       ("the reviewer holds the claim", "the approval names the current version",
        "no blocking check fails, or each is overridden with a reason category and a sentence",
        "with a second reviewer required: a different reviewer approved the same version first"),
       verb="approved", audit="draft.approve"),
    _t("approve_first", "draft", {D.IN_REVIEW}, D.READY, "review.work",
       ("the reviewer holds the claim", "the approval names the current version",
        "no blocking check fails, or each is overridden with a reason category and a sentence"),
       verb="approved", audit="draft.approve"),
    _t("request_changes", "draft", {D.IN_REVIEW}, D.CHANGES_REQUESTED, "review.work",
       ("the reviewer holds the claim", "the reviewer says what should change"), verb="sent back"),
    _t("reject", "draft", {D.IN_REVIEW}, D.REJECTED, "review.work",
       ("the reviewer holds the claim", "the reviewer says why"), verb="rejected"),
    _t("release", "draft", {D.APPROVED, D.RELEASED}, D.RELEASED, "report.release",
       ("every part of the report is approved",), audit="draft.released"),
)}

CASE_TRANSITIONS: dict[str, Transition] = {t.name: t for t in (
    _t("matched", "case", {C.OPEN}, C.MATCHED, None, audit="case.matched"),
    # "open" too: what drafting needs is a selected trial, whichever way the matches were stored.
    _t("start_drafting", "case", {C.OPEN, C.MATCHED, C.DRAFTING, C.IN_REVIEW, C.RELEASED}, C.DRAFTING, "draft.create",
       ("at least one trial is selected",), verb="drafted", audit="draft.start"),
    _t("drafted", "case", {C.DRAFTING}, C.IN_REVIEW, None, audit="case.drafted"),
    _t("release", "case", {C.IN_REVIEW, C.RELEASED}, C.RELEASED, "report.release",
       ("every selected trial's summary and the case overview are approved",), verb="released",
       audit="case.released"),
)}

TRANSITIONS: dict[tuple[str, str], Transition] = {
    **{("draft", n): t for n, t in DRAFT_TRANSITIONS.items()},
    **{("case", n): t for n, t in CASE_TRANSITIONS.items()},
}


def transition(entity: str, name: str) -> Transition:
    return TRANSITIONS[(entity, name)]


def check_transition(who: Actor | None, entity: str, name: str, entity_id: object, current: str) -> Transition:
    """The step, once the user may take it (None: the system) and the entity's status allows it; else
    PermissionDenied or a plain InvalidTransition naming the status."""
    step = transition(entity, name)
    if step.permission is not None:
        if who is None:
            raise InvalidTransition(f"The {entity} step {name!r} needs a user.")
        require(who, step.permission)
    if current not in step.sources:
        raise InvalidTransition(f"{entity.capitalize()} {entity_id} is {current.replace('_', ' ')}; it cannot be {step.verb}.")
    return step
