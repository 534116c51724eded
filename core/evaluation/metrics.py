"""Ranking metrics on graded judgements (0 not relevant, 1 excluded, 2 eligible)."""

from __future__ import annotations

import csv
import math
import random
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path

Qrels = Mapping[str, Mapping[str, int]]


def ndcg_at_k(ranking: Sequence[str], judgements: Mapping[str, int], k: int = 10) -> float:
    """NDCG@k with linear gains (the grade itself) and log2 discount; 0 when nothing is relevant."""
    dcg = sum(judgements.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranking[:k]))
    ideal = sorted((g for g in judgements.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def precision_at_k(
    ranking: Sequence[str], judgements: Mapping[str, int], k: int = 10, max_grade: int = 2
) -> float:
    """P@k with partial credit: each of the k slots earns grade / max_grade."""
    return sum(judgements.get(doc, 0) / max_grade for doc in ranking[:k]) / k


def recall_at_k(ranking: Sequence[str], judgements: Mapping[str, int], k: int = 20, grade: int = 2) -> float:
    """Share of documents judged `grade` (eligible) found in the top k; 0 when there are none."""
    wanted = {doc for doc, g in judgements.items() if g >= grade}
    if not wanted:
        return 0.0
    return len(wanted & set(ranking[:k])) / len(wanted)


def evaluate_rankings(rankings: Mapping[str, Sequence[str]], qrels: Qrels) -> dict[str, float]:
    """Mean NDCG@10, P@10 and recall@20 over the queries that have rankings."""
    ids = [q for q in rankings if q in qrels]
    if not ids:
        return {"ndcg@10": 0.0, "p@10": 0.0, "recall@20": 0.0, "queries": 0}
    n = len(ids)
    return {
        "ndcg@10": sum(ndcg_at_k(rankings[q], qrels[q]) for q in ids) / n,
        "p@10": sum(precision_at_k(rankings[q], qrels[q]) for q in ids) / n,
        "recall@20": sum(recall_at_k(rankings[q], qrels[q]) for q in ids) / n,
        "queries": n,
    }


def load_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    """Read a TSV of query-id, corpus-id, score (header line optional)."""
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for line_no, row in enumerate(csv.reader(fh, delimiter="\t"), start=1):
            if not row or (line_no == 1 and row[0] == "query-id"):
                continue
            if len(row) != 3:
                raise ValueError(f"{path}, line {line_no}: expected 3 tab-separated fields, got {len(row)}")
            try:
                grade = int(row[2])
            except ValueError as exc:
                raise ValueError(f"{path}, line {line_no}, field score: not an integer: {row[2]!r}") from exc
            qrels.setdefault(row[0], {})[row[1]] = grade
    return qrels


def patient_folds(ids: Sequence[str], k: int = 5, repeats: int = 5, seed: int = 0) -> list[tuple[int, list[str]]]:
    """(repeat, test ids) for k-fold cross-validation by patient, repeated with different shuffles."""
    rng = random.Random(seed)
    out: list[tuple[int, list[str]]] = []
    for repeat in range(repeats):
        order = sorted(ids)
        rng.shuffle(order)
        out += [(repeat, sorted(order[i::k])) for i in range(k)]
    return out


def spread(values: Sequence[float]) -> tuple[float, float, float, float]:
    """Mean, sample standard deviation, minimum and maximum of per-fold figures."""
    mean = statistics.fmean(values)
    return mean, statistics.stdev(values) if len(values) > 1 else 0.0, min(values), max(values)
