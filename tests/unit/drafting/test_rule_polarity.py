"""An eligibility rule is explained the right way round: an inclusion is what the study needs, an exclusion
is what stops someone taking part, each with what the case notes say about it."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from core.domain.trial import ParsedCriterion
from core.domain.verdicts import CriterionVerdict
from core.drafting.criterion_topics import CriterionTopic
from core.drafting.offline import draft_trial_summary_offline
from core.drafting.schema import section_texts
from tests.unit.drafting.fixtures import make_car_t_trial, make_case_facts

_NEEDS = re.compile(r"\b(?:needs|asks for|is for people who)\b", re.IGNORECASE)
_CANNOT = re.compile(r"\bcannot take part\b|\bdoes not take\b", re.IGNORECASE)


def _draft_with(kind: str, text: str, verdict: str, summary: str) -> str:
    criterion = ParsedCriterion(kind=kind, position=0, text=text)  # type: ignore[arg-type]
    trial = make_car_t_trial().model_copy(update={"criteria": [criterion]})
    facts = make_case_facts().model_copy(update={"summary": summary})
    verdicts = [CriterionVerdict(kind=kind, position=0, criterion_text=text, verdict=verdict)]  # type: ignore[arg-type]
    return section_texts(draft_trial_summary_offline(trial, facts, verdicts, []))["what_we_could_not_confirm"]


# Pieces of a meaning as split below: the quoted term, "means: ...", or a tail split at an inner full stop.
_MEANING = re.compile(r"“[^”]+”$|means:|[a-z]")


def _sentence_before(text: str, marker: str) -> str:
    """The sentence just before the case-notes sentence that starts with marker, past any glossary meanings
    (“HSCT” means: ...), which follow the sentence that uses the term."""
    before = text[: text.index(marker)].strip()
    sentences = re.split(r"(?<=[.”])\s+", before)
    return next(s for s in reversed(sentences) if not _MEANING.match(s))


@pytest.mark.parametrize(
    ("text", "summary", "case_words"),
    [
        ("Prior allogeneic HSCT", "Second relapse after allogeneic HSCT from his sister.", "allogeneic HSCT"),
        ("Active CNS disease", "Second relapse of T-ALL. CNS disease at relapse.", "CNS disease at relapse"),
        ("Adequate organ function", "Relapse of T-ALL. Liver tests are raised.", "Liver tests are raised"),
        ("CD7 expression on at least 20% of blasts", "Relapse of T-ALL. CD7 is on 90% of blasts.", None),
    ],
)
def test_an_exclusion_says_who_cannot_take_part_never_what_the_study_needs(
    text: str, summary: str, case_words: str | None
) -> None:
    section = _draft_with("exclusion", text, "not enough information", summary)
    rule = next(s for s in re.split(r"(?<=[.”])\s+", section) if _CANNOT.search(s) or _NEEDS.search(s))
    assert _CANNOT.search(rule) and not _NEEDS.search(rule), rule
    if case_words:
        assert "The case notes say: “" in section and case_words in section, section


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        ("CD7 expression on at least 20% of blasts", "Relapse of T-ALL. No marker test yet."),
        ("Identified donor for allogeneic HSCT", "Relapse of T-ALL. His sister is a full match."),
        ("Adequate organ function", "Relapse of T-ALL. Kidney tests are normal."),
    ],
)
def test_an_inclusion_says_what_the_study_needs(text: str, summary: str) -> None:
    section = _draft_with("inclusion", text, "not enough information", summary)
    rule = next(s for s in re.split(r"(?<=[.”])\s+", section) if _CANNOT.search(s) or _NEEDS.search(s))
    assert _NEEDS.search(rule) and not _CANNOT.search(rule), rule


def test_the_exclusion_of_a_past_transplant_is_followed_by_what_the_case_says() -> None:
    section = _draft_with(
        "exclusion", "Prior allogeneic HSCT", "excluded", "Second relapse after allogeneic HSCT from his sister."
    )
    rule = _sentence_before(section, "The case notes say")
    assert _CANNOT.search(rule) and not _NEEDS.search(rule), rule
    assert "“Second relapse after allogeneic HSCT from his sister”" in section


def test_a_topic_text_that_reads_one_way_round_must_name_its_kind() -> None:
    with pytest.raises(ValidationError, match="reads as one kind of rule"):
        CriterionTopic(key="x", short="x", patterns=("x",), label="x", plain="The study needs x.")
    topic = CriterionTopic(key="x", short="x", patterns=("x",), label="x", plain={"inclusion": "The study needs x."})
    assert topic.plain_for("inclusion") == "The study needs x." and topic.plain_for("exclusion") is None
