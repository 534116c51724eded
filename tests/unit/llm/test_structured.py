"""Structured completions against the fake server: formats, fallback, repair, truncation, refusal, cost."""

from __future__ import annotations

import pytest

from core.llm import CapabilityCache, LLMClient, LLMError, LLMSettings
from tests.support.fake_openai import FakeOpenAI, malformed, ok, refusal, truncated
from tests.support.fixtures_llm import llm_settings_for
from tests.unit.llm.models import GOOD, USER, Summary


def ask(client: LLMClient, **kw) -> object:
    return client.complete_structured(USER, Summary, prompt_name="summary", prompt_version="3", **kw)


def test_success_sends_strict_json_schema_and_records_the_call(fake_openai: FakeOpenAI) -> None:
    settings = llm_settings_for(fake_openai, price_input_per_million=2.0, price_output_per_million=8.0)
    fake_openai.script(ok(GOOD, usage=(1200, 300)))

    result = LLMClient(settings).complete_structured(
        USER, Summary, prompt_name="summary", prompt_version="3", temperature=0.0, max_output_tokens=321
    )

    assert result.parsed == Summary(**GOOD)
    body = fake_openai.chat_requests[0].body
    assert body["model"] == "fake-model"
    assert body["messages"] == USER
    assert body["temperature"] == 0.0
    assert body["max_tokens"] == 321
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["required"] == ["title", "phase"]
    record = result.record
    assert (record.ok, record.attempts, record.response_format) == (True, 1, "json_schema")
    assert (record.input_tokens, record.output_tokens) == (1200, 300)
    assert record.cost == pytest.approx(1200 / 1e6 * 2.0 + 300 / 1e6 * 8.0)
    assert (record.prompt_name, record.prompt_version, record.model) == ("summary", "3", "fake-model")
    assert record.latency_s > 0


def test_api_key_is_sent_but_never_recorded(fake_openai: FakeOpenAI, client: LLMClient) -> None:
    fake_openai.script(GOOD)
    ask(client)
    request = fake_openai.chat_requests[0]
    assert request.api_key_sent
    assert "authorization" not in request.headers
    assert all(fake_openai.api_key not in value for value in request.headers.values())


def test_json_schema_rejection_falls_back_to_json_object_and_is_remembered(fake_openai: FakeOpenAI) -> None:
    fake_openai.reject_json_schema = True
    fake_openai.script(GOOD, GOOD)
    cache = CapabilityCache()
    client = LLMClient(llm_settings_for(fake_openai), capability_cache=cache)

    first = ask(client)
    second = ask(client)

    kinds = [r.body["response_format"]["type"] for r in fake_openai.chat_requests]
    assert kinds == ["json_schema", "json_object", "json_object"]
    assert first.record.response_format == second.record.response_format == "json_object"
    assert (first.record.attempts, second.record.attempts) == (2, 1)
    system = fake_openai.chat_requests[1].body["messages"][0]
    assert system["role"] == "system" and system["content"].startswith("You summarise trials.")
    assert '"phase"' in system["content"] and "JSON schema" in system["content"]
    assert cache.snapshot() == {(fake_openai.base_url, "fake-model"): "json_object"}


def test_capability_cache_hooks_load_and_save(fake_openai: FakeOpenAI) -> None:
    saved: list[tuple[str, str, str]] = []
    cache = CapabilityCache(
        load=lambda: [(fake_openai.base_url, "fake-model", "json_object")], save=lambda *a: saved.append(a)
    )
    fake_openai.script(GOOD)

    ask(LLMClient(llm_settings_for(fake_openai), capability_cache=cache))

    assert fake_openai.chat_requests[0].body["response_format"] == {"type": "json_object"}
    assert saved == []  # nothing new learned
    cache.remember("http://other/v1", "m", "json_schema")
    assert saved == [("http://other/v1", "m", "json_schema")]


def test_a_real_bad_request_is_not_mistaken_for_missing_json_support(fake_openai: FakeOpenAI) -> None:
    fake_openai.reject_json_schema = True
    fake_openai.default.status = 400
    fake_openai.default.error = {"message": "prompt is too long", "type": "invalid_request_error"}
    cache = CapabilityCache()

    with pytest.raises(LLMError) as caught:
        ask(LLMClient(llm_settings_for(fake_openai), capability_cache=cache))

    assert caught.value.kind == "bad_request"
    assert "prompt is too long" in caught.value.message
    assert len(fake_openai.chat_requests) == 2
    assert cache.snapshot() == {}


def test_malformed_json_is_repaired_once(fake_openai: FakeOpenAI, client: LLMClient) -> None:
    fake_openai.script(malformed('{"title": "x", '), GOOD)

    result = ask(client)

    assert result.parsed.phase == 2
    assert result.record.attempts == 2
    assert result.record.input_tokens == 40
    repair = fake_openai.chat_requests[1].body
    assert repair["messages"][:2] == USER
    assert repair["messages"][2] == {"role": "assistant", "content": '{"title": "x", '}
    assert repair["messages"][3]["role"] == "user"
    assert "Invalid JSON" in repair["messages"][3]["content"]
    assert repair["response_format"]["type"] == "json_schema"


def test_schema_violation_is_described_in_the_repair_request(
    fake_openai: FakeOpenAI, client: LLMClient
) -> None:
    fake_openai.script({"title": "x", "phase": "two"}, GOOD)
    ask(client)
    assert "phase" in fake_openai.chat_requests[1].body["messages"][-1]["content"]


def test_reply_in_a_code_fence_is_accepted(fake_openai: FakeOpenAI, client: LLMClient) -> None:
    fake_openai.script('```json\n{"title": "t", "phase": 1}\n```')
    assert ask(client).parsed == Summary(title="t", phase=1)


def test_malformed_twice_is_invalid_output_with_a_record(fake_openai: FakeOpenAI, client: LLMClient) -> None:
    fake_openai.script(malformed(), malformed())

    with pytest.raises(LLMError) as caught:
        ask(client)

    error = caught.value
    assert error.kind == "invalid_output"
    assert "expected format" in error.message
    assert error.record is not None and not error.record.ok
    assert (error.record.attempts, error.record.error_kind) == (2, "invalid_output")
    assert len(fake_openai.chat_requests) == 2


def test_length_finish_is_truncated_and_suggests_a_higher_limit(
    fake_openai: FakeOpenAI, client: LLMClient
) -> None:
    fake_openai.script(truncated())
    with pytest.raises(LLMError) as caught:
        ask(client, max_output_tokens=99)
    assert caught.value.kind == "truncated"
    assert "99" in caught.value.message and "limit" in caught.value.message
    assert len(fake_openai.chat_requests) == 1


def test_refusal_is_reported(fake_openai: FakeOpenAI, client: LLMClient) -> None:
    fake_openai.script(refusal("I cannot give medical advice."))
    with pytest.raises(LLMError) as caught:
        ask(client)
    assert caught.value.kind == "refusal"
    assert "I cannot give medical advice." in caught.value.message
    assert caught.value.record.error_kind == "refusal"


def test_responder_answers_structured_requests_dynamically(
    fake_openai: FakeOpenAI, client: LLMClient
) -> None:
    fake_openai.respond_with(lambda body: {"title": body["messages"][-1]["content"], "phase": 3})
    assert ask(client).parsed == Summary(title="Summarise NCT01.", phase=3)


def test_azure_settings_use_the_azure_client(fake_openai: FakeOpenAI) -> None:
    endpoint = fake_openai.base_url.removesuffix("/v1")
    settings = LLMSettings(
        azure_endpoint=endpoint,
        azure_api_version="2024-10-21",
        azure_deployment="fake-model",
        api_key=fake_openai.api_key,
        retry_backoff_s=0.01,
    )
    assert settings.is_configured
    fake_openai.script(GOOD)

    result = ask(LLMClient(settings))

    request = fake_openai.chat_requests[0]
    assert request.path == "/openai/deployments/fake-model/chat/completions"
    assert request.query == "api-version=2024-10-21"
    assert request.api_key_sent and "api-key" not in request.headers
    assert result.record.model == "fake-model"


def test_token_limit_parameter_name_is_configurable(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(GOOD)
    settings = llm_settings_for(fake_openai, token_limit_param="max_completion_tokens", max_output_tokens=77)
    ask(LLMClient(settings))
    body = fake_openai.chat_requests[0].body
    assert body["max_completion_tokens"] == 77 and "max_tokens" not in body
