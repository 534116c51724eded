"""Metrics against values computed by hand."""

from __future__ import annotations

import math

import pytest

from core.evaluation.metrics import evaluate_rankings, load_qrels, ndcg_at_k, precision_at_k, recall_at_k

JUDGED = {"a": 2, "b": 0, "c": 1, "d": 2}


def test_ndcg_by_hand():
    ranking = ["b", "a", "c", "d"]
    dcg = 0 + 2 / math.log2(3) + 1 / math.log2(4) + 2 / math.log2(5)
    idcg = 2 + 2 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(ranking, JUDGED) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(["a", "d", "c", "b"], JUDGED) == pytest.approx(1.0)
    assert ndcg_at_k(["b"], {"b": 0}) == 0.0


def test_ndcg_cuts_at_k():
    assert ndcg_at_k(["b", "a"], JUDGED, k=1) == 0.0


def test_precision_gives_half_credit_to_grade_one():
    # a=2 -> 1.0, c=1 -> 0.5, unjudged x -> 0 ; over 10 slots
    assert precision_at_k(["a", "c", "x"], JUDGED) == pytest.approx(0.15)


def test_recall_counts_only_eligible():
    assert recall_at_k(["a", "c"], JUDGED) == pytest.approx(0.5)
    assert recall_at_k(["c"], {"c": 1}) == 0.0


def test_evaluate_rankings_averages_over_judged_queries():
    figures = evaluate_rankings(
        {"q1": ["a", "d"], "q2": ["b"], "unjudged": ["a"]}, {"q1": JUDGED, "q2": {"b": 2}}
    )
    assert figures["queries"] == 2
    assert figures["recall@20"] == pytest.approx(1.0)
    assert figures["p@10"] == pytest.approx((0.2 + 0.1) / 2)


def test_load_qrels_reports_bad_rows(tmp_path):
    good = tmp_path / "q.tsv"
    good.write_text("query-id\tcorpus-id\tscore\nq1\tT1\t2\nq1\tT2\t0\n")
    assert load_qrels(good) == {"q1": {"T1": 2, "T2": 0}}
    bad = tmp_path / "bad.tsv"
    bad.write_text("q1\tT1\ttwo\n")
    with pytest.raises(ValueError, match="line 1, field score"):
        load_qrels(bad)
