"""Read JSON Lines input files row by row, naming the file and line of a row that is not valid JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class RowError(ValueError):
    """A row of an input file is malformed; the message names the file, the line and the field."""


def read_json_lines(path: str | Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) for every non-blank line; RowError on a line that is not valid JSON."""
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise RowError(f"{path}: line {number}: not valid JSON ({exc.msg} at column {exc.colno})") from exc
