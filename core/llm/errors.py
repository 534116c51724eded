"""The one LLM error type and the translation of transport failures into plain language."""

from __future__ import annotations

import openai

from core.llm.records import ErrorKind, LLMCallRecord


class LLMError(Exception):
    """An LLM call that failed; `.kind` is machine-readable, `.message` is for the reviewer."""

    def __init__(self, kind: ErrorKind, message: str, record: LLMCallRecord | None = None) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind: ErrorKind = kind
        self.message = message
        self.record = record


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"]
    return exc.message


def classify_error(exc: openai.OpenAIError, *, model: str, timeout_s: float) -> LLMError:
    """Turn an exception from the openai package into an LLMError with a plain message."""
    if isinstance(exc, openai.APITimeoutError):
        return LLMError(
            "timeout",
            f"The language model took longer than {timeout_s:g} seconds to answer. "
            "Try again later, or ask an administrator to raise the time limit.",
        )
    if isinstance(exc, openai.APIConnectionError):
        return LLMError(
            "unreachable",
            "The language model server could not be reached. Check its address and that it is running.",
        )
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return LLMError(
            "auth", "The language model server refused the API key. Ask an administrator to check it."
        )
    if isinstance(exc, openai.NotFoundError):
        return LLMError(
            "unknown_model",
            f"The language model server does not offer the model '{model}'. Check the model name in the settings.",
        )
    if isinstance(exc, openai.RateLimitError):
        return LLMError(
            "rate_limited",
            "The language model server is busy (rate limit) and kept refusing after several tries. "
            "Try again in a few minutes.",
        )
    if isinstance(exc, openai.APIStatusError) and exc.status_code >= 500:
        return LLMError(
            "server_error",
            f"The language model server had an internal error ({exc.status_code}) and kept failing "
            "after several tries. Try again later.",
        )
    if isinstance(exc, openai.APIStatusError):
        return LLMError(
            "bad_request", f"The language model server rejected the request: {_server_message(exc)}"
        )
    return LLMError("bad_request", f"The language model call failed: {exc}")
