"""The last check before a prompt leaves: the family's details in any spelling refuse the send; the facts a model
may see are the de-identified ones."""

from __future__ import annotations

from collections.abc import Sequence

from core.domain.case_facts import CaseFacts
from core.llm.privacy import personal_data_kinds
from core.privacy.deidentify import deidentify_case_facts, deidentify_text
from core.privacy.known import KnownIdentifiers, as_known


class PersonalDataInPrompt(ValueError):
    """A rendered prompt contains the family's personal data and must not be sent."""


PersonalData = KnownIdentifiers | Sequence[str]


def guard_messages(messages: list[dict[str, str]], personal_data: PersonalData) -> None:
    """Refuse to send messages that contain any of the family's personal details, in any spelling (the same
    check as the LLM client's, which sees the same messages)."""
    known = as_known(personal_data)
    for message in messages:
        kinds = personal_data_kinds([message], known)
        if kinds:
            # Name the kind of detail only: the error may be logged.
            raise PersonalDataInPrompt(f"the {message['role']} message contains the family's {kinds[0]}")


def deidentified_facts(facts: CaseFacts, personal_data: PersonalData) -> CaseFacts:
    """The case facts as a model may see them: known identifiers and every other identifier replaced."""
    return deidentify_case_facts(facts, as_known(personal_data))[0]


def deidentified_text(text: str | None, personal_data: PersonalData) -> str:
    """Free text a person typed that goes into a prompt (a reviewer's feedback, a verdict's explanation), as a
    model may see it: the same de-identification as the case narrative, known identifiers included."""
    return deidentify_text(text or "", as_known(personal_data)).text
