"""Genetic and molecular markers (knowledge/markers.yaml): which a trial's conditions require, and what a
case's markers say of them ("KMT2A not rearranged", "FLT3-ITD")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from core.domain.case_facts import CaseFacts
from core.matching.diseases import named_diseases
from core.matching.knowledge import loader
from core.nlp.negation import is_negated_at
from core.nlp.sentences import split_sentences

# "FLT3 mutation was not detected", "KMT2A status: negative": the words a report puts between the marker
# and its result may stand before the negative.
_NEGATIVE_AFTER = re.compile(
    r"^[\s:-]*(?:\(?\s*)?(?:(?:mutation|mutations|rearrangement|fusion|expression|status|testing|test|analysis)\b[\s:]*)?"
    r"(?:(?:was|is|were|are|has been|have been)\s+)?"
    r"(?:not (?:been )?(?:rearranged|mutated|amplified|detected|found|present|expressed|identified)|negative|neg\b|"
    r"wild[- ]?type|wt\b|unmutated|absent|no (?:mutation|rearrangement)|-(?![\w]))",
    re.I,
)
_NEGATIVE_BEFORE = re.compile(r"\b(?:no|without|negative for|absence of|lacks?|lacking)\s+(?:\w+\s+){0,2}$", re.I)


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    return {
        name: re.compile(rf"(?<![\w-])(?:{'|'.join(entry.names)})(?![\w])")
        for name, entry in loader.markers().markers.items()
    }


def named_markers(text: str) -> list[str]:
    """The markers a text names, in table order."""
    return [name for name, pattern in _patterns().items() if pattern.search(text)]


def marker_states(facts: CaseFacts) -> dict[str, Literal["present", "absent"]]:
    """What the case's markers and summary say of each marker: present, or absent ("not rearranged")."""
    states: dict[str, Literal["present", "absent"]] = {}
    texts = [*facts.biomarkers, *split_sentences(facts.summary)]
    for name, pattern in _patterns().items():
        for text in texts:
            m = pattern.search(text)
            if not m:
                continue
            absent = bool(
                _NEGATIVE_AFTER.search(text[m.end() :])
                or _NEGATIVE_BEFORE.search(text[: m.start()])
                or is_negated_at(text, m.start())
            )
            states[name] = "absent" if absent else "present"
            break
    return states


@dataclass(frozen=True)
class MarkerFit:
    """Whether the case carries a marker the trial's conditions require: 'fits', 'unsettled' or 'absent'."""

    fit: Literal["fits", "unsettled", "absent"]
    reason: str


def required_markers(conditions: Sequence[str]) -> list[str]:
    """Markers the trial's conditions list on their own ("KMT2A Rearrangement", "NPM1 Mutation"): the trial
    is for cases with one of them. A marker inside a disease's name ("HER2-positive Breast Cancer") is the
    disease's business."""
    return list(dict.fromkeys(m for c in conditions if not named_diseases(c) for m in named_markers(c)))


def judge_markers(required: Sequence[str], facts: CaseFacts) -> MarkerFit | None:
    """Does the case carry one of the markers the trial requires? None when it requires none."""
    if not required:
        return None
    states = marker_states(facts)
    wanted = " or ".join(required)
    present = [m for m in required if states.get(m) == "present"]
    if present:
        return MarkerFit("fits", f"The trial requires {wanted}; the case reports {present[0]}")
    if all(states.get(m) == "absent" for m in required):
        return MarkerFit("absent", f"The trial requires {wanted}; the case reports none of them")
    return MarkerFit("unsettled", f"The trial requires {wanted}; the case's markers do not say")
