"""Tests for the draft schema: section order, strict JSON schema, texts and sources per section."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.drafting.schema import (
    SECTION_TITLES,
    CaseOverviewDraft,
    DraftSection,
    DraftSentence,
    TrialSummaryDraft,
    attach_sources,
    required_sections,
    section_texts,
    sentence_sources,
)
from core.matching.criterion_prompt import CriterionAssessment, CriterionBatchAssessment


def _section(key: str, *texts: str) -> DraftSection:
    return DraftSection(
        key=key,
        title=SECTION_TITLES[key],
        sentences=[DraftSentence(text=t, sources=["trial.brief_title"]) for t in texts],
    )


def test_required_sections_for_trial_case_and_expanded_access() -> None:
    assert required_sections("trial", "INTERVENTIONAL") == [
        "what_is_tested",
        "why_it_may_fit",
        "what_we_could_not_confirm",
        "what_taking_part_involves",
        "where_and_contact",
    ]
    assert required_sections("trial", "EXPANDED_ACCESS")[-1] == "how_to_request_access"
    assert required_sections("case") == ["overview", "next_steps", "disclaimer"]
    assert all(
        SECTION_TITLES[k] for k in required_sections("trial", "EXPANDED_ACCESS") + required_sections("case")
    )


def test_sections_are_put_in_display_order() -> None:
    draft = TrialSummaryDraft(
        registry_id="NCT04123456",
        sections=[_section("where_and_contact", "Sites."), _section("what_is_tested", "A test.")],
    )
    assert [s.key for s in draft.sections] == ["what_is_tested", "where_and_contact"]


def test_unknown_or_duplicate_section_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="unknown section key"):
        TrialSummaryDraft(registry_id="X", sections=[DraftSection(key="bonus", title="B", sentences=[])])
    with pytest.raises(ValidationError, match="appears twice"):
        CaseOverviewDraft(sections=[_section("overview", "a."), _section("overview", "b.")])


def _walk_objects(schema: dict) -> list[dict]:
    found = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "object":
                found.append(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


@pytest.mark.parametrize("model", [TrialSummaryDraft, CaseOverviewDraft, CriterionAssessment, CriterionBatchAssessment])
def test_output_schemas_suit_strict_json_schema_mode(model: type) -> None:
    objects = _walk_objects(model.model_json_schema())
    assert objects
    for obj in objects:
        assert obj.get("additionalProperties") is False
        assert set(obj["required"]) == set(obj["properties"])


def test_section_texts_and_sources() -> None:
    draft = CaseOverviewDraft(
        sections=[_section("overview", "First one.", "Second one."), _section("disclaimer", "Not advice.")]
    )
    assert section_texts(draft) == {"overview": "First one. Second one.", "disclaimer": "Not advice."}
    assert sentence_sources(draft)["overview"] == [
        ("First one.", ["trial.brief_title"]),
        ("Second one.", ["trial.brief_title"]),
    ]


def test_attach_sources_keeps_sources_of_unedited_sentences_only() -> None:
    original = [("The study is in London.", ["trial.sites"]), ("It is a phase 2 study.", ["trial.phases"])]
    edited = "The study is in  London. It is a small phase 2 study. A reviewer added this."
    assert attach_sources(edited, original) == [
        ("The study is in  London.", ["trial.sites"]),
        ("It is a small phase 2 study.", []),
        ("A reviewer added this.", []),
    ]
