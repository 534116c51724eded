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
        # every column reads as text or a number: no dictionary or list shown as raw JSON
        for frame in at.dataframe:
            for column in frame.value.columns:
                assert not any(isinstance(v, dict | list) for v in frame.value[column]), column
        summary = at.dataframe[0].value
        assert "check_failure_rate" not in summary.columns and isinstance(summary["checks_failing"][0], str)
        # share axes are whole percentages ("40%"), not d3's default six decimals ("0.400000%")
        specs = [c.proto.spec for c in at.get("vega_lite_chart")]
        assert specs and all('"format": "%"' not in s and '"format":"%"' not in s for s in specs)
        assert any('".0%"' in s for s in specs)
    refused = page("pages/insights.py", team.reviewer).run()
    assert any("does not give access" in e.value for e in refused.error)
