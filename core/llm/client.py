"""The one LLM client: structured completions, streaming text and endpoint checks over the openai package."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import openai
from pydantic import BaseModel, ValidationError

from core.llm.capabilities import CapabilityCache
from core.llm.errors import LLMError, classify_error
from core.llm.privacy import personal_data_kinds
from core.llm.records import EndpointCheck, LLMCallRecord, LLMResult, ResponseFormatKind
from core.llm.retrying import call_with_retries
from core.llm.settings import LLMSettings
from core.llm.structured import (
    add_schema_instruction,
    build_repair_messages,
    build_response_format,
    parse_reply,
)
from core.privacy.known import KnownIdentifiers

T = TypeVar("T", bound=BaseModel)

# Local servers (llama.cpp, Ollama, vLLM) take any key, but the openai package insists on one.
_PLACEHOLDER_KEY = "no-key-required"
_PRIVACY_MESSAGE = (
    "Nothing was sent: the text for the language model contains the case contact's personal details "
    "({kinds}). Only de-identified clinical facts may leave this machine."
)


class _Ping(BaseModel):
    ok: bool


class _Tally:
    """Counts attempts and tokens across every request of one logical call."""

    def __init__(self, settings: LLMSettings, prompt_name: str, prompt_version: str) -> None:
        self.settings = settings
        self.prompt_name = prompt_name
        self.prompt_version = prompt_version
        self.started = time.monotonic()
        self.attempts = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.response_format: ResponseFormatKind = "text"

    def add_usage(self, usage: Any) -> None:
        if usage is not None:
            self.input_tokens += usage.prompt_tokens or 0
            self.output_tokens += usage.completion_tokens or 0

    def record(self, error: LLMError | None = None) -> LLMCallRecord:
        return LLMCallRecord(
            model=self.settings.model_name,
            prompt_name=self.prompt_name,
            prompt_version=self.prompt_version,
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cost=self.settings.cost_of(self.input_tokens, self.output_tokens),
            latency_s=time.monotonic() - self.started,
            response_format=self.response_format,
            attempts=self.attempts,
            ok=error is None,
            error_kind=error.kind if error else None,
            error_message=error.message if error else None,
        )


class StreamResult(Iterator[str]):
    """Iterate for text pieces as they arrive; `.text` and `.record` are complete once iteration ends."""

    def __init__(self, produce: Callable[[StreamResult], Iterator[str]]) -> None:
        self.text = ""
        self.record: LLMCallRecord | None = None
        # The producer gets this object so it can set `.record` when the stream ends or fails.
        self._pieces = produce(self)

    def __iter__(self) -> StreamResult:
        return self

    def __next__(self) -> str:
        piece = next(self._pieces)
        self.text += piece
        return piece

    def close(self) -> None:
        """Stop early; the server connection is released."""
        close = getattr(self._pieces, "close", None)
        if close is not None:
            close()


class LLMClient:
    """Every LLM call in the product goes through here."""

    def __init__(self, settings: LLMSettings, *, capability_cache: CapabilityCache | None = None) -> None:
        self.settings = settings
        self.capabilities = capability_cache if capability_cache is not None else CapabilityCache()
        self._openai = self._build_openai(settings)

    @staticmethod
    def _build_openai(settings: LLMSettings) -> openai.OpenAI:
        # max_retries=0: retries are ours (core.llm.retrying), so they are visible in records and tests.
        common: dict[str, Any] = {
            "api_key": settings.api_key or _PLACEHOLDER_KEY,
            "timeout": settings.timeout_s,
            "max_retries": 0,
        }
        if settings.is_azure:
            return openai.AzureOpenAI(
                azure_endpoint=settings.azure_endpoint or "",
                azure_deployment=settings.azure_deployment,
                api_version=settings.azure_api_version,
                **common,
            )
        return openai.OpenAI(base_url=settings.base_url, **common)

    def complete_structured(
        self,
        messages: list[dict],
        schema: type[T],
        *,
        prompt_name: str,
        prompt_version: str,
        forbidden_strings: KnownIdentifiers | Sequence[str] = (),
        temperature: float | None = None,
        max_output_tokens: int | None = None,
    ) -> LLMResult[T]:
        """Ask for JSON matching `schema`, validate it, repair once; raise LLMError with a record on failure."""
        tally = _Tally(self.settings, prompt_name, prompt_version)
        limit = max_output_tokens or self.settings.max_output_tokens
        options = {
            "temperature": self.settings.temperature if temperature is None else temperature,
            self.settings.token_limit_param: limit,
        }
        try:
            self._refuse_personal_data(messages, forbidden_strings)
            sent, text = self._ask_structured(messages, schema, options, tally)
            try:
                parsed = parse_reply(text, schema)
            except ValidationError as first_error:
                sent = build_repair_messages(sent, text, first_error)
                text = self._ask(sent, build_response_format(schema, tally.response_format), options, tally)
                try:
                    parsed = parse_reply(text, schema)
                except ValidationError:
                    raise LLMError(
                        "invalid_output",
                        "The model's answer was not in the expected format, even after it was asked to "
                        "correct it. Try again, or try another model.",
                    ) from None
        except LLMError as error:
            error.record = tally.record(error)
            raise
        return LLMResult(parsed=parsed, text=text, record=tally.record())

    def _ask_structured(
        self, messages: list[dict], schema: type[BaseModel], options: dict[str, Any], tally: _Tally
    ) -> tuple[list[dict], str]:
        """Send in the best format the endpoint supports; learn from a json_schema rejection."""
        key = (self.settings.endpoint_key, self.settings.model_name)
        known = self.capabilities.get(*key)
        if known != "json_object":
            tally.response_format = "json_schema"
            try:
                text = self._ask(messages, build_response_format(schema, "json_schema"), options, tally)
            except LLMError as error:
                # Servers word the rejection differently (llama.cpp, vLLM, Ollama), so any 400 on a
                # json_schema request earns one json_object try; a second 400 is a real bad request.
                if error.kind != "bad_request":
                    raise
            else:
                self.capabilities.remember(*key, "json_schema")
                return messages, text
        tally.response_format = "json_object"
        sent = add_schema_instruction(messages, schema)
        text = self._ask(sent, build_response_format(schema, "json_object"), options, tally)
        self.capabilities.remember(*key, "json_object")
        return sent, text

    def _ask(
        self, messages: list[dict], response_format: dict[str, Any], options: dict[str, Any], tally: _Tally
    ) -> str:
        """Send one request (with retries) and return the reply text, or raise LLMError."""
        completion = self._send(tally, messages=messages, response_format=response_format, **options)
        tally.add_usage(completion.usage)
        if not completion.choices:
            raise LLMError("invalid_output", "The language model returned an empty answer. Try again.")
        choice = completion.choices[0]
        refusal = getattr(choice.message, "refusal", None)
        if refusal or choice.finish_reason == "content_filter":
            raise LLMError("refusal", f"The model declined to answer: {refusal or 'content filter'}")
        if choice.finish_reason == "length":
            raise LLMError(
                "truncated",
                f"The answer was cut off at the limit of {options[self.settings.token_limit_param]} output tokens. "
                "Raise the output token limit and try again.",
            )
        if not choice.message.content:
            raise LLMError("invalid_output", "The language model returned an empty answer. Try again.")
        return choice.message.content

    def _send(self, tally: _Tally, **kwargs: Any) -> Any:
        def attempt() -> Any:
            tally.attempts += 1
            return self._openai.chat.completions.create(model=self.settings.model_name, **kwargs)

        try:
            return call_with_retries(
                attempt,
                max_retries=self.settings.max_retries,
                backoff_s=self.settings.retry_backoff_s,
                retry_after_cap_s=self.settings.retry_after_cap_s,
            )
        except openai.OpenAIError as exc:
            raise classify_error(
                exc, model=self.settings.model_name, timeout_s=self.settings.timeout_s
            ) from exc

    @staticmethod
    def _refuse_personal_data(messages: list[dict], forbidden_strings: KnownIdentifiers | Sequence[str]) -> None:
        kinds = personal_data_kinds(messages, forbidden_strings)
        if kinds:
            # Name the kinds only, never the values: the message is shown and logged.
            raise LLMError("privacy", _PRIVACY_MESSAGE.format(kinds=", ".join(kinds)))

    def stream_text(
        self,
        messages: list[dict],
        *,
        prompt_name: str,
        prompt_version: str,
        forbidden_strings: KnownIdentifiers | Sequence[str] = (),
    ) -> StreamResult:
        """Stream a plain-text answer (prompt playground); the privacy check runs before anything is sent."""
        tally = _Tally(self.settings, prompt_name, prompt_version)
        try:
            self._refuse_personal_data(messages, forbidden_strings)
        except LLMError as error:
            error.record = tally.record(error)
            raise
        return StreamResult(lambda result: self._stream_pieces(messages, tally, result))

    def _stream_pieces(self, messages: list[dict], tally: _Tally, result: StreamResult) -> Iterator[str]:
        finish_reason = None
        refusal = ""
        try:
            stream = self._send(
                tally,
                messages=messages,
                temperature=self.settings.temperature,
                **{self.settings.token_limit_param: self.settings.max_output_tokens},
                stream=True,
                stream_options={"include_usage": True},
            )
            with stream:
                for chunk in stream:
                    tally.add_usage(chunk.usage)
                    if not chunk.choices:
                        continue
                    choice = chunk.choices[0]
                    finish_reason = choice.finish_reason or finish_reason
                    refusal += getattr(choice.delta, "refusal", None) or ""
                    if choice.delta.content:
                        yield choice.delta.content
            if refusal or finish_reason == "content_filter":
                raise LLMError("refusal", f"The model declined to answer: {refusal or 'content filter'}")
            if finish_reason == "length":
                raise LLMError(
                    "truncated",
                    f"The answer was cut off at the limit of {self.settings.max_output_tokens} output tokens. "
                    "Raise the output token limit and try again.",
                )
        except openai.OpenAIError as exc:
            error = classify_error(exc, model=self.settings.model_name, timeout_s=self.settings.timeout_s)
            error.record = result.record = tally.record(error)
            raise error from exc
        except LLMError as error:
            error.record = result.record = tally.record(error)
            raise
        result.record = tally.record()

    def check_endpoint(self) -> EndpointCheck:
        """Try a tiny structured call and say in plain words whether the endpoint is usable."""
        if not self.settings.is_configured:
            return EndpointCheck(
                ok=False, message="No language model endpoint is configured; the offline drafter is used."
            )
        quick = LLMClient(
            self.settings.model_copy(update={"max_retries": 0, "max_output_tokens": 50}),
            capability_cache=self.capabilities,
        )
        messages = [
            {"role": "system", "content": "You answer in JSON."},
            {"role": "user", "content": 'Reply with the JSON object {"ok": true}.'},
        ]
        try:
            result = quick.complete_structured(
                messages, _Ping, prompt_name="endpoint-check", prompt_version="1"
            )
        except LLMError as error:
            return EndpointCheck(
                ok=False,
                message=_explain_check_failure(error, self.settings.model_name),
                error_kind=error.kind,
                latency_s=error.record.latency_s if error.record else 0.0,
            )
        fmt = result.record.response_format
        how = "JSON schema" if fmt == "json_schema" else "JSON mode (schema in the prompt)"
        return EndpointCheck(
            ok=True,
            message=f"Connected to model '{self.settings.model_name}'; structured answers use {how}.",
            response_format=fmt,
            latency_s=result.record.latency_s,
        )


def _explain_check_failure(error: LLMError, model: str) -> str:
    if error.kind == "unreachable":
        return "The server cannot be reached: check the address (base URL) and that the server is running."
    if error.kind == "auth":
        return "The server refused the API key: check the key."
    if error.kind == "unknown_model":
        return f"The server does not know the model '{model}': check the model name."
    if error.kind in ("bad_request", "invalid_output", "truncated"):
        return (
            "The server answered but could not produce JSON (neither JSON schema nor JSON mode worked); "
            f"drafting needs a model with JSON support. Details: {error.message}"
        )
    return error.message
