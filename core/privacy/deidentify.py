"""De-identify text before it leaves the machine: find every identifier (known ones in any spelling, presidio's
recognisers, our own patterns) and replace each with a typed placeholder such as [NAME] or [DATE]."""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.domain.case_facts import CaseFacts
from core.nlp.sentences import split_sentences
from core.privacy.known import KnownIdentifiers, as_known, find_known_identifiers
from core.privacy.presidio_recognisers import find_presidio_identifiers
from core.privacy.recognisers import find_pattern_identifiers, propagate_names
from core.privacy.spans import Deidentified, IdentifierSpan, apply_placeholders, merge_spans, placeholder

# Free-text fields of the case facts that may carry identifiers typed by a family or an intake worker.
TEXT_FIELDS = ("diagnosis", "disease_status", "performance_status", "summary", "location_label")
LIST_FIELDS = ("prior_therapies", "biomarkers", "negations", "conditions")
# Placeholders already in a text (de-identified twice) are left alone.
_PLACEHOLDER = re.compile(r"\[(?:NAME|DATE|ADDRESS|ID|EMAIL|PHONE|URL|PRIVATE)\]")


def find_identifiers(text: str, known: KnownIdentifiers | Sequence[str] | None = None) -> list[IdentifierSpan]:
    """Every identifier in text, merged into non-overlapping spans in text order."""
    if not text or not text.strip():
        return []
    spans = find_known_identifiers(text, as_known(known))
    spans += find_presidio_identifiers(text)
    spans += find_pattern_identifiers(text)
    spans += propagate_names(text, spans)
    placeholders = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
    spans = [s for s in spans if not any(a <= s.start and s.end <= b for a, b in placeholders)]
    return merge_spans(spans)


def deidentify_text(text: str, known: KnownIdentifiers | Sequence[str] | None = None) -> Deidentified:
    """Return text with every identifier replaced by its typed placeholder, and the spans replaced."""
    spans = find_identifiers(text or "", known)
    return Deidentified(text=apply_placeholders(text or "", spans), spans=spans)


def deidentify_sentences(text: str | None, known: KnownIdentifiers | Sequence[str] | None = None) -> list[str]:
    """The sentences of text as written (split_sentences of the ORIGINAL, so sentence numbers mean the same
    sentence in the prompt, in the verdicts and on the page), each with its identifiers replaced.

    Identifiers are found in the whole text (a name met once is found again later). One that runs over a
    sentence end ("14. 03. 2012.") is replaced in the sentence where it starts and cut from the next.
    """
    text = text or ""
    spans = find_identifiers(text, known)
    out: list[str] = []
    pos = 0
    for sentence in split_sentences(text):
        start = text.find(sentence, pos)
        if start < 0:  # split_sentences only strips, so this does not happen; never leak if it does
            out.append(deidentify_text(sentence, known).text)
            continue
        end = pos = start + len(sentence)
        pieces: list[str] = []
        at = start
        inside = None  # the type of an identifier that began in an earlier sentence
        for span in spans:
            if span.end <= start or span.start >= end:
                continue
            if span.start >= start:
                pieces += [text[at : span.start], placeholder(span.type)]
            else:
                inside = span.type
            at = max(at, min(span.end, end))
        pieces.append(text[at:end])
        written = "".join(pieces).strip()
        # A sentence that was all identifier still says so, rather than a blank numbered line.
        out.append(written if re.search(r"\w", written) or inside is None else placeholder(inside))
    return out


def deidentify_case_facts(
    facts: CaseFacts, known: KnownIdentifiers | Sequence[str] | None = None
) -> tuple[CaseFacts, dict[str, Deidentified]]:
    """Return the case facts with every free-text field de-identified, and what was replaced per field.

    Coordinates are dropped: a model has no use for them. Field keys of list items read "biomarkers[2]".
    """
    known = as_known(known)
    changes: dict[str, object] = {"latitude": None, "longitude": None}
    report: dict[str, Deidentified] = {}
    for field in TEXT_FIELDS:
        value = getattr(facts, field)
        if value:
            result = deidentify_text(value, known)
            report[field] = result
            changes[field] = result.text
    for field in LIST_FIELDS:
        items = []
        for i, value in enumerate(getattr(facts, field)):
            result = deidentify_text(value, known)
            report[f"{field}[{i}]"] = result
            items.append(result.text)
        changes[field] = items
    return facts.model_copy(update=changes), report
