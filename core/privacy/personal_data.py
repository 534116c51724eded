"""Find personal data in text meant for a family (drafts): the contact's details in any spelling, identifiers
that appear in the case notes, and e-mails, phones, record numbers or street addresses the trial record lacks."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel

from core.privacy.deidentify import find_identifiers
from core.privacy.folding import fold
from core.privacy.known import KnownIdentifiers, as_known, find_known_identifiers, phone_national_numbers
from core.privacy.spans import KIND_WORDS, merge_spans

# Generic identifiers worth flagging in a draft when the trial record does not contain them: a person the
# record does not name is someone from the family's world.
_GENERIC_KINDS = ("EMAIL", "PHONE", "ID", "ADDRESS", "NAME")


class PersonalDataHit(BaseModel):
    """One personal detail found in a text."""

    item: str  # what kind of detail it is, e.g. "phone number"
    token: str  # what the text actually contains
    start: int
    end: int
    why: str  # a phrase that completes "... must not appear in a report", e.g. "The family's phone number"


def _in_public_text(value: str, kind: str, public_folded: str, public_phones: set[str]) -> bool:
    if kind == "PHONE":
        return bool(phone_national_numbers(value) & public_phones)
    needle = re.sub(r"\s+", " ", fold(value)).strip()
    return bool(needle) and needle in public_folded


def _note_identifiers(note: str, known: KnownIdentifiers) -> list[str]:
    """The identifiers of a case note other than the family's own details: those are looked for in a draft
    as names and addresses, and a street such as "Test" must not make the note's "blood test" one."""
    own = merge_spans(find_known_identifiers(note, known))
    return [note[s.start : s.end] for s in find_identifiers(note, known)
            if not any(k.start <= s.start and s.end <= k.end for k in own)]


class PersonalDataScanner:
    """Finds personal details in the sentences of one draft: what every sentence is compared with (the family's
    details, the identifiers of the case notes, the trial record's own phones and e-mails) is prepared once."""

    def __init__(self, personal_data: KnownIdentifiers | Sequence[str], *, narrative_texts: Sequence[str] = (),
                 public_text: str = "") -> None:
        self.known = as_known(personal_data)
        self.from_notes = KnownIdentifiers(private_phrases=sorted({
            phrase for n in narrative_texts for phrase in _note_identifiers(n, self.known) if len(phrase) >= 3
        }))
        self.public_folded = re.sub(r"\s+", " ", fold(public_text))
        self.public_phones = {
            n for m in re.finditer(r"\+?[\d][\d\s().\-/]{6,}\d", public_text) for n in phone_national_numbers(m.group(0))
        }

    def find(self, text: str) -> list[PersonalDataHit]:
        """The personal details in `text`, each once, in text order."""
        hits: list[PersonalDataHit] = []
        # A family's street or surname may be an ordinary word ("1 Test Street", "Zoe Test"): in a report
        # it counts written as a name or with its number or suffix, not in "the test shows".
        for span in merge_spans(find_known_identifiers(text, self.known, proper_names_only=True)):
            word = KIND_WORDS.get(span.type, "personal details")
            hits.append(PersonalDataHit(item=word, token=text[span.start : span.end], start=span.start, end=span.end,
                                        why=f"The family's {word}"))
        for span in merge_spans(find_known_identifiers(text, self.from_notes)):
            if _in_public_text(text[span.start : span.end], "NAME", self.public_folded, self.public_phones):
                continue  # named in the notes, but also in the record: an investigator or a hospital is public
            hits.append(PersonalDataHit(item="identifier from the case notes", token=text[span.start : span.end],
                                        start=span.start, end=span.end, why="An identifier from the case notes"))
        for span in find_identifiers(text):
            value = text[span.start : span.end]
            if span.type in _GENERIC_KINDS and not _in_public_text(value, span.type, self.public_folded, self.public_phones):
                word = KIND_WORDS[span.type]
                hits.append(PersonalDataHit(item=word, token=value, start=span.start, end=span.end,
                                            why=f"A {word} that is not in the trial record"))
        hits.sort(key=lambda h: (h.start, -h.end))
        unique: list[PersonalDataHit] = []
        for hit in hits:
            if not unique or hit.start >= unique[-1].end:
                unique.append(hit)
        return unique


def find_personal_data(
    text: str,
    personal_data: KnownIdentifiers | Sequence[str],
    *,
    narrative_texts: Sequence[str] = (),
    public_text: str = "",
) -> list[PersonalDataHit]:
    """Return the personal details in text, each once, in text order.

    personal_data: the contact's details (and private phrases); narrative_texts: the case's own free text,
    whose identifiers must not be repeated; public_text: the trial record, whose study-team phones and
    e-mails may be quoted (numbers are compared whole, so a shared tail of digits is no match).
    """
    return PersonalDataScanner(personal_data, narrative_texts=narrative_texts, public_text=public_text).find(text)
