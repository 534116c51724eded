"""Load the promise phrases (knowledge/promises.yaml): strong cues, weak cues, hedges and negations, validated and compiled."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from core.data_files import RegexPattern, load_yaml

PROMISES_FILE = Path(__file__).resolve().parent / "knowledge" / "promises.yaml"


class Cue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pattern: RegexPattern
    why: str


class PromiseRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    strong: tuple[Cue, ...]
    weak: tuple[Cue, ...]
    hedges: tuple[RegexPattern, ...]
    # Negation words: they hedge a weak cue only when they govern it (see promises.yaml).
    negations: tuple[RegexPattern, ...] = ()


def load_promise_rules(path: Path = PROMISES_FILE) -> PromiseRules:
    """Parse and validate the rule file; a broken one raises DataFileError naming the file and the line."""
    return load_yaml(path, PromiseRules).value


def _edge(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w])", re.IGNORECASE)


class CompiledRules(NamedTuple):
    """The rule file compiled: cue patterns with their reasons, one hedge and one negation pattern."""

    strong: list[tuple[re.Pattern[str], str]]
    weak: list[tuple[re.Pattern[str], str]]
    hedge: re.Pattern[str]
    negation: re.Pattern[str]


def _either(patterns: tuple[str, ...]) -> re.Pattern[str]:
    # An empty list matches nothing (a (?!) alternative), not everything.
    return _edge("|".join(f"(?:{p})" for p in patterns) or "(?!)")


@cache
def compiled_rules() -> CompiledRules:
    """The promise rules compiled once."""
    rules = load_promise_rules()
    return CompiledRules(
        strong=[(_edge(c.pattern), c.why) for c in rules.strong],
        weak=[(_edge(c.pattern), c.why) for c in rules.weak],
        hedge=_either(rules.hedges),
        negation=_either(rules.negations),
    )
