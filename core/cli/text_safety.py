"""`deidentify` and `check-text`: the de-identification and the text checks over JSONL files (--json output)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sqlalchemy import select

from core.auth import actor_by_username
from core.case_records import get_case_facts, get_known_identifiers
from core.db import session_scope
from core.domain.trial import NormalizedTrial
from core.errors import NotFound
from core.models import Trial
from core.permissions import require
from core.text_safety_rows import (
    CaseContext,
    RowError,
    check_text_rows,
    deidentify_rows,
    read_rows,
    write_rows,
)


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register the text-safety subcommands on the main parser."""
    p = sub.add_parser("deidentify", help="Replace identifiers in JSONL rows {id, text} with typed placeholders.")
    p.add_argument("--input", required=True, type=Path, help="JSONL with one {\"id\", \"text\"} per line")
    p.add_argument("--out", required=True, type=Path, help="JSONL written with {\"id\", \"text\", \"spans\"}")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(func=run_deidentify)
    p = sub.add_parser("check-text", help="Run the text checks on JSONL rows {id, text, trial_id?, case_id?}.")
    p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME",
                   help="act as this user: rows that name a case read its facts and contact details")
    p.add_argument("--input", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path, help="JSONL written with each row's failing checks")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(func=run_check_text)


def _report(args: argparse.Namespace, summary: dict, text: str) -> None:
    print(json.dumps(summary) if args.json else text)


def run_deidentify(args: argparse.Namespace) -> int:
    """De-identify every row; exit 1 (nothing written) on a bad input row."""
    try:
        rows = list(read_rows(args.input))
    except (RowError, OSError) as exc:
        _report(args, {"ok": False, "error": str(exc)}, f"Nothing written: {exc}")
        return 1
    written = write_rows(args.out, deidentify_rows(rows))
    _report(args, {"ok": True, "rows": written, "out": str(args.out)}, f"De-identified {written} rows into {args.out}.")
    return 0


def _resolve_trial(registry_or_id: str) -> NormalizedTrial | None:
    with session_scope() as s:
        row = s.scalar(select(Trial).where(Trial.registry_id == registry_or_id))
        if row is None and registry_or_id.isdigit():
            row = s.get(Trial, int(registry_or_id))
        return NormalizedTrial.model_validate(row.record) if row is not None else None


def _resolve_case(case_id: int) -> CaseContext | None:
    try:
        return CaseContext(facts=get_case_facts(case_id), known=get_known_identifiers(case_id))
    except NotFound:
        return None


def run_check_text(args: argparse.Namespace) -> int:
    """Check every row; exit 1 on bad input or when any row has a failing check or an unknown trial or case."""
    require(actor_by_username(args.as_user), "case.view")
    try:
        rows = list(read_rows(args.input))
    except (RowError, OSError) as exc:
        _report(args, {"ok": False, "error": str(exc)}, f"Nothing checked: {exc}")
        return 1
    results = list(check_text_rows(rows, _resolve_trial, _resolve_case))
    write_rows(args.out, results)
    failing = [r["id"] for r in results if not r["passed"]]
    summary = {"ok": not failing, "rows": len(results), "failing": len(failing), "out": str(args.out)}
    _report(args, summary, f"Checked {len(results)} rows: {len(failing)} with failing checks, written to {args.out}.")
    return 1 if failing else 0
