"""Measure parse_study_v2 throughput on real API v2 studies copied in memory with new ids.

Usage: python bench/bench_parse.py [N]   (default N = 5000 per study shape)
The store's target is 1,000 studies/s on 2 cores, so parsing should stay well under 0.5 ms/study.
"""

from __future__ import annotations

import copy
import io
import json
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.catalogue.ctgov_v2 import parse_study_v2  # noqa: E402
from core.catalogue.sources import iter_import_bytes  # noqa: E402
from tests.support.paths import SHARED_DATA  # noqa: E402

FIXTURES = SHARED_DATA / "ctgov" / "api-v2" / "aact-fixtures"
# Typical registry records: a few sites, tens of criteria. PALLAS (437 sites, results section) is the heavy tail.
TYPICAL = ["NCT00763412", "NCT02210780", "NCT03630471", "NCT04207047", "NCT05594173", "NCT06171568"]


def _copies(study: dict, n: int, offset: int = 0) -> list[dict]:
    out = []
    for i in range(offset, offset + n):
        clone = copy.copy(study)
        ps = dict(clone["protocolSection"])
        ps["identificationModule"] = dict(ps["identificationModule"], nctId=f"NCT9{i:07d}")
        clone["protocolSection"] = ps
        out.append(clone)
    return out


def _time(studies: list[dict]) -> float:
    """CPU seconds, so other processes on a shared machine do not inflate the figure (wall time is printed too)."""
    t0 = time.process_time()
    for s in studies:
        parse_study_v2(s)
    return time.process_time() - t0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    typical = [json.loads((FIXTURES / f"{nct}.json").read_text()) for nct in TYPICAL]
    per_shape = n // len(typical)
    batch = [s for k, study in enumerate(typical) for s in _copies(study, per_shape, offset=k * per_shape)]
    _time(batch[:200])  # warm-up
    elapsed = _time(batch)
    per = elapsed / len(batch)
    print(
        f"typical studies: {len(batch)} parsed in {elapsed:.2f} s = {len(batch) / elapsed:,.0f} studies/s, {per * 1e3:.3f} ms/study"
    )
    print(f"  ratio to the 0.5 ms/study budget: {per / 0.0005:.2f}")
    pallas = json.loads((SHARED_DATA / "ctgov" / "api-v2" / "mcode" / "NCT02513394.json").read_text())
    heavy = _copies(pallas, max(n // 50, 20))
    elapsed = _time(heavy)
    print(
        f"heavy study (PALLAS, 437 sites): {len(heavy)} parsed in {elapsed:.2f} s = "
        f"{len(heavy) / elapsed:,.0f} studies/s, {elapsed / len(heavy) * 1e3:.3f} ms/study"
    )
    for nct, study in zip(TYPICAL, typical, strict=True):
        elapsed = _time(_copies(study, 500))
        print(f"  {nct}: {elapsed / 500 * 1e3:.3f} ms/study")
    _bench_stream(batch)


def _bench_stream(batch: list[dict]) -> None:
    """The whole import path: a bulk-download-shaped zip, one JSON per study, through iter_import_bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for study in batch:
            nct = study["protocolSection"]["identificationModule"]["nctId"]
            zf.writestr(f"ctg-studies/{nct}.json", json.dumps(study))
    data = buf.getvalue()
    w0, t0 = time.perf_counter(), time.process_time()
    ok = sum(item.ok for item in iter_import_bytes(data, name="bench.zip"))
    elapsed, wall = time.process_time() - t0, time.perf_counter() - w0
    print(
        f"streamed from a zip (unzip + json.loads + detect + parse + duplicate check): {ok}/{len(batch)} trials "
        f"in {elapsed:.2f} CPU s = {len(batch) / elapsed:,.0f} studies/s on one core (wall {wall:.2f} s)"
    )


if __name__ == "__main__":
    main()
