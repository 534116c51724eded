"""Treatments named in a text (knowledge/therapies.yaml), and the treatment history a case reports."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from core.domain.case_facts import CaseFacts
from core.matching.concepts import ConceptSpec, ConceptTable, Mention
from core.matching.knowledge import loader
from core.nlp.negation import is_in


def _directed_names(antigen_names: Sequence[str]) -> tuple[str, ...]:
    joined = "|".join(antigen_names)
    return (
        rf"(?:anti-?)?(?:{joined})[- ]?(?:directed|targeted|targeting|specific|redirected)(?: therap\w*| treatments?| agents?)?",
        rf"anti-?(?:{joined})(?: therap\w*| antibod\w*| agents?)?",
    )


def _car_t_names(antigen_names: Sequence[str]) -> tuple[str, ...]:
    joined = "|".join(antigen_names)
    car_t = r"(?:car[- ]?t(?:[- ]cells?)?(?:[- ](?:cell )?therap\w*)?|cart(?:[- ]cells?)?|car[- ]modified t[- ]cells?|chimeric antigen receptor t[- ]cells?)"
    return (
        rf"(?:anti-?)?(?:{joined})[- ]?(?:(?:directed|targeted|targeting|specific|redirected)[- ])?{car_t}",
        rf"{car_t} (?:directed |targeted )?(?:against|targeting) (?:{joined})",
    )


@lru_cache(maxsize=1)
def therapy_table() -> ConceptTable:
    """Treatments and their classes, with one "<antigen>-directed therapy" class per antigen."""
    specs = {
        loader.directed_therapy(name): ConceptSpec(names=_directed_names(entry.names))
        for name, entry in loader.antigens().antigens.items()
    }
    # "CD22-directed CAR T-cell therapy" is one treatment: CAR T cells aimed at CD22, not any CAR-T
    specs.update(
        {
            f"{name} CAR T cells": ConceptSpec(
                parents=("CAR T-cell therapy", loader.directed_therapy(name)), names=_car_t_names(entry.names)
            )
            for name, entry in loader.antigens().antigens.items()
        }
    )
    for name, e in loader.therapies().therapies.items():
        made = specs.get(name, ConceptSpec())  # a listed "CD19 CAR T cells" adds to the generated one
        specs[name] = ConceptSpec(
            tuple(dict.fromkeys([*made.parents, *e.parents])), (*made.names, *e.names), (*made.acronyms, *e.acronyms)
        )
    return ConceptTable(specs)


@lru_cache(maxsize=1)
def _drug_word() -> re.Pattern[str] | None:
    endings = loader.therapies().drug_name_endings
    return re.compile(rf"\b[a-z]{{3,}}(?:{'|'.join(endings)})\b", re.IGNORECASE) if endings else None


@lru_cache(maxsize=1)
def _complete_cue() -> re.Pattern[str] | None:
    cues = loader.therapies().complete_history_cues
    return re.compile(rf"\b(?:{'|'.join(cues)})\b", re.IGNORECASE) if cues else None


def find_therapies(text: str) -> list[Mention]:
    """Every treatment a text names (negated or not), narrowest where names overlap, in text order; a
    word with a drug-name ending the table does not list ("zilovertamab") counts as a drug of its own."""
    found = therapy_table().mentions(text)
    pattern = _drug_word()
    if pattern is not None:
        for m in pattern.finditer(text):
            if not any(o.start < m.end() and m.start() < o.end for o in found):
                found.append(Mention(m.group(0).lower(), m.start(), m.end()))
    return sorted(found, key=lambda m: (m.start, m.concept))


def covers(concepts: set[str]) -> set[str]:
    """The concepts, every class above them, and what their regimens contain (R-CHOP -> an anthracycline)."""
    table = therapy_table()
    out: set[str] = set()
    stack = list(concepts)
    while stack:
        concept = stack.pop()
        if concept in out:
            continue
        out.add(concept)
        if concept in table.specs:
            stack += table.ancestors(concept)
            entry = loader.therapies().therapies.get(concept)
            stack += entry.contains if entry else []
    return out


def is_kind_of(had: str, asked: str) -> bool:
    """True when a treatment the case had (`had`) is, belongs to or contains the one a criterion asks about."""
    return asked in covers({had})


@dataclass
class TherapyHistory:
    """What a case has had (with the sentences that say so), and what it says it has not had."""

    had: dict[str, list[int]] = field(default_factory=dict)  # treatment -> evidence sentence ids
    denied: dict[str, list[int]] = field(default_factory=dict)
    complete: list[int] | None = None  # sentences saying the history is complete ("no other treatment")

    def has_had(self, asked: str) -> list[int] | None:
        """Evidence that the case had `asked` or something belonging to it; None when it did not say."""
        hits = [ids for had, ids in self.had.items() if is_kind_of(had, asked)]
        return sorted({i for ids in hits for i in ids}) if hits else None

    def denies(self, asked: str) -> list[int] | None:
        """Evidence that the case has not had `asked` (or any broader class of it); None when it did not say.
        A history the note calls complete denies whatever it does not list."""
        hits = [ids for denied, ids in self.denied.items() if is_kind_of(asked, denied)]
        if not hits and self.complete is not None and self.had and self.has_had(asked) is None:
            hits = [self.complete]
        return sorted({i for ids in hits for i in ids}) if hits else None


def read_history(facts: CaseFacts, sentences: Sequence[str]) -> TherapyHistory:
    """The case's treatment history: its listed prior therapies and denials, and what its summary's
    sentences say was given (not what is denied, planned or offered)."""
    history = TherapyHistory()
    for item in facts.prior_therapies:
        for m in find_therapies(item):
            history.had.setdefault(m.concept, [])
    for index, sentence in enumerate(sentences):
        for m in find_therapies(sentence):
            if is_in(sentence, m.start, "negated"):
                history.denied.setdefault(m.concept, []).append(index)
            elif not (is_in(sentence, m.start, "hypothetical") or is_in(sentence, m.start, "family")):
                history.had.setdefault(m.concept, []).append(index)
    cue = _complete_cue()
    if cue is not None:
        said = [i for i, sentence in enumerate(sentences) if cue.search(sentence)]
        history.complete = said or None
    for item in facts.negations:
        for m in find_therapies(item):
            history.denied.setdefault(m.concept, [])
    for concept in list(history.denied):
        if concept in history.had:  # a listed treatment outweighs a denial of it in passing
            del history.denied[concept]
    return history
