"""Transport failures: retries, Retry-After, timeouts, auth, unknown model, unreachable server."""

from __future__ import annotations

import socket
import time

import pytest

from core.llm import LLMClient, LLMError, LLMSettings
from tests.support.fake_openai import (
    FakeOpenAI,
    rate_limited,
    server_error,
    slow,
    unauthorized,
    unknown_model,
)
from tests.support.fixtures_llm import llm_settings_for
from tests.unit.llm.models import GOOD, USER, Summary


def ask(client: LLMClient):
    return client.complete_structured(USER, Summary, prompt_name="summary", prompt_version="1")


def test_rate_limit_honours_retry_after(fake_openai: FakeOpenAI, client: LLMClient) -> None:
    fake_openai.script(rate_limited(retry_after=1), GOOD)
    started = time.monotonic()
    result = ask(client)
    assert time.monotonic() - started >= 0.9
    assert result.record.attempts == 2 and result.record.ok


def test_retry_after_is_capped(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(rate_limited(retry_after=3600), GOOD)
    started = time.monotonic()
    ask(LLMClient(llm_settings_for(fake_openai, retry_after_cap_s=0.05)))
    assert time.monotonic() - started < 2


def test_rate_limit_that_persists_gives_rate_limited(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(*[rate_limited(retry_after=0) for _ in range(3)])
    with pytest.raises(LLMError) as caught:
        ask(LLMClient(llm_settings_for(fake_openai, max_retries=2)))
    assert caught.value.kind == "rate_limited"
    assert caught.value.record.attempts == 3
    assert len(fake_openai.chat_requests) == 3


def test_server_error_then_success(fake_openai: FakeOpenAI, client: LLMClient) -> None:
    fake_openai.script(server_error(500), GOOD)
    result = ask(client)
    assert result.parsed == Summary(**GOOD)
    assert result.record.attempts == 2


def test_server_errors_stop_after_max_retries(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(*[server_error(503) for _ in range(5)])
    with pytest.raises(LLMError) as caught:
        ask(LLMClient(llm_settings_for(fake_openai, max_retries=3)))
    assert caught.value.kind == "server_error"
    assert "503" in caught.value.message
    assert len(fake_openai.chat_requests) == 4


def test_slow_reply_times_out_after_one_retry(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(slow(2), slow(2), GOOD)
    started = time.monotonic()
    with pytest.raises(LLMError) as caught:
        ask(LLMClient(llm_settings_for(fake_openai, timeout_s=0.2, max_retries=3)))
    assert caught.value.kind == "timeout"
    assert "0.2 seconds" in caught.value.message
    assert caught.value.record.attempts == 2
    assert time.monotonic() - started < 1.5


def test_one_timeout_then_success(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(slow(2), GOOD)
    result = ask(LLMClient(llm_settings_for(fake_openai, timeout_s=0.2)))
    assert result.record.attempts == 2


def test_wrong_key_is_auth_and_not_retried(fake_openai: FakeOpenAI) -> None:
    with pytest.raises(LLMError) as caught:
        ask(LLMClient(llm_settings_for(fake_openai, api_key="wrong")))
    assert caught.value.kind == "auth"
    assert "key" in caught.value.message
    assert len(fake_openai.chat_requests) == 1


def test_scripted_401_is_auth(fake_openai: FakeOpenAI, client: LLMClient) -> None:
    fake_openai.script(unauthorized())
    with pytest.raises(LLMError, match="auth"):
        ask(client)


def test_unknown_model_is_not_retried(fake_openai: FakeOpenAI) -> None:
    with pytest.raises(LLMError) as caught:
        ask(LLMClient(llm_settings_for(fake_openai, model="gpt-nonexistent")))
    assert caught.value.kind == "unknown_model"
    assert "gpt-nonexistent" in caught.value.message
    assert len(fake_openai.chat_requests) == 1


def test_scripted_404_is_unknown_model(fake_openai: FakeOpenAI, client: LLMClient) -> None:
    fake_openai.script(unknown_model())
    with pytest.raises(LLMError, match="unknown_model"):
        ask(client)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_server_is_retried_then_reported() -> None:
    settings = LLMSettings(
        base_url=f"http://127.0.0.1:{_closed_port()}/v1", model="m", retry_backoff_s=0.01, max_retries=2
    )
    with pytest.raises(LLMError) as caught:
        ask(LLMClient(settings))
    assert caught.value.kind == "unreachable"
    assert caught.value.record.attempts == 3
    assert "reached" in caught.value.message
