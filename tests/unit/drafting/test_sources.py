"""Tests for validating the source names cited by draft sentences."""

from __future__ import annotations

from core.drafting.context import OptionSummary
from core.drafting.offline import draft_case_overview_offline, draft_trial_summary_offline
from core.drafting.schema import DraftSection, DraftSentence, TrialSummaryDraft
from core.drafting.sources import find_invalid_sources
from tests.unit.drafting.fixtures import make_car_t_trial, make_case_facts, make_verdicts


def test_offline_drafts_cite_only_valid_sources() -> None:
    trial = make_car_t_trial()
    draft = draft_trial_summary_offline(trial, make_case_facts(), make_verdicts(), [(trial.sites[0], 58.3)])
    assert find_invalid_sources(draft, trial) == []
    options = [OptionSummary(registry_id="NCT04123456", title="CD19 CAR-T")]
    overview = draft_case_overview_offline(options, make_case_facts())
    assert find_invalid_sources(overview, None, ["NCT04123456"]) == []


def test_invented_fields_criteria_and_options_are_reported() -> None:
    trial = make_car_t_trial()
    sources = [
        "trial.cure_rate",
        "trial.eligibility[inclusion 9]",
        "verdict[exclusion 3]",
        "case.name",
        "option[NCT1]",
        "my notes",
    ]
    draft = TrialSummaryDraft(
        registry_id=trial.registry_id,
        sections=[
            DraftSection(
                key="what_is_tested", title="t", sentences=[DraftSentence(text="x.", sources=sources)]
            )
        ],
    )
    invalid = {i.source: i.why for i in find_invalid_sources(draft, trial, ["NCT04123456"])}
    assert invalid == {
        "trial.cure_rate": "no such trial field",
        "trial.eligibility[inclusion 9]": "the record has 4 inclusion criteria",
        "case.name": "no such case field",
        "option[NCT1]": "not one of the selected options",
        "my notes": "unrecognised source name",
    }
