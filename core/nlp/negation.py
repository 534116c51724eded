"""One negation and context engine (NegEx/ConText style): what a sentence denies, plans, suspects or says of
someone else. Cues live in context_cues.yaml beside this module."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.data_files import RegexPattern, load_yaml

CUES_FILE = Path(__file__).resolve().parent / "context_cues.yaml"
Category = Literal["negated", "hypothetical", "possible", "family", "historical"]


Pattern = Annotated[RegexPattern, Field(min_length=1)]


class _Cues(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    forward: list[Pattern] = Field(default_factory=list)
    backward: list[Pattern] = Field(default_factory=list)


class CueFile(BaseModel):
    """context_cues.yaml: cue patterns by category and direction, scope terminators, pseudo-cues."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    terminators: list[Pattern]  # end a negation's scope
    clause_terminators: list[Pattern] = Field(default_factory=list)  # end the other categories' scopes
    backward_words: int = Field(default=4, ge=1)
    strip_words: int = Field(default=8, ge=1)
    pseudo: list[Pattern] = Field(default_factory=list)
    self_negated: list[Pattern] = Field(default_factory=list)
    cues: dict[Category, _Cues]


@dataclass(frozen=True)
class Scope:
    """A stretch of a sentence that a cue governs."""

    category: str
    start: int
    end: int
    cue_start: int


def _words(patterns: list[str]) -> re.Pattern[str]:
    # longest alternatives first, so "no history of" wins over "no"
    ordered = sorted(patterns, key=len, reverse=True)
    return re.compile(rf"(?<![\w-])(?:{'|'.join(ordered)})(?![\w-])", re.IGNORECASE)


def _terminator(patterns: list[str]) -> re.Pattern[str]:
    return re.compile(
        "|".join(p if p.startswith("[") else rf"(?<![\w-])(?:{p})(?![\w-])" for p in patterns), re.IGNORECASE
    )


class _Engine:
    def __init__(self, cues: CueFile) -> None:
        self.terminator = _terminator(cues.terminators)
        self.clause_end = _terminator(cues.clause_terminators or cues.terminators)
        self.pseudo = _words(cues.pseudo) if cues.pseudo else None
        self.self_negated = _words(cues.self_negated) if cues.self_negated else None
        self.forward = {c: _words(v.forward) for c, v in cues.cues.items() if v.forward}
        self.backward = {c: _words(v.backward) for c, v in cues.cues.items() if v.backward}
        self.clause_start = re.compile(r"[.;:()]|\b(?:but|however|although|though|whereas|and)\b", re.IGNORECASE)
        self.backward_words = cues.backward_words
        self.strip_words = cues.strip_words


@lru_cache(maxsize=1)
def _engine() -> _Engine:
    return _Engine(load_yaml(CUES_FILE, CueFile).value)


@lru_cache(maxsize=8192)
def context_scopes(sentence: str) -> tuple[Scope, ...]:
    """Every cue's scope in a sentence (cached: notes are read once per criterion)."""
    engine = _engine()
    blocked = [(m.start(), m.end()) for m in engine.pseudo.finditer(sentence)] if engine.pseudo else []
    scopes: list[Scope] = []
    for category, pattern in engine.forward.items():
        for m in pattern.finditer(sentence):
            if any(a <= m.start() < b for a, b in blocked):
                continue
            ends = engine.terminator if category == "negated" else engine.clause_end
            stop = ends.search(sentence, m.end())
            end = stop.start() if stop else len(sentence)
            if end > m.end():
                scopes.append(Scope(category, m.end(), end, m.start()))
    for category, pattern in engine.backward.items():
        for m in pattern.finditer(sentence):
            starts = [c.end() for c in engine.clause_start.finditer(sentence, 0, m.start())]
            start = starts[-1] if starts else 0
            words = list(re.finditer(r"\S+", sentence[start : m.start()]))
            if len(words) > engine.backward_words:
                start += words[-engine.backward_words].start()
            if start < m.start():
                scopes.append(Scope(category, start, m.start(), m.start()))
    return tuple(sorted(scopes, key=lambda s: (s.start, s.end, s.category)))


def spans(sentence: str, category: Category = "negated") -> list[tuple[int, int]]:
    """Character spans of a sentence governed by cues of one category."""
    return [(s.start, s.end) for s in context_scopes(sentence) if s.category == category]


def negated_spans(sentence: str) -> list[tuple[int, int]]:
    """Character spans of a sentence that a negation covers ('denies X, Y or Z')."""
    return spans(sentence, "negated")


def is_in(sentence: str, position: int, category: Category = "negated") -> bool:
    """True when `position` lies in the scope of a cue of `category`, or in a forward cue itself ("No
    history of" in "No history of seizures")."""
    return any(
        min(s.cue_start, s.start) <= position < s.end for s in context_scopes(sentence) if s.category == category
    )


def is_negated_at(sentence: str, position: int) -> bool:
    """True when `position` lies inside a negation's scope."""
    return is_in(sentence, position, "negated")


def strip_negated(text: str, *, max_words: int | None = None) -> str:
    """The text without what it denies ("denies smoking or diabetes") and self-negating words
    ("afebrile"); one negation cuts at most `max_words` words (default: strip_words in the cues file)."""
    max_words = max_words or _engine().strip_words
    cut: list[tuple[int, int]] = []
    for start, end in negated_spans(text):
        if max_words:
            words = list(re.finditer(r"\S+", text[start:end]))
            if len(words) > max_words:
                end = start + words[max_words - 1].end()
        cue = max((s.cue_start for s in context_scopes(text) if s.start == start and s.category == "negated"), default=start)
        cut.append((min(cue, start), end))
    engine = _engine()
    if engine.self_negated is not None:
        cut += [(m.start(), m.end()) for m in engine.self_negated.finditer(text)]
    out, pos = [], 0
    for start, end in sorted(cut):
        if end <= pos:
            continue
        out.append(text[pos : max(pos, start)])
        pos = max(pos, end)
    out.append(text[pos:])
    return re.sub(r"\s{2,}", " ", "".join(out)).strip()


__all__ = ["Scope", "context_scopes", "is_in", "is_negated_at", "negated_spans", "spans", "strip_negated"]
