"""Run the written clinical scenarios (tests/data/scenarios.yaml) through matching; print the pass rate."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.catalogue.demo_data import TRIALS_DIR  # noqa: E402
from core.data_files import load_yaml  # noqa: E402
from core.evaluation.scenarios import ScenarioSuite, load_catalogue, load_suite, run_suite  # noqa: E402
from tests.support.paths import REPO_ROOT, SHARED_DATA  # noqa: E402

SUITE = REPO_ROOT / "tests" / "data" / "scenarios.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suite", type=Path, default=SUITE)
    parser.add_argument("--verbose", action="store_true", help="print every scenario's first five trials")
    parser.add_argument(
        "--free-text", action="store_true", help="also run each case as its summary alone, read by the extractor"
    )
    args = parser.parse_args()
    records_open = load_yaml(args.suite, ScenarioSuite).value.records_open
    trials = load_catalogue(TRIALS_DIR, SHARED_DATA / "records", records_open=records_open)
    suite = load_suite(args.suite, trials).value
    start = time.perf_counter()
    results = run_suite(suite, trials)
    elapsed = time.perf_counter() - start
    passed = sum(r.passed for r in results)
    for r in results:
        mark = "pass" if r.passed else "FAIL"
        print(f"{mark}  {r.id:<40} {r.title}")
        for failure in r.failures:
            print(f"        - {failure}")
        if args.verbose or not r.passed:
            print("        first: " + ", ".join(f"{rid} ({e})" for rid, e in r.top))
    by_area = Counter(r.area for r in results)
    ok_area = Counter(r.area for r in results if r.passed)
    print(f"\ncatalogue {len(trials)} trials; {len(results)} scenarios in {elapsed:.1f} s")
    for area in sorted(by_area):
        print(f"  {area:<16} {ok_area[area]}/{by_area[area]}")
    print(f"pass rate {passed}/{len(results)} = {passed / len(results):.0%}")
    if args.free_text:
        loose = run_suite(suite, trials, free_text=True)
        print("\nthe same cases as free text only (summary read by the extractor):")
        for r in loose:
            if not r.passed:
                print(f"  FAIL {r.id}: {'; '.join(r.failures)}")
        ok = sum(r.passed for r in loose)
        print(f"free-text pass rate {ok}/{len(loose)} = {ok / len(loose):.0%}")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
