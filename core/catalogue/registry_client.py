"""An HTTP client for the ClinicalTrials.gov API v2 `/studies` endpoint: rate limited, retried, plain errors."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import httpx
from pydantic import BaseModel, Field, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

from core.catalogue.rate_limit import TokenBucket

DEFAULT_BASE_URL = "https://clinicaltrials.gov/api/v2"
USER_AGENT = "NextOptionWorkbench/1 (+registry sync)"

log = logging.getLogger(__name__)

SyncErrorKind = Literal[
    "unreachable", "timeout", "rate_limited", "server_error", "malformed", "rejected", "state"
]


class SyncError(Exception):
    """A sync failure explained in plain language; `kind` lets callers react without parsing text."""

    def __init__(self, message: str, *, kind: SyncErrorKind) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind

    def __str__(self) -> str:
        return self.message


class StudiesPage(BaseModel):
    """One page of `/studies`: raw study dicts, the token of the next page, and the total if asked."""

    studies: list[dict[str, Any]]
    next_page_token: str | None = Field(default=None, alias="nextPageToken")
    total_count: int | None = Field(default=None, alias="totalCount")


class _RetryableFailure(Exception):
    """An attempt failed in a way that may pass on a later attempt."""

    kind: SyncErrorKind = "server_error"
    retry_after: float | None = None


class _TransportFailure(_RetryableFailure):
    def __init__(self, error: httpx.TransportError) -> None:
        super().__init__(str(error))
        self.error = error
        self.kind = (
            "timeout"
            if isinstance(error, httpx.ReadTimeout | httpx.WriteTimeout | httpx.PoolTimeout)
            else "unreachable"
        )


class _StatusFailure(_RetryableFailure):
    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after
        self.kind = "rate_limited" if status == 429 else "server_error"


class _MalformedPage(_RetryableFailure):
    kind: SyncErrorKind = "malformed"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RegistryClient:
    """Fetch `/studies` pages, waiting for the rate limiter and retrying transient failures."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        rate_limiter: TokenBucket | None = None,
        timeout: float = 30.0,
        max_attempts: int = 6,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
        max_retry_after: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        trust_env: bool = True,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.rate_limiter = rate_limiter if rate_limiter is not None else TokenBucket(50)
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._backoff = wait_exponential_jitter(
            multiplier=backoff_initial, max=backoff_max, jitter=backoff_initial
        )
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            transport=transport,
            trust_env=trust_env,
        )

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def fetch_page(self, params: dict[str, str]) -> StudiesPage:
        """GET one `/studies` page; raise `SyncError` once retries are spent or the query is refused."""
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._choose_wait,
            retry=retry_if_exception_type(_RetryableFailure),
            sleep=self._sleep,
            before_sleep=_log_retry,
            reraise=True,
        )
        try:
            return retrying(self._fetch_once, params)
        except _RetryableFailure as failure:
            raise SyncError(self._describe(failure), kind=failure.kind) from failure

    def _fetch_once(self, params: dict[str, str]) -> StudiesPage:
        self.rate_limiter.acquire()
        try:
            response = self._http.get("/studies", params=params)
        except httpx.TransportError as error:
            raise _TransportFailure(error) from error
        if response.status_code == 429 or response.status_code >= 500:
            raise _StatusFailure(response.status_code, parse_retry_after(response.headers.get("Retry-After")))
        if response.status_code >= 400:
            detail = " ".join(response.text.split())[:300]
            raise SyncError(
                f"clinicaltrials.gov rejected the query (HTTP {response.status_code}): {detail or 'no detail given'}.",
                kind="rejected",
            )
        return parse_studies_page(response.content)

    def _choose_wait(self, retry_state: RetryCallState) -> float:
        failure = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(failure, _RetryableFailure) and failure.retry_after is not None:
            return min(failure.retry_after, self.max_retry_after)
        return self._backoff(retry_state)

    def _describe(self, failure: _RetryableFailure) -> str:
        attempts = f"{self.max_attempts} attempt{'s' if self.max_attempts != 1 else ''}"
        if isinstance(failure, _TransportFailure):
            if failure.kind == "timeout":
                return (
                    f"clinicaltrials.gov ({self.base_url}) did not answer within {self.timeout:g} s "
                    f"({attempts}). The service may be slow; run again later to resume."
                )
            return (
                f"Cannot reach clinicaltrials.gov ({self.base_url}): {describe_network_error(failure.error)}. "
                "Check the network or the proxy settings."
            )
        if isinstance(failure, _StatusFailure):
            if failure.status == 429:
                return (
                    f"clinicaltrials.gov kept refusing requests as too frequent (HTTP 429, {attempts}). "
                    "Wait a few minutes or lower the request rate, then run again to resume."
                )
            return (
                f"clinicaltrials.gov kept failing with a server error (HTTP {failure.status}, {attempts}). "
                "The service may be down; run again later to resume."
            )
        if isinstance(failure, _MalformedPage):
            return (
                f"clinicaltrials.gov kept sending an unreadable page ({failure.reason}; {attempts}). "
                "Run again later to resume."
            )
        return f"Sync with clinicaltrials.gov failed: {failure}."


def parse_studies_page(body: bytes) -> StudiesPage:
    """Validate a `/studies` JSON body; a truncated or incomplete page raises a retryable failure."""
    try:
        return StudiesPage.model_validate_json(body)
    except ValidationError as error:
        first = error.errors()[0]
        if first["type"] == "json_invalid":
            raise _MalformedPage(f"invalid JSON: {first['ctx'].get('error', first['msg'])}") from error
        where = ".".join(str(part) for part in first["loc"]) or "page"
        raise _MalformedPage(f"{where}: {first['msg'].lower()}") from error


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Read a Retry-After header given in seconds or as an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def describe_network_error(error: httpx.TransportError) -> str:
    """Say in a few plain words why a connection failed."""
    text = str(error).lower()
    if isinstance(error, httpx.ProxyError):
        return "the proxy refused the connection"
    if "refused" in text:
        return "connection refused"
    if any(marker in text for marker in ("name or service", "nodename", "getaddrinfo", "name resolution")):
        return "the host name could not be resolved"
    if isinstance(error, httpx.ConnectTimeout):
        return "the connection timed out"
    if isinstance(error, httpx.RemoteProtocolError):
        return "the connection was dropped before a reply"
    if "reset" in text:
        return "the connection was reset"
    return f"network error ({type(error).__name__})"


def _log_retry(retry_state: RetryCallState) -> None:
    failure = retry_state.outcome.exception() if retry_state.outcome else None
    sleep = retry_state.next_action.sleep if retry_state.next_action else 0.0
    log.warning(
        "registry request failed (%s); retry %d in %.1f s", failure, retry_state.attempt_number, sleep
    )
