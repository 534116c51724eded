"""Clinical-presentation table (knowledge/presentations.yaml): presenting findings -> candidate diagnoses.

Case reports often describe symptoms, signs and test results without naming the diagnosis, while
trials are indexed under disease names. This table, written from general clinical knowledge (a
differential a clinician would list for any patient, not tuned to any data set), maps finding
phrases to plain disease names. The query builder adds the suggested diagnoses as one down-weighted
term group; they never replace the case's own words.

Patterns are regular expressions matched on lower-cased, negation-stripped sentences, with word
boundaries added at both ends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from core.matching.knowledge import loader
from core.nlp.negation import strip_negated
from core.nlp.sentences import split_clauses


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    return tuple(
        (re.compile(rf"(?<![\w-])(?:{entry.pattern})(?![\w])"), tuple(entry.diagnoses))
        for entry in loader.presentations().presentations
    )


def suggest_diagnoses(clauses: Iterable[str]) -> list[str]:
    """Candidate diagnoses for already negation-stripped clauses, in table order, each once."""
    found: dict[str, None] = {}
    for clause in clauses:
        kept = clause.lower()
        if not kept.strip():
            continue
        for pattern, diagnoses in _compiled():
            if pattern.search(kept):
                for dx in diagnoses:
                    found.setdefault(dx, None)
    return list(found)


def match_presentations(text: str) -> list[str]:
    """Candidate diagnoses suggested by the findings in a case text, in table order, each once.

    Matching is per sentence, on lower-cased text with negated findings removed first, so "no
    hemoptysis" suggests nothing. Deterministic: the same text always gives the same list.
    """
    return suggest_diagnoses(strip_negated(s) for s in split_clauses(text))
