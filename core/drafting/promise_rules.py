"""Load the promise phrases (knowledge/promises.yaml): strong cues, weak cues and hedges, validated and compiled."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from core.data_files import line_of

PROMISES_FILE = Path(__file__).resolve().parent / "knowledge" / "promises.yaml"


class PromiseRuleError(ValueError):
    """A promise rule file that cannot be used, with the file and line of the problem."""


class Cue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pattern: str
    why: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from exc
        return value


class PromiseRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    strong: tuple[Cue, ...]
    weak: tuple[Cue, ...]
    hedges: tuple[str, ...]

    @field_validator("hedges")
    @classmethod
    def _hedges_compile(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for hedge in value:
            re.compile(hedge)
        return value


def load_promise_rules(path: Path = PROMISES_FILE) -> PromiseRules:
    """Parse and validate a promise rule file; raise PromiseRuleError naming the file, line and entry."""
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PromiseRuleError(f"{path}{f', line {mark.line + 1}' if mark else ''}: not valid YAML") from exc
    try:
        return PromiseRules(**(data or {}))
    except ValidationError as exc:
        raise PromiseRuleError("; ".join(
            f"{path}, line {line_of(root, tuple(e['loc']))}, {'.'.join(map(str, e['loc']))}: {e['msg']}"
            for e in exc.errors()
        )) from exc


def _edge(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w])", re.IGNORECASE)


@cache
def compiled_rules() -> tuple[list[tuple[re.Pattern[str], str]], list[tuple[re.Pattern[str], str]], re.Pattern[str]]:
    """(strong cues, weak cues, one hedge pattern), compiled once."""
    rules = load_promise_rules()
    hedge = _edge("|".join(f"(?:{h})" for h in rules.hedges))
    return [(_edge(c.pattern), c.why) for c in rules.strong], [(_edge(c.pattern), c.why) for c in rules.weak], hedge
