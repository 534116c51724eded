"""Grounding benchmark on drafts of the demo catalogue (tests/data/checks/grounding_*.jsonl).

Usage: python bench/bench_grounding.py [--show heldout]
A planted error counts as flagged when the grounding check reports a finding in the planted sentence;
a correct draft is a false alarm when the check reports anything in it. Targets (issue 14): flags >= 0.90,
false alarms <= 0.05. Per error kind figures are printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.catalogue.ctgov_v2 import parse_study_v2  # noqa: E402
from core.catalogue.demo_data import demo_trial_paths  # noqa: E402
from core.domain.case_facts import CaseFacts  # noqa: E402
from core.drafting.checks import check_grounding  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "checks"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", choices=("dev", "heldout"), action="append", default=[])
    args = parser.parse_args()
    trials = {t.registry_id: t for t in (parse_study_v2(json.loads(p.read_text())) for p in demo_trial_paths())}
    for part in ("dev", "heldout"):
        path = DATA / f"grounding_{part}.jsonl"
        if not path.exists():
            print(f"{part:8s} (no corpus yet)")
            continue
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        flagged: Counter[str] = Counter()
        planted: Counter[str] = Counter()
        false_alarms = correct = 0
        for row in rows:
            facts = CaseFacts(**row["case"])
            findings = check_grounding(row["sections"], trials[row["trial_id"]], facts, [])
            if row["label"] == "correct":
                correct += 1
                false_alarms += bool(findings)
                if findings and part in args.show:
                    print(f"  FALSE ALARM {row['id']}: {[(f.token, f.sentence) for f in findings][:3]}")
            else:
                planted[row["error_kind"]] += 1
                hit = any(f.sentence.strip() == row["error_sentence"].strip() for f in findings)
                flagged[row["error_kind"]] += hit
                if not hit and part in args.show:
                    print(f"  MISSED {row['id']}: {row['error_sentence']}")
        total = sum(planted.values())
        print(f"{part:8s} drafts={len(rows)} planted={total} flagged={sum(flagged.values()) / total:.4f} "
              f"correct={correct} false_alarms={false_alarms / correct:.4f}")
        print("         by kind: " + ", ".join(f"{k}={flagged[k] / planted[k]:.2f}" for k in sorted(planted)))


if __name__ == "__main__":
    main()
