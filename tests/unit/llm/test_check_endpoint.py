"""check_endpoint: plain messages an administrator can act on."""

from __future__ import annotations

import socket

from core.llm import LLMClient, LLMSettings
from tests.support.fake_openai import FakeOpenAI
from tests.support.fixtures_llm import llm_settings_for


def test_not_configured_means_offline_drafter() -> None:
    settings = LLMSettings()
    assert not settings.is_configured
    check = LLMClient(settings).check_endpoint()
    assert not check.ok and "offline drafter" in check.message


def test_working_endpoint_with_json_schema(fake_openai: FakeOpenAI, client: LLMClient) -> None:
    fake_openai.respond_with(lambda body: {"ok": True})
    check = client.check_endpoint()
    assert check.ok and check.response_format == "json_schema"
    assert "fake-model" in check.message


def test_working_endpoint_with_json_mode_only(fake_openai: FakeOpenAI, client: LLMClient) -> None:
    fake_openai.reject_json_schema = True
    fake_openai.respond_with(lambda body: {"ok": True})
    check = client.check_endpoint()
    assert check.ok and check.response_format == "json_object"
    assert "JSON mode" in check.message
    assert client.capabilities.get(fake_openai.base_url, "fake-model") == "json_object"


def test_no_json_support(fake_openai: FakeOpenAI, client: LLMClient) -> None:
    fake_openai.reject_json_schema = True
    fake_openai.default.content = "Sure! Here is what you asked for."
    check = client.check_endpoint()
    assert not check.ok and check.error_kind == "invalid_output"
    assert "could not produce JSON" in check.message


def test_bad_key(fake_openai: FakeOpenAI) -> None:
    check = LLMClient(llm_settings_for(fake_openai, api_key="bad")).check_endpoint()
    assert not check.ok and check.error_kind == "auth" and "API key" in check.message


def test_unknown_model(fake_openai: FakeOpenAI) -> None:
    check = LLMClient(llm_settings_for(fake_openai, model="llama-9000")).check_endpoint()
    assert not check.ok and check.error_kind == "unknown_model" and "llama-9000" in check.message


def test_unreachable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    check = LLMClient(LLMSettings(base_url=f"http://127.0.0.1:{port}/v1", model="m")).check_endpoint()
    assert not check.ok and check.error_kind == "unreachable" and "cannot be reached" in check.message
