"""Write N synthetic API v2 studies as JSONL, a zip of per-study JSON files, or /studies-shaped pages.

Usage: python bench/generate_studies.py N OUT [--format jsonl|zip|pages] [--seed S] [--page-size 1000]
Prints generation and writing rates, so the generator's share of an import benchmark is visible.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.evaluation.synthetic_studies import generate_studies  # noqa: E402


class TimedStream:
    """Wraps the generator and adds up the time spent inside it, apart from the writer's time."""

    def __init__(self, studies: Iterator[dict[str, Any]]):
        self._studies = studies
        self.seconds = 0.0
        self.count = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        while True:
            start = time.perf_counter()
            try:
                study = next(self._studies)
            except StopIteration:
                self.seconds += time.perf_counter() - start
                return
            self.seconds += time.perf_counter() - start
            self.count += 1
            yield study


def dumps(study: dict[str, Any]) -> str:
    return json.dumps(study, ensure_ascii=False, separators=(",", ":"))


def write_jsonl(studies: TimedStream, out: Path) -> None:
    with out.open("w", encoding="utf-8") as handle:
        for study in studies:
            handle.write(dumps(study))
            handle.write("\n")


def write_zip(studies: TimedStream, out: Path) -> None:
    # Same layout as the registry's bulk download: one NCTxxxxxxxx.json per study at the archive root.
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for study in studies:
            nct_id = study["protocolSection"]["identificationModule"]["nctId"]
            archive.writestr(f"{nct_id}.json", dumps(study))


def write_pages(studies: TimedStream, out: Path, page_size: int, total: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    page: list[dict[str, Any]] = []
    number = 0

    def flush(last: bool) -> None:
        nonlocal number, page
        number += 1
        body: dict[str, Any] = {"studies": page}
        if number == 1:
            body = {"totalCount": total, **body}
        if not last:
            body["nextPageToken"] = f"page-{number + 1:05d}"
        (out / f"page-{number:05d}.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        page = []

    for study in studies:
        page.append(study)
        if len(page) == page_size and studies.count < total:
            flush(last=False)
    if page or number == 0:
        flush(last=True)


def size_of(out: Path) -> int:
    if out.is_dir():
        return sum(p.stat().st_size for p in out.glob("page-*.json"))
    return out.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of studies")
    parser.add_argument("out", type=Path, help="output file (jsonl, zip) or directory (pages)")
    parser.add_argument("--format", choices=("jsonl", "zip", "pages"), default="jsonl")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--page-size", type=int, default=1000)
    args = parser.parse_args(argv)
    if args.n < 0 or args.page_size < 1:
        parser.error("N must be >= 0 and --page-size >= 1")

    # Generation alone, consumed and discarded: the generator's own ceiling.
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in generate_studies(args.n, seed=args.seed):
        pass
    generate_only = time.perf_counter() - start
    generate_cpu = time.process_time() - cpu_start

    studies = TimedStream(generate_studies(args.n, seed=args.seed))
    start = time.perf_counter()
    if args.format == "jsonl":
        write_jsonl(studies, args.out)
    elif args.format == "zip":
        write_zip(studies, args.out)
    else:
        write_pages(studies, args.out, args.page_size, args.n)
    total = time.perf_counter() - start
    writing = total - studies.seconds
    size = size_of(args.out)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def rate(seconds: float) -> str:
        return f"{args.n / seconds:,.0f} studies/s" if seconds > 0 else "n/a"

    print(f"studies:              {args.n:,} (seed {args.seed}, format {args.format}) -> {args.out}")
    print(f"generate only:        {generate_only:.2f} s  {rate(generate_only)} wall clock")
    # CPU time is the fairer figure on a shared machine, where wall clock includes waiting for a core.
    print(f"                      {generate_cpu:.2f} s  {rate(generate_cpu)} CPU time")
    print(f"generate + write:     {total:.2f} s  {rate(total)}")
    print(
        f"  of which generating {studies.seconds:.2f} s ({studies.seconds / total:.0%} of the run)"
        if total
        else ""
    )
    print(f"  of which writing    {writing:.2f} s  {rate(writing)}")
    print(f"output size:          {size / 1e6:,.1f} MB  ({size / max(args.n, 1):,.0f} bytes/study)")
    print(f"peak memory (RSS):    {peak_mb:,.0f} MB")
    target = 20_000
    if generate_cpu:
        ratio = args.n / generate_cpu / target
        print(f"generator vs target:  {ratio:.2f}x of {target:,} studies/s (CPU time)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
