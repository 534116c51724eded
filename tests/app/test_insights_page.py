"""The insights page renders with data for analysts and admins and is refused to reviewers."""

from __future__ import annotations

from tests.app.conftest import page
from tests.support.flow import case_with_drafts


def test_insights_page(team):
    case_with_drafts(team.reviewer)
    for actor in (team.analyst, team.admin):
        at = page("pages/insights.py", actor).run()
        assert not at.exception
        assert at.metric[0].value == "2"  # two drafts
    refused = page("pages/insights.py", team.reviewer).run()
    assert any("does not give access" in e.value for e in refused.error)
