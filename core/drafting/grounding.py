"""Grounding: pick out the checkable facts in a draft (numbers, ids, phases, doses, drugs, places)
and test each against the source record, the case facts and any extra context."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import BaseModel

from core.domain.ages import format_age
from core.domain.case_facts import CaseFacts
from core.domain.trial import NormalizedTrial
from core.drafting.case_country import country_of_location

TokenKind = Literal["number", "age", "dose", "phase", "registry_id", "drug", "place"]


class ClaimToken(BaseModel):
    """One checkable fact in a sentence."""

    kind: TokenKind
    token: str
    start: int
    end: int


# Names that are part of how we write, not facts about a trial.
ALWAYS_GROUNDED: frozenset[str] = frozenset({"clinicaltrials.gov"})

_REGISTRY_ID = re.compile(
    r"\b(?:NCT\d{8}|ISRCTN\d{8}|\d{4}-\d{6}-\d{2}|DEMO-\d+|(?:EUCTR|ChiCTR|CTRI|ACTRN|DRKS|JPRN|CTIS)[-\w/]*\d)\b",
    re.IGNORECASE,
)
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_PHASE = re.compile(
    r"\bphases?\s*(1|2|3|4|i{1,3}|iv)\b(?:\s*(?:/|and|or|-|to)\s*(1|2|3|4|i{1,3}|iv)\b)?", re.IGNORECASE
)
_UNITS = (
    r"mg/m2|mg/m²|mg/kg|µg/kg|mcg/kg|g/m2|g/m²|mg|mcg|µg|ng|g|ml|mL|l|Gy|cGy|IU|units?|cells/kg|"
    r"(?:CAR[- ]?T )?cells(?:/kg)?|vg/kg"
)
_DOSE = re.compile(
    rf"\b\d+(?:[.,]\d+)?(?:\s*(?:x|×|\*)\s*10\s*\^?\s*\d+)?\s*(?:{_UNITS})(?![\w])", re.IGNORECASE
)
_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d])|(?<![\d.])\d+(?:\.\d+)?")
_AGE_AFTER = re.compile(r"\s*(?:-\s*)?(?:years?|yrs?|months?|weeks?|days?)\b", re.IGNORECASE)
# Drug-name stems (INN suffixes) and code names such as CTL019, LYL797, PRGN-3007, 506U78.
_DRUG_SUFFIXES = (
    r"mab|nib|cel|leucel|platin|rubicin|taxel|mycin|trexate|phamide|fosfamide|arabine|abine|tinib|"
    r"zomib|lidomide|clax|asparaginase|sulfan|phalan|methasone|nisone|poside|cristine|blastine|"
    r"lisib|parib|degib|rafenib|ciclib|tecan|gene|vec|tide|zumab|ximab|umab|cept|kinra"
)
_DRUG_WORD = re.compile(rf"\b[A-Za-z][a-z]{{3,}}(?:{_DRUG_SUFFIXES})\b")
_CODE_NAME = re.compile(r"\b(?:[A-Z]{1,6}-?\d{2,}[A-Za-z0-9]*|\d{2,}[A-Z]{1,3}\d+)\b")
_NOT_DRUGS = frozenset({"gene", "vec", "tide", "regene", "tangene", "peptide"})
_PLACE_WORDS = r"Hospital|Hospitals|Centre|Center|Clinic|Institute|University|Infirmary|Medical|Health|Children's|Foundation|College"
_CAP = r"[A-Z][\w'’.-]*"
_FACILITY = re.compile(
    # The place word is a whole word: "Hospitalier" or "Clinical" is a longer word, not "Hospital" or "Clinic".
    # and the name starts at the start of a word ("0A A. Clinic" is not the place "A A. Clinic").
    rf"(?<![\w'’.-])(?:{_CAP}\s+(?:of\s+|for\s+|and\s+|&\s+)?)*(?:{_PLACE_WORDS})\b(?:\s+(?:of\s+|for\s+)?{_CAP})*"
)
_AFTER_PREP = re.compile(
    rf"\b(?i:in|at|near|from)\s+(?i:the\s+)?({_CAP}(?:[ -](?:of |de |la |upon |on )?{_CAP})*)"
)
_NOT_PLACES = frozenset(
    [
        "phase",
        "part",
        "this",
        "the",
        "that",
        "these",
        "those",
        "your",
        "our",
        "we",
        "you",
        "it",
        "they",
        "a",
        "an",
        "step",
        "group",
        "one",
        "two",
        "three",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "english",
        "ecog",
        "lansky",
        "karnofsky",
        "table",
        "section",
        "option",
        "study",
        "car-t",
        "car",
        "cd19",
        "cd22",
        "cd7",
        "all",
        "aml",
        "mrd",
        "crs",
    ]
)


def normalise_text(text: str) -> str:
    """Lower-case, fold accents and quotes, and collapse whitespace so spellings compare equal."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(text.lower().split())


def normalise_number(raw: str) -> str:
    """Return a canonical spelling of a number: no thousands commas, no trailing zeros."""
    value = raw.replace(",", "")
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return value.lstrip("0") or "0"


def _phase_numbers(text: str) -> set[str]:
    found: set[str] = set()
    for match in _PHASE.finditer(text):
        for group in match.groups():
            if group:
                found.add(_ROMAN.get(group.lower(), group))
    return found


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


class SourceCorpus:
    """Everything a draft may rest on, indexed for quick membership tests."""

    def __init__(self, texts: Sequence[str], phases: Iterable[str] = ()) -> None:
        joined = "\n".join(texts)
        self.text = normalise_text(joined)
        self.compact = re.sub(r"\s+", "", self.text)
        self.numbers = {normalise_number(m.group(0)) for m in _NUMBER.finditer(joined)}
        # Drop the digits glued to letters ("PHASE1", "CD19") into the number set as well.
        self.numbers |= {normalise_number(n) for n in re.findall(r"\d+(?:\.\d+)?", joined)}
        self.phases = set(phases) | _phase_numbers(joined)

    def has_text(self, token: str) -> bool:
        """True when token (normalised) occurs in the sources on word boundaries."""
        needle = normalise_text(token).strip(" .,'")
        if not needle or needle in ALWAYS_GROUNDED:
            return True
        return re.search(rf"(?<![\w]){re.escape(needle)}(?![\w])", self.text) is not None

    def has_number(self, token: str) -> bool:
        """True when the number occurs in the sources."""
        return normalise_number(token) in self.numbers

    def has_compact(self, token: str) -> bool:
        """True when token occurs in the sources once all spaces are removed (for doses)."""
        return re.sub(r"\s+", "", normalise_text(token)) in self.compact


def build_corpus(
    trial: NormalizedTrial | None, facts: CaseFacts | None, context_texts: Sequence[str] = ()
) -> SourceCorpus:
    """Collect the trial record (every field, sites and contacts), the case facts and the context."""
    texts: list[str] = list(context_texts)
    phases: set[str] = set()
    if trial is not None:
        texts.extend(_strings(trial.model_dump(mode="json", exclude={"raw"})))
        for phase in trial.phases:
            digits = re.sub(r"\D", "", phase)
            if digits:
                phases.add(digits)
                texts.append(f"phase {digits}")
        for age in (trial.minimum_age_years, trial.maximum_age_years):
            if age is not None:
                texts.extend(_age_spellings(age))
    if facts is not None:
        # Coordinates are left out: a draft has no business quoting them.
        texts.extend(_strings(facts.model_dump(mode="json", exclude={"latitude", "longitude"})))
        if facts.age_years is not None:
            texts.extend(_age_spellings(facts.age_years))
        country = country_of_location(facts.location_label)
        if country:  # "St. Louis, MO" lets a draft say "the United States"
            texts.append(country)
    return SourceCorpus(texts, phases)


def _age_spellings(years: float) -> list[str]:
    spellings = [f"{years:g}", f"{int(years)}", format_age(years).split()[0]]
    if years < 3:  # young children's ages are often given in months
        spellings.append(f"{round(years * 12)}")
    return spellings


def find_claim_tokens(sentence: str) -> list[ClaimToken]:
    """Return the checkable facts in one sentence, each span reported once under its most specific kind."""
    tokens: list[ClaimToken] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(kind: TokenKind, start: int, end: int) -> None:
        tokens.append(ClaimToken(kind=kind, token=sentence[start:end], start=start, end=end))
        taken.append((start, end))

    for match in _REGISTRY_ID.finditer(sentence):
        add("registry_id", match.start(), match.end())
    for match in _PHASE.finditer(sentence):
        if free(match.start(), match.end()):
            add("phase", match.start(), match.end())
    for match in _DOSE.finditer(sentence):
        if free(match.start(), match.end()):
            add("dose", match.start(), match.end())
    for match in _CODE_NAME.finditer(sentence):
        if free(match.start(), match.end()):
            add("drug", match.start(), match.end())
    for match in _DRUG_WORD.finditer(sentence):
        if free(match.start(), match.end()) and match.group(0).lower() not in _NOT_DRUGS:
            add("drug", match.start(), match.end())
    for match in _FACILITY.finditer(sentence):
        if free(match.start(), match.end()) and " " in match.group(0).strip():
            add("place", match.start(), match.end())
    for match in _AFTER_PREP.finditer(sentence):
        name = match.group(1).rstrip(".'’")
        start = match.start(1)
        if name.split()[0].lower() in _NOT_PLACES or not free(start, start + len(name)):
            continue
        add("place", start, start + len(name))
    for match in _NUMBER.finditer(sentence):
        if free(match.start(), match.end()):
            kind: TokenKind = "age" if _AGE_AFTER.match(sentence, match.end()) else "number"
            add(kind, match.start(), match.end())
    tokens.sort(key=lambda t: t.start)
    return tokens


def is_grounded(token: ClaimToken, corpus: SourceCorpus) -> bool:
    """True when the token's fact can be found in the sources."""
    if token.kind in ("number", "age"):
        return corpus.has_number(token.token)
    if token.kind == "phase":
        numbers = _phase_numbers(token.token)
        return bool(numbers) and numbers <= corpus.phases
    if token.kind == "dose":
        number = _NUMBER.search(token.token)
        return corpus.has_compact(token.token) or (
            number is not None and corpus.has_number(number.group(0)) and corpus.has_text(token.token)
        )
    return corpus.has_text(token.token)


def ungrounded_tokens(sentence: str, corpus: SourceCorpus) -> list[ClaimToken]:
    """Return the facts of a sentence that the sources do not support."""
    return [t for t in find_claim_tokens(sentence) if not is_grounded(t, corpus)]
