"""Explorer latency: common filtered pages (count + one sorted page) over a large catalogue.

Usage: python bench/bench_explorer.py --db PATH [--runs 10]
Use the SQLite file that bench/bench_matching.py built (550,000 synthetic trials). Prints p50/p95 per filter.
Target: p95 under 300 ms for a filtered page at 550,000 studies.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(args.db).resolve()}"
    os.environ["DEMO_MODE"] = "false"
    from sqlalchemy import func, select

    from core.catalogue.explorer import ExplorerFilter, facet_counts, search_trials
    from core.db import session_scope, upgrade_database
    from core.models import Trial
    from core.permissions import Actor

    upgrade_database()
    with session_scope() as s:
        n = s.scalar(select(func.count(Trial.id)))
    analyst = Actor(username="bench", roles=frozenset({"analyst"}))
    filters = {
        "no filter": ExplorerFilter(),
        "recruiting": ExplorerFilter(status=["RECRUITING"]),
        "text 'leukemia'": ExplorerFilter(text="leukemia"),
        "recruiting + phase 2 + age 16": ExplorerFilter(status=["RECRUITING"], phase=["PHASE2"], age=16),
        "country France + updated since 2024": ExplorerFilter(country=["France"], updated_since=date(2024, 1, 1)),
        "CAR-T tag": ExplorerFilter(tag=["car_t"]),
        "near Lyon 300 km, recruiting": ExplorerFilter(near_lat=45.76, near_lon=4.84, radius_km=300, status=["RECRUITING"]),
    }
    print(f"catalogue: {n:,} trials")
    print(f"{'filter':<40} {'matches':>9} {'page p50':>9} {'page p95':>9} {'facets p50':>11}")
    for name, flt in filters.items():
        times, facet_times = [], []
        total = 0
        for _ in range(args.runs):
            t0 = time.perf_counter()
            total = search_trials(analyst, flt, page=1, page_size=50).total
            times.append((time.perf_counter() - t0) * 1000)
        for _ in range(max(1, args.runs // 3)):
            t0 = time.perf_counter()
            facet_counts(analyst, flt)
            facet_times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(f"{name:<40} {total:>9,} {statistics.median(times):>7.0f}ms {p95:>7.0f}ms {statistics.median(facet_times):>9.0f}ms", flush=True)
    print("target: p95 < 300 ms for a filtered page at 550,000 studies")
    return 0


if __name__ == "__main__":
    sys.exit(main())
