"""A reviewer's override of a failing blocking check: a reason category from a fixed list and a written sentence."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, field_validator

OverrideCategory = Literal["false_alarm", "verified_in_source", "accepted_wording", "other"]

OVERRIDE_CATEGORIES: dict[str, str] = {
    "false_alarm": "The check is wrong here (false alarm)",
    "verified_in_source": "I checked the statement against the source record",
    "accepted_wording": "The wording is clinically accepted and right for this family",
    "other": "Another reason (explained in the sentence)",
}

MIN_REASON_WORDS = 4
MIN_REASON_CHARS = 20


class CheckOverride(BaseModel):
    """Why the reviewer approves although blocking checks fail; it applies to every failing blocking check."""

    category: OverrideCategory
    reason: str

    @field_validator("reason")
    @classmethod
    def _a_real_sentence(cls, value: str) -> str:
        value = " ".join(value.split())
        if len(re.findall(r"[A-Za-z]{2,}", value)) < MIN_REASON_WORDS or len(value) < MIN_REASON_CHARS:
            raise ValueError(
                f"write a sentence of at least {MIN_REASON_WORDS} words saying why the check does not apply"
            )
        return value
