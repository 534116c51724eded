"""Fixtures for the LLM client tests: the fake server and a client aimed at it."""

from __future__ import annotations

import pytest

from core.llm import LLMClient
from tests.support.fake_openai import FakeOpenAI
from tests.support.fixtures_llm import fake_openai, llm_settings_for

__all__ = ["fake_openai"]


@pytest.fixture
def client(fake_openai: FakeOpenAI) -> LLMClient:
    return LLMClient(llm_settings_for(fake_openai))
