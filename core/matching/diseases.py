"""Which diseases a text names (knowledge/diseases.yaml), and whether a trial's diseases can fit a case's.

A trial for a disease fits a case with that disease or a narrower one (a trial for acute leukaemia fits a
case of T-ALL); a case named more broadly than the trial (case "leukaemia", trial "T-ALL") is left open; two
diseases neither of which contains the other (B-ALL and T-ALL, myeloma and mantle cell lymphoma, asthma and
leukaemia) do not fit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from core.domain.case_facts import CaseFacts
from core.matching.concepts import ConceptSpec, ConceptTable
from core.matching.knowledge import loader
from core.nlp.negation import context_scopes, is_in
from core.nlp.sentences import split_sentences

Fit = Literal["fits", "unsettled", "other disease"]


@lru_cache(maxsize=1)
def disease_table() -> ConceptTable:
    """The disease hierarchy, compiled once."""
    return ConceptTable(
        {
            name: ConceptSpec(tuple(e.parents), tuple(e.names), tuple(e.acronyms))
            for name, e in loader.diseases().diseases.items()
        }
    )


@lru_cache(maxsize=1)
def _group_names() -> frozenset[str]:
    return frozenset(name for name, e in loader.diseases().diseases.items() if e.group)


def group_of(disease: str) -> frozenset[str]:
    """The broad groups ("blood cancer") a disease lies in; empty for one above them ("cancer")."""
    table = disease_table()
    return frozenset(g for g in _group_names() if table.is_a(disease, g))


def named_diseases(text: str) -> list[str]:
    """The diseases a text names, narrowest where names overlap, in order of first mention."""
    return disease_table().named(text) if text and text.strip() else []


@lru_cache(maxsize=4096)
def disease_groups(text: str) -> frozenset[str]:
    """The broad groups a text's diseases lie in; empty when it names none, or names one spanning groups
    ("cancer", "any malignancy")."""
    found = named_diseases(text)
    groups = [group_of(d) for d in found]
    if not found or any(not g for g in groups):
        return frozenset()
    return frozenset().union(*groups)


def case_diseases(facts: CaseFacts) -> list[str]:
    """The case's diseases: its diagnosis, the conditions it lists and those its summary asserts (not denied,
    planned, suspected or a relative's); a comorbidity or a complication keeps trials for it open. A disease
    the summary names only as past ("history of Hodgkin lymphoma treated 2015, now AML") is left out."""
    named = [d for text in [facts.diagnosis, *facts.conditions] for d in named_diseases(text)]
    named += asserted_diseases(facts.summary)
    past = set(past_diseases(facts.summary))
    return disease_table().narrowest([d for d in named if d not in past] or named)


# Words that end a forward history cue's reach: "prior chemotherapy for AML" says nothing of AML being past.
_HISTORY_GAP_END = re.compile(r"\b(?:for|with|to|after|against|of|on|before|since|and|or|then|now)\b|[,;]", re.I)


def _is_past_at(sentence: str, position: int) -> bool:
    for scope in context_scopes(sentence):
        if scope.category != "historical" or not scope.start <= position < scope.end:
            continue
        if scope.cue_start >= scope.end:  # a backward cue: "Hodgkin lymphoma treated 2015"
            return True
        gap = sentence[scope.start : position]
        if len(gap.split()) <= 3 and not _HISTORY_GAP_END.search(gap):
            return True
    return False


@lru_cache(maxsize=256)
def past_diseases(text: str) -> tuple[str, ...]:
    """The diseases a text names only as past ("prior breast cancer", "Hodgkin lymphoma treated 2015"), when
    it also names a current one; empty when every disease it names is past (then the past one is all there is)."""
    past: list[str] = []
    current: list[str] = []
    for sentence in split_sentences(text or ""):
        for m in disease_table().mentions(sentence):
            if any(is_in(sentence, m.start, c) for c in ("negated", "hypothetical", "possible", "family")):
                continue
            (past if _is_past_at(sentence, m.start) else current).append(m.concept)
    table = disease_table()
    # "prior Hodgkin lymphoma ... now lymphoma" is no current disease beside the past one: only another is
    only_past = [d for d in dict.fromkeys(past) if d not in current]
    if not any(not any(table.related(c, p) for p in only_past) for c in current):
        return ()
    return tuple(only_past)


@lru_cache(maxsize=256)
def asserted_diseases(text: str) -> tuple[str, ...]:
    """The diseases a text asserts the patient has, in order (cached: read once per case, not per trial)."""
    found: list[str] = []
    for sentence in split_sentences(text or ""):
        for m in disease_table().mentions(sentence):
            if not any(is_in(sentence, m.start, c) for c in ("negated", "hypothetical", "possible", "family")):
                found.append(m.concept)
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=1)
def _broadening() -> re.Pattern[str] | None:
    patterns = loader.diseases().broadening
    return re.compile(rf"\b(?:{'|'.join(patterns)})\b", re.IGNORECASE) if patterns else None


def widens_beyond_named(texts: Iterable[str]) -> bool:
    """True when a trial's conditions or title take in more than the diseases they name ("Rare Diseases")."""
    pattern = _broadening()
    return pattern is not None and any(pattern.search(t) for t in texts if t)


def trial_diseases(conditions: Sequence[str], title: str = "") -> list[str]:
    """The diseases a trial is for: those its conditions and title name. A broad disease beside a narrower
    one only qualifies it: a listed condition ("Relapsed Leukemia" beside T-ALL, "Neoplasm Metastasis"
    beside HER2-positive breast cancer) or a title word ("Nelarabine in Haematological Malignancies" for a
    trial listing T-ALL), unless it says it widens ("Other ... Tumors"). The specific conditions win: a
    broad title word never makes a trial for T-ALL one for every blood cancer."""
    table = disease_table()
    in_title = named_diseases(title)
    listed = [(d, c) for c in conditions for d in named_diseases(c)]
    narrower = [d for d, _ in listed] + in_title

    def qualifies_another(d: str) -> bool:
        return any(n != d and table.is_a(n, d) for n in narrower)

    kept = [d for d, text in listed if widens_beyond_named([text]) or not qualifies_another(d)]
    titled = [d for d in in_title if widens_beyond_named([title]) or not qualifies_another(d)]
    return list(dict.fromkeys([*kept, *titled]))


@dataclass(frozen=True)
class DiseaseFit:
    """How a trial's diseases relate to a case's, with the reason in plain words."""

    fit: Fit
    reason: str


def _describe(diseases: Iterable[str], with_groups: bool) -> str:
    parts = []
    for d in diseases:
        groups = sorted(group_of(d))
        parts.append(f"{d} ({' and '.join(groups)})" if with_groups and groups and d not in groups else d)
    return " or ".join(parts)


def judge_fit(
    required: Sequence[str], case: Sequence[str], diagnosis: str, *, open_ended: bool = False
) -> DiseaseFit | None:
    """Does a case with diseases `case` (diagnosis as written: `diagnosis`) fit a trial for `required`?
    None when either side names no disease; with `open_ended` (the trial also takes diseases it does not
    name), another disease is only "unsettled"."""
    if not required or not case:
        return None
    table = disease_table()
    wanted = table.narrowest(required)
    if any(table.is_a(c, r) for r in required for c in case):
        have, wanted_one = next((c, r) for r in required for c in case if table.is_a(c, r))
        what = wanted_one if have == wanted_one else f"a kind of {wanted_one}"
        return DiseaseFit("fits", f"The trial is for {_describe(wanted, False)}; the case's diagnosis ({diagnosis}) is {what}")
    if any(table.is_a(r, c) for r in required for c in case):
        return DiseaseFit(
            "unsettled",
            f"The trial is for {_describe(wanted, False)}; the case's diagnosis ({diagnosis}) does not say which kind",
        )
    if open_ended:
        return DiseaseFit(
            "unsettled",
            f"The trial names {_describe(wanted, False)} among other conditions; the case's diagnosis ({diagnosis}) "
            "may be one of them",
        )
    case_groups = set().union(*(group_of(c) for c in case))
    wanted_groups = set().union(*(group_of(r) for r in wanted))
    with_groups = bool(case_groups) and not (case_groups & wanted_groups)
    return DiseaseFit(
        "other disease",
        f"The trial is for {_describe(wanted, with_groups)}; the case's diagnosis ({diagnosis}) is "
        f"{_describe(case, with_groups)}",
    )

