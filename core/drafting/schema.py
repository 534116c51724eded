"""The structured shape of drafts (what the LLM must return and the offline drafter writes)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from core.nlp.sentences import normalise_space, split_sentences

DraftKind = Literal["trial", "case"]

TRIAL_SECTION_KEYS: tuple[str, ...] = (
    "what_is_tested",
    "why_it_may_fit",
    "what_we_could_not_confirm",
    "what_taking_part_involves",
    "where_and_contact",
    "how_to_request_access",
)
CASE_SECTION_KEYS: tuple[str, ...] = ("overview", "next_steps", "disclaimer")

SECTION_TITLES: dict[str, str] = {
    "what_is_tested": "What the study is testing",
    "why_it_may_fit": "Why it may fit",
    "what_we_could_not_confirm": "What we could not confirm (questions to ask)",
    "what_taking_part_involves": "What taking part involves",
    "where_and_contact": "Where it takes place and who to contact",
    "how_to_request_access": "How to ask for access",
    "overview": "The options we found",
    "next_steps": "Next steps",
    "disclaimer": "Please read",
}


# An expanded-access programme is not a study: its sections say so.
PROGRAMME_SECTION_TITLES: dict[str, str] = {
    "what_is_tested": "What the programme offers",
    "why_it_may_fit": "Why it may fit",
    "what_we_could_not_confirm": "What we could not confirm (questions to ask)",
    "what_taking_part_involves": "What taking part involves",
    "where_and_contact": "Where it is given and who to contact",
}


def section_title(key: str, study_type: str | None = None) -> str:
    """The heading of a section; programmes get their own wording where a study's would be wrong."""
    if (study_type or "").upper() == "EXPANDED_ACCESS" and key in PROGRAMME_SECTION_TITLES:
        return PROGRAMME_SECTION_TITLES[key]
    return SECTION_TITLES.get(key, key.replace("_", " ").capitalize())


def required_sections(kind: DraftKind, study_type: str | None = None) -> list[str]:
    """Return the section keys a draft of this kind must contain, in display order."""
    if kind == "case":
        return list(CASE_SECTION_KEYS)
    keys = [k for k in TRIAL_SECTION_KEYS if k != "how_to_request_access"]
    if (study_type or "").upper() == "EXPANDED_ACCESS":
        keys.append("how_to_request_access")
    return keys


class DraftSentence(BaseModel):
    """One sentence and the source fields it rests on, e.g. "trial.phases" or "verdict[inclusion 2]"."""

    model_config = ConfigDict(extra="forbid")

    text: str
    sources: list[str]


class DraftSection(BaseModel):
    """One headed part of a draft."""

    model_config = ConfigDict(extra="forbid")

    key: str
    title: str
    sentences: list[DraftSentence]

    @property
    def text(self) -> str:
        """The section as plain text, sentences joined by spaces."""
        return " ".join(s.text.strip() for s in self.sentences if s.text.strip())


def _order_sections(sections: list[DraftSection], allowed: tuple[str, ...]) -> list[DraftSection]:
    seen: set[str] = set()
    for section in sections:
        if section.key not in allowed:
            raise ValueError(f"unknown section key {section.key!r}; expected one of {', '.join(allowed)}")
        if section.key in seen:
            raise ValueError(f"section {section.key!r} appears twice")
        seen.add(section.key)
    # Models sometimes reorder sections; the display order is fixed.
    return sorted(sections, key=lambda s: allowed.index(s.key))


class TrialSummaryDraft(BaseModel):
    """A plain-language summary of one trial or programme for one case."""

    model_config = ConfigDict(extra="forbid")

    registry_id: str
    sections: list[DraftSection]

    @field_validator("sections")
    @classmethod
    def _check_sections(cls, sections: list[DraftSection]) -> list[DraftSection]:
        return _order_sections(sections, TRIAL_SECTION_KEYS)


class CaseOverviewDraft(BaseModel):
    """The case-level overview: the options in order, next steps and the disclaimer."""

    model_config = ConfigDict(extra="forbid")

    sections: list[DraftSection]

    @field_validator("sections")
    @classmethod
    def _check_sections(cls, sections: list[DraftSection]) -> list[DraftSection]:
        return _order_sections(sections, CASE_SECTION_KEYS)


Draft = TrialSummaryDraft | CaseOverviewDraft


def section_texts(draft: Draft) -> dict[str, str]:
    """Return {section key: plain text}, the form a reviewer edits and checks read."""
    return {section.key: section.text for section in draft.sections}


def sentence_sources(draft: Draft) -> dict[str, list[tuple[str, list[str]]]]:
    """Return {section key: [(sentence, sources), ...]} so sources can be shown beside each sentence."""
    return {
        section.key: [(s.text.strip(), list(s.sources)) for s in section.sentences if s.text.strip()]
        for section in draft.sections
    }


def attach_sources(edited_text: str, original: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Split a reviewer's edited section into sentences, keeping the sources of unchanged ones.

    A sentence the reviewer wrote or changed gets an empty source list: it rests on the reviewer.
    """
    known: dict[str, list[str]] = {}
    for sentence, sources in original:
        # A stored "sentence" may hold several (e.g. a quote then a remark); each part keeps the sources.
        for part in [sentence, *split_sentences(sentence)]:
            known.setdefault(normalise_space(part), list(sources))
    return [(s, list(known.get(normalise_space(s), []))) for s in split_sentences(edited_text)]
