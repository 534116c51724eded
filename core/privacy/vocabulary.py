"""Load and validate the de-identifier's word lists (vocabulary.yaml), naming the file and line of a bad entry."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from core.data_files import line_of

VOCABULARY_FILE = Path(__file__).resolve().parent / "vocabulary.yaml"


class VocabularyError(ValueError):
    """A word list that cannot be used, with the file and line of the problem."""


class Vocabulary(BaseModel):
    """The word lists the recognisers read; every list holds non-empty, single-line strings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    honorifics: tuple[str, ...]
    relations: tuple[str, ...]
    name_introducers: tuple[str, ...]
    facility_words: tuple[str, ...]
    name_particles: tuple[str, ...]
    not_first_names: tuple[str, ...]
    common_words: tuple[str, ...]
    street_suffixes: tuple[str, ...]
    street_prefixes: tuple[str, ...]
    street_word_endings: tuple[str, ...]
    unit_words: tuple[str, ...]
    id_labels: tuple[str, ...]
    birth_words: tuple[str, ...]
    event_date_words: tuple[str, ...]
    months: tuple[str, ...]
    email_tlds: tuple[str, ...]
    keep_words: tuple[str, ...]
    place_first_names: tuple[str, ...]
    person_cues: tuple[str, ...]  # regular expressions read right after a place-first-name

    @field_validator("*", mode="before")
    @classmethod
    def _words(cls, value: Any) -> Any:
        if not isinstance(value, list) or not value:
            raise ValueError("must be a non-empty list of words")
        for i, word in enumerate(value):
            if not isinstance(word, str) or not word.strip() or "\n" in word:
                raise ValueError(f"entry {i + 1} must be a non-empty one-line string, got {word!r}")
        return tuple(w.strip() for w in value)

    @field_validator("person_cues")
    @classmethod
    def _patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for i, pattern in enumerate(value):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"entry {i + 1} is not a valid regular expression: {exc}") from exc
        return value


def _entry_index(message: str) -> int | None:
    if message.startswith("Value error, entry "):
        return int(message.split()[3]) - 1
    return None


def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """Parse and validate a vocabulary file; raise VocabularyError naming the file, line and list on bad input."""
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise VocabularyError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    if not isinstance(data, dict):
        raise VocabularyError(f"{path}, line 1: expected a mapping of list names to word lists")
    try:
        return Vocabulary(**data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            entry = _entry_index(error["msg"])
            line = line_of(root, loc + ((entry,) if entry is not None else ()))
            field = ".".join(str(p) for p in loc) or "(top level)"
            problems.append(f"{path}, line {line}, list {field}: {error['msg']}")
        raise VocabularyError("; ".join(problems)) from exc


@cache
def vocabulary() -> Vocabulary:
    """The shipped vocabulary, loaded once."""
    return load_vocabulary()
