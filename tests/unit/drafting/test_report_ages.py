"""The age fit a report states is matching's: the same rule (core/domain/ages.py) on the same ages, including
a whole-year upper limit that admits the whole final year and limits in months, and an age rule's verdict."""

from __future__ import annotations

import pytest

from core.domain.ages import age_fits
from core.domain.trial import ParsedCriterion
from core.domain.verdicts import CriterionVerdict
from core.drafting.checks import blocking_failures, run_checks
from core.drafting.offline import draft_trial_summary_offline
from core.drafting.schema import section_texts
from core.matching.criteria_limits import age_within
from core.matching.filters import apply_hard_filters
from tests.unit.drafting.fixtures import PERSONAL_DATA, make_car_t_trial, make_case_facts

CASES = [
    # (case age in years, trial minimum, trial maximum)
    (17.5, 1.0, 17.0),  # a registry's "17 Years" admits 17 and a half
    (18.0, 1.0, 17.0),
    (0.5, 0.5, 17.0),  # 6 months, minimum 6 months
    (5 / 12, 0.5, 17.0),  # 5 months
    (1.75, None, 1.75),  # 21 months, maximum 21 months
    (22 / 12, None, 1.75),  # 22 months
    (0.9, 1.0, None),
    (25.9, 1.0, 25.0),
]


def _texts(age: float, lo: float | None, hi: float | None, verdicts: list[CriterionVerdict] | None = None) -> str:
    trial = make_car_t_trial().model_copy(update={"minimum_age_years": lo, "maximum_age_years": hi})
    facts = make_case_facts().model_copy(update={"age_years": age})
    texts = section_texts(draft_trial_summary_offline(trial, facts, verdicts or [], []))
    return texts["why_it_may_fit"] + " || " + texts["what_we_could_not_confirm"]


def _report_says_fit(text: str) -> bool | None:
    fits, check = text.split(" || ")
    if "the age" in fits and "outside this range" not in check:
        return True
    if "outside this range" in check and "the age" not in fits:
        return False
    return None  # the report contradicts itself


@pytest.mark.parametrize(("age", "lo", "hi"), CASES)
def test_the_report_states_the_age_fit_matching_decides(age: float, lo: float | None, hi: float | None) -> None:
    matching = age_within(age, lo, hi)
    trial = make_car_t_trial().model_copy(update={"minimum_age_years": lo, "maximum_age_years": hi})
    facts = make_case_facts().model_copy(update={"age_years": age})
    filtered_out_for_age = any(r.code.startswith("age_") for r in apply_hard_filters(facts, trial).reasons)
    assert matching == (not filtered_out_for_age) == age_fits(age, lo, hi)
    assert _report_says_fit(_texts(age, lo, hi)) is matching


def test_a_failing_age_rule_in_the_criteria_is_not_reported_as_a_fit() -> None:
    # The structured range fits, but matching found the age rule in the criteria not met: the report follows it.
    text = "Age 12 to 25 years at the time of screening"
    criterion = ParsedCriterion(kind="inclusion", position=0, text=text)
    verdict = CriterionVerdict(kind="inclusion", position=0, criterion_text=text, verdict="not included")
    trial = make_car_t_trial().model_copy(update={"criteria": [criterion]})
    facts = make_case_facts()  # 9 years old; the structured range of the fixture is 1 to 25
    texts = section_texts(draft_trial_summary_offline(trial, facts, [verdict], []))
    assert "the age" not in texts["why_it_may_fit"]
    assert "the age" in texts["what_we_could_not_confirm"]


def test_the_whole_final_year_is_explained_and_grounded() -> None:
    trial = make_car_t_trial().model_copy(update={"minimum_age_years": 1.0, "maximum_age_years": 17.0})
    facts = make_case_facts().model_copy(update={"age_years": 17.5})
    draft = draft_trial_summary_offline(trial, facts, [], [])
    assert "includes the whole year in which someone is 17" in section_texts(draft)["why_it_may_fit"]
    results = run_checks(section_texts(draft), kind="trial", trial=trial, facts=facts, personal_data=PERSONAL_DATA)
    assert blocking_failures(results) == [], [r.message for r in blocking_failures(results)]
