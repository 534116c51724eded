"""Settings for the one LLM client: endpoint, model, limits and prices."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class LLMSettings(BaseModel):
    """Where the model lives and how to call it; an empty endpoint means the offline drafter is used."""

    base_url: str | None = None
    api_key: str | None = Field(default=None, repr=False)
    model: str = ""
    temperature: float = 0.2
    max_output_tokens: int = Field(default=1500, gt=0)
    timeout_s: float = Field(default=60, gt=0)
    concurrency: int = Field(default=4, ge=1)
    max_retries: int = Field(default=3, ge=0)
    price_input_per_million: float = Field(default=0.0, ge=0)
    price_output_per_million: float = Field(default=0.0, ge=0)
    azure_endpoint: str | None = None
    azure_api_version: str | None = None
    azure_deployment: str | None = None
    # Local servers know "max_tokens"; OpenAI's reasoning models accept only "max_completion_tokens".
    token_limit_param: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    # Backoff knobs: first wait before a retry, and the most a server's Retry-After may make us wait.
    retry_backoff_s: float = Field(default=0.5, ge=0)
    retry_after_cap_s: float = Field(default=30.0, ge=0)

    @property
    def is_configured(self) -> bool:
        return bool(self.base_url or self.azure_endpoint)

    @property
    def is_azure(self) -> bool:
        return bool(self.azure_endpoint)

    @property
    def endpoint_key(self) -> str:
        """The endpoint address used to remember what it supports."""
        return (self.azure_endpoint if self.is_azure else self.base_url) or ""

    @property
    def model_name(self) -> str:
        """The model (or Azure deployment) name sent with each request."""
        return (self.azure_deployment or self.model) if self.is_azure else self.model

    def cost_of(self, input_tokens: int, output_tokens: int) -> float:
        """Return the price of a call from its token counts."""
        return (
            input_tokens / 1e6 * self.price_input_per_million
            + output_tokens / 1e6 * self.price_output_per_million
        )
