"""Find wording that promises an outcome (cure, guaranteed, safe, no doubt, best option...), negation tricks included.

The phrases are data (knowledge/promises.yaml). A strong cue is a promise whatever negation surrounds it
("You will not regret this guaranteed cure"), unless a negator stands right before it ("not a guaranteed
cure"); a weak cue is a promise unless a hedge in the same clause makes it a denial, a question or a study
aim ("This is not a cure", "The study checks how safe it is").
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from core.drafting.promise_rules import compiled_rules


class PromiseHit(BaseModel):
    """A promise-like phrase in a text, and where it is."""

    phrase: str
    start: int
    end: int
    why: str


_CLAUSE_BREAK = re.compile(r"[;:!?\u2014]|,\s+but\b|\bbut\b|\.\s")
_NEGATED_RIGHT_BEFORE = re.compile(r"\b(?:not|no|never|nor|isn't|aren't|without)\s+(?:a\s+|an\s+|the\s+)?$", re.IGNORECASE)


def _clause(text: str, start: int, end: int) -> str:
    """The clause around [start, end): from the last break before it to the first break after it."""
    before = _CLAUSE_BREAK.split(text[:start])[-1]
    after = _CLAUSE_BREAK.split(text[end:])[0]
    return before + text[start:end] + after


def find_promises(text: str) -> list[PromiseHit]:
    """Return the promise-like phrases in text that no hedge or denial clears."""
    strong, weak, hedge = compiled_rules()
    hits: list[PromiseHit] = []
    taken: list[tuple[int, int]] = []
    for pattern, why in strong:
        for m in pattern.finditer(text):
            if _NEGATED_RIGHT_BEFORE.search(text[max(0, m.start() - 20) : m.start()]):
                continue
            hits.append(PromiseHit(phrase=m.group(0), start=m.start(), end=m.end(), why=why))
            taken.append((m.start(), m.end()))
    for pattern, why in weak:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            clause = _clause(text, m.start(), m.end())
            cue_at = clause.find(m.group(0))
            # The cue's own words do not hedge it ("no" inside "no risk" is the promise itself).
            rest = clause[:cue_at] + " " + clause[cue_at + len(m.group(0)) :]
            if hedge.search(rest):
                continue
            hits.append(PromiseHit(phrase=m.group(0), start=m.start(), end=m.end(), why=why))
            taken.append((m.start(), m.end()))
    hits.sort(key=lambda h: h.start)
    return hits
