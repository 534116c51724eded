"""Find the family's personal details (name, e-mail, phone, address) in any text: drafts or outgoing prompts."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel

_PHONE_RUN = re.compile(r"\+?\d[\d\s().\-/]{5,}\d")
PHONE_DIGITS_COMPARED = 7  # the last seven digits identify a number however it is written


class PersonalDataHit(BaseModel):
    """One personal detail found in a text."""

    item: str  # the personal-data entry it matches
    token: str  # what the text actually contains
    start: int
    end: int
    why: str


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _is_phone(item: str) -> bool:
    digits = _digits(item)
    return len(digits) >= PHONE_DIGITS_COMPARED and len(digits) >= 0.6 * len(re.sub(r"\s", "", item))


def _loose_pattern(item: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in item.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def find_personal_data(text: str, personal_data: Sequence[str]) -> list[PersonalDataHit]:
    """Return every occurrence in text of the given personal details.

    Matching is case-insensitive; phones are compared by their digits; a name also matches by any
    capitalised part of three letters or more (a surname alone identifies). Address parts are not
    matched alone, since a city in an address may rightly appear as a study site.
    """
    hits: list[PersonalDataHit] = []
    phone_runs = [(m, _digits(m.group(0))) for m in _PHONE_RUN.finditer(text)]
    for raw in personal_data:
        item = (raw or "").strip()
        if not item:
            continue
        if _is_phone(item):
            tail = _digits(item)[-PHONE_DIGITS_COMPARED:]
            for match, digits in phone_runs:
                if tail in digits:
                    hits.append(
                        PersonalDataHit(
                            item=item,
                            token=match.group(0),
                            start=match.start(),
                            end=match.end(),
                            why="a phone number",
                        )
                    )
            continue
        whole = list(_loose_pattern(item).finditer(text))
        for match in whole:
            hits.append(
                PersonalDataHit(
                    item=item,
                    token=match.group(0),
                    start=match.start(),
                    end=match.end(),
                    why="personal details",
                )
            )
        if whole or "@" in item or any(c.isdigit() for c in item):
            continue
        for part in re.split(r"[\s,]+", item):
            # Capitals required so a name like "May" does not match the verb "may".
            if len(part) < 3 or not part[0].isupper():
                continue
            for match in re.finditer(rf"(?<!\w){re.escape(part)}(?!\w)", text):
                hits.append(
                    PersonalDataHit(
                        item=item, token=part, start=match.start(), end=match.end(), why="part of a name"
                    )
                )
    hits.sort(key=lambda h: h.start)
    return hits
