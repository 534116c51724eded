"""Split plain text into sentences the same way for drafts, checks and reviewer edits."""

from __future__ import annotations

import re

# Abbreviations whose full stop does not end a sentence in trial records and drafts.
_ABBREVIATIONS = (
    "Dr",
    "Mr",
    "Mrs",
    "Ms",
    "Prof",
    "St",
    "vs",
    "e.g",
    "i.e",
    "etc",
    "No",
    "approx",
    "Inc",
    "Ltd",
)
_ABBREV_RE = re.compile(r"\b(" + "|".join(re.escape(a) for a in _ABBREVIATIONS) + r")\.", re.IGNORECASE)
_PLACEHOLDER = "\u2024"  # one-dot leader: survives the split, restored afterwards
# A sentence ends at . ! or ? (optionally followed by a closing quote or bracket) and whitespace.
_BOUNDARY_RE = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+|\n{2,}|\n(?=\s*[-*\u2022])")


def split_sentences(text: str) -> list[str]:
    """Return the sentences of text, stripped, without empty ones."""
    if not text or not text.strip():
        return []
    protected = _ABBREV_RE.sub(lambda m: m.group(1) + _PLACEHOLDER, text)
    parts: list[str] = []
    last = 0
    for match in _BOUNDARY_RE.finditer(protected):
        parts.append(protected[last : match.end()])
        last = match.end()
    parts.append(protected[last:])
    return [p.replace(_PLACEHOLDER, ".").strip() for p in parts if p.strip()]


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace so edited and original sentences compare equal."""
    return " ".join(text.split())
