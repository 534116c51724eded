"""Reading hand-written CSV data files into pydantic rows, with errors that name the file, line and field."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

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
