"""Relevance feedback over the candidate set: every scored candidate feeds back, weighted by its score."""

from __future__ import annotations

import pytest

from core.matching.ranker import RankingSettings, blend_with_dense, expand_with_feedback, rank_candidates
from core.matching.retrieval import build_index

DOCS = {
    "A": "chest pain angina coronary stenting trial",
    "B": "angina coronary artery disease statin trial",
    "C": "coronary artery bypass outcomes trial",
    "D": "knee surgery rehabilitation programme",
}


def texts_of(ids: list[str]) -> dict[str, str]:
    return {d: DOCS[d] for d in ids}


def test_feedback_adds_the_candidates_common_topic_weighted_by_score():
    index = build_index(sorted(DOCS.items()))
    weights = index.term_weights("chest pain angina")
    top = index.search(weights, 100, restrict_to=list(DOCS))
    assert [d for d, _ in top] == ["A", "B"]  # C and D share no query word
    expanded = expand_with_feedback(index, weights, top, texts_of, RankingSettings())
    assert expanded["coronari"] > 0  # in both scored candidates: the pool's topic
    assert expanded["stent"] > expanded["statin"]  # A scored higher than B, so its words weigh more
    assert "knee" not in expanded
    assert sum(expanded.values()) == pytest.approx(1.0)  # the mixed query stays a distribution


def test_feedback_lifts_a_topical_candidate_without_query_words():
    index = build_index(sorted(DOCS.items()))
    pool = list(DOCS)
    plain = rank_candidates(index, "chest pain angina", candidates=pool, settings=RankingSettings(feedback_docs=0))
    fed = rank_candidates(index, "chest pain angina", candidates=pool, doc_texts=texts_of)
    assert "C" not in [r.doc_id for r in plain]
    assert [r.doc_id for r in fed][:3] == ["A", "B", "C"]  # the coronary trial now outranks knee surgery
    assert "D" not in [r.doc_id for r in fed]  # nothing links knee surgery to the case


def test_blend_with_dense_averages_both_scores_and_keeps_dense_only_finds():
    top = [("A", 4.0), ("B", 2.0)]
    blended = blend_with_dense(top, {"A": 0.5, "B": 0.1, "C": 0.9})
    # lexical A 1.0, B 0.5; dense scaled A 0.5, B 0.0, C 1.0 (C was found by the dense scorer alone)
    assert blended == [("A", pytest.approx(0.75)), ("C", pytest.approx(0.5)), ("B", pytest.approx(0.25))]
    assert blend_with_dense(top, {}) == [("A", 0.5), ("B", 0.25)]  # no similarities: lexical share only
    assert blend_with_dense([], {"A": 1.0}) == []


def test_dense_scorer_lets_a_candidate_without_query_words_feed_back():
    index = build_index(sorted(DOCS.items()))
    pool = list(DOCS)

    def likes_knee(text: str, ids: list[str]) -> dict[str, float]:
        return {d: (1.0 if d == "D" else 0.0) for d in ids}

    settings = RankingSettings(fusion="none")  # so only the feedback can bring D in

    def ranked(dense=None) -> list[str]:
        hits = rank_candidates(
            index, "chest pain angina", candidates=pool, doc_texts=texts_of, dense=dense, settings=settings
        )
        return [r.doc_id for r in hits]

    assert "D" not in ranked()
    with_dense = ranked(likes_knee)
    assert with_dense[0] == "A" and "D" in with_dense  # its words now come back through feedback
    assert ranked(likes_knee) == with_dense  # deterministic
