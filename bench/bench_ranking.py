"""Rank the SIGIR pools with the product pipeline and a plain BM25 baseline; print NDCG@10, P@10, recall@20."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.evaluation.metrics import evaluate_rankings, load_qrels  # noqa: E402
from core.evaluation.rank_pools import index_text, load_corpus, load_jsonl_queries, load_pools, rank_pools  # noqa: E402
from core.matching.demographics import population_of  # noqa: E402
from core.matching.ranker import RankingSettings  # noqa: E402
from core.matching.retrieval import build_index  # noqa: E402
from tests.support.paths import SHARED_DATA  # noqa: E402

SIGIR = SHARED_DATA / "sigir"


def rank_baseline(queries, corpus, pools, index):
    """Plain BM25: the raw case text as query, title+text documents, no processing."""
    out = {}
    for qid, pool in pools.items():
        hits = index.search(queries[qid], len(pool), restrict_to=pool)
        ranked = [d for d, _ in hits]
        out[qid] = ranked + sorted(set(pool) - set(ranked))
    return out


def show(name: str, figures: dict) -> None:
    print(
        f"{name:<34} NDCG@10 {figures['ndcg@10']:.4f}   P@10 {figures['p@10']:.4f}   "
        f"recall@20 {figures['recall@20']:.4f}   (n={figures['queries']})"
    )


def two_fold_cv(queries, corpus, pools, qrels, index, grid, dense=None):
    """Tune settings on one half of the cases, score the other half, and swap; returns pooled rankings."""
    pops = {d: population_of(t) for d, t in corpus.items()}
    qids = sorted(pools)
    folds = [qids[0::2], qids[1::2]]
    pooled, chosen = {}, []
    for train, test in (folds, folds[::-1]):

        def rank(settings, ids):
            sub = {q: pools[q] for q in ids}
            return rank_pools(
                queries, corpus, sub, settings=settings, index=index, dense=dense, populations=pops
            )

        best = max(
            grid, key=lambda st: (evaluate_rankings(rank(st, train), qrels)["ndcg@10"], -grid.index(st))
        )
        chosen.append(best)
        pooled.update(rank(best, test))
    return pooled, chosen


def cached_dense(corpus):
    """Dense scorer with embeddings cached outside the repo (CPU encoding of 3,625 trials takes minutes)."""
    from core.matching.dense import DenseEncoder, embed_corpus

    cache = Path.home() / ".cache" / "nextoption-bench" / "sigir-minilm"
    encoder = DenseEncoder()
    t0 = time.perf_counter()
    store = embed_corpus(encoder, [(d, index_text(corpus[d])) for d in sorted(corpus)], cache)
    print(f"dense: embeddings ready in {time.perf_counter() - t0:.1f} s (cache {cache})")
    vectors = {}  # the case text is encoded once; CV grids then only compute similarities

    def score(text, ids):
        if text not in vectors:
            vectors[text] = encoder.encode([text])[0]
        return store.similarities(vectors[text], ids)

    return score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ablation", action="store_true", help="also show the pipeline without each part")
    parser.add_argument("--dense", action="store_true", help="also fuse MiniLM similarity (optional extra)")
    parser.add_argument(
        "--cv", action="store_true", help="2-fold cross-validated tuning of the global weights"
    )
    args = parser.parse_args()
    queries = load_jsonl_queries(SIGIR / "queries.jsonl")
    corpus = load_corpus(SIGIR / "corpus.jsonl")
    pools = load_pools(SIGIR / "pools.json")
    qrels = load_qrels(SIGIR / "qrels.tsv")

    t0 = time.perf_counter()
    index = build_index((d, index_text(corpus[d])) for d in sorted(corpus))
    t_build = time.perf_counter() - t0
    baseline = rank_baseline(queries, corpus, pools, index)

    t0 = time.perf_counter()
    product = rank_pools(queries, corpus, pools, index=index)
    t_rank = time.perf_counter() - t0
    print(f"corpus {len(corpus)} trials, {len(queries)} cases, {sum(map(len, pools.values()))} pool entries")
    print(
        f"index build {t_build:.2f} s; product ranking of all pools {t_rank:.2f} s "
        f"({1000 * t_rank / len(pools):.0f} ms per case)"
    )
    base_fig = evaluate_rankings(baseline, qrels)
    prod_fig = evaluate_rankings(product, qrels)
    show("BM25 baseline (raw case text)", base_fig)
    show("product pipeline (default settings)", prod_fig)
    print(f"ratio product/baseline NDCG@10 {prod_fig['ndcg@10'] / base_fig['ndcg@10']:.2f}")
    default = RankingSettings()
    if args.ablation:
        for name, settings in [
            ("  without feedback (RM3)", default.model_copy(update={"feedback_docs": 0})),
            ("  without demographic fit", default.model_copy(update={"demographic_weight": 0.0})),
            ("  without lead-sentence weight", default.model_copy(update={"lead_sentence_weight": 1.0})),
            (
                "  without presentation table",
                default.model_copy(update={"presentation_weight": 0.0}),
            ),
            (
                "  without knowledge-base differential",
                default.model_copy(update={"differential_weight": 0.0}),
            ),
            (
                "  without either diagnosis guess",
                default.model_copy(update={"presentation_weight": 0.0, "differential_weight": 0.0}),
            ),
            (
                "  without query variants (whole case only)",
                default.model_copy(update={"query_variants": False}),
            ),
            (
                "  query processing only",
                default.model_copy(update={"feedback_docs": 0, "demographic_weight": 0.0}),
            ),
        ]:
            show(
                name,
                evaluate_rankings(rank_pools(queries, corpus, pools, settings=settings, index=index), qrels),
            )
    dense = cached_dense(corpus) if args.dense else None
    if dense is not None:
        t0 = time.perf_counter()
        fused = rank_pools(queries, corpus, pools, index=index, dense=dense)
        print(
            f"dense fusion ranking {1000 * (time.perf_counter() - t0) / len(pools):.0f} ms per case (embeddings cached)"
        )
        show("product + dense (feedback + RRF k=60)", evaluate_rankings(fused, qrels))
        guide = default.model_copy(update={"fusion": "none"})
        show(
            "  dense guiding feedback only",
            evaluate_rankings(
                rank_pools(queries, corpus, pools, settings=guide, index=index, dense=dense), qrels
            ),
        )
        linear = default.model_copy(update={"fusion": "linear"})
        show(
            f"  linear fusion (weight {default.dense_weight})",
            evaluate_rankings(
                rank_pools(queries, corpus, pools, settings=linear, index=index, dense=dense), qrels
            ),
        )
        only = default.model_copy(
            update={
                "fusion": "linear",
                "dense_weight": 1.0,
                "demographic_weight": 0.0,
                "feedback_docs": 0,
                "query_variants": False,
            }
        )
        show(
            "  dense similarity alone",
            evaluate_rankings(
                rank_pools(queries, corpus, pools, settings=only, index=index, dense=dense), qrels
            ),
        )
    if args.cv:
        lexical_grid = [
            default.model_copy(
                update={
                    "lead_sentence_weight": lw,
                    "feedback_docs": fb,
                    "demographic_weight": dw,
                    "presentation_weight": pw,
                    "differential_weight": xw,
                    "query_variants": qv,
                }
            )
            for lw in (1.0, 3.0, 5.0)
            for fb in (0, 100)
            for dw in (0.0, 0.5, 1.0)
            for pw in (0.0, 3.0, 5.0)
            for xw in (0.0, 3.0)
            for qv in (False, True)
        ]
        pooled, chosen = two_fold_cv(queries, corpus, pools, qrels, index, lexical_grid)
        for st in chosen:
            print(
                f"  fold pick: lead_sentence_weight={st.lead_sentence_weight} feedback_docs={st.feedback_docs} "
                f"demographic_weight={st.demographic_weight} presentation_weight={st.presentation_weight} "
                f"differential_weight={st.differential_weight} query_variants={st.query_variants}"
            )
        show("2-fold CV, lexical pipeline", evaluate_rankings(pooled, qrels))
    if args.cv and dense is not None:
        pooled, chosen = two_fold_cv(queries, corpus, pools, qrels, index, lexical_grid, dense)
        for st in chosen:
            print(
                f"  fold pick: lead_sentence_weight={st.lead_sentence_weight} feedback_docs={st.feedback_docs} "
                f"demographic_weight={st.demographic_weight} presentation_weight={st.presentation_weight} "
                f"differential_weight={st.differential_weight} query_variants={st.query_variants}"
            )
        show("2-fold CV, lexical + dense", evaluate_rankings(pooled, qrels))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
