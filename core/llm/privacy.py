"""Refuses to send messages that contain a case contact's personal details, in any spelling."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from core.privacy.known import classify_values, find_known_identifiers


def message_texts(messages: Iterable[dict[str, Any]]) -> list[str]:
    """Return every piece of text in chat messages (string contents and text parts)."""
    texts: list[str] = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            texts.extend(
                part["text"]
                for part in content
                if isinstance(part, dict) and isinstance(part.get("text"), str)
            )
        if isinstance(message.get("name"), str):
            texts.append(message["name"])
    return texts


def find_personal_data(messages: Iterable[dict[str, Any]], forbidden_strings: Sequence[str]) -> list[int]:
    """Return the positions (in `forbidden_strings`) of the values found anywhere in the messages.

    Names match whole (any order, case or accents); e-mails also spelled out; phones as whole numbers
    however written; addresses by their street line or postcode. The de-identifier has already replaced
    surnames alone in the case text; this is the last check before the wire.
    """
    texts = message_texts(messages)
    found = []
    for i, value in enumerate(forbidden_strings):
        if not value or not value.strip():
            continue
        known = classify_values([value])
        if any(find_known_identifiers(text, known, name_parts=False) for text in texts):
            found.append(i)
    return found
