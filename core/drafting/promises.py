"""Find wording that promises an outcome (cure, guaranteed, safe, no doubt, best option...), negation tricks included.

The phrases are data (knowledge/promises.yaml). A strong cue is a promise whatever negation surrounds it
("You will not regret this guaranteed cure"), unless a negator stands right before it ("not a guaranteed
cure"); a weak cue is a promise unless a hedge in the same clause makes it a question or a study aim ("The study
checks how safe it is"), or a negation governs it: one before it in the same coordinated clause ("This is not
a cure", "No one can say it will cure her") or the cue's own verb negated right after it ("A cure is not
promised"). A negation elsewhere does not clear it ("It will cure her and it won't hurt").
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
# Where a coordinated clause with its own subject starts ("..., and it won't hurt", "..., she will not"):
# a negation beyond it negates that clause, not the promise.
_COORDINATED = re.compile(
    r",?\s+(?:and|or|so|plus|while|whereas)\s+(?=(?:it|she|he|they|we|you|i|there|this|that|nobody|no one|nothing|"
    r"her|his|their|the|your)\b)|,\s+(?=(?:it|she|he|they|we|you|there)\s)",
    re.IGNORECASE,
)
# Right after the cue: up to three words of its own phrase, then its verb negated ("A cure is not the aim").
_NEGATED_VERB_AFTER = re.compile(
    r"^(?:\W+(?!(?:and|or|so|but|it|she|he|they|we|you|i|there|this|that|without)\b)\w+){0,3}?\W+"
    r"(?:(?:is|are|was|were|will|would|can|could|does|do|did|has|have|had|may|might|must|should)\s+(?:not|never)\b"
    r"|isn't|aren't|wasn't|weren't|won't|can't|cannot|doesn't|don't|didn't|hasn't|haven't|wouldn't|shouldn't)",
    re.IGNORECASE,
)
_NEGATED_RIGHT_BEFORE = re.compile(r"\b(?:not|no|never|nor|isn't|aren't|without)\s+(?:a\s+|an\s+|the\s+)?$", re.IGNORECASE)


def _clause(text: str, start: int, end: int) -> str:
    """The clause around [start, end): from the last break before it to the first break after it."""
    before = _CLAUSE_BREAK.split(text[:start])[-1]
    after = _CLAUSE_BREAK.split(text[end:])[0]
    return before + text[start:end] + after


def _negation_governs(clause: str, cue_at: int, cue_end: int, negation: re.Pattern[str]) -> bool:
    """True when a negation in the clause governs the cue: before it in its own coordinated clause, or as
    its own verb right after it."""
    before = _COORDINATED.split(clause[:cue_at])[-1]
    return bool(negation.search(before)) or bool(_NEGATED_VERB_AFTER.search(clause[cue_end:]))


def find_promises(text: str) -> list[PromiseHit]:
    """Return the promise-like phrases in text that no hedge or denial clears."""
    strong, weak, hedge, negation = compiled_rules()
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
            cue_end = cue_at + len(m.group(0))
            if hedge.search(clause[:cue_at] + " " + clause[cue_end:]) or _negation_governs(clause, cue_at, cue_end, negation):
                continue
            hits.append(PromiseHit(phrase=m.group(0), start=m.start(), end=m.end(), why=why))
            taken.append((m.start(), m.end()))
    hits.sort(key=lambda h: h.start)
    return hits
