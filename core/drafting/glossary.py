"""A plain-language glossary: finds medical jargon in text and gives the everyday words that fit the record."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, field_validator

from core.data_files import load_yaml_list, valid_regexes

GLOSSARY_FILE = Path(__file__).resolve().parent / "knowledge" / "glossary.yaml"


class GlossarySense(BaseModel):
    """A meaning that fits records with certain features, e.g. {"product_source": "donor"}."""

    when: dict[str, str]
    plain: str


class GlossaryEntry(BaseModel):
    """One term, the spellings that count as it, and its plain-language meaning (and record-specific ones)."""

    term: str
    plain: str
    variants: tuple[str, ...] = ()  # regular expressions, matched case-insensitively on word boundaries
    acronyms: tuple[str, ...] = ()  # regular expressions matched with their capitals ("CART", not "cart")
    senses: tuple[GlossarySense, ...] = ()

    _valid_variants = field_validator("variants", "acronyms")(valid_regexes)

    def sense_for(self, features: Mapping[str, str | None]) -> GlossarySense | None:
        """The first record-specific meaning whose conditions all hold for these features, if any."""
        return next((s for s in self.senses if all(features.get(k) == v for k, v in s.when.items())), None)

    def plain_for(self, features: Mapping[str, str | None]) -> str:
        """The meaning that fits a record with these features, else the general one."""
        sense = self.sense_for(features)
        return sense.plain if sense else self.plain


class JargonHit(BaseModel):
    """One place where a glossary term occurs in a text."""

    term: str
    plain: str
    start: int
    end: int


# Plain meanings are written for a reading age of about 12 and avoid any promise of benefit.
GLOSSARY: tuple[GlossaryEntry, ...] = tuple(load_yaml_list(GLOSSARY_FILE, "glossary", GlossaryEntry))

_BY_TERM: dict[str, GlossaryEntry] = {entry.term.lower(): entry for entry in GLOSSARY}


@lru_cache(maxsize=1)
def _compiled() -> list[tuple[re.Pattern[str], GlossaryEntry]]:
    patterns: list[tuple[re.Pattern[str], GlossaryEntry]] = []
    for entry in GLOSSARY:
        variants = entry.variants or (() if entry.acronyms else (re.escape(entry.term),))
        for variant in variants:
            patterns.append((re.compile(rf"(?<![\w-]){variant}(?![\w-])", re.IGNORECASE), entry))
        for acronym in entry.acronyms:
            patterns.append((re.compile(rf"(?<![\w-]){acronym}(?![\w-])"), entry))
    return patterns


def explain_term(term: str, features: Mapping[str, str | None]) -> str | None:
    """Return the meaning of a glossary term that fits a record with these features, or None."""
    entry = _BY_TERM.get(term.strip().lower())
    return entry.plain_for(features) if entry else None


def features_stated(term: str, features: Mapping[str, str | None]) -> set[str]:
    """The record features (e.g. product_source) that the fitting meaning of a term already states."""
    entry = _BY_TERM.get(term.strip().lower())
    sense = entry.sense_for(features) if entry else None
    return set(sense.when) if sense else set()


def find_jargon(text: str) -> list[JargonHit]:
    """Return the glossary terms in text, longest match first where they overlap, in text order."""
    candidates: list[JargonHit] = []
    for pattern, entry in _compiled():
        for match in pattern.finditer(text):
            candidates.append(
                JargonHit(term=entry.term, plain=entry.plain, start=match.start(), end=match.end())
            )
    candidates.sort(key=lambda h: (h.start, -(h.end - h.start)))
    hits: list[JargonHit] = []
    for hit in candidates:
        if hits and hit.start < hits[-1].end:
            continue
        hits.append(hit)
    return hits
