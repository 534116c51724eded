"""The last guard before the wire: trial text that shares a word with the family's name is no leak; the name is."""

from __future__ import annotations

import pytest

from core.drafting.llm_drafter import draft_trial_summary_with_llm
from core.drafting.offline import draft_trial_summary_offline
from core.llm import LLMClient
from core.llm.privacy import personal_data_kinds
from core.privacy.known import KnownIdentifiers
from core.prompting.guard import PersonalDataInPrompt, guard_messages
from tests.support.fake_openai import FakeOpenAI
from tests.unit.drafting.fixtures import make_car_t_trial, make_case_facts, make_verdicts
from tests.unit.drafting.test_llm_drafter import PROMPTS, FakeClient
from tests.unit.llm.models import GOOD, Summary

TRIAL_TEXT = (
    "Trial record: this study will test whether CAR-T cells can cure relapsed leukaemia. We hope to enrol "
    "60 children. Grace period: 14 days. Investigator: Dr. Wei Lee. Will the cells persist? Hope is not a plan."
)
FAMILIES = [
    ("Hope Cure", "+1 314 555 0142"),
    ("Grace Lee", "grace.lee@example.org"),
    ("Will Hope", "+44 7700 900123"),
]


def msgs(text: str) -> list[dict]:
    return [{"role": "system", "content": "You summarise."}, {"role": "user", "content": text}]


@pytest.mark.parametrize("family", FAMILIES)
def test_trial_words_that_share_a_part_of_the_name_are_no_leak(family: tuple[str, str]) -> None:
    guard_messages(msgs(TRIAL_TEXT), list(family))  # raises when it would refuse
    assert personal_data_kinds(msgs(TRIAL_TEXT), list(family)) == []


@pytest.mark.parametrize("family", FAMILIES)
def test_the_client_sends_trial_text_for_such_a_family(fake_openai: FakeOpenAI, client: LLMClient, family) -> None:
    fake_openai.script(GOOD)
    client.complete_structured(msgs(TRIAL_TEXT), Summary, prompt_name="p", prompt_version="1", forbidden_strings=family)
    assert len(fake_openai.chat_requests) == 1


@pytest.mark.parametrize("text, family, kind", [
    ("The patient, Hope Cure, relapsed.", FAMILIES[0], "name"),
    ("CURE, Hope: relapsed T-ALL.", FAMILIES[0], "name"),
    ("Ask Grace Lee about travel.", FAMILIES[1], "name"),
    ("Write to grace dot lee at example dot org.", FAMILIES[1], "e-mail address"),
    ("Hope Will's mother called from 07700 900123.", FAMILIES[2], "phone number"),
])
def test_real_leaks_are_still_refused(text: str, family: tuple[str, str], kind: str) -> None:
    assert kind in personal_data_kinds(msgs(text), list(family))
    with pytest.raises(PersonalDataInPrompt, match=kind):
        guard_messages(msgs(text), list(family))


def test_a_phrase_marked_private_is_refused_in_any_case() -> None:
    known = KnownIdentifiers(names=["Lucía Gómez"], private_phrases=["Lulu"])
    assert personal_data_kinds(msgs("Known at school as lulu."), known) == ["details marked private"]


def test_the_drafter_gives_the_client_the_typed_details() -> None:
    # Flattened to strings, "Lulu" would read as a name, which must be capitalised to count on the wire.
    known = KnownIdentifiers(names=["Lucía Gómez"], private_phrases=["Lulu"])
    trial, facts = make_car_t_trial(), make_case_facts()
    client = FakeClient(draft_trial_summary_offline(trial, facts, make_verdicts(), []))
    draft_trial_summary_with_llm(client, PROMPTS["trial_summary"], prompt_version=1, trial=trial, facts=facts,
                                 verdicts=make_verdicts(), nearest_sites=[], personal_data=known)
    assert client.calls[0]["forbidden"] == known


STREET_TEXT = "The main purpose of this study is to test a new treatment at a high dose; church groups may help."


@pytest.mark.parametrize("address", ["3 Main St, Springfield", "1 Test Street, Leeds LS1 4AB", "8 High Street", "12 Church Lane"])
def test_trial_words_that_are_the_familys_street_name_are_no_leak(address: str) -> None:
    guard_messages(msgs(STREET_TEXT), [address])  # raises when it would refuse
    assert personal_data_kinds(msgs(STREET_TEXT), [address]) == []


@pytest.mark.parametrize("text", ["They live at 3 Main St.", "Home: 3 main st, Springfield", "The family is on Main Street."])
def test_the_familys_street_written_as_an_address_is_refused(text: str) -> None:
    with pytest.raises(PersonalDataInPrompt):
        guard_messages(msgs(text), ["3 Main St, Springfield"])
