"""Turn marked-up narratives into plain text plus the spans a de-identification benchmark scores.

Markup: ⟦TYPE|value⟧ plants an identifier, «value» a clinical term that must survive, ‹value› a place
(city or region) that may stay.
"""

from __future__ import annotations

import re
from typing import Any

_MARK = re.compile(r"⟦(\w+)\|([^⟧]*)⟧|«([^»]*)»|‹([^›]*)›")


def parse_markup(marked: str) -> dict[str, Any]:
    """Return {"text", "identifiers", "clinical_terms", "places"} with character offsets into text."""
    out: list[str] = []
    identifiers, terms, places = [], [], []
    pos = 0
    last = 0
    for m in _MARK.finditer(marked):
        chunk = marked[last : m.start()]
        out.append(chunk)
        pos += len(chunk)
        if m.group(1):
            value = m.group(2)
            identifiers.append({"start": pos, "end": pos + len(value), "type": m.group(1), "value": value})
        elif m.group(3) is not None:
            value = m.group(3)
            terms.append({"start": pos, "end": pos + len(value), "value": value})
        else:
            value = m.group(4)
            places.append({"start": pos, "end": pos + len(value), "value": value})
        out.append(value)
        pos += len(value)
        last = m.end()
    out.append(marked[last:])
    text = "".join(out)
    for span in identifiers + terms + places:
        assert text[span["start"] : span["end"]] == span["value"]
    return {"text": text, "identifiers": identifiers, "clinical_terms": terms, "places": places}


def hand_written_rows(prefix: str, start: int, rows: list[tuple[str, dict, str]], fmt: str) -> list[dict]:
    """Hand-written corpus rows (region, contact, marked summary), numbered `{prefix}-NNN` from `start`."""
    return [{"id": f"{prefix}-{start + i:03d}", "region": region, "format": fmt, "contact": contact,
             "fields": {"summary": parse_markup(marked)}} for i, (region, contact, marked) in enumerate(rows)]
