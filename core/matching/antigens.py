"""The antigens a trial's treatment is aimed at, what a case's markers say of them, and whether they fit.

A CD19-directed treatment cannot help a patient whose cells do not carry CD19: the case's markers say so
("CD19-negative relapse"), or its disease is one whose cells do not carry it (T-ALL). The antigen table is
knowledge/antigens.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from core.domain.case_facts import CaseFacts
from core.domain.trial import NormalizedTrial
from core.matching.diseases import case_diseases, disease_table
from core.matching.knowledge import loader
from core.matching.therapies import covers, find_therapies
from core.nlp.negation import is_negated_at

State = Literal["positive", "negative"]

_TARGET_AFTER = (
    r"[- ./]?(?:x[- ]?cd3\b|(?:directed|targeted|targeting|specific|redirected|chimeric|bispecific|car\b|car[- ]?t|cart|"
    r"antibod\w*|adc\b|bite\b|t[- ]cell engager|immunotoxin|vaccine|conjugate))"
)
_TARGET_BEFORE = r"(?:anti-?|car[- ]?t?[- .]|cart[- .]|target\w*\s+(?:\w+\s+){0,3}?|directed (?:against|at|to)\s+(?:the\s+)?|dual[- ]targeting\s+(?:\w+\s+and\s+)?)"
# "After CD19-directed therapy", "prior anti-CD20": the antigen of an earlier treatment, not of this one.
_EARLIER = re.compile(
    r"\b(?:after|following|prior|previous(?:ly)?|post|failed|failure of|refractory to|exposed to|exposure to|relapsed? after)\b[^;:.()]{0,100}$",
    re.IGNORECASE,
)
_POSITIVE = (
    r"(?:\+|positive|pos\b|expressing|expression|expressed|detected|present|bright|dim|amplified|amplification|"
    r"overexpress\w*|[123]\+)"
)
# Tried before _POSITIVE: "CD19 expression negative" and "CD19 was not detected" are negative.
_NEGATIVE = (
    r"(?:-(?![\w])|\u2212|negative|neg\b|loss|lost|absent|0\b|"
    r"(?:not|never|no longer) (?:been )?(?:expressed|detected|present|seen|found|identified))"
)
# Words between the antigen and its polarity: "CD19 expression was negative", "CD19 is not expressed".
_FILLER = r"(?:[\s-]*(?:surface |membrane )?(?:expression|staining|status))?(?:\s+(?:was|is|were|are|has|have|remains?))?"
_WEAK_POSITIVE = re.compile(r"expression|expressed|detected|present", re.IGNORECASE)
_NEGATIVE_BEFORE = r"(?:loss of|negative for|lacks?|lacking|absence of|absent|without|no)"
_POSITIVE_BEFORE = r"(?:express(?:es|ing)?|positive for)"
_JOINER = r"(?:\s*(?:,|and|/|or)\s*)"


@lru_cache(maxsize=1)
def _antigen_patterns() -> dict[str, str]:
    return {name: "|".join(entry.names) for name, entry in loader.antigens().antigens.items()}


@lru_cache(maxsize=1)
def _any_antigen() -> re.Pattern[str]:
    every = "|".join(f"(?:{p})" for p in _antigen_patterns().values())
    return re.compile(rf"(?<![\w])(?:{every})(?![\w])", re.IGNORECASE)


@lru_cache(maxsize=1)
def _target_patterns() -> dict[str, re.Pattern[str]]:
    every = "|".join(f"(?:{p})" for p in _antigen_patterns().values())
    return {
        name: re.compile(
            rf"{_TARGET_BEFORE}(?:{names})(?![\w])|(?<![\w])(?:{names})(?:{_JOINER}(?:{every}))*{_TARGET_AFTER}",
            re.IGNORECASE,
        )
        for name, names in _antigen_patterns().items()
    }


def trial_targets(trial: NormalizedTrial) -> list[str]:
    """The antigens the trial's treatment is aimed at, from its titles and interventions (named outright,
    "CD19-directed", or through a drug aimed at one, "blinatumomab"), in table order."""
    texts = [trial.brief_title, trial.official_title or "", *(i.name for i in trial.interventions)]
    texts += [i.description or "" for i in trial.interventions]
    found: list[str] = []
    naming = [t for t in texts if _any_antigen().search(t)]
    for name, pattern in _target_patterns().items():
        for text in naming:
            if any(not _EARLIER.search(text[: m.start()]) for m in pattern.finditer(text)):
                found.append(name)
                break
    drugs = {m.concept for text in texts for m in find_therapies(text) if not _EARLIER.search(text[: m.start])}
    classes = covers(drugs)
    found += [a for a in loader.antigens().antigens if loader.directed_therapy(a) in classes and a not in found]
    return found


@lru_cache(maxsize=1)
def _state_patterns() -> dict[str, re.Pattern[str]]:
    every = "|".join(f"(?:{p})" for p in _antigen_patterns().values())
    return {
        name: re.compile(
            # "no CD19 expression", but not "no prior CD19 CAR T-cells" (a treatment, not the marker)
            rf"(?P<negpre>(?<![\w]){_NEGATIVE_BEFORE}\s+(?:\w+\s+){{0,2}}?(?:{names})(?![\w])(?!{_TARGET_AFTER}))"
            rf"|(?P<pospre>(?<![\w]){_POSITIVE_BEFORE}\s+(?:{names})(?![\w])(?!{_TARGET_AFTER}))"
            rf"|(?<![\w])(?:{names})(?![\w])(?:{_JOINER}(?:{every})(?![\w]))*{_FILLER}[\s:-]*"
            rf"(?:(?P<neg>{_NEGATIVE})|(?P<pos>{_POSITIVE}))(?![\w])",
            re.IGNORECASE,
        )
        for name, names in _antigen_patterns().items()
    }


def marker_states(facts: CaseFacts) -> dict[str, tuple[State, str]]:
    """What the case's markers and summary say of each antigen: positive or negative, with the words."""
    states: dict[str, tuple[State, str]] = {}
    for text in [*facts.biomarkers, facts.diagnosis, *facts.conditions, facts.summary]:
        for name, pattern in _state_patterns().items():
            if name in states:
                continue
            m = pattern.search(text or "")
            if m:
                state: State = "positive" if m.group("pos") or m.group("pospre") else "negative"
                # "No evidence of CD19 expression": a bare "expression" is only as positive as its sentence
                # (an explicit "positive" or "+" stands even in a list after "negative for CD3, ...").
                if m.group("pos") and _WEAK_POSITIVE.fullmatch(m.group("pos")) and is_negated_at(text, m.start()):
                    state = "negative"
                states[name] = (state, m.group(0).strip())
    return states


@dataclass(frozen=True)
class TargetFit:
    """Whether a trial's targets fit the case: 'fits', 'unsettled' or 'no target', with the reason."""

    fit: Literal["fits", "unsettled", "no target"]
    reason: str
    targets: tuple[str, ...]


def judge_targets(targets: Sequence[str], facts: CaseFacts) -> TargetFit | None:
    """Does the case carry what the trial's treatment is aimed at? None when the trial names no target."""
    if not targets:
        return None
    states = marker_states(facts)
    table = disease_table()
    diseases = case_diseases(facts)
    # A tumour antigen says nothing of a case without cancer (rituximab for lupus is aimed at normal B cells).
    has_cancer = any(table.is_a(d, "cancer") for d in diseases)
    named = " and ".join(targets)
    positive = [t for t in targets if states.get(t, ("",))[0] == "positive"]
    if positive:
        t = positive[0]
        return TargetFit("fits", f"The treatment is aimed at {named}; the case reports '{states[t][1]}'", tuple(targets))
    reasons: list[str] = []
    usual: list[str] = []
    unclear: list[str] = []
    for t in targets:
        found_on = loader.antigens().antigens[t].found_on
        if t in states:
            reasons.append(f"the case reports '{states[t][1]}'")
        # Only a known contradiction excludes: a diagnosis whose lineage is not given (ALL without B or T)
        # overlaps the antigen's diseases and stays to be checked.
        elif found_on and has_cancer and not any(table.overlaps(d, f) for d in diseases for f in found_on):
            reasons.append(
                f"{t} is found on the cells of {' and '.join(found_on)}, and the case's diagnosis ({facts.diagnosis}) "
                "is not one of them"
            )
        else:
            if found_on and any(table.is_a(d, f) for d in diseases for f in found_on):
                usual.append(t)
            elif found_on and has_cancer:
                unclear.append(t)
            reasons = []
            break
    if reasons:
        return TargetFit("no target", f"The treatment is aimed at {named}; " + "; ".join(reasons), tuple(targets))
    if unclear:
        found_on = " and ".join(loader.antigens().antigens[unclear[0]].found_on)
        return TargetFit(
            "unsettled",
            f"The treatment is aimed at {named}, found on the cells of {found_on}; the case's diagnosis "
            f"({facts.diagnosis}) does not say whether it is one of them: check the lineage and markers",
            tuple(targets),
        )
    if usual:
        return TargetFit(
            "unsettled",
            f"The treatment is aimed at {named}, usually found on {facts.diagnosis} cells; the case's markers do not say",
            tuple(targets),
        )
    return TargetFit("unsettled", f"The treatment is aimed at {named}; the case's markers do not say", tuple(targets))
