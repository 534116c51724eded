"""Measure split_criteria against the TrialGPT criterion annotations (criteria/trials.jsonl + annotations.jsonl).

The trials file holds each trial's inclusion and exclusion text in the registry's layout; the
annotations file holds criterion texts as the TrialGPT annotators split them. Two figures:
- exact match: share of annotated criteria that appear verbatim (whitespace-normalised) among our
  criteria of the same kind, for the trials the annotations come from;
- count agreement: share of (trial, kind) pairs where our number of criteria equals the reference
  split (TrialGPT splits on blank lines, dropping headings and empty parts).
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.catalogue.criteria_parser import split_criteria  # noqa: E402
from tests.support.paths import SHARED_DATA  # noqa: E402

_MARKER = re.compile(r"^\s*(?:[*\-•]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])\s+")


def _norm(text: str) -> str:
    return " ".join(text.split()).strip()


def _norm_item(text: str) -> str:
    """Annotators sometimes kept the list number ("3. ...") or dropped a final full stop; neither is a split."""
    return _norm(_MARKER.sub("", text)).rstrip(".; ")


def _reference_split(text: str) -> list[str]:
    parts = [_norm(p) for p in text.split("\n\n")]
    heads = {"inclusion criteria:", "exclusion criteria:", ":", ""}
    return [p for p in parts if p.lower() not in heads and not p.lower().startswith(("inclusion criteria:",))]


def main() -> None:
    trials = {}
    for line in (SHARED_DATA / "criteria" / "trials.jsonl").open():
        rec = json.loads(line)
        trials[rec["_id"]] = rec["metadata"]
    annotations = [json.loads(line) for line in (SHARED_DATA / "criteria" / "annotations.jsonl").open()]

    texts = {
        tid: f"Inclusion Criteria:\n\n{m['inclusion_criteria']}\n\nExclusion Criteria:\n\n{m['exclusion_criteria']}"
        for tid, m in trials.items()
    }
    t0 = time.perf_counter()
    parsed = {tid: split_criteria(text) for tid, text in texts.items()}
    elapsed = time.perf_counter() - t0

    ours = {(tid, c.kind, _norm_item(c.text)) for tid, cs in parsed.items() for c in cs}
    wanted = {
        (a["trial_id"], a["criterion_type"], _norm_item(a["criterion_text"]))
        for a in annotations
        if a["trial_id"] in trials
    }
    hits = sum(1 for w in wanted if w in ours)
    misses = sorted(w for w in wanted if w not in ours)
    # Some annotated texts were edited by the annotators and occur nowhere in the record.
    reachable = [w for w in wanted if w[2] in _norm(texts[w[0]])]
    reachable_hits = sum(1 for w in reachable if w in ours)

    agree = pairs = 0
    for tid, m in trials.items():
        for kind, key in (("inclusion", "inclusion_criteria"), ("exclusion", "exclusion_criteria")):
            ref = _reference_split(m[key])
            got = [c for c in parsed[tid] if c.kind == kind]
            pairs += 1
            agree += len(ref) == len(got)

    n_criteria = sum(len(cs) for cs in parsed.values())
    print(f"trials: {len(trials)}, criteria produced: {n_criteria}")
    print(f"annotated criteria found verbatim (same kind): {hits}/{len(wanted)} = {hits / len(wanted):.1%}")
    print(
        f"  of those occurring verbatim in the source text: {reachable_hits}/{len(reachable)}"
        f" = {reachable_hits / len(reachable):.1%}"
    )
    print(
        f"per-trial, per-kind count agreement with the blank-line reference split: {agree}/{pairs} = {agree / pairs:.1%}"
    )
    print(f"split time: {elapsed * 1000:.1f} ms total, {elapsed / len(trials) * 1e6:.0f} us per trial")
    if "-v" in sys.argv:
        for miss in misses[:40]:
            print("MISS", miss)


if __name__ == "__main__":
    main()
