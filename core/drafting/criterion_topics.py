"""Explain an eligibility rule in plain words, and find what the case notes say about it."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, field_validator, model_validator

from core.data_files import load_yaml_list, valid_regex, valid_regexes
from core.domain.case_facts import CaseFacts
from core.nlp.sentences import split_sentences

TOPICS_FILE = Path(__file__).resolve().parent / "knowledge" / "criterion_topics.yaml"
MAX_CASE_QUOTE_WORDS = 30
Kind = Literal["inclusion", "exclusion"]
# Words that make a rule's text read one way round ("needs" for an inclusion, "does not take" for an
# exclusion): a text with them must say which kind it is written for, so it is never used for the other.
_POLAR = re.compile(r"\b(?:needs?|asks? for|must|is for people|does not take|cannot take|not take)\b", re.I)


def _neutral(text: str | None) -> str | None:
    if text is not None and _POLAR.search(text):
        raise ValueError(f"reads as one kind of rule; give it as {{inclusion: ...}} or {{exclusion: ...}}: {text!r}")
    return text


def _by_kind(value: str | dict[Kind, str] | None) -> str | dict[Kind, str] | None:
    return _neutral(value) if isinstance(value, str) or value is None else value


class TopicForm(BaseModel):
    """A wording of a rule whose pattern's named groups fill the text's {names}."""

    pattern: str
    text: str
    kind: Kind | None = None  # the kind of rule the text is written for; None: it reads right for either
    _valid = field_validator("pattern")(valid_regex)

    @model_validator(mode="after")
    def _polar_text_names_its_kind(self) -> TopicForm:
        if self.kind is None:
            _neutral(self.text)
        return self


class Comparator(BaseModel):
    """Ways a record writes a comparison ("≥", ">=", "at least") and the plain words for it."""

    patterns: tuple[str, ...]
    plain: str


class CriterionTopic(BaseModel):
    """What a kind of rule is about, how to say it plainly and where the case notes may answer it."""

    key: str
    short: str
    patterns: tuple[str, ...]
    forms: tuple[TopicForm, ...] = ()
    plain: str | dict[Kind, str] | None = None  # a text for either kind, or one per kind it reads right for
    label: str
    skip: bool = False
    case_fields: tuple[
        Literal[
            "performance_status",
            "biomarkers",
            "lines_of_therapy",
            "prior_therapies",
            "pregnant",
            "diagnosis",
            "disease_status",
        ],
        ...,
    ] = ()
    case_filter: str | None = None
    case_intro: str = "The case notes give: {value}."
    drop: tuple[str, ...] = ()
    case_words: tuple[str, ...] = ()
    question: str | None = None
    _valid = field_validator("patterns", "case_words", "drop")(valid_regexes)
    _plain = field_validator("plain")(_by_kind)

    def plain_for(self, kind: Kind) -> str | None:
        """The rule without numbers for this kind of rule, or None when only a quote says it the right way round."""
        return self.plain if isinstance(self.plain, str) or self.plain is None else self.plain.get(kind)


class _Slots(dict):
    def __missing__(self, key: str) -> str:
        return key  # a short name without its value still reads: "the marker level"


class Explanation(BaseModel):
    """A rule as a family reads it: the plain rule (None when it must be quoted) and what the case says."""

    topic: str
    short: str
    rule: str | None
    label: str
    case_says: str | None
    question: str | None
    skip: bool


@lru_cache(maxsize=1)
def _topics() -> list[CriterionTopic]:
    return load_yaml_list(TOPICS_FILE, "topics", CriterionTopic)


@lru_cache(maxsize=1)
def _comparators() -> dict[str, str]:
    table: dict[str, str] = {}
    for comparator in load_yaml_list(TOPICS_FILE, "comparators", Comparator):
        for pattern in comparator.patterns:
            table.setdefault(pattern.replace("\\", "").lower(), comparator.plain)
    return table


def topic_of(criterion: str) -> CriterionTopic | None:
    """The first topic whose pattern occurs in the rule."""
    return next(
        (t for t in _topics() if any(re.search(p, criterion, re.IGNORECASE) for p in t.patterns)), None
    )


def _slots(topic: CriterionTopic, criterion: str, kind: Kind) -> tuple[str | None, dict[str, str]]:
    """The plain rule for this kind and the values read from the rule; a form written for the other kind
    still gives its values (for the short name and the case notes) but not its text."""
    for pattern in topic.drop:
        criterion = re.sub(pattern, " ", criterion, flags=re.IGNORECASE)
    found: dict[str, str] | None = None
    for form in topic.forms:
        match = re.search(form.pattern, criterion, re.IGNORECASE)
        if not match:
            continue
        slots = {k: v.strip() for k, v in match.groupdict().items() if v}
        if "op" in slots:
            slots["op"] = _comparators().get(slots["op"].replace("\\", "").lower(), slots["op"])
        if form.kind in (None, kind):
            return form.text.format_map(_Slots(slots)), slots
        found = slots if found is None else found
    return topic.plain_for(kind), found or {}


def _field_text(facts: CaseFacts, field: str, keep: str | None) -> str | None:
    value = getattr(facts, field)
    if isinstance(value, list):
        items = [v for v in value if not keep or re.search(keep, v, re.IGNORECASE)]
        return "; ".join(items[:3]) or None
    if isinstance(value, bool) or value is None or value == "":
        return None
    return str(value)


def _clause(sentence: str, pattern: str) -> str | None:
    """The shortest readable part of a case sentence that holds the match: the sentence, or its clause."""
    if not re.search(pattern, sentence, re.IGNORECASE):
        return None
    clauses = [c.strip() for c in re.split(r"[;,]\s+", sentence)]
    clause = next((c for c in clauses if re.search(pattern, c, re.IGNORECASE)), sentence)
    if len(clauses) > 1 and len(clause.split()) >= 4:
        clause = re.sub(r"^(?:and|but|so|then|which|while)\s+", "", clause, flags=re.IGNORECASE)
        return clause.rstrip(".")
    return sentence.rstrip(".") if len(sentence.split()) <= MAX_CASE_QUOTE_WORDS else None


def case_evidence(topic: CriterionTopic, slots: dict[str, str], facts: CaseFacts) -> str | None:
    """A sentence saying what the case notes hold about the topic, or None when they say nothing."""
    keep = None
    if topic.case_filter:
        keep = topic.case_filter.format_map(_Slots({k: re.escape(v) for k, v in slots.items()}))
    given = [t for f in topic.case_fields if (t := _field_text(facts, f, keep))]
    if given:
        return topic.case_intro.format(value=", ".join(given))
    sentences = split_sentences(facts.summary)
    for pattern in topic.case_words:
        for sentence in sentences:
            clause = _clause(sentence, pattern)
            if clause and len(clause.split()) <= MAX_CASE_QUOTE_WORDS:
                return f"The case notes say: “{clause}”."
    for negation in facts.negations:
        if any(re.search(p, negation, re.IGNORECASE) for p in topic.case_words):
            return f"The case notes say there is no {negation}."
    return None


def explain_criterion(criterion: str, facts: CaseFacts, kind: Kind) -> Explanation:
    """Explain one rule of this kind: its topic, the plain rule the right way round (or None to quote it) and
    what the case notes say."""
    topic = topic_of(criterion)
    if topic is None:
        return Explanation(
            topic="other", short="", rule=None, label="", case_says=None, question=None, skip=False
        )
    rule, slots = _slots(topic, criterion, kind)
    return Explanation(
        topic=topic.key,
        short=topic.short.format_map(_Slots(slots)),
        rule=rule,
        label=topic.label,
        case_says=case_evidence(topic, slots, facts),
        question=topic.question,
        skip=topic.skip,
    )
