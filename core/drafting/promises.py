"""Find wording that promises an outcome (cure, guaranteed, safe, will work...), tolerating negation."""

from __future__ import annotations

import re

from pydantic import BaseModel


class PromiseHit(BaseModel):
    """A promise-like phrase in a text, and where it is."""

    phrase: str
    start: int
    end: int
    why: str


# (pattern, why). Patterns are matched case-insensitively on word boundaries.
PROMISE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"cur(?:e|es|ed|ing|ative)", "speaks of a cure"),
    (r"guarantee(?:s|d)?", "promises a result"),
    (r"(?:completely |totally |very |perfectly )?safe(?: and effective)?", "calls the treatment safe"),
    (r"risk[- ]free|no risks?", "says there is no risk"),
    (
        r"will (?:work|help|heal|save|succeed|be effective|make \w+ better|get rid of)",
        "promises it will work",
    ),
    (r"will (?:be )?(?:cured|healed|recover|survive|get better)", "promises recovery"),
    (r"(?:the )?best (?:treatment|option|choice|chance|therapy|hope)", "calls an option the best"),
    (r"miracle|miraculous|breakthrough|wonder drug", "overstates the treatment"),
    (r"definitely|certainly|surely|without (?:a )?doubt", "speaks with certainty"),
    (r"proven to|is proven|are proven|100 ?%(?: effective| success)?", "claims proof of benefit"),
    (r"(?:always|never fails to) works?", "claims it always works"),
)
_COMPILED = [(re.compile(rf"(?<![\w-]){p}(?![\w-])", re.IGNORECASE), why) for p, why in PROMISE_PATTERNS]

# Words in the same clause before the phrase that turn it into a denial or an open question,
# as in "we cannot promise a cure" or "the study checks how safe it is".
_HEDGES = re.compile(
    r"\b(?:not|no|never|cannot|can't|can ?not|won't|don't|doesn't|isn't|aren't|nobody|none|without|"
    r"whether|if|how|unknown|unclear|unproven|nor)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,;:.!?()\u2014]| but | and ")
_HEDGE_WINDOW_WORDS = 6


def _is_hedged(text: str, start: int) -> bool:
    before = text[:start]
    clause = _CLAUSE_BREAK.split(before)[-1]
    window = " ".join(clause.split()[-_HEDGE_WINDOW_WORDS:])
    return bool(_HEDGES.search(window))


def find_promises(text: str) -> list[PromiseHit]:
    """Return promise-like phrases in text that are not negated or framed as a question."""
    hits: list[PromiseHit] = []
    for pattern, why in _COMPILED:
        for match in pattern.finditer(text):
            if _is_hedged(text, match.start()):
                continue
            hits.append(PromiseHit(phrase=match.group(0), start=match.start(), end=match.end(), why=why))
    hits.sort(key=lambda h: h.start)
    return hits
