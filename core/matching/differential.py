"""Score candidate diagnoses from the findings a case describes, with the hand-written knowledge base.

Case reports often describe symptoms, signs, history and test results without naming a diagnosis,
while trials are indexed under disease names. `knowledge/differential.yaml` lists, for each disease,
its characteristic findings weighted 1 (common but nonspecific) to 3 (nearly specific); a disease
is suggested when several of its findings appear in the negation-stripped case text, and the best
suggestions join the retrieval query (never replacing the case's own words).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from core.matching.knowledge import loader
from core.matching.presentations import match_presentations
from core.nlp.negation import strip_negated
from core.nlp.sentences import split_clauses

# A suggestion needs this much evidence: two findings at least, one of them characteristic (weight 2+),
# so nonspecific findings alone (fever and fatigue) never suggest anything.
MIN_FINDINGS = 2
MIN_SCORE = 4
MIN_STRONGEST = 2
MAX_SUGGESTIONS = 3


class SuggestedDiagnosis(BaseModel):
    """A disease the findings point to, how strongly, and which findings of the case support it."""

    model_config = ConfigDict(frozen=True)  # cached and shared between calls

    disease: str
    names: list[str]
    score: int
    findings: list[str]


@lru_cache(maxsize=1)
def _compiled_findings() -> dict[str, re.Pattern[str]]:
    return {
        name: re.compile(rf"(?<![\w-])(?:{'|'.join(patterns)})(?![\w])")
        for name, patterns in loader.differential()[0].findings.items()
    }


def _diseases() -> dict[str, loader.DifferentialEntry]:
    return loader.differential()[1].diseases


def find_findings(clauses: Iterable[str]) -> set[str]:
    """Names of the knowledge base's findings that appear in already negation-stripped clauses."""
    text = "\n".join(c.lower() for c in clauses if c.strip())
    if not text:
        return set()
    return {name for name, pattern in _compiled_findings().items() if pattern.search(text)}


@lru_cache(maxsize=1)
def _disease_names() -> re.Pattern[str]:
    # acronyms of three letters or fewer ("ALL", "MS") are common words once lower-cased: left out
    names = {n.lower() for entry in _diseases().values() for n in entry.names if len(n) > 3}
    names |= {d.lower() for d in _diseases()}
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


# Words that make a phrase a disease name even when the knowledge base does not list it.
_DISEASE_WORD = re.compile(
    r"\b(?:\w*(?:a?emia|oma|itis|osis|pathy|plasia|trophy)s?|cancers?|tumou?rs?|malignan\w*|syndromes?|"
    r"diseases?|disorders?|deficienc\w*|infections?|failure|insufficiency|palsy|dystroph\w*|[a-z]-all|"
    r"dlbcl|lbcl|cll|cml|mds|nhl|jmml|cmml|mcl|aml)\b"
)


def names_a_disease(phrase: str) -> bool:
    """True when a phrase names a disease (one the knowledge base lists, or a word like "-itis" or
    "syndrome"), not a complaint, a body part or a test ("cough", "neck", "haemoglobin")."""
    text = phrase.strip().lower()
    return bool(text) and bool(_disease_names().search(text) or _DISEASE_WORD.search(text))


def rank_differential(clauses: Iterable[str], limit: int = MAX_SUGGESTIONS) -> list[SuggestedDiagnosis]:
    """The best-supported diseases for the case's findings, strongest first (ties by name)."""
    # one ranking asks for the same case's differential several times (its query, its variants)
    return list(_cached_differential(tuple(clauses), limit))


@lru_cache(maxsize=64)
def _cached_differential(clauses: tuple[str, ...], limit: int) -> tuple[SuggestedDiagnosis, ...]:
    present = find_findings(clauses)
    if len(present) < MIN_FINDINGS:
        return ()
    suggestions: list[SuggestedDiagnosis] = []
    for disease, entry in _diseases().items():
        weights = entry.findings
        matched = sorted((f for f in weights if f in present), key=lambda f: (-weights[f], f))
        if len(matched) < MIN_FINDINGS:
            continue
        score = sum(weights[f] for f in matched)
        if score < MIN_SCORE or weights[matched[0]] < MIN_STRONGEST:
            continue
        suggestions.append(
            SuggestedDiagnosis(
                disease=disease,
                names=list(entry.names) or [disease],
                score=score,
                findings=matched,
            )
        )
    suggestions.sort(key=lambda s: (-s.score, s.disease))
    return tuple(suggestions[:limit])


def suggest_differential(text: str, limit: int = MAX_SUGGESTIONS) -> list[SuggestedDiagnosis]:
    """Best-supported diseases for a case text (sentence split and negated findings removed first)."""
    return rank_differential((strip_negated(s) for s in split_clauses(text)), limit)


def describe_suggested_diagnoses(text: str) -> list[str]:
    """What the search adds for a case that names no diagnosis, for the reviewer: each knowledge-base
    suggestion with the findings behind it, then the presentation table's phrase-based suggestions."""
    suggestions = suggest_differential(text)
    known = {s.disease.lower() for s in suggestions}
    return [f"{s.disease} (from: {', '.join(s.findings)})" for s in suggestions] + [
        d for d in match_presentations(text) if d.lower() not in known
    ]
