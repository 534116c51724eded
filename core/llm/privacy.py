"""Refuses to send messages that contain a case contact's personal details."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

# A run of digits with the separators people write phone numbers with.
_PHONE_RUN = re.compile(r"\+?\(?\d[\d\s().\-/]{5,}\d")
_MIN_PHONE_DIGITS = 7
# Numbers written with or without a country code or trunk zero agree on their last digits.
_PHONE_TAIL = 9


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


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


def _phones_match(wanted: str, run: str) -> bool:
    if len(run) < _MIN_PHONE_DIGITS:
        return False
    return wanted in run or run in wanted or wanted[-_PHONE_TAIL:] == run[-_PHONE_TAIL:]


def _contains(text: str, forbidden: str) -> bool:
    needle = _squash(forbidden)
    # Word edges stop short names ("Al", "Li") from matching inside ordinary words.
    if re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", _squash(text)):
        return True
    wanted = _digits(forbidden)
    if len(wanted) >= _MIN_PHONE_DIGITS and len(wanted) * 2 >= len(forbidden.replace(" ", "")):
        return any(_phones_match(wanted, _digits(run)) for run in _PHONE_RUN.findall(text))
    return False


def find_personal_data(messages: Iterable[dict[str, Any]], forbidden_strings: Sequence[str]) -> list[int]:
    """Return the positions (in `forbidden_strings`) of the values found anywhere in the messages."""
    texts = message_texts(messages)
    return [
        i
        for i, value in enumerate(forbidden_strings)
        if value and value.strip() and any(_contains(text, value) for text in texts)
    ]
