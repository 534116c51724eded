"""Relevance feedback over the candidate set: every scored candidate feeds back, weighted by its score."""

from __future__ import annotations

import pytest

from core.matching.ranker import RankingSettings, expand_with_feedback, rank_candidates
from core.matching.retrieval import build_index

DOCS = {
    "A": "chest pain angina coronary stenting trial",
    "B": "angina coronary artery disease statin trial",
    "C": "coronary artery bypass outcomes trial",
    "D": "knee surgery rehabilitation trial",
}


def test_feedback_adds_the_candidates_common_topic_weighted_by_score():
    index = build_index(sorted(DOCS.items()))
    weights = index.term_weights("chest pain angina")
    top = index.search(weights, 100, restrict_to=list(DOCS))
    assert [d for d, _ in top] == ["A", "B"]  # C and D share no query word
    expanded = expand_with_feedback(index, weights, top, DOCS.__getitem__, RankingSettings())
    assert expanded["coronari"] > 0  # in both scored candidates: the pool's topic
    assert expanded["stent"] > expanded["statin"]  # A scored higher than B, so its words weigh more
    assert "knee" not in expanded
    assert sum(expanded.values()) == pytest.approx(1.0)  # the mixed query stays a distribution


def test_feedback_lifts_a_topical_candidate_without_query_words():
    index = build_index(sorted(DOCS.items()))
    pool = list(DOCS)
    plain = rank_candidates(index, "chest pain angina", candidates=pool, settings=RankingSettings(feedback_docs=0))
    fed = rank_candidates(index, "chest pain angina", candidates=pool, doc_text=DOCS.__getitem__)
    assert "C" not in [r.doc_id for r in plain]
    assert [r.doc_id for r in fed][:3] == ["A", "B", "C"]  # the coronary trial now outranks knee surgery
    assert "D" not in [r.doc_id for r in fed] or [r.doc_id for r in fed][-1] == "D"
