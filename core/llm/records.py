"""What an LLM call returns and leaves behind: results, call records and endpoint checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel

ResponseFormatKind = Literal["json_schema", "json_object", "text"]
ErrorKind = Literal[
    "unreachable",
    "auth",
    "unknown_model",
    "rate_limited",
    "server_error",
    "timeout",
    "truncated",
    "refusal",
    "invalid_output",
    "bad_request",
    "privacy",
]

T = TypeVar("T", bound=BaseModel)


class LLMCallRecord(BaseModel):
    """One logical call (all its HTTP attempts) for the audit trail, cost and latency figures."""

    model: str
    prompt_name: str
    prompt_version: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    latency_s: float = 0.0
    response_format: ResponseFormatKind = "text"
    attempts: int = 0
    ok: bool = False
    error_kind: ErrorKind | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class LLMResult(Generic[T]):
    """A validated structured answer, the raw text it came from, and the call record."""

    parsed: T
    text: str
    record: LLMCallRecord


class EndpointCheck(BaseModel):
    """The outcome of trying the configured endpoint, in words an administrator can act on."""

    ok: bool
    message: str
    error_kind: ErrorKind | None = None
    response_format: ResponseFormatKind | None = None
    latency_s: float = 0.0
