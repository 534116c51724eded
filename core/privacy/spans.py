"""Identifier spans: their types and placeholders, merging overlaps, and writing the placeholders into text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel

IdentifierType = Literal["NAME", "DATE", "ADDRESS", "ID", "EMAIL", "PHONE", "URL", "PRIVATE"]
# When spans of two types overlap, the merged span takes the type earlier in this order.
TYPE_PRIORITY: tuple[IdentifierType, ...] = ("PRIVATE", "EMAIL", "URL", "ID", "DATE", "PHONE", "ADDRESS", "NAME")
# How each type is named to a person ("the family's phone number").
KIND_WORDS: dict[IdentifierType, str] = {
    "NAME": "name", "EMAIL": "e-mail address", "PHONE": "phone number", "ADDRESS": "address",
    "ID": "record or insurance number", "DATE": "date", "URL": "web address", "PRIVATE": "details marked private",
}


class IdentifierSpan(BaseModel):
    """One identifier in a text: where it is (character offsets), its type and the rule that found it."""

    start: int
    end: int
    type: IdentifierType
    rule: str = ""


class Deidentified(BaseModel):
    """A text with its identifiers replaced by typed placeholders; spans are offsets into the ORIGINAL text."""

    text: str
    spans: list[IdentifierSpan]


def placeholder(kind: IdentifierType) -> str:
    """The text that stands in for an identifier of this type, e.g. "[NAME]"."""
    return f"[{kind}]"


def merge_spans(spans: Iterable[IdentifierSpan]) -> list[IdentifierSpan]:
    """Union overlapping or touching spans; the merged span keeps the highest-priority type among its parts."""
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    merged: list[IdentifierSpan] = []
    for span in ordered:
        if span.end <= span.start:
            continue
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            kind = min((last.type, span.type), key=TYPE_PRIORITY.index)
            rules = last.rule if span.rule in last.rule.split("+") else f"{last.rule}+{span.rule}"
            merged[-1] = IdentifierSpan(start=last.start, end=max(last.end, span.end), type=kind, rule=rules)
        else:
            merged.append(span)
    return merged


def apply_placeholders(text: str, spans: Iterable[IdentifierSpan]) -> str:
    """Return text with each (merged) span replaced by its placeholder."""
    out: list[str] = []
    last = 0
    for span in merge_spans(spans):
        out.append(text[last : span.start])
        out.append(placeholder(span.type))
        last = span.end
    out.append(text[last:])
    return "".join(out)
