"""Checks JSON against the official API v2 OpenAPI spec in the shared data (enums, keys, types, patterns)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest
import yaml

from tests.support.paths import SHARED_DATA

SPEC = SHARED_DATA / "ctgov" / "api-v2" / "ctg-oas-v2.yaml"
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@cache
def _schemas() -> dict[str, Any]:
    if not SPEC.exists():
        pytest.skip(f"API v2 spec not found at {SPEC}")
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))["components"]["schemas"]


def spec_enum(name: str) -> frozenset[str]:
    """Return the values of one enum schema of the spec."""
    return frozenset(_schemas()[name]["enum"])


def spec_errors(value: Any, schema_name: str = "Study") -> list[str]:
    """List every place where value breaks the spec: unknown key, wrong type, enum, pattern or date format."""
    errors: list[str] = []
    _check(value, {"$ref": f"#/components/schemas/{schema_name}"}, schema_name, errors)
    return errors


def _check(value: Any, schema: dict[str, Any], where: str, errors: list[str]) -> None:
    name = None
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = _schemas()[name]
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, dict):
            errors.append(f"{where}: expected object")
            return
        properties = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{where}: missing required {key}")
        for key, item in value.items():
            if key not in properties:
                errors.append(f"{where}: unknown key {key!r}")
            else:
                _check(item, properties[key], f"{where}.{key}", errors)
    elif kind == "array":
        if not isinstance(value, list):
            errors.append(f"{where}: expected array")
            return
        for index, item in enumerate(value):
            _check(item, schema.get("items", {}), f"{where}[{index}]", errors)
    elif kind == "string":
        if not isinstance(value, str):
            errors.append(f"{where}: expected string, got {value!r}")
        elif "enum" in schema and value not in schema["enum"]:
            errors.append(f"{where}: {value!r} not in {name or 'enum'}")
        elif "pattern" in schema and not re.match(schema["pattern"], value):
            errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
        elif name == "PartialDate" and not PARTIAL_DATE.match(value):
            errors.append(f"{where}: {value!r} is not a partial date")
        elif schema.get("format") == "date" and not FULL_DATE.match(value):
            errors.append(f"{where}: {value!r} is not a yyyy-MM-dd date")
    elif kind == "boolean" and not isinstance(value, bool):
        errors.append(f"{where}: expected boolean")
    elif kind == "integer" and (not isinstance(value, int) or isinstance(value, bool)):
        errors.append(f"{where}: expected integer")
    elif kind == "number" and (not isinstance(value, int | float) or isinstance(value, bool)):
        errors.append(f"{where}: expected number")
