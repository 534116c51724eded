"""Build time, peak memory, size on disk and query latency of the BM25 index on a synthetic catalogue."""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.matching.demographics import TrialPopulation  # noqa: E402
from core.matching.query import build_query  # noqa: E402
from core.matching.ranker import rank_candidates  # noqa: E402
from core.matching.retrieval import build_index, load_index  # noqa: E402
from tests.support.paths import SHARED_DATA  # noqa: E402

CASE = (
    "A 9-year-old boy with second relapse of T-ALL after chemotherapy and allogeneic HSCT. "
    "Minimal residual disease positive, CD7 positive blasts, no CNS involvement. "
    "He denies fever. Lansky 70. Prior therapy nelarabine, dexamethasone, asparaginase."
)


def make_vocabulary(rng: random.Random, size: int) -> list[str]:
    """Real words of the SIGIR trials, most frequent first, then pseudo-words for a long tail."""
    counts: Counter[str] = Counter()
    corpus = SHARED_DATA / "sigir" / "corpus.jsonl"
    if corpus.is_file():
        with open(corpus, encoding="utf-8") as fh:
            for line in fh:
                counts.update(re.findall(r"[a-z][a-z-]+", json.loads(line)["text"].lower()))
    real = [w for w, _ in counts.most_common()]
    letters = "abcdefghijklmnopqrstuvwxyz"
    tail = sorted({"".join(rng.choices(letters, k=rng.randint(4, 11))) for _ in range(size)})
    return real + tail[: max(0, size - len(real))]


def synthetic_docs(n: int, seed: int = 7, words_per_doc: int = 350):
    """Yield (doc_id, text) with ~350 Zipf-distributed words each, generated on the fly."""
    rng = random.Random(seed)
    vocab = make_vocabulary(rng, 60_000)
    cum_weights = list(itertools.accumulate(1.0 / (rank + 1) ** 1.05 for rank in range(len(vocab))))
    for i in range(n):
        length = max(20, int(rng.gauss(words_per_doc, words_per_doc / 3)))
        yield f"NCT{i:08d}", " ".join(rng.choices(vocab, cum_weights=cum_weights, k=length))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()

    # Generating text is not part of the index's cost: time it separately.
    t0 = time.perf_counter()
    docs = list(synthetic_docs(args.docs))
    t_gen = time.perf_counter() - t0
    rss_before = peak_rss_mb()

    t0 = time.perf_counter()
    index = build_index(iter(docs))
    t_build = time.perf_counter() - t0
    rss_after = peak_rss_mb()
    texts = dict(docs)  # stands in for the database the product reads feedback documents from
    del docs

    cases = [CASE]
    queries_file = SHARED_DATA / "sigir" / "queries.jsonl"
    if queries_file.is_file():
        cases += [json.loads(line)["text"] for line in queries_file.open(encoding="utf-8")]
    timings = []
    for i in range(args.queries):
        t = time.perf_counter()
        index.search(build_query(None, cases[i % len(cases)]), k=50)  # query building is part of the cost
        timings.append(1000 * (time.perf_counter() - t))
    query = build_query(None, CASE)
    populations = {doc_id: TrialPopulation() for doc_id in index.doc_ids}
    full = []
    for i in range(min(args.queries, 20)):
        t = time.perf_counter()
        rank_candidates(
            index, cases[i % len(cases)], populations=populations, doc_texts=lambda ids: {d: texts[d] for d in ids}, k=50
        )
        full.append(1000 * (time.perf_counter() - t))
    restrict = set(index.doc_ids[:: max(1, len(index) // 5000)])
    t = time.perf_counter()
    index.search(query, k=50, restrict_to=restrict)
    t_restrict = 1000 * (time.perf_counter() - t)

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        index.save(tmp)
        t_save = time.perf_counter() - t0
        size_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
        t0 = time.perf_counter()
        loaded = load_index(tmp, mmap=True)
        t_load = time.perf_counter() - t0
        assert loaded.search(query, k=10) == index.search(query, k=10)

    timings.sort()
    print(
        f"docs {args.docs:,}  vocabulary {index.manifest.vocab_size:,}  (text generation {t_gen:.1f} s, not counted)"
    )
    print(
        f"build {t_build:.1f} s ({1e6 * t_build / args.docs:.0f} us/doc); peak RSS {rss_after:.0f} MB "
        f"(+{rss_after - rss_before:.0f} MB over the {rss_before:.0f} MB holding the generated texts)"
    )
    print(f"save {t_save:.2f} s, {size_mb:.0f} MB on disk; load (mmap) {t_load:.2f} s")
    print(
        f"search top-50, {args.queries} queries: p50 {statistics.median(timings):.1f} ms, "
        f"p95 {timings[int(0.95 * (len(timings) - 1))]:.1f} ms, max {timings[-1]:.1f} ms"
    )
    print(
        f"full ranking (query + RM3 + demographic re-rank of top 1000), top-50: "
        f"p50 {statistics.median(full):.1f} ms, max {max(full):.1f} ms"
    )
    print(f"search restricted to {len(restrict):,} candidates: {t_restrict:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
