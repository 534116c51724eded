"""The fake OpenAI server itself speaks the API the way real servers do."""

from __future__ import annotations

import httpx
import pytest

from tests.support.fake_openai import FakeOpenAI, ok, rate_limited


def post(fake: FakeOpenAI, body: dict, key: str | None = "test-key") -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.post(f"{fake.base_url}/chat/completions", json=body, headers=headers, timeout=5)


def test_models_endpoint_lists_the_model(fake_openai: FakeOpenAI) -> None:
    response = httpx.get(f"{fake_openai.base_url}/models", headers={"Authorization": "Bearer test-key"})
    assert response.status_code == 200
    assert [m["id"] for m in response.json()["data"]] == ["fake-model"]
    assert fake_openai.requests[0].method == "GET"


def test_scripted_replies_come_in_order_then_the_default(fake_openai: FakeOpenAI) -> None:
    fake_openai.script("one", ok({"n": 2}), rate_limited(retry_after=7))
    body = {"model": "fake-model", "messages": [{"role": "user", "content": "hi"}]}
    replies = [post(fake_openai, body) for _ in range(4)]
    assert replies[0].json()["choices"][0]["message"]["content"] == "one"
    assert replies[1].json()["choices"][0]["message"]["content"] == '{"n": 2}'
    assert replies[2].status_code == 429 and replies[2].headers["retry-after"] == "7"
    assert replies[3].json()["choices"][0]["message"]["content"] == "OK"
    assert replies[0].json()["usage"]["total_tokens"] == 30
    assert [r.body for r in fake_openai.requests] == [body] * 4


def test_missing_key_is_401(fake_openai: FakeOpenAI) -> None:
    response = post(fake_openai, {"model": "fake-model", "messages": []}, key=None)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert not fake_openai.requests[0].api_key_sent


@pytest.mark.parametrize(("fmt", "status"), [("json_schema", 400), ("json_object", 200), ("text", 200)])
def test_reject_json_schema_mode(fake_openai: FakeOpenAI, fmt: str, status: int) -> None:
    fake_openai.reject_json_schema = True
    response = post(fake_openai, {"model": "fake-model", "messages": [], "response_format": {"type": fmt}})
    assert response.status_code == status
    if status == 400:
        assert "json_schema" in response.json()["error"]["message"]


def test_stream_is_server_sent_events_with_usage(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(ok("abcdefghij", usage=(3, 4)))
    body = {"model": "fake-model", "messages": [], "stream": True, "stream_options": {"include_usage": True}}
    response = post(fake_openai, body)
    events = [line.removeprefix("data: ") for line in response.text.splitlines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    assert '"usage": {"prompt_tokens": 3' in events[-2]
    assert response.headers["content-type"] == "text/event-stream"


def test_server_latency_applies_to_every_reply(fake_openai: FakeOpenAI) -> None:
    import time

    fake_openai.latency_s = 0.1
    started = time.monotonic()
    post(fake_openai, {"model": "fake-model", "messages": []})
    assert time.monotonic() - started >= 0.09
