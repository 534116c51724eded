"""Rank the SIGIR pools with the product pipeline and a plain BM25 baseline; print NDCG@10, P@10, recall@20."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.matching.metrics import evaluate_rankings, load_qrels  # noqa: E402
from core.matching.rank_pools import index_text, load_corpus, load_jsonl_queries, load_pools, rank_pools  # noqa: E402
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ablation", action="store_true", help="also show the pipeline without each part")
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
    show("product pipeline", prod_fig)
    print(f"ratio product/baseline NDCG@10 {prod_fig['ndcg@10'] / base_fig['ndcg@10']:.2f}")
    if args.ablation:
        default = RankingSettings()
        for name, settings in [
            ("  without feedback (RM3)", default.model_copy(update={"feedback_docs": 0})),
            ("  without demographic fit", default.model_copy(update={"demographic_weight": 0.0})),
            (
                "  query processing only",
                default.model_copy(update={"feedback_docs": 0, "demographic_weight": 0.0}),
            ),
        ]:
            show(
                name,
                evaluate_rankings(rank_pools(queries, corpus, pools, settings=settings, index=index), qrels),
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
