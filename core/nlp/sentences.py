"""Split text into sentences, the same way for case notes, trial records, drafts and reviewers' edits."""

from __future__ import annotations

import re

# Words whose full stop does not end a sentence ("Dr. Smith", "e.g. fever", "approx. 3 cm").
ABBREVIATIONS = frozenset(
    [
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "vs",
        "e.g",
        "i.e",
        "etc",
        "approx",
        "no",
        "inc",
        "ltd",
        "fig",
        "dept",
        "pt",
        "yr",
        "yrs",
        "mo",
        "wk",
    ]
)
NUMBERED_LINE = re.compile(r"^\s*(\d+)[.)]\s+(.*\S)\s*$")
# A sentence ends at . ! or ? (and any closing quote or bracket) before whitespace and an upper-case letter,
# a digit, or an opening quote or bracket (a quoted glossary term may start lower-case); a blank line or a
# new bullet also ends one.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]\w|[A-Z0-9])")
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*[-*\u2022])")
_CLAUSE_END = re.compile(r"(?<=;)\s+")


def split_sentences(text: str) -> list[str]:
    """The sentences of a text as written (only stripped at the ends), without empty ones; a note whose every
    line is numbered ('0. ...', '1. ...') keeps one sentence per numbered line."""
    if not text or not text.strip():
        return []
    lines = [line for line in text.splitlines() if line.strip()]
    numbered = [NUMBERED_LINE.match(line) for line in lines]
    if all(numbered):
        return [m.group(2) for m in numbered if m]
    sentences: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        start = 0
        for match in _SENTENCE_END.finditer(paragraph):
            before = paragraph[start : match.start()].rstrip("\"')]\u201d\u2019")
            last = before.rsplit(None, 1)[-1].rstrip(".").lower() if before.strip() else ""
            if last in ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
                continue  # "Dr. Smith", "e.g. fever", "J. Smith"
            if paragraph[start : match.start()].strip():
                sentences.append(paragraph[start : match.start()].strip())
            start = match.end()
        tail = paragraph[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences


def split_clauses(text: str) -> list[str]:
    """Sentences further split after semicolons: the units a search query weighs separately."""
    return [c for s in split_sentences(text) for c in _CLAUSE_END.split(s) if c.strip()]


def numbered_lines(text: str) -> list[int] | None:
    """The numbers of a note whose every line is numbered ('0. ...'), or None when it is not numbered."""
    lines = [line for line in text.splitlines() if line.strip()]
    matches = [NUMBERED_LINE.match(line) for line in lines]
    if not lines or not all(matches):
        return None
    return [int(m.group(1)) for m in matches if m]


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace so edited and original sentences compare equal."""
    return " ".join(text.split())
