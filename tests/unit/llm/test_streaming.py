"""Streaming text for the prompt playground."""

from __future__ import annotations

import pytest

from core.llm import LLMClient, LLMError
from tests.support.fake_openai import FakeOpenAI, ok, server_error, truncated
from tests.support.fixtures_llm import llm_settings_for

MESSAGES = [{"role": "user", "content": "Explain phase 2 in one sentence."}]
TEXT = "A phase 2 trial checks whether a treatment works and how safe it is."


def test_stream_yields_pieces_then_a_record(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(ok(TEXT, usage=(30, 16)))
    client = LLMClient(llm_settings_for(fake_openai, price_output_per_million=10.0))

    stream = client.stream_text(MESSAGES, prompt_name="play", prompt_version="2")
    assert stream.record is None
    pieces = list(stream)

    assert len(pieces) > 1 and "".join(pieces) == TEXT == stream.text
    body = fake_openai.chat_requests[0].body
    assert body["stream"] is True and "response_format" not in body
    record = stream.record
    assert record is not None and record.ok
    assert (record.input_tokens, record.output_tokens, record.response_format) == (30, 16, "text")
    assert record.cost == pytest.approx(16 / 1e6 * 10.0)


def test_stream_retries_a_server_error_before_it_starts(fake_openai: FakeOpenAI, client: LLMClient) -> None:
    fake_openai.script(server_error(502), ok(TEXT))
    stream = client.stream_text(MESSAGES, prompt_name="play", prompt_version="2")
    assert "".join(stream) == TEXT
    assert stream.record.attempts == 2


def test_stream_cut_at_the_limit_raises_truncated_after_the_text(
    fake_openai: FakeOpenAI, client: LLMClient
) -> None:
    fake_openai.script(truncated("A phase 2 trial"))
    stream = client.stream_text(MESSAGES, prompt_name="play", prompt_version="2")
    with pytest.raises(LLMError) as caught:
        for _ in stream:
            pass
    assert caught.value.kind == "truncated"
    assert stream.text == "A phase 2 trial"
    assert stream.record is not None and stream.record.error_kind == "truncated"


def test_stream_with_a_bad_key_reports_auth(fake_openai: FakeOpenAI) -> None:
    stream = LLMClient(llm_settings_for(fake_openai, api_key="nope")).stream_text(
        MESSAGES, prompt_name="play", prompt_version="2"
    )
    with pytest.raises(LLMError, match="auth"):
        list(stream)
    assert stream.record.error_kind == "auth"
