"""Load hand-written YAML data files into pydantic models, naming the file and line of every error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def valid_regex(pattern: str) -> str:
    """A field validator: the pattern compiles, else a message that names it."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression {pattern!r}: {exc}") from exc
    return pattern


def valid_regexes(patterns: tuple[str, ...]) -> tuple[str, ...]:
    """A field validator: every pattern compiles."""
    return tuple(valid_regex(p) for p in patterns)


class DataFileError(ValueError):
    """A data file that cannot be read or does not validate; the message names file, line and field."""


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the value at loc inside node (the deepest part of loc that exists)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def load_yaml_list(path: Path, key: str, model: type[M]) -> list[M]:
    """Read the list under `key` in a YAML file and validate each item as `model`.

    Raises DataFileError naming the file, the line, the item and the field of the first problem.
    """
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except OSError as exc:
        raise DataFileError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}" if mark else "somewhere"
        raise DataFileError(f"{path}, {where}: not valid YAML: {exc.problem}") from exc
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise DataFileError(f"{path}, line 1: expected a mapping with a list under “{key}”")
    items_node = next(v for k, v in root.value if getattr(k, "value", None) == key)
    out: list[M] = []
    for index, item in enumerate(data[key]):
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            error = exc.errors()[0]
            loc = tuple(error["loc"])
            item_node = items_node.value[index] if isinstance(items_node, yaml.SequenceNode) else None
            line = _line_of(item_node, loc)
            name = item.get("term") or item.get("key") or item.get("role") if isinstance(item, dict) else None
            label = f"entry {index + 1}" + (f" ({name})" if name else "")
            field = ".".join(str(p) for p in loc) or "(the entry)"
            raise DataFileError(f"{path}, line {line}: {label}, field {field}: {error['msg']}") from exc
    return out
