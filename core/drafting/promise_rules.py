"""Load the promise phrases (knowledge/promises.yaml): strong cues, weak cues and hedges, validated and compiled."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

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


def load_promise_rules(path: Path = PROMISES_FILE) -> PromiseRules:
    """Parse and validate the rule file; a broken one raises DataFileError naming the file and the line."""
    return load_yaml(path, PromiseRules).value


def _edge(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w])", re.IGNORECASE)


@cache
def compiled_rules() -> tuple[list[tuple[re.Pattern[str], str]], list[tuple[re.Pattern[str], str]], re.Pattern[str]]:
    """(strong cues, weak cues, one hedge pattern), compiled once."""
    rules = load_promise_rules()
    hedge = _edge("|".join(f"(?:{h})" for h in rules.hedges))
    return [(_edge(c.pattern), c.why) for c in rules.strong], [(_edge(c.pattern), c.why) for c in rules.weak], hedge
