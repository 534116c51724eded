"""Hard-filter throughput over many trials for one case (python bench/bench_filters.py)."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.domain.case_facts import CaseFacts  # noqa: E402
from core.domain.trial import NormalizedTrial, Site  # noqa: E402
from core.matching.filters import apply_hard_filters  # noqa: E402

STATUSES = ["RECRUITING"] * 6 + ["COMPLETED", "ACTIVE_NOT_RECRUITING", "NOT_YET_RECRUITING", None]


def make_trials(n: int, rng: random.Random) -> list[NormalizedTrial]:
    """Synthetic trials shaped like the registry: 0-30 sites, mixed statuses, ages and sexes."""
    trials = []
    for i in range(n):
        sites = [
            Site(
                city=f"City {j}",
                status=rng.choice(STATUSES),
                latitude=rng.uniform(-60, 70) if rng.random() > 0.05 else None,
                longitude=rng.uniform(-180, 180),
            )
            for j in range(rng.choice([0, 1, 1, 2, 3, 5, 10, 30]))
        ]
        trials.append(
            NormalizedTrial(
                registry_id=f"NCT{i:08d}",
                source_format="bench",
                overall_status=rng.choice(["RECRUITING", "RECRUITING", "COMPLETED", "AVAILABLE"]),
                study_type=rng.choice(
                    ["INTERVENTIONAL", "INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS"]
                ),
                minimum_age_years=rng.choice([None, 0.5, 1, 18]),
                maximum_age_years=rng.choice([None, 17, 21, 65]),
                sex=rng.choice(["ALL", "ALL", "FEMALE", "MALE"]),
                sites=sites,
            )
        )
    return trials


def measure(facts: CaseFacts, trials: list[NormalizedTrial], label: str) -> None:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        outcomes = [apply_hard_filters(facts, t) for t in trials]
        best = min(best, time.perf_counter() - start)
    kept = sum(o.passed for o in outcomes)
    print(f"{label:<42} {best / len(trials) * 1e6:6.1f} µs/trial   kept {kept}/{len(trials)}")


def main() -> None:
    rng = random.Random(7)
    trials = make_trials(20000, rng)
    print(f"{len(trials)} synthetic trials, {sum(len(t.sites) for t in trials)} sites (target < 20 µs/trial)")
    measure(CaseFacts(age_years=9, sex="male"), trials, "age + sex, no location")
    measure(
        CaseFacts(age_years=9, sex="male", latitude=48.57, longitude=7.75, travel_radius_km=500),
        trials,
        "age + sex + location, 500 km radius",
    )
    measure(CaseFacts(), trials, "nothing known (notes only)")


if __name__ == "__main__":
    main()
