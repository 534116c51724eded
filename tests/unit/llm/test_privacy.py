"""The privacy guard: personal details never leave the machine."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.llm import LLMClient, LLMError
from core.llm.privacy import personal_data_kinds
from tests.support.fake_openai import FakeOpenAI
from tests.unit.llm.models import GOOD, Summary

CONTACT = ("Jane Doe", "jane.doe@example.org", "+44 20 7946 0958", "12 Acacia Avenue, Leeds")


def msgs(text: str) -> list[dict]:
    return [{"role": "system", "content": "You summarise."}, {"role": "user", "content": text}]


@pytest.mark.parametrize(
    "text",
    [
        "Mother JANE DOE asked us.",
        "Write to Jane.Doe@Example.org please",
        "Call 020 7946 0958 after six",
        "Phone: +44-20-7946-0958",
        "Lives at 12 acacia   avenue, leeds",
    ],
)
def test_structured_call_with_personal_data_sends_nothing(
    fake_openai: FakeOpenAI, client: LLMClient, text: str
) -> None:
    with pytest.raises(LLMError) as caught:
        client.complete_structured(
            msgs(text), Summary, prompt_name="p", prompt_version="1", forbidden_strings=CONTACT
        )
    assert caught.value.kind == "privacy"
    assert caught.value.record.attempts == 0
    assert all(value not in caught.value.message for value in CONTACT)
    assert fake_openai.requests == []


def test_streaming_call_with_personal_data_sends_nothing(fake_openai: FakeOpenAI, client: LLMClient) -> None:
    with pytest.raises(LLMError, match="privacy"):
        client.stream_text(
            msgs("About Jane Doe"), prompt_name="p", prompt_version="1", forbidden_strings=CONTACT
        )
    assert fake_openai.requests == []


def test_clean_messages_go_through(fake_openai: FakeOpenAI, client: LLMClient) -> None:
    fake_openai.script(GOOD)
    text = "A 9-year-old with relapsed ALL, CD19+, 2 prior lines; trial NCT04 enrols 20 patients since 2019."
    client.complete_structured(
        msgs(text), Summary, prompt_name="p", prompt_version="1", forbidden_strings=CONTACT
    )
    assert len(fake_openai.chat_requests) == 1


def test_names_match_whole_words_only() -> None:
    assert personal_data_kinds(msgs("Alice is allergic"), ["Al"]) == []
    assert personal_data_kinds(msgs("Al's case"), ["Al"]) == ["name"]


def test_text_parts_and_blank_values() -> None:
    parts = [{"role": "user", "content": [{"type": "text", "text": "mail jane.doe@example.org"}]}]
    assert personal_data_kinds(parts, ["", "  ", "jane.doe@example.org"]) == ["e-mail address"]


def test_short_digit_runs_are_not_phones() -> None:
    assert personal_data_kinds(msgs("age 9, 2 lines, NCT01234567"), ["+44 20 7946 0958"]) == []


@settings(max_examples=60, deadline=None)
@given(
    cuts=st.lists(st.integers(min_value=1, max_value=9), max_size=4, unique=True),
    separator=st.sampled_from([" ", "-", ".", " - ", "/"]),
    prefix=st.sampled_from(["+44 ", "0044 ", "0", "+44 (0)"]),
)
def test_any_way_of_writing_the_phone_is_caught(cuts: list[int], separator: str, prefix: str) -> None:
    national = "2079460958"
    pieces, last = [], 0
    for cut in sorted(cuts):
        pieces.append(national[last:cut])
        last = cut
    pieces.append(national[last:])
    written = prefix + separator.join(pieces)
    assert personal_data_kinds(msgs(f"Ring {written} today"), CONTACT) == ["phone number"]


@given(st.text(alphabet="aAbBcC .,", max_size=40))
def test_text_without_the_values_is_never_flagged(text: str) -> None:
    assert personal_data_kinds(msgs(text), CONTACT) == []
