"""Term matching between criteria and case notes: abbreviations, stems and negation-aware lookup."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer

from core.matching.extract import negated_spans

# Canonical token -> spellings. Both the criterion and the note are rewritten to the token, so
# "COPD" in one matches "chronic obstructive pulmonary disease" in the other.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "xcopd": (r"chronic obstructive pulmonary disease", r"copd"),
    "xtall": (r"t-cell acute lymphoblastic leuka?emia", r"t-all"),
    "xall": (r"acute lymphoblastic leuka?emia", r"acute lymphocytic leuka?emia", r"(?-i:ALL)"),
    "xaml": (r"acute myeloid leuka?emia", r"acute myelogenous leuka?emia", r"aml"),
    "xcll": (r"chronic lymphocytic leuka?emia", r"cll"),
    "xcml": (r"chronic myeloid leuka?emia", r"chronic myelogenous leuka?emia", r"cml"),
    "xdlbcl": (r"diffuse large b-cell lymphoma", r"dlbcl"),
    "xnhl": (r"non-hodgkin'?s? lymphoma", r"nhl"),
    "xmi": (r"myocardial infarction", r"heart attack", r"(?-i:MI)", r"(?-i:AMI)"),
    "xchf": (r"congestive heart failure", r"(?-i:CHF)"),
    "xcad": (r"coronary artery disease", r"(?-i:CAD)"),
    "xihd": (r"ischa?emic heart disease", r"(?-i:IHD)"),
    "xhtn": (r"hypertension", r"high blood pressure", r"(?-i:HTN)"),
    "xdm": (r"diabetes mellitus", r"diabetes", r"diabetic", r"(?-i:T[12]DM)", r"(?-i:DM)"),
    "xhiv": (r"human immunodeficiency virus", r"hiv"),
    "xtb": (r"tuberculosis", r"(?-i:TB)"),
    "xards": (r"acute respiratory distress syndrome", r"ards"),
    "xkd": (r"kawasaki(?:'s)? disease", r"(?-i:KD)"),
    "xpe": (r"pulmonary embolism", r"(?-i:PE)"),
    "xdvt": (r"deep vein thrombosis", r"deep venous thrombosis", r"dvt"),
    "xckd": (r"chronic kidney disease", r"ckd"),
    "xesrd": (r"end[\s-]stage renal disease", r"esrd"),
    "xuti": (r"urinary tract infection", r"uti"),
    "xgerd": (r"gastro-?o?esophageal reflux disease", r"gerd"),
    "xcvd": (r"cerebrovascular accident", r"stroke", r"(?-i:CVA)"),
    "xtia": (r"transient isch(?:a)?emic attack", r"(?-i:TIA)"),
    "xtbi": (r"traumatic brain injury", r"(?-i:TBI)"),
    "xmci": (r"mild cognitive impairment", r"(?-i:MCI)"),
    "xcart": (r"car[\s-]?t(?:[\s-]cells?)?", r"chimeric antigen receptor(?: t[\s-]cells?)?"),
    "xhsct": (r"(?:allogeneic |autologous )?(?:hematopoietic |haematopoietic )?stem[\s-]cell transplant(?:ation)?", r"hsct", r"bone marrow transplant(?:ation)?", r"(?-i:BMT)"),
}  # fmt: skip
# One alternation with a named group per token: a single pass over the text instead of thirty.
_ABBREV_RX = re.compile(
    "|".join(rf"\b(?P<{token}>{'|'.join(spellings)})\b" for token, spellings in ABBREVIATIONS.items()),
    re.I,
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
    return _ABBREV_RX.sub(lambda m: f" {m.lastgroup} ", text)


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


# A relative's illness ("family history of heart disease", "his mother has diabetes") is not the patient's.
RELATIVE = re.compile(
    r"\b(family|mother|father|parents?|siblings?|brothers?|sisters?|grand(?:mother|father|parents?)|aunts?|uncles?|"
    r"cousins?|maternal|paternal|relatives?)\b",
    re.I,
)
# Possibility, not fact: "suspected appendicitis", "differential includes mole vs fibroid".
HEDGE = re.compile(
    r"\b(suspect\w*|possible|possibly|probable|probably|likely|rule out|r/o|differential|versus|vs\.?|"
    r"concern(?:ing)? for|query|questionable|cannot be excluded|may have|might)\b",
    re.I,
)


@dataclass
class ConceptHits:
    """Where a note asserts, denies or only suspects a concept (sentence indices)."""

    asserted: list[int] = field(default_factory=list)
    denied: list[int] = field(default_factory=list)
    uncertain: list[int] = field(default_factory=list)


def find_concept(stems: Sequence[str], sentences: Sequence[str]) -> ConceptHits:
    """Sentences asserting all the stems, denying them all, or only raising them as a possibility."""
    hits = ConceptHits()
    if not stems:
        return hits
    for index, raw in enumerate(sentences):
        where, spans = read_sentence(raw)
        if not all(s in where for s in stems):
            continue
        first = min(p for s in stems for p in where[s])
        clause = re.split(r"[;:]|\bbut\b", normalise_terms(raw)[:first])[-1]
        if RELATIVE.search(clause):
            continue
        if all(any(a <= p < b for a, b in spans for p in where[s]) for s in stems):
            hits.denied.append(index)
        elif HEDGE.search(clause):
            hits.uncertain.append(index)
        else:
            hits.asserted.append(index)
    return hits
