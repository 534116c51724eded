"""Retry policy for one HTTP request: rate limits, server errors, lost connections and timeouts."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from typing import TypeVar

import openai
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_exponential_jitter

Y = TypeVar("Y")

_RETRYABLE = (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError)
_MAX_TIMEOUT_ATTEMPTS = 2  # a timeout is retried once: a second one means the server is too slow


def read_retry_after(exc: BaseException) -> float | None:
    """Return the wait a 429/503 asks for (Retry-After seconds or HTTP date, or retry-after-ms)."""
    response = getattr(exc, "response", None)
    if response is None:
        return None
    headers = response.headers
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


class _Stop:
    """Stop after `max_retries` retries, or at the second timeout."""

    def __init__(self, max_retries: int) -> None:
        self.max_retries = max_retries
        self.timeouts = 0

    def __call__(self, state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, openai.APITimeoutError):
            self.timeouts += 1
            if self.timeouts >= _MAX_TIMEOUT_ATTEMPTS:
                return True
        return state.attempt_number > self.max_retries


def call_with_retries(
    request: Callable[[], Y], *, max_retries: int, backoff_s: float, retry_after_cap_s: float
) -> Y:
    """Run `request`, retrying transient failures; the last exception propagates unchanged."""
    backoff = wait_exponential_jitter(
        multiplier=backoff_s, max=max(backoff_s * 16, backoff_s), jitter=backoff_s
    )

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = read_retry_after(exc) if exc is not None else None
        if asked is not None:
            return min(asked, retry_after_cap_s)
        return backoff(state)

    retrying = Retrying(
        retry=retry_if_exception_type(_RETRYABLE),
        stop=_Stop(max_retries),
        wait=wait,
        reraise=True,
    )
    return retrying(request)
