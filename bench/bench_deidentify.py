"""De-identification benchmark on the written corpora (tests/data/privacy/deid_{dev,heldout}.jsonl).

Usage: python bench/bench_deidentify.py [--show-misses dev|heldout] [--limit N]
Prints, per corpus: recall of planted identifiers (an identifier counts as caught when every identifying
token of it is replaced; strict: when its whole span is replaced), by type and region; the share of planted
clinical terms kept verbatim; the share of city/region names kept; and the time per narrative.
Targets (issue 14): recall >= 0.99 with >= 0.95 of clinical terms kept.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.privacy.deidentify import find_identifiers  # noqa: E402
from core.privacy.known import KnownIdentifiers  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "privacy"
# Tokens inside a planted identifier that identify no one on their own (evaluation only).
GENERIC = {
    "dot", "at", "com", "org", "net", "co", "uk", "de", "fr", "it", "me", "www", "http", "https", "the", "of", "th",
    "st", "nd", "rd", "dr", "mr", "mrs", "ms", "prof", "nurse", "practitioner", "sister", "flat", "apt", "apartment",
    "street", "road", "avenue", "ave", "drive", "lane", "close", "court", "crescent", "terrace", "blvd", "pkwy",
    "rue", "via", "calle", "des", "la", "le", "del", "van", "der", "izq", "º", "and",
}


def identifying_tokens(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [
        (start + m.start(), start + m.end())
        for m in re.finditer(r"[^\W_]+", text[start:end])
        if m.group(0).lower() not in GENERIC and len(m.group(0)) >= 2 or m.group(0).isdigit()
    ]


def covered(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def score(path: Path, show_misses: bool, limit: int | None) -> dict:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if limit:
        rows = rows[:limit]
    totals: Counter[str] = Counter()
    by_type: dict[str, Counter[str]] = defaultdict(Counter)
    by_region: dict[str, Counter[str]] = defaultdict(Counter)
    misses, lost_terms = [], []
    elapsed = 0.0
    for row in rows:
        c = row["contact"]
        known = KnownIdentifiers(names=[c["name"]], emails=[c["email"]], phones=[c["phone"]], addresses=[c["address"]])
        for field in row["fields"].values():
            text = field["text"]
            started = time.perf_counter()
            found = [(s.start, s.end) for s in find_identifiers(text, known)]
            elapsed += time.perf_counter() - started
            for ident in field["identifiers"]:
                tokens = identifying_tokens(text, ident["start"], ident["end"])
                caught = all(covered(found, s, e) for s, e in tokens)
                strict = covered(found, ident["start"], ident["end"])
                for counter in (totals, by_type[ident["type"]], by_region[row["region"]]):
                    counter["planted"] += 1
                    counter["caught"] += caught
                    counter["strict"] += strict
                if not caught:
                    misses.append((row["id"], ident["type"], ident["value"], text))
            for term in field["clinical_terms"]:
                totals["terms"] += 1
                kept = not overlaps(found, term["start"], term["end"])
                totals["terms_kept"] += kept
                if not kept:
                    lost_terms.append((row["id"], term["value"]))
            for place in field["places"]:
                totals["places"] += 1
                totals["places_kept"] += not overlaps(found, place["start"], place["end"])
    result = {
        "narratives": len(rows),
        "identifiers": totals["planted"],
        "recall": totals["caught"] / totals["planted"],
        "strict_recall": totals["strict"] / totals["planted"],
        "clinical_terms": totals["terms"],
        "clinical_kept": totals["terms_kept"] / totals["terms"],
        "places_kept": totals["places_kept"] / max(1, totals["places"]),
        "ms_per_field": 1000 * elapsed / (2 * len(rows)),
        "by_type": {k: round(v["caught"] / v["planted"], 4) for k, v in sorted(by_type.items())},
        "by_region": {k: round(v["caught"] / v["planted"], 4) for k, v in sorted(by_region.items())},
        "misses": len(misses),
        "lost_terms": Counter(v for _, v in lost_terms).most_common(10),
    }
    if show_misses:
        for rid, kind, value, _text in misses[:40]:
            print(f"  MISS {rid} {kind} {value!r}")
        print(f"  lost clinical terms: {result['lost_terms']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", choices=("dev", "heldout"), action="append", default=[])
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    for part in ("dev", "heldout"):
        result = score(DATA / f"deid_{part}.jsonl", part in args.show_misses, args.limit)
        print(
            f"{part:8s} narratives={result['narratives']} identifiers={result['identifiers']} "
            f"recall={result['recall']:.4f} strict={result['strict_recall']:.4f} "
            f"clinical_kept={result['clinical_kept']:.4f} (of {result['clinical_terms']}) "
            f"places_kept={result['places_kept']:.4f} ms/field={result['ms_per_field']:.1f}"
        )
        print(f"         by type: {result['by_type']}")
        print(f"         by region: {result['by_region']}  misses={result['misses']}")


if __name__ == "__main__":
    main()
