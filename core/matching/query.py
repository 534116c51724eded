"""Turn a case (facts and/or free text) into a weighted retrieval query."""

from __future__ import annotations

import re

from core.domain.case_facts import CaseFacts
from core.matching.differential import SuggestedDiagnosis, rank_differential
from core.matching.knowledge import loader
from core.matching.presentations import suggest_diagnoses
from core.matching.retrieval import WeightedQuery
from core.nlp.negation import strip_negated
from core.nlp.sentences import split_clauses

DIAGNOSIS_WEIGHT = 3.0
KEY_FACT_WEIGHT = 1.5
TEXT_WEIGHT = 1.0
EXPANSION_WEIGHT = 0.6
# Weight of each candidate diagnosis the case's findings suggest (core.matching.presentations); the
# diagnoses are added to the case's own words, never replace them. 0 turns them off.
PRESENTATION_WEIGHT = 3.0
# Weight of the best diagnosis the case's findings support in the diagnostic knowledge base
# (core.matching.differential); weaker suggestions weigh by their share of its score. 0 turns them off.
DIFFERENTIAL_WEIGHT = 3.0
# Case reports open with who the patient is and the presenting problem; that sentence counts more.
LEAD_SENTENCE_WEIGHT = 3.0

# Words of case-report narration that say nothing about which trial fits; retrieval ignores them.
_BOILERPLATE = re.compile(
    r"\b(?:patient|presents?|presented|presenting|comes?|came|brought|admitted|admission|emergency|"
    r"department|room|ER|ED|clinic|hospital|visit|seen|sees|reports?|reported|complains?|complaining|"
    r"examination|exam|physical|reveals?|revealed|shows?|showed|noted|notable|found|history|medical|past|"
    r"significant|remarkable|otherwise|currently|recently|prior|ago|days?|weeks?|months?|years?|hours?|"
    r"minutes?|old|yo|year-old|aged?|man|woman|male|female|boy|girl|gentleman|lady|child|infant|"
    r"mother|father|parents?|wife|husband|son|daughter|family|African-American|white|black|caucasian|"
    r"hispanic|asian|previously|healthy|further|initial|latest|today|yesterday|following)\b",
    re.IGNORECASE,
)

_AGE_RE = re.compile(
    r"\b(\d{1,3}(?:\.\d+)?)[- ](?:year|yr|y)s?[- ]?(?:old|o\b)|\b(\d{1,3})\s*(?:yo|y/o|y\.o\.)\b|"
    r"\baged? (\d{1,3})\b|\b(\d{1,2})[- ]month[- ]old\b|\b(\d{1,2})[- ](?:week|day)[- ]old\b",
    re.IGNORECASE,
)
_FEMALE_RE = re.compile(r"\b(?:woman|women|female|girl|lady|she|her|mother of|pregnan\w*|G\dP\d)\b", re.I)
_MALE_RE = re.compile(r"\b(?:man|men|male|boy|gentleman|he|his|him)\b", re.I)


# The case text is queried clause by clause (core.nlp's sentences, split after semicolons too), with
# negated findings cut out by core.nlp's negation engine.
split_sentences = split_clauses


def strip_boilerplate(text: str) -> str:
    """Drop case-narration words and bare numbers that carry no matching signal."""
    text = _BOILERPLATE.sub(" ", text)
    text = re.sub(r"\b\d+(?:[.,/]\d+)*\b", " ", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def expand_terms(text: str) -> list[str]:
    """Expansions (knowledge/terms.yaml) of abbreviations and lay terms found in the text."""
    found: list[str] = []
    terms = loader.terms()
    for abbr, full in terms.query_abbreviations.items():
        flags = 0 if abbr.isupper() else re.IGNORECASE
        if re.search(rf"(?<![\w-]){re.escape(abbr)}(?![\w-])", text, flags):
            found.append(full)
    lowered = text.lower()
    for term, synonym in terms.query_synonyms.items():
        if re.search(rf"\b{re.escape(term)}\b", lowered):
            found.append(synonym)
    return found


def extract_age_years(text: str) -> float | None:
    """First age stated in the text ("58-year-old", "44 yo", "6-month-old"), in years."""
    match = _AGE_RE.search(text)
    if not match:
        return None
    years, yo, aged, months, weeks_days = match.groups()
    if years or yo or aged:
        return float(years or yo or aged)
    if months:
        return int(months) / 12
    return 0.05 if weeks_days else None


def extract_sex(text: str) -> str:
    """ "female", "male" or "unknown" from the pronouns and nouns of a case report."""
    female = len(_FEMALE_RE.findall(text))
    male = len(_MALE_RE.findall(text))
    if female > male:
        return "female"
    if male > female:
        return "male"
    return "unknown"


def facts_from_text(text: str) -> CaseFacts:
    """Minimal facts (age, sex, summary) read from free text when no structured facts exist."""
    return CaseFacts(age_years=extract_age_years(text), sex=extract_sex(text), summary=text)  # type: ignore[arg-type]


def build_query(
    facts: CaseFacts | None,
    text: str,
    lead_weight: float = LEAD_SENTENCE_WEIGHT,
    presentation_weight: float = PRESENTATION_WEIGHT,
    differential_weight: float = DIFFERENTIAL_WEIGHT,
) -> WeightedQuery:
    """Weighted query: diagnosis and key facts up, negated findings out, narration and demographics dropped."""
    query = WeightedQuery()
    pieces: list[str] = []
    if facts is not None:
        if facts.diagnosis:
            query.add(facts.diagnosis, DIAGNOSIS_WEIGHT)
            pieces.append(facts.diagnosis)
        for fact in [facts.disease_status or "", *facts.biomarkers, *facts.prior_therapies]:
            query.add(fact, KEY_FACT_WEIGHT)
            pieces.append(fact)
        if facts.summary and facts.summary.strip() != text.strip():
            text = f"{text}\n{facts.summary}" if text else facts.summary
    negations = set(facts.negations) if facts else set()
    clauses: list[str] = []
    for position, sentence in enumerate(split_sentences(text)):
        kept = strip_negated(sentence)
        for negated in negations:
            kept = re.sub(rf"\b{re.escape(negated)}\b", " ", kept, flags=re.IGNORECASE)
        pieces.append(kept)
        clauses.append(kept)
        query.add(strip_boilerplate(kept), lead_weight if position == 0 else TEXT_WEIGHT)
    for expansion in expand_terms("\n".join(pieces)):
        query.add(expansion, EXPANSION_WEIGHT)
    if not (facts is not None and facts.diagnosis):
        # Guesses from findings are for cases that name no diagnosis; beside a named one they only add noise.
        if presentation_weight:
            for diagnosis in suggest_diagnoses(clauses):
                query.add(diagnosis, presentation_weight)
        if differential_weight:
            add_differential(query, rank_differential(clauses), differential_weight)
    return query


def add_differential(query: WeightedQuery, suggestions: list[SuggestedDiagnosis], weight: float) -> None:
    """Add suggested diseases: the best at `weight`, the others by their share of its score; a disease's
    weight is split across its names so synonyms do not make it count more."""
    if not suggestions:
        return
    top = suggestions[0].score
    for suggestion in suggestions:
        share = weight * suggestion.score / top / len(suggestion.names)
        for name in suggestion.names:
            query.add(name, share)
