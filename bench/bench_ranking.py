"""Rank the SIGIR pools with the product pipeline and a plain BM25 baseline; print NDCG@10, P@10, recall@20."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.evaluation.metrics import evaluate_rankings, load_qrels, ndcg_at_k, patient_folds, spread  # noqa: E402  # noqa: E402
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


# The on/off choice of each part of the pipeline: the grid cross-validation picks from (few knobs, no
# fine-grained weights to fit 34 patients).
PARTS = {
    "lead_sentence_weight": (1.0, 3.0),
    "feedback_docs": (0, 100),
    "demographic_weight": (0.0, 0.5),
    "presentation_weight": (0.0, 3.0),
    "differential_weight": (0.0, 3.0),
    "query_variants": (False, True),
}


def parts_grid(default: RankingSettings) -> list[RankingSettings]:
    """Every combination of the parts on or off, the defaults' values for 'on'."""
    grid = [default.model_copy()]
    for name, (off, on) in PARTS.items():
        grid = [g.model_copy(update={name: v}) for g in grid for v in (off, on)]
    return grid


def describe(st: RankingSettings) -> str:
    return "".join("1" if getattr(st, name) == on else "0" for name, (_, on) in PARTS.items())


def per_query_table(queries, corpus, pools, qrels, index, grid, dense=None) -> list[dict[str, float]]:
    """NDCG@10 of every query under every setting (queries are ranked independently, so any split of the
    patients into folds is scored from this one table)."""
    pops = {d: population_of(t) for d, t in corpus.items()}
    table = []
    for n, st in enumerate(grid, start=1):
        ranked = rank_pools(queries, corpus, pools, settings=st, index=index, dense=dense, populations=pops)
        table.append({q: ndcg_at_k(ranked[q], qrels[q]) for q in ranked if q in qrels})
        print(f"\r  scoring setting {n}/{len(grid)}", end="", flush=True, file=sys.stderr)
    print(file=sys.stderr)
    return table


def kfold_cv(table, grid, default_index, k=5, repeats=5):
    """k-fold CV by patient, repeated: each fold picks the setting best on the other folds' patients and is
    scored on its own; returns per-fold (repeat, picked, test NDCG of the pick, test NDCG of the default)."""
    qids = sorted(table[0])
    rows = []
    for repeat, test in patient_folds(qids, k=k, repeats=repeats):
        train = [q for q in qids if q not in set(test)]

        def mean(i, ids):
            return sum(table[i][q] for q in ids) / len(ids)

        best = max(range(len(grid)), key=lambda i: (mean(i, train), -i))
        rows.append((repeat, best, mean(best, test), mean(default_index, test), len(test)))
    return rows


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


def report_cv(queries, corpus, pools, qrels, index, default, dense, label) -> None:
    """Print per-fold figures of k-fold CV by patient: what each fold picks, and how the pick and the default
    score on the fold's held-out patients, with the mean and spread."""
    grid = parts_grid(default)
    default_index = next(i for i, g in enumerate(grid) if g == default)
    print(f"\n5-fold cross-validation by patient, 5 repeats ({label}); parts {', '.join(PARTS)} on (1) / off (0)")
    table = per_query_table(queries, corpus, pools, qrels, index, grid, dense)
    rows = kfold_cv(table, grid, default_index)
    for repeat, best, picked, fixed, _ in rows:
        print(f"  repeat {repeat + 1} fold: picks {describe(grid[best])}  held-out NDCG@10 {picked:.4f}   default {fixed:.4f}")
    for name, column in (("CV-picked", [r[2] for r in rows]), ("default", [r[3] for r in rows])):
        mean, sd, low, high = spread(column)
        print(f"  {name:<10} per-fold NDCG@10 mean {mean:.4f}  sd {sd:.4f}  min {low:.4f}  max {high:.4f}  ({len(column)} folds)")
    repeats = sorted({r[0] for r in rows})
    pooled = [sum(r[2] * r[4] for r in rows if r[0] == rep) / sum(r[4] for r in rows if r[0] == rep) for rep in repeats]
    print(f"  CV-picked NDCG@10 over all 34 held-out patients, per repeat: {', '.join(f'{m:.4f}' for m in pooled)}")
    picks = {describe(grid[r[1]]) for r in rows}
    print(f"  distinct picks: {len(picks)} ({', '.join(sorted(picks))}); default is {describe(default)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ablation", action="store_true", help="also show the pipeline without each part")
    parser.add_argument("--dense", action="store_true", help="also fuse MiniLM similarity (optional extra)")
    parser.add_argument(
        "--cv", action="store_true", help="5-fold cross-validation by patient (repeated 5 times) of the parts' on/off choices"
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
        report_cv(queries, corpus, pools, qrels, index, default, None, "lexical pipeline")
        if dense is not None:
            report_cv(queries, corpus, pools, qrels, index, default, dense, "lexical + dense")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
