"""Read hand-written data files (YAML, CSV) into pydantic models; every error names the file and the line (and, for
a list of entries, the entry and the field)."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
Location = tuple[str, ...]


# libyaml's parser when PyYAML was built with it: the knowledge files (thousands of lines) load ten times faster
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DataFileError(ValueError):
    """A data file that cannot be used, with the file, the line and what is wrong."""


class LoadedFile(Generic[M]):
    """A validated data file, with the line of every key so later checks can point at the right line."""

    def __init__(self, path: Path, value: M, lines: dict[Location, int]) -> None:
        self.path = path
        self.value = value
        self._lines = lines

    def line(self, *location: object) -> int:
        """The line of the deepest known part of `location` (1-based)."""
        return _line_for(self._lines, tuple(str(p) for p in location))

    def error(self, location: tuple[object, ...], message: str) -> DataFileError:
        """An error for the entry at `location` (e.g. ("diseases", "asthma", "parents")) naming file and line."""
        where = ".".join(str(p) for p in location)
        return DataFileError(f"{self.path}:{self.line(*location)}: {where}: {message}")


def load_yaml(path: Path, model: type[M]) -> LoadedFile[M]:
    """Parse `path` as YAML and validate it as `model`; a syntax error, a duplicate key or an invalid
    value raises DataFileError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Location, int] = {}
        if node is not None:
            _record_lines(path, node, (), lines)
        data: Any = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise DataFileError(f"{path}:{line}: not valid YAML ({exc.problem or exc.context})") from exc
    finally:
        loader.dispose()
    try:
        value = model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        location = tuple(str(p) for p in first["loc"])
        where = ".".join(location) or "(top level)"
        raise DataFileError(f"{path}:{_line_for(lines, location)}: {where}: {first['msg']}") from exc
    return LoadedFile(path, value, lines)


def _record_lines(path: Path, node: yaml.Node, location: Location, lines: dict[Location, int]) -> None:
    lines.setdefault(location, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise DataFileError(f"{path}:{line}: duplicate key {key!r} (first at line {seen[key]})")
            seen[key] = line
            lines[(*location, key)] = line
            _record_lines(path, value_node, (*location, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            _record_lines(path, item, (*location, str(position)), lines)


def _line_for(lines: dict[Location, int], location: Location) -> int:
    for end in range(len(location), -1, -1):
        if location[:end] in lines:
            return lines[location[:end]]
    return 1


def check_pattern(pattern: str, *, ignore_case: bool = True) -> str:
    """A data file's regular expression, checked by compiling it (the public API; re's parser module is
    private); a broken one raises ValueError with the reason, which pydantic reports at the pattern's line."""
    try:
        re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from exc
    return pattern


def valid_regex(pattern: str) -> str:
    """A field validator: the pattern compiles, else a message that names it."""
    return check_pattern(pattern, ignore_case=False)


def valid_regexes(patterns: tuple[str, ...]) -> tuple[str, ...]:
    """A field validator: every pattern compiles."""
    return tuple(valid_regex(p) for p in patterns)


# A field holding one regular expression; in a list, an error names the item's own line.
RegexPattern = Annotated[str, AfterValidator(valid_regex)]


def line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the value at `loc` (a pydantic error location) inside `node`, as deep as it can be
    followed."""
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
            line = line_of(item_node, loc)
            name = item.get("term") or item.get("key") or item.get("role") if isinstance(item, dict) else None
            label = f"entry {index + 1}" + (f" ({name})" if name else "")
            field = ".".join(str(p) for p in loc) or "(the entry)"
            raise DataFileError(f"{path}, line {line}: {label}, field {field}: {error['msg']}") from exc
    return out


Row = TypeVar("Row", bound=BaseModel)


def load_csv_rows(path: Path, model: type[Row], columns: tuple[str, ...], error: type[ValueError]) -> list[tuple[int, Row]]:
    """(line number, validated row) for each data row; raise `error` naming path:line and the field that is wrong."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise error(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    rows: list[tuple[int, Row]] = []
    with handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != columns:
            raise error(f"{path}:1: the header must be {','.join(columns)}, got {reader.fieldnames}")
        for raw in reader:
            if None in raw:
                raise error(f"{path}:{reader.line_num}: more than {len(columns)} columns")
            try:
                rows.append((reader.line_num, model.model_validate({k: v or "" for k, v in raw.items()})))
            except ValidationError as exc:
                first = exc.errors()[0]
                field = ".".join(str(p) for p in first["loc"]) or "row"
                raise error(f"{path}:{reader.line_num}: {field}: {first['msg']}") from None
    return rows
