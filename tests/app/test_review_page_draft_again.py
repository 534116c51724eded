"""The review page of a rejected draft offers "Draft again": a new draft of the same slot, drafted at once."""

from __future__ import annotations

from sqlalchemy import select

from core.db import session_scope
from core.models import Draft
from core.workflow.review import reject_draft, start_review
from tests.app.conftest import page
from tests.support.flow import case_with_drafts


def test_a_rejected_draft_can_be_drafted_again_from_its_page(team):
    case_id, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)
    reject_draft(team.reviewer, d, "The wrong study for this family")
    at = page("pages/review.py", team.reviewer, draft_id=d).run()
    assert not at.exception
    assert at.button(key="retry").label == "Draft again"
    at.button(key="retry").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with session_scope() as s:
        rows = s.execute(select(Draft.id, Draft.status).where(Draft.case_id == case_id, Draft.trial_id == s.get(Draft, d).trial_id)).all()
    assert sorted(status for _, status in rows) == ["ready", "rejected"]
