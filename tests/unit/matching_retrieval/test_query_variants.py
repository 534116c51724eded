"""Query variants: the whole case, its opening sentence and what the patient has, fused by normalised score."""

from __future__ import annotations

import pytest

from core.domain.case_facts import CaseFacts
from core.matching.ranker import (
    RankedTrial,
    RankingSettings,
    build_query_variants,
    fuse_by_score,
    rank_candidates,
)
from core.matching.retrieval import build_index

CASE = (
    "A 65-year-old man presents with sudden shortness of breath, tachycardia and pleuritic chest pain. "
    "Two weeks ago he had a hip replacement; his rehabilitation, physical therapy and walking programme "
    "after the hip replacement were delayed, and his physical therapy for the hip starts again next week."
)
DOCS = [
    ("PE", "Pulmonary embolism: anticoagulation for acute pulmonary embolism presenting with shortness of breath"),
    ("REHAB", "Physical therapy and a walking programme for rehabilitation after hip replacement"),
    ("HIP", "Hip replacement implants compared"),
    ("OTHER", "Diet and exercise in adults"),
]


def test_variants_are_the_opening_sentence_and_what_the_patient_has():
    variants = build_query_variants(CASE, None, RankingSettings())
    texts = [t for t, _, _ in variants]
    assert texts[0].startswith("A 65-year-old man presents with sudden shortness of breath")
    assert "pulmonary embolism" in texts[1].lower()  # suggested by the findings
    assert all(s.lead_sentence_weight == 1.0 for _, _, s in variants)
    named = CaseFacts(diagnosis="relapsed T-ALL", summary=CASE)
    assert [t for t, _, _ in build_query_variants(CASE, named, RankingSettings())][1] == "relapsed T-ALL"
    assert build_query_variants("Relapsed T-ALL.", named, RankingSettings()) == [
        ("relapsed T-ALL", None, RankingSettings(lead_sentence_weight=1.0, presentation_weight=0.0, differential_weight=0.0))
    ]


def test_presenting_problem_outranks_the_long_history_only_with_variants():
    index = build_index(DOCS)
    no_guesses = RankingSettings(feedback_docs=0, presentation_weight=0.0, differential_weight=0.0)
    whole = rank_candidates(index, CASE, settings=no_guesses.model_copy(update={"query_variants": False}))
    assert whole[0].doc_id == "REHAB"  # the history's many words win alone
    # the opening sentence ranks on its own too, and the presenting problem comes first
    assert rank_candidates(index, CASE, settings=no_guesses)[0].doc_id == "PE"
    # with the guesses on, "what the patient has" (pulmonary embolism) joins as the third variant
    fused = rank_candidates(index, CASE, settings=RankingSettings(feedback_docs=0))
    assert fused[0].doc_id == "PE"
    assert {r.doc_id for r in fused} >= {r.doc_id for r in whole}
    assert len(build_query_variants(CASE, None, no_guesses)) == 1  # guesses off: no third variant


def test_fusion_adds_min_max_normalised_scores():
    a = [RankedTrial(doc_id="x", score=4.0, retrieval_score=4.0, demographic_fit=1.0),
         RankedTrial(doc_id="y", score=2.0, retrieval_score=2.0, demographic_fit=1.0)]
    b = [RankedTrial(doc_id="y", score=0.9, retrieval_score=9.0, demographic_fit=1.0),
         RankedTrial(doc_id="z", score=0.1, retrieval_score=1.0, demographic_fit=1.0)]
    fused = fuse_by_score([a, b, []])
    assert [(r.doc_id, r.score) for r in fused] == [("x", pytest.approx(1.0)), ("y", pytest.approx(1.0)), ("z", 0.0)]
    assert fused[1].retrieval_score == 2.0  # the parts shown are the first ranking's
