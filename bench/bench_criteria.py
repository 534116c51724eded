"""Criterion-level benchmark: rules vs expert labels on the TrialGPT annotations (python bench/bench_criteria.py [--cv])."""

from __future__ import annotations

import argparse
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
# Exit non-zero below this accuracy (whole set, and per-fold mean with --cv): issue 15's aim for criterion
# accuracy. The rules reach about 0.80 on these patients; a change that drops them below the aim fails.
ACCURACY_FLOOR = 0.78
# The one choice the rules leave open: the label of a criterion no rule settles, per criterion kind.
SILENT_CANDIDATES: dict[str, tuple[str, ...]] = {
    "inclusion": ("not enough information", "included", "not included"),
    "exclusion": ("not excluded", "not enough information", "excluded"),
}
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


def _predict_with_silent(rows: list[dict], silent: dict[str, str]) -> dict[int, str]:
    original = dict(criteria_rules.SILENT_LABEL)
    criteria_rules.SILENT_LABEL.update(silent)
    try:
        return {key: v["eligibility"] for key, v in predict(rows).items()}
    finally:
        criteria_rules.SILENT_LABEL.clear()
        criteria_rules.SILENT_LABEL.update(original)


def silent_rows(rows: list[dict]) -> tuple[dict[int, str], set[int]]:
    """The rules' labels, and which criteria no rule settled (their label is the silent one): found by running
    the rules with two different silent labels and seeing which labels change."""
    first = {kind: c[0] for kind, c in SILENT_CANDIDATES.items()}
    second = {kind: c[1] for kind, c in SILENT_CANDIDATES.items()}
    a, b = _predict_with_silent(rows, first), _predict_with_silent(rows, second)
    return a, {key for key in a if a[key] != b[key]}


def _labels_with(rows: list[dict], fixed: dict[int, str], silent: set[int], choice: dict[str, str]) -> dict[int, str]:
    return {
        r["annotation_id"]: choice[r["criterion_type"]] if r["annotation_id"] in silent else fixed[r["annotation_id"]]
        for r in rows
    }


def choose_silent_labels(rows: list[dict], fixed: dict[int, str], silent: set[int]) -> dict[str, str]:
    """Per criterion kind, the candidate silent label that is most accurate on `rows` (ties: the first)."""
    choice = {}
    for kind, candidates in SILENT_CANDIDATES.items():
        sub = [r for r in rows if r["criterion_type"] == kind and r["annotation_id"] in silent]
        choice[kind] = max(candidates, key=lambda c: (sum(r["expert_eligibility"] == c for r in sub), -candidates.index(c)))
    return choice


def cross_validate(rows: list[dict], k: int = 5, repeats: int = 5) -> list[tuple[int, int, dict[str, str], float, float]]:
    """k-fold by patient, repeated: per fold, the silent-criterion labels are chosen among SILENT_CANDIDATES on
    the other folds and scored on the held-out patients. Returns (repeat, test rows, chosen labels, rules
    accuracy, majority-baseline accuracy) per fold."""
    fixed, silent = silent_rows(rows)
    patients = sorted({r["patient_id"] for r in rows})
    results = []
    for repeat, test_ids in patient_folds(patients, k=k, repeats=repeats):
        test = set(test_ids)
        train_rows = [r for r in rows if r["patient_id"] not in test]
        test_rows = [r for r in rows if r["patient_id"] in test]
        choice = choose_silent_labels(train_rows, fixed, silent)
        base = majority_by_kind(train_rows)
        base_acc = accuracy(test_rows, {r["annotation_id"]: base[r["criterion_type"]] for r in test_rows})
        acc = accuracy(test_rows, _labels_with(test_rows, fixed, silent, choice))
        results.append((repeat, len(test_rows), choice, acc, base_acc))
    return results


def print_cv(rows: list[dict]) -> float:
    """Print the cross-validation per fold and its spread; returns the per-fold mean accuracy of the rules."""
    cv = cross_validate(rows)
    short = {"not enough information": "NEI"}
    print("\n5-fold cross-validation by patient, 5 repeats: the silent-criterion label (per kind, among "
          f"{SILENT_CANDIDATES}) is chosen on the other folds; nothing else is fitted")  # fmt: skip
    for repeat, n, choice, a, b in cv:
        chosen = ", ".join(f"{kind[:3]} {short.get(label, label)}" for kind, label in choice.items())
        print(f"  repeat {repeat + 1} fold ({n:>3} criteria): chose [{chosen}]  rules {a:.1%}   majority baseline {b:.1%}")
    choices = Counter(tuple(c[2].items()) for c in cv)
    print(f"  choices over the folds: {dict(choices)}")
    for name, column in (("rules", [c[3] for c in cv]), ("majority", [c[4] for c in cv])):
        mean, sd, low, high = spread(column)
        print(f"  {name:<9} per-fold mean {mean:.1%}  sd {sd:.1%}  min {low:.1%}  max {high:.1%}  ({len(column)} folds)")
    return spread([c[3] for c in cv])[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cv", action="store_true", help="also cross-validate the silent-criterion label by patient")
    args = parser.parse_args(argv)
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
    for half, ids in (("odd", 0), ("even", 1)):
        patients = sorted({r["patient_id"] for r in rows})[ids::2]
        sub = [r for r in rows if r["patient_id"] in set(patients)]
        print(f"  {half} half of the patients ({len(sub)} criteria): rules {accuracy(sub, labels):.1%}")
    figures = {"accuracy": acc}
    if args.cv:
        figures["cross-validated accuracy (per-fold mean)"] = print_cv(rows)
    failed = [f"{name} {value:.1%}" for name, value in figures.items() if value < ACCURACY_FLOOR]
    if failed:
        print(f"\nFAIL: {', '.join(failed)} below the floor of {ACCURACY_FLOOR:.0%}")
        return 1
    print(f"\nOK: {', '.join(f'{n} {v:.1%}' for n, v in figures.items())} at or above the floor of {ACCURACY_FLOOR:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
