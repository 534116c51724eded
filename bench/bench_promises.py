"""Promise detection benchmark on the written corpora (tests/data/checks/promises_{dev,heldout}.jsonl).

Usage: python bench/bench_promises.py [--show-errors dev|heldout]
A sentence is flagged when find_promises finds any phrase in it. Prints recall over promises and the
false-alarm rate over hedged neutral sentences. Targets (issue 14): recall >= 0.95, false alarms <= 0.05.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.drafting.promises import find_promises  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "checks"


def score(path: Path, show: bool) -> tuple[float, float, int, int]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    tp = fp = pos = neg = 0
    for row in rows:
        flagged = bool(find_promises(row["text"]))
        if row["promise"]:
            pos += 1
            tp += flagged
        else:
            neg += 1
            fp += flagged
        if show and flagged != row["promise"]:
            print(f"  {'MISSED' if row['promise'] else 'FALSE ALARM'}: {row['text']}")
    return tp / pos, fp / neg, pos, neg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-errors", choices=("dev", "heldout"), action="append", default=[])
    args = parser.parse_args()
    total = [0, 0, 0, 0]
    for part in ("dev", "heldout"):
        recall, false_alarms, pos, neg = score(DATA / f"promises_{part}.jsonl", part in args.show_errors)
        total = [total[0] + recall * pos, total[1] + false_alarms * neg, total[2] + pos, total[3] + neg]
        print(f"{part:8s} sentences={pos + neg} promises={pos} recall={recall:.4f} neutral={neg} false_alarms={false_alarms:.4f}")
    print(f"{'all':8s} sentences={total[2] + total[3]} recall={total[0] / total[2]:.4f} false_alarms={total[1] / total[3]:.4f}")


if __name__ == "__main__":
    main()
