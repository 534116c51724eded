"""Insights: exact edit distances, approval rates, reviewer counts, throughput, permissions and export."""

from __future__ import annotations

import pytest
from rapidfuzz.distance import Levenshtein

from core.errors import PermissionDenied
from core.insights import draft_metrics, export_insights, reviewer_metrics, summarise_by, throughput
from core.workflow.review import reject_draft, save_draft, start_review
from core.workflow.review_views import get_draft_detail
from tests.support.flow import approve_current, case_with_drafts, release


def _approve(actor, d):  # noqa: ANN001, ANN202
    approve_current(actor, d)


def test_edit_distance_from_first_draft_to_approved_text(team):
    case_id, drafts = case_with_drafts(team.reviewer, n_trials=2)
    edited = drafts[0]
    start_review(team.reviewer, edited)
    first = get_draft_detail(team.reviewer, edited).current
    new_sections = {**first.sections, "what_is_tested": first.sections["what_is_tested"] + " Ask about side effects."}
    save_draft(team.reviewer, edited, new_sections, base_version_id=first.id)
    _approve(team.reviewer, edited)
    start_review(team.reviewer2, drafts[1])
    _approve(team.reviewer2, drafts[1])
    start_review(team.reviewer, drafts[2])
    reject_draft(team.reviewer, drafts[2], "not useful")

    rows = {m.draft_id: m for m in draft_metrics(team.analyst)}
    a = "\n".join(first.sections.values())
    b = "\n".join(new_sections.values())
    assert rows[edited].edit_chars == Levenshtein.distance(a, b) == len(" Ask about side effects.")
    assert rows[edited].edit_words == Levenshtein.distance(a.split(), b.split()) == 4
    assert rows[drafts[1]].edit_chars == 0 and rows[drafts[1]].edit_ratio == 0
    assert rows[drafts[2]].approved is False and rows[drafts[2]].edit_chars is None
    assert rows[edited].hours_in_review is not None and rows[edited].drafter == "offline"

    by_drafter = {g.group: g for g in summarise_by(team.admin, "drafter")}
    offline = by_drafter["offline"]
    assert (offline.drafts, offline.approved) == (3, 2) and offline.approval_rate == pytest.approx(2 / 3, abs=1e-3)

    reviewers = {r.reviewer: r for r in reviewer_metrics(team.analyst)}
    assert reviewers["rita"].saves == 1 and reviewers["rita"].approvals == 1 and reviewers["rita"].rejections == 1
    assert reviewers["rob"].approvals == 1 and reviewers["rob"].median_minutes_per_item is not None


def test_throughput_and_queue(team):
    case_id, drafts = case_with_drafts(team.reviewer)
    assert throughput(team.analyst).queue_size == 2
    for d in drafts:
        start_review(team.reviewer, d)
        _approve(team.reviewer, d)
    release(team.reviewer, case_id)
    view = throughput(team.analyst, freq="day")
    assert view.queue_size == 0
    assert sum(p["cases_in"] for p in view.periods) == 1 and sum(p["reports_released"] for p in view.periods) == 1
    assert view.median_days_intake_to_release is not None and view.median_days_intake_to_release < 1


def test_permissions_and_export(team):
    case_with_drafts(team.reviewer)
    with pytest.raises(PermissionDenied):
        draft_metrics(team.reviewer)
    csv_text = export_insights(team.admin, "csv").decode()
    assert csv_text.startswith("draft_id,") and len(csv_text.strip().splitlines()) == 3
    assert export_insights(team.analyst, "xlsx")[:2] == b"PK"
