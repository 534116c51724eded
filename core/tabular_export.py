"""CSV and Excel files of header-first rows for the exports; every cell goes through inert_cell first."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from core.inert_cells import inert_cell, rows_to_csv

Rows = Sequence[Sequence[Any]]


def rows_to_xlsx(sheets: dict[str, Rows]) -> bytes:
    """An Excel workbook with one sheet per entry; text cells are stored as text, never as formulas."""
    wb = Workbook(write_only=True)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(ws, value=inert_cell(value))
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # openpyxl would otherwise store text starting with "=" as a formula
                cells.append(cell)
            ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_table(sheets: dict[str, Rows], fmt: Literal["csv", "xlsx"]) -> bytes:
    """CSV (the first sheet, UTF-8) or Excel (every sheet) of header-first rows."""
    if fmt == "xlsx":
        return rows_to_xlsx(sheets)
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}: use csv or xlsx")
    return rows_to_csv(next(iter(sheets.values()), [])).encode("utf-8")
