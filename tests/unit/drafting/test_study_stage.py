"""What a study can tell about how well its treatment works is said per phase and type (study_stages.yaml),
not "no one knows yet how well it works" for every option."""

from __future__ import annotations

import json

import pytest

from core.catalogue.ctgov_v2 import parse_study_v2
from core.catalogue.demo_data import TRIALS_DIR
from core.domain.trial import NormalizedTrial
from core.drafting.offline import draft_trial_summary_offline
from core.drafting.schema import section_texts
from tests.unit.drafting.fixtures import make_car_t_trial, make_case_facts, make_expanded_access_programme

NO_ONE_KNOWS = "no one knows yet how well it works"


def _tested(trial: NormalizedTrial) -> str:
    return section_texts(draft_trial_summary_offline(trial, make_case_facts(), [], []))["what_is_tested"]


def _demo(registry_id: str) -> NormalizedTrial:
    return parse_study_v2(json.loads((TRIALS_DIR / f"{registry_id}.json").read_text()))


@pytest.mark.parametrize(
    ("phases", "said"),
    [
        (["EARLY_PHASE1"], "an early study"),
        (["PHASE1"], "an early study"),
        (["PHASE1", "PHASE2"], "first looks at side effects and the dose"),
        (["PHASE2"], "how well the treatment works"),
        (["PHASE4"], "already approved"),
    ],
)
def test_each_phase_says_what_the_study_can_tell(phases: list[str], said: str) -> None:
    text = _tested(make_car_t_trial().model_copy(update={"phases": phases}))
    assert said in text, text


def test_a_phase_3_comparing_with_an_approved_treatment_says_it_compares() -> None:
    text = _tested(_demo("DEMO-0012"))  # blinatumomab versus standard chemotherapy blocks
    assert NO_ONE_KNOWS not in text and "compares" in text and "standard" in text, text


def test_a_phase_4_or_programme_never_says_no_one_knows() -> None:
    assert NO_ONE_KNOWS not in _tested(make_car_t_trial().model_copy(update={"phases": ["PHASE4"]}))
    programme = _tested(make_expanded_access_programme())
    assert NO_ONE_KNOWS not in programme and "not a study" in programme, programme


def test_an_approved_product_offered_in_a_programme_is_not_called_still_being_studied() -> None:
    approved = make_expanded_access_programme().model_copy(update={"overall_status": "APPROVED_FOR_MARKETING"})
    text = _tested(approved)
    assert "still being studied" not in text and "approved" in text, text
