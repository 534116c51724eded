"""Term matching between criteria and case notes: abbreviations, stems and negation-aware lookup."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer

from core.matching.knowledge import loader
from core.nlp.negation import is_in, negated_spans


@lru_cache(maxsize=1)
def _abbreviation_pattern() -> re.Pattern[str]:
    """One alternation with a named group per canonical token (knowledge/terms.yaml: criterion_terms), so
    "COPD" in a criterion matches "chronic obstructive pulmonary disease" in a note; one pass, not thirty."""
    terms = loader.terms().criterion_terms
    return re.compile(
        "|".join(rf"\b(?P<{token}>{'|'.join(spellings)})\b" for token, spellings in terms.items()), re.I
    )


# Function words and qualifiers that do not identify a concept, so they need not match.
_STOPWORD_TEXT = (
    "a an the of and or in on at to for with without by from as is are was were be been being any all "
    "other than that this these those which who whom whose have has had having not no nor must should "
    "may can will would patient patients subject subjects participant participants individual individuals "
    "study trial criteria criterion inclusion exclusion eligible eligibility following including include "
    "e.g i.e etc such per if then there their they he she his her it its within more less least greatest "
    "known history diagnosis diagnosed evidence current currently presence prior previous previously "
    "documented clinical clinically confirmed defined definition according based either both one two "
    "three four five six seven eight nine ten year years month months week weeks day days age aged old "
    "time date enrollment entry screening visit visits protocol investigator opinion judgment judgement "
    "significant severe active acute chronic condition conditions "
    "treatment therapy use using presenting present presents"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
WORD = re.compile(r"[a-z][a-z0-9\-']+")
_STEMMER = Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem_word(word: str) -> str:
    """Snowball stem of one lower-case word."""
    return _STEMMER.stemWord(word)


def normalise_terms(text: str) -> str:
    """Rewrite known abbreviations and their spellings to one canonical token each."""
    return _abbreviation_pattern().sub(lambda m: f" {m.lastgroup} ", text)


@lru_cache(maxsize=16384)
def content_stems(text: str) -> tuple[str, ...]:
    """Stems of the words that identify a concept (stop words and qualifiers dropped), in order."""
    out: list[str] = []
    for w in WORD.findall(normalise_terms(text).lower()):
        w = w.strip("-'")
        if len(w) > 2 and w not in STOPWORDS:
            stem = stem_word(w)
            if stem not in out:
                out.append(stem)
    return tuple(out)


@lru_cache(maxsize=4096)
def read_sentence(raw: str) -> tuple[dict[str, list[int]], list[tuple[int, int]]]:
    """A note sentence's stem positions and negated spans, cached: notes are read once per criterion."""
    sentence = normalise_terms(raw)
    return locate_stems(sentence), negated_spans(sentence)


def locate_stems(sentence: str) -> dict[str, list[int]]:
    """Stem -> character positions in the sentence."""
    positions: dict[str, list[int]] = {}
    for m in WORD.finditer(sentence.lower()):
        w = m.group(0).strip("-'")
        if len(w) > 2:
            positions.setdefault(stem_word(w), []).append(m.start())
    return positions


@dataclass
class ConceptHits:
    """Where a note asserts, denies or only suspects a concept (sentence indices)."""

    asserted: list[int] = field(default_factory=list)
    denied: list[int] = field(default_factory=list)
    uncertain: list[int] = field(default_factory=list)


def find_concept(stems: Sequence[str], sentences: Sequence[str]) -> ConceptHits:
    """Sentences asserting all the stems, denying them all, or only raising them as a possibility; a
    relative's illness ("his mother has diabetes") is not the patient's (core.nlp.negation's cues)."""
    hits = ConceptHits()
    if not stems:
        return hits
    for index, raw in enumerate(sentences):
        where, spans = read_sentence(raw)
        if not all(s in where for s in stems):
            continue
        sentence = normalise_terms(raw)
        first = min(p for s in stems for p in where[s])
        if is_in(sentence, first, "family"):
            continue
        if all(any(a <= p < b for a, b in spans for p in where[s]) for s in stems):
            hits.denied.append(index)
        elif is_in(sentence, first, "possible"):
            hits.uncertain.append(index)
        else:
            hits.asserted.append(index)
    return hits
