"""Reads enum values from the official API v2 OpenAPI spec in the shared data, for the demo tests."""

from __future__ import annotations

import re
from functools import cache

import pytest

from tests.support.paths import SHARED_DATA

SPEC = SHARED_DATA / "ctgov" / "api-v2" / "ctg-oas-v2.yaml"


@cache
def spec_enum(name: str) -> frozenset[str]:
    """Return one enum of the spec (plain text scan; the spec's layout is regular), skipping if it is absent."""
    if not SPEC.exists():
        pytest.skip(f"API v2 spec not found at {SPEC}")
    text = SPEC.read_text(encoding="utf-8")
    match = re.search(rf"\n    {name}:\n      type: \"string\"\n      enum:\n((?:      - .*\n)+)", text)
    assert match, f"enum {name} not found in {SPEC}"
    return frozenset(re.findall(r'- "([^"]+)"', match.group(1)))
