"""Import throughput and peak memory: N synthetic API v2 studies into SQLite (and PostgreSQL when given).

Usage: python bench/bench_import.py [N ...] [--postgres URL] [--format jsonl|zip]
Each run is a fresh process and a fresh database, so peak RSS is the import's own. Prints studies/s and
peak memory for every N; flat memory means the peak does not grow with N.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _child(path: str, url: str) -> None:
    from core.catalogue.importer import import_paths
    from core.db import upgrade_database
    from core.permissions import SYSTEM

    upgrade_database(url)
    start = time.perf_counter()
    report = import_paths(SYSTEM, [path])
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "new": report.new, "rejected": len(report.rejected), "peak_mb": peak_mb}))


def _write(n: int, fmt: str, folder: Path) -> Path:
    out = folder / f"studies-{n}.{fmt}"
    if not out.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate_studies.py"), str(n), str(out), "--format", fmt],
                       check=True, stdout=subprocess.DEVNULL)
    return out


def _run(path: Path, url: str, data_dir: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(data_dir), "DEMO_MODE": "false"}
    out = subprocess.run([sys.executable, __file__, "--child", str(path), url], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--postgres", help="also import into this PostgreSQL URL (a fresh schema per run)")
    parser.add_argument("--format", default="jsonl", choices=["jsonl", "zip"])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return 0
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    print(f"{'backend':<10} {'N':>8} {'seconds':>8} {'studies/s':>10} {'peak MB':>8}")
    for n in args.sizes:
        path = _write(n, args.format, folder)
        targets = [("sqlite", f"sqlite:///{folder}/bench-{n}-{uuid.uuid4().hex[:6]}.sqlite")]
        if args.postgres:
            import sqlalchemy as sa

            schema = f"bench_{uuid.uuid4().hex[:8]}"
            base = args.postgres.replace("postgresql://", "postgresql+psycopg://")
            with sa.create_engine(base).begin() as conn:
                conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
            targets.append(("postgres", f"{base}?options=-csearch_path%3D{schema}"))
        for backend, url in targets:
            r = _run(path, url, folder / "data")
            print(f"{backend:<10} {n:>8} {r['seconds']:>8.1f} {r['new'] / r['seconds']:>10.0f} {r['peak_mb']:>8.0f}"
                  + (f"  ({r['rejected']} rejected)" if r["rejected"] else ""), flush=True)
    print("target: >= 1,000 studies/s into SQLite; peak memory independent of N")
    return 0


if __name__ == "__main__":
    sys.exit(main())
