"""Criterion-level benchmark: rules vs expert labels on the TrialGPT annotations (python bench/bench_criteria.py)."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.evaluation.assess_rows import assess_rows  # noqa: E402
from core.evaluation.metrics import patient_folds, spread  # noqa: E402
from core.matching import criteria_rules  # noqa: E402
from tests.support.paths import SHARED_DATA  # noqa: E402

EXPERT_FIELDS = ("expert_eligibility", "expert_sentences")
LABELS = ("included", "not included", "excluded", "not excluded", "not enough information", "not applicable")


def load_rows() -> list[dict]:
    path = SHARED_DATA / "criteria" / "annotations.jsonl"
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def expert_ids(row: dict) -> set[int]:
    value = row["expert_sentences"]
    return set(json.loads(value) if isinstance(value, str) else value)


def predict(rows: list[dict]) -> dict[int, dict]:
    stripped = [{k: v for k, v in r.items() if k not in EXPERT_FIELDS} for r in rows]
    return {p["annotation_id"]: p for p in assess_rows(stripped)}


def accuracy(rows: list[dict], labels: dict[int, str]) -> float:
    return sum(labels[r["annotation_id"]] == r["expert_eligibility"] for r in rows) / max(1, len(rows))


def majority_by_kind(rows: list[dict]) -> dict[str, str]:
    out = {}
    for kind in ("inclusion", "exclusion"):
        counts = Counter(r["expert_eligibility"] for r in rows if r["criterion_type"] == kind)
        out[kind] = counts.most_common(1)[0][0]
    return out


def print_confusion(rows: list[dict], labels: dict[int, str]) -> None:
    short = {"included": "incl", "not included": "not-incl", "excluded": "excl", "not excluded": "not-excl",
             "not enough information": "NEI", "not applicable": "N/A"}  # fmt: skip
    print("\nconfusion matrix (rows = expert, columns = rules)")
    print(f"{'':>10}" + "".join(f"{short[c]:>10}" for c in LABELS))
    counts = Counter((r["expert_eligibility"], labels[r["annotation_id"]]) for r in rows)
    for e in LABELS:
        print(f"{short[e]:>10}" + "".join(f"{counts[(e, p)]:>10}" for p in LABELS))


def evidence_scores(rows: list[dict], preds: dict[int, dict]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for r in rows:
        gold, got = expert_ids(r), set(preds[r["annotation_id"]]["sentences"])
        tp += len(gold & got)
        fp += len(got - gold)
        fn += len(gold - got)
    p = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * rc / (p + rc) if p + rc else 0.0
    return p, rc, f


def cross_validate(rows: list[dict], k: int = 5, repeats: int = 5) -> list[tuple[int, int, float, float]]:
    """k-fold by patient, repeated: the only fitted parameter, the label for silent criteria, comes from the
    other folds. Returns (repeat, test rows, rules accuracy, majority-baseline accuracy) per fold."""
    patients = sorted({r["patient_id"] for r in rows})
    original = dict(criteria_rules.SILENT_LABEL)
    results = []
    try:
        for repeat, test_ids in patient_folds(patients, k=k, repeats=repeats):
            test = set(test_ids)
            train_rows = [r for r in rows if r["patient_id"] not in test]
            test_rows = [r for r in rows if r["patient_id"] in test]
            base = majority_by_kind(train_rows)
            criteria_rules.SILENT_LABEL.update(base)
            labels = {key: v["eligibility"] for key, v in predict(test_rows).items()}
            base_acc = accuracy(test_rows, {r["annotation_id"]: base[r["criterion_type"]] for r in test_rows})
            results.append((repeat, len(test_rows), accuracy(test_rows, labels), base_acc))
    finally:
        criteria_rules.SILENT_LABEL.clear()
        criteria_rules.SILENT_LABEL.update(original)
    return results


def main() -> None:
    rows = load_rows()
    start = time.perf_counter()
    preds = predict(rows)
    elapsed = time.perf_counter() - start
    labels = {k: v["eligibility"] for k, v in preds.items()}
    majority = majority_by_kind(rows)
    base_kind = {r["annotation_id"]: majority[r["criterion_type"]] for r in rows}
    overall_majority = Counter(r["expert_eligibility"] for r in rows).most_common(1)[0][0]
    base_one = {r["annotation_id"]: overall_majority for r in rows}
    print(f"rows: {len(rows)}  patients: {len({r['patient_id'] for r in rows})}  time: {elapsed * 1000:.0f} ms "
          f"({elapsed / len(rows) * 1e6:.0f} µs/criterion incl. extraction)")  # fmt: skip
    acc = accuracy(rows, labels)
    acc_kind = accuracy(rows, base_kind)
    print(
        f"\naccuracy  rules {acc:.1%}   majority-per-type baseline {acc_kind:.1%} "
        f"({majority})   single-majority baseline {accuracy(rows, base_one):.1%} ({overall_majority!r})"
    )
    print(f"ratio rules / per-type baseline: {acc / acc_kind:.2f}")
    for kind in ("inclusion", "exclusion"):
        sub = [r for r in rows if r["criterion_type"] == kind]
        print(
            f"  {kind:<10} n={len(sub):>4}  rules {accuracy(sub, labels):.1%}   baseline {accuracy(sub, base_kind):.1%}"
        )
    print_confusion(rows, labels)
    p, rc, f = evidence_scores(rows, preds)
    bp, brc, bf = evidence_scores(rows, {r["annotation_id"]: {"sentences": [0]} for r in rows})
    print(f"\nevidence sentences (micro): precision {p:.1%} recall {rc:.1%} F1 {f:.1%}"
          f"   [baseline 'sentence 0': P {bp:.1%} R {brc:.1%} F1 {bf:.1%}]")  # fmt: skip
    cv = cross_validate(rows)
    print("\n5-fold cross-validation by patient, 5 repeats (silent-criterion label fitted on the other folds):")
    for repeat, n, a, b in cv:
        print(f"  repeat {repeat + 1} fold ({n:>3} criteria): rules {a:.1%}   majority baseline {b:.1%}")
    for name, column in (("rules", [c[2] for c in cv]), ("majority", [c[3] for c in cv])):
        mean, sd, low, high = spread(column)
        print(f"  {name:<9} per-fold mean {mean:.1%}  sd {sd:.1%}  min {low:.1%}  max {high:.1%}  ({len(column)} folds)")
    for half, ids in (("odd", 0), ("even", 1)):
        patients = sorted({r["patient_id"] for r in rows})[ids::2]
        sub = [r for r in rows if r["patient_id"] in set(patients)]
        print(f"  {half} half of the patients ({len(sub)} criteria): rules {accuracy(sub, labels):.1%}")


if __name__ == "__main__":
    main()
