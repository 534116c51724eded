"""The duplicate detector remembers a bounded window of ids, so memory stays flat on huge imports."""

from __future__ import annotations

import json

from core.catalogue.sources import ImportLimits, iter_import_bytes
from core.evaluation.synthetic_studies import generate_studies


def test_duplicates_within_the_window_are_reported_and_memory_is_bounded():
    studies = list(generate_studies(6, seed=3))
    lines = [json.dumps(s) for s in studies] + [json.dumps(studies[5]), json.dumps(studies[0])]
    items = list(iter_import_bytes("\n".join(lines).encode(), name="batch.jsonl", limits=ImportLimits(duplicate_window=3)))
    rejected = [i.rejection for i in items if not i.ok]
    # studies[5] was seen 1 record earlier: reported. studies[0] was 7 records earlier, outside the window of 3.
    assert [r.position for r in rejected] == ["line 7"]
    assert "first seen in batch.jsonl, line 6" in rejected[0].reason
