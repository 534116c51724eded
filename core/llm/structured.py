"""Builds structured-output requests (json_schema or json_object) and parses the replies."""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from openai.lib import type_to_response_format_param
from pydantic import BaseModel, ValidationError

from core.llm.records import ResponseFormatKind

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"^\s*```(?:json)?\s*\n?(.*?)\n?```\s*$", re.DOTALL | re.IGNORECASE)
_MAX_ERRORS_SHOWN = 5


def build_response_format(schema: type[BaseModel], kind: ResponseFormatKind) -> dict[str, Any]:
    """Return the `response_format` request field for a pydantic model in the given mode."""
    if kind == "json_schema":
        return dict(type_to_response_format_param(schema))  # the strict schema, as OpenAI expects it
    if kind == "json_object":
        return {"type": "json_object"}
    return {"type": "text"}


def add_schema_instruction(messages: list[dict[str, Any]], schema: type[BaseModel]) -> list[dict[str, Any]]:
    """Return the messages with the JSON schema spelled out in the system message (for json_object mode)."""
    instruction = (
        "Answer with a single JSON object and nothing else. It must match this JSON schema:\n"
        + json.dumps(schema.model_json_schema(), ensure_ascii=False)
    )
    if messages and messages[0].get("role") == "system" and isinstance(messages[0].get("content"), str):
        first = {**messages[0], "content": f"{messages[0]['content']}\n\n{instruction}"}
        return [first, *messages[1:]]
    return [{"role": "system", "content": instruction}, *messages]


def parse_reply(text: str, schema: type[T]) -> T:
    """Validate reply text as the schema, tolerating a Markdown code fence around the JSON."""
    match = _FENCE.match(text)
    return schema.model_validate_json(match.group(1) if match else text)


def describe_validation_error(error: ValidationError) -> str:
    """Summarise what was wrong with a reply, briefly enough to send back to the model."""
    lines = []
    for item in error.errors(include_url=False, include_input=False)[:_MAX_ERRORS_SHOWN]:
        where = ".".join(str(p) for p in item["loc"]) or "(whole reply)"
        lines.append(f"- {where}: {item['msg']}")
    return "\n".join(lines)


def build_repair_messages(
    sent: list[dict[str, Any]], bad_reply: str, error: ValidationError
) -> list[dict[str, Any]]:
    """Return the conversation plus the bad reply and a request to correct it."""
    request = (
        "Your reply could not be used because it is not valid JSON for the required schema:\n"
        f"{describe_validation_error(error)}\n"
        "Reply again with only the corrected JSON object, and nothing else."
    )
    return [*sent, {"role": "assistant", "content": bad_reply}, {"role": "user", "content": request}]
