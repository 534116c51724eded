"""The last check before the wire: which kinds of the family's personal details a chat request contains."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from core.privacy.known import KnownIdentifiers, as_known, find_leaks
from core.privacy.spans import KIND_WORDS, TYPE_PRIORITY


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


def personal_data_kinds(
    messages: Iterable[dict[str, Any]], personal_data: KnownIdentifiers | Sequence[str]
) -> list[str]:
    """The kinds ("name", "phone number"...) of the family's details found anywhere in the messages, most
    sensitive first; empty when the request may go.

    Names match whole and written as a name (any order, case of the letters after the first, accents); e-mails
    also spelled out; phones as whole numbers however written; addresses by their street line or postcode.
    Trial text that shares a word with the name ("we hope", "Dr. Wei Lee") is no leak.
    """
    known = as_known(personal_data)
    found = {span.type for text in message_texts(messages) for span in find_leaks(text, known)}
    return [KIND_WORDS[t] for t in TYPE_PRIORITY if t in found]
