"""Review workflow: claims, versions, conflicts, approvals, comments, and the refused transitions."""

from __future__ import annotations

import threading

import pytest

from core.audit import AuditFilter, list_events
from core.db import session_scope
from core.domain.overrides import CheckOverride
from core.errors import ConflictError, InvalidTransition, PermissionDenied, ValidationFailed
from core.models import Draft
from core.workflow.review import (
    approve_draft,
    claim_next_draft,
    heartbeat_claim,
    reject_draft,
    release_claim,
    restore_version,
    save_draft,
    start_review,
)
from core.workflow.review_views import add_comment, get_draft_detail, list_comments, list_queue
from tests.support.flow import case_with_drafts


def test_offline_drafts_wait_in_the_queue_with_their_checks(team):
    case_id, drafts = case_with_drafts(team.reviewer)
    assert len(drafts) == 2  # one trial summary and the case overview
    detail = get_draft_detail(team.reviewer, drafts[0])
    assert detail.status == "ready" and detail.drafter == "offline"
    assert detail.current.checks and {c["name"] for c in detail.current.checks} >= {"grounding", "no_promises"}
    assert "Zoë" not in str(detail.current.sections)  # the contact's name never enters a draft


def test_claim_next_gives_each_reviewer_a_different_draft(team):
    _, drafts = case_with_drafts(team.reviewer)
    first = claim_next_draft(team.reviewer)
    second = claim_next_draft(team.reviewer2)
    assert {first, second} == set(drafts)
    assert claim_next_draft(team.reviewer) is None or claim_next_draft(team.reviewer) not in (second,)


def test_claim_race_from_threads_has_exactly_one_winner(team):
    _, drafts = case_with_drafts(team.reviewer)
    # Leave one draft claimable so every thread races for the same row.
    start_review(team.reviewer2, drafts[1])
    results: list[int | None] = []
    barrier = threading.Barrier(6)

    def race() -> None:
        barrier.wait()
        results.append(claim_next_draft(team.reviewer))

    threads = [threading.Thread(target=race) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # The same reviewer may not "win" twice: only one UPDATE found the row unclaimed.
    assert [r for r in results if r is not None] == [drafts[0]]
    assert sum(1 for e in list_events(team.admin, AuditFilter(action="draft.claim")) if e.entity_id == str(drafts[0])) == 1


def test_a_stale_save_is_refused_and_nothing_is_overwritten(team):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    base = get_draft_detail(team.reviewer, d).current
    mine = {**base.sections, "what_is_tested": "My edit."}
    theirs = {**base.sections, "what_is_tested": "Their edit."}
    start_review(team.reviewer2, d)
    save_draft(team.reviewer2, d, theirs, base_version_id=base.id)
    release_claim(team.reviewer2, d)
    start_review(team.reviewer, d)
    with pytest.raises(ConflictError) as err:
        save_draft(team.reviewer, d, mine, base_version_id=base.id)
    assert err.value.current.sections["what_is_tested"] == "Their edit."
    assert get_draft_detail(team.reviewer, d).current.sections["what_is_tested"] == "Their edit."


def test_every_save_is_a_new_version_and_restore_makes_another(team):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)
    v1 = get_draft_detail(team.reviewer, d).current
    v2 = save_draft(team.reviewer, d, {**v1.sections, "what_is_tested": "Shorter text."}, base_version_id=v1.id)
    v3 = restore_version(team.reviewer, d, v1.id, base_version_id=v2.id)
    detail = get_draft_detail(team.reviewer, d)
    assert [v.number for v in detail.versions] == [1, 2, 3]
    assert v3.sections == v1.sections
    assert detail.versions[0].sections == v1.sections  # immutable


def test_approval_refused_on_blocking_failure_unless_overridden(team):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)
    v = get_draft_detail(team.reviewer, d).current
    promise = {**v.sections, "what_is_tested": v.sections["what_is_tested"] + " This treatment will cure the leukaemia."}
    saved = save_draft(team.reviewer, d, promise, base_version_id=v.id)
    assert any(c["name"] == "no_promises" and not c["passed"] for c in saved.checks)
    with pytest.raises(ValidationFailed) as err:
        approve_draft(team.reviewer, d, version=saved.number)
    assert "no_promises" in str(err.value)
    override = CheckOverride(category="verified_in_source", reason="Quoted from the sponsor's consent form")
    assert approve_draft(team.reviewer, d, version=saved.number, override=override) == "approved"
    actions = [e.action for e in list_events(team.admin, AuditFilter(entity_type="draft", entity_id=str(d)))]
    assert "draft.override" in actions and "draft.approve" in actions


def test_second_reviewer_rule(team, monkeypatch):
    monkeypatch.setenv("SECOND_REVIEWER_REQUIRED", "true")
    from core.config import get_settings

    get_settings.cache_clear()
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)
    assert approve_draft(team.reviewer, d, version=1) == "ready"  # back in the queue for a second reviewer
    assert get_draft_detail(team.reviewer, d).approved_by == ["rita"]
    start_review(team.reviewer, d)
    with pytest.raises(InvalidTransition):
        approve_draft(team.reviewer, d, version=1)
    release_claim(team.reviewer, d)
    assert claim_next_draft(team.reviewer) != d  # the first approver is not handed the draft again
    start_review(team.reviewer2, d)
    assert approve_draft(team.reviewer2, d, version=1) == "approved"


def test_refused_transitions(team):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)
    reject_draft(team.reviewer, d, "Not relevant for this family")
    with pytest.raises(InvalidTransition):
        approve_draft(team.reviewer, d, version=1)
    with pytest.raises(InvalidTransition):
        save_draft(team.reviewer, d, {"what_is_tested": "x"}, base_version_id=None)
    with pytest.raises(ValidationFailed):
        reject_draft(team.reviewer, drafts[1], "  ")
    with pytest.raises(PermissionDenied):
        approve_draft(team.analyst, drafts[1], version=1)


def test_claims_expire_release_and_heartbeat(team):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)
    with pytest.raises(ConflictError):
        start_review(team.reviewer2, d)
    assert heartbeat_claim(team.reviewer, d) is not None
    assert heartbeat_claim(team.reviewer2, d) is None
    with session_scope() as s:
        from datetime import timedelta

        from core.models import utcnow

        s.get(Draft, d).claim_expires_at = utcnow() - timedelta(minutes=1)
    start_review(team.reviewer2, d)  # the expired claim no longer blocks
    release_claim(team.reviewer2, d)
    assert [i.claimed_by for i in list_queue(team.reviewer) if i.draft_id == d] == [None]


def test_threaded_comments(team):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    root = add_comment(team.reviewer, d, "Is the age range right?")
    add_comment(team.reviewer2, d, "Second thread")
    add_comment(team.reviewer2, d, "Yes, 12 to 70.", parent_id=root)
    assert [(c.author, c.parent_id) for c in list_comments(team.reviewer, d)] == [
        ("rita", None), ("rob", root), ("rob", None)
    ]


def test_rematching_keeps_selection_and_reviewer_overrides(team):
    from core.matching.service import list_matches, match_case, override_verdict

    case_id, _ = case_with_drafts(team.reviewer)
    selected = [m for m in list_matches(team.reviewer, case_id) if m.status == "selected"][0]
    verdict = selected.verdicts[0]
    new_label = "not enough information" if verdict.verdict != "not enough information" else (
        "included" if verdict.kind == "inclusion" else "excluded"
    )
    override_verdict(team.reviewer, verdict.id, new_label, "the reviewer read the full notes")
    match_case(case_id)
    again = next(m for m in list_matches(team.reviewer, case_id) if m.trial_id == selected.trial_id)
    assert again.status == "selected"
    kept = next(v for v in again.verdicts if (v.kind, v.position) == (verdict.kind, verdict.position))
    assert (kept.verdict, kept.source, kept.override_reason) == (new_label, "reviewer", "the reviewer read the full notes")
