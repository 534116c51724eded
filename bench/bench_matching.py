"""Matching speed: one case against N synthetic trials (filters + retrieval + rule assessment of the top 50).

Usage: python bench/bench_matching.py N [--db PATH] [--queries 20]
Imports N synthetic API v2 studies into a SQLite file (reused when it already holds N trials), builds the
retrieval index (time and peak memory reported), then times the matching pipeline for several cases.
Target on a 2-core machine: p50 under 500 ms at 550,000 trials.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = [
    dict(age_years=16, sex="male", diagnosis="relapsed T-cell acute lymphoblastic leukemia",
         summary="A 16-year-old boy with relapsed T-cell acute lymphoblastic leukemia after nelarabine. ECOG 1.",
         location_label="Manchester, United Kingdom", travel_radius_km=800),
    dict(age_years=54, sex="female", diagnosis="refractory diffuse large B-cell lymphoma",
         summary="54-year-old woman with refractory DLBCL after R-CHOP and R-ICE. ECOG 1. No CNS disease.",
         location_label="Lyon, France", travel_radius_km=600),
    dict(age_years=7, sex="female", diagnosis="relapsed B-cell acute lymphoblastic leukemia",
         summary="7-year-old girl with second relapse of B-ALL, CD19 positive. Lansky 80.",
         location_label="Toronto, Canada", travel_radius_km=1000),
    dict(age_years=67, sex="male", diagnosis="type 2 diabetes mellitus",
         summary="67-year-old man with type 2 diabetes on metformin, HbA1c 8.1%. Denies smoking.",
         location_label="Berlin, Germany", travel_radius_km=300),
    dict(age_years=45, sex="female", diagnosis="multiple myeloma",
         summary="45-year-old woman with relapsed multiple myeloma after three lines including daratumumab.",
         location_label="Boston, United States", travel_radius_km=None),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("--db", help="SQLite file to (re)use")
    parser.add_argument("--queries", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-match-"))
    db_path = Path(args.db) if args.db else folder / f"match-{args.n}.sqlite"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DATA_DIR"] = str(db_path.parent / f"data-{db_path.stem}")
    os.environ["DEMO_MODE"] = "false"

    from sqlalchemy import func, select

    from core.cases import CaseInput, create_case
    from core.catalogue.importer import import_items
    from core.catalogue.sources import iter_import_bytes
    from core.db import session_scope, upgrade_database
    from core.evaluation.synthetic_studies import generate_studies
    from core.matching import service
    from core.models import Trial
    from core.permissions import SYSTEM, Actor

    upgrade_database()
    with session_scope() as s:
        have = s.scalar(select(func.count(Trial.id)))
    if have < args.n:
        import json

        start = time.perf_counter()
        batch: list[dict] = []
        for study in generate_studies(args.n, seed=1):
            batch.append(study)
            if len(batch) == 1000:
                import_items(iter_import_bytes(json.dumps({"studies": batch}).encode(), name="synthetic"), actor=SYSTEM, source="synthetic")
                batch = []
        if batch:
            import_items(iter_import_bytes(json.dumps({"studies": batch}).encode(), name="synthetic"), actor=SYSTEM, source="synthetic")
        print(f"imported {args.n} synthetic studies in {time.perf_counter() - start:.0f} s")
    start = time.perf_counter()
    service.ensure_index()
    build = time.perf_counter() - start
    print(f"index ready in {build:.1f} s (built or loaded); peak RSS so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")

    reviewer = Actor(username="bench", roles=frozenset({"reviewer"}))
    case_ids = [create_case(reviewer, CaseInput(contact_name="Bench", **c)) for c in CASES]
    service.match_case(case_ids[0])  # warm caches
    timings = []
    for i in range(args.queries):
        case_id = case_ids[i % len(case_ids)]
        t0 = time.perf_counter()
        service.match_case(case_id)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(0.95 * len(timings)))]
    print(f"match_case over {args.n} trials: p50 {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms, max {timings[-1]:.0f} ms "
          f"({args.queries} runs, {len(CASES)} cases); peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print("target: p50 < 500 ms at 550,000 trials")
    return 0


if __name__ == "__main__":
    sys.exit(main())
