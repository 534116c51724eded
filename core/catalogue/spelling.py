"""British and American spelling variants, read from a CSV data file with a loader that names file and line of an error."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, field_validator, model_validator

from core.data_files import load_csv_rows

SPELLING_FILE = Path(__file__).with_name("search_terms") / "spelling_variants.csv"
_COLUMNS = ("match", "british", "american", "note")
_LOWER_WORD = re.compile(r"[a-z]+")


class SpellingDataError(ValueError):
    """A spelling file that cannot be used, with the file, line and field that are wrong."""


class SpellingRule(BaseModel):
    """One variant: where it applies in a word, the British form and the American form it becomes."""

    match: Literal["word", "start", "substring", "suffix"]
    british: str
    american: str
    note: str = ""

    @field_validator("british", "american")
    @classmethod
    def _plain_lower_word(cls, value: str) -> str:
        value = value.strip()
        if not _LOWER_WORD.fullmatch(value):
            raise ValueError("use lower-case letters a-z only")
        return value

    @model_validator(mode="after")
    def _differs(self) -> SpellingRule:
        if self.british == self.american:
            raise ValueError("the British and American forms are the same")
        return self


class SpellingRules(BaseModel):
    """All rules, grouped the way they are applied: whole words, then word starts, then substrings, then the
    longest suffix."""

    words: dict[str, str]
    starts: list[tuple[str, str]] = []  # longest first
    substrings: list[tuple[str, str]]  # longest first, so "oesophag" wins over a shorter overlapping rule
    suffixes: list[tuple[str, str]]  # longest first

    def americanise(self, word: str) -> str:
        """The American spelling of one lower-case word (unchanged when no rule applies)."""
        if word in self.words:
            return self.words[word]
        for british, american in self.starts:
            if word.startswith(british):
                word = american + word[len(british) :]
                break
        for british, american in self.substrings:
            if british in word:
                word = word.replace(british, american)
        for british, american in self.suffixes:
            # a stem of three letters or more: "randomise", not "raise", "noise" or "crises"
            if word.endswith(british) and len(word) >= len(british) + 3:
                return word[: -len(british)] + american
        return word


def load_spelling_rules(path: Path = SPELLING_FILE) -> SpellingRules:
    """Read and validate the spelling CSV; raise SpellingDataError naming the file, line and field."""
    rules: list[SpellingRule] = []
    seen: dict[tuple[str, str], int] = {}
    for line, rule in load_csv_rows(path, SpellingRule, _COLUMNS, SpellingDataError):
        key = (rule.match, rule.british)
        if key in seen:
            raise SpellingDataError(f"{path}:{line}: british: {rule.match} rule '{rule.british}' repeats line {seen[key]}")
        seen[key] = line
        rules.append(rule)
    by_length = sorted(rules, key=lambda r: -len(r.british))
    return SpellingRules(
        words={r.british: r.american for r in rules if r.match == "word"},
        starts=[(r.british, r.american) for r in by_length if r.match == "start"],
        substrings=[(r.british, r.american) for r in by_length if r.match == "substring"],
        suffixes=[(r.british, r.american) for r in by_length if r.match == "suffix"],
    )


@lru_cache(maxsize=1)
def spelling_rules() -> SpellingRules:
    """The product's spelling rules, read once per process."""
    return load_spelling_rules()
