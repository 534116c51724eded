"""The `fake_openai` pytest fixture and settings pointing at it; import both into any conftest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.llm.settings import LLMSettings
from tests.support.fake_openai import FakeOpenAI


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """Yield a started fake OpenAI-compatible server on a free 127.0.0.1 port, fresh per test."""
    with FakeOpenAI() as server:
        yield server


def llm_settings_for(server: FakeOpenAI, **overrides: Any) -> LLMSettings:
    """Return LLM settings aimed at the fake server, with fast retries and a short timeout."""
    values: dict[str, Any] = {
        "base_url": server.base_url,
        "api_key": server.api_key,
        "model": server.model,
        "timeout_s": 5.0,
        "retry_backoff_s": 0.01,
        "retry_after_cap_s": 2.0,
    }
    values.update(overrides)
    return LLMSettings(**values)
