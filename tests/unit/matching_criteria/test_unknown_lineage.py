"""An acute lymphoblastic leukaemia of unstated lineage is checked, not ruled out, for antigen-targeted
trials; only a known contradiction (T-ALL, a CD19-negative relapse) rules them out."""

from __future__ import annotations

from functools import lru_cache

import pytest

from core.catalogue.demo_data import TRIALS_DIR
from core.domain.case_facts import CaseFacts
from core.domain.trial import NormalizedTrial
from core.evaluation.scenarios import load_catalogue
from core.matching.antigens import trial_targets
from core.matching.criteria_rules import (
    CONDITIONS_POSITION,
    TARGET_POSITION,
    assess_target,
    assess_trial_record,
)
from core.matching.diseases import disease_table, trial_diseases


@lru_cache(maxsize=1)
def _targeted_b_all_trials() -> list[NormalizedTrial]:
    trials = load_catalogue(TRIALS_DIR, None, records_open=False).values()
    table = disease_table()
    return [
        t
        for t in trials
        if {"CD19", "CD22"} & set(trial_targets(t))
        and any(table.is_a(d, "acute lymphoblastic leukaemia") for d in trial_diseases(t.conditions, t.brief_title))
    ]


def _implicit(trial: NormalizedTrial, facts: CaseFacts) -> dict[int, str]:
    return {
        v.position: v.verdict
        for v in assess_trial_record(trial, [facts.summary], facts)
        if v.position in (CONDITIONS_POSITION, TARGET_POSITION)
    }


def test_the_demo_catalogue_has_cd19_and_cd22_trials() -> None:
    targets = {a for t in _targeted_b_all_trials() for a in trial_targets(t)}
    assert {"CD19", "CD22"} <= targets and len(_targeted_b_all_trials()) >= 3


@pytest.mark.parametrize("diagnosis", ["acute lymphoblastic leukaemia", "ALL", "acute lymphoblastic leukemia, relapsed"])
def test_unknown_lineage_is_checked_never_ruled_out(diagnosis: str) -> None:
    facts = CaseFacts(age_years=12, sex="male", diagnosis=diagnosis, summary=f"Relapsed {diagnosis}.")
    for trial in _targeted_b_all_trials():
        implicit = _implicit(trial, facts)
        assert implicit.get(TARGET_POSITION) == "not enough information", (trial.registry_id, implicit)
        assert "not included" not in implicit.values(), (trial.registry_id, implicit)


def test_t_all_is_ruled_out_of_cd19_and_cd22_treatments() -> None:
    facts = CaseFacts(age_years=12, sex="male", diagnosis="T-cell acute lymphoblastic leukaemia")
    for target in ("CD19", "CD22"):
        verdict = assess_target([target], facts)
        assert verdict is not None and verdict.verdict == "not included", verdict


def test_a_cd19_negative_relapse_is_ruled_out_of_cd19_treatment() -> None:
    facts = CaseFacts(diagnosis="acute lymphoblastic leukaemia", biomarkers=["CD19-negative relapse"])
    verdict = assess_target(["CD19"], facts)
    assert verdict is not None and verdict.verdict == "not included", verdict


def test_the_unsettled_reason_asks_for_the_lineage() -> None:
    verdict = assess_target(["CD19"], CaseFacts(diagnosis="acute lymphoblastic leukaemia"))
    assert verdict is not None and "lineage" in verdict.explanation


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ("acute lymphoblastic leukaemia", "B-cell neoplasm", True),
        ("leukaemia", "B-cell neoplasm", True),
        ("T-cell acute lymphoblastic leukaemia", "B-cell neoplasm", False),
        ("acute myeloid leukaemia", "B-cell neoplasm", False),
        ("multiple myeloma", "B-cell neoplasm", False),
    ],
)
def test_overlap_is_a_shared_narrower_disease(a: str, b: str, overlap: bool) -> None:
    assert disease_table().overlaps(a, b) is overlap
