"""Run de-identification and the text checks over JSONL rows (the `deidentify` and `check-text` commands).

Outputs never carry an identifier's original value: de-identified rows hold offsets and types only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from core.domain.case_facts import CaseFacts
from core.domain.trial import NormalizedTrial
from core.drafting.checks import ChecksConfig, run_checks
from core.jsonl_rows import RowError, read_json_lines
from core.privacy.deidentify import deidentify_text
from core.privacy.known import KnownIdentifiers

# The checks that read single sentences; the draft-shape checks (sections, length) need a whole draft.
SENTENCE_CHECKS = ("grounding", "no_promises", "no_personal_data", "no_active_content", "jargon")


class TextRow(BaseModel):
    id: str
    text: str
    trial_id: str | None = None
    case_id: int | None = None


class CaseContext(BaseModel):
    facts: CaseFacts
    known: KnownIdentifiers


def read_rows(path: Path, model: type[BaseModel] = TextRow) -> Iterator[Any]:
    """Parse a JSONL file row by row; raise RowError naming the file, line and field of a bad row."""
    for number, data in read_json_lines(path):
        if not isinstance(data, dict):
            raise RowError(f"{path}, line {number}: expected an object with \"id\" and \"text\"")
        try:
            yield model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(map(str, first["loc"])) or "(row)"
            raise RowError(f"{path}, line {number}, field {field}: {first['msg']}") from exc


def deidentify_rows(rows: Iterable[TextRow]) -> Iterator[dict[str, Any]]:
    """{"id", "text", "spans": [{"start", "end", "type"}]} per row; spans are offsets into the input text."""
    for row in rows:
        result = deidentify_text(row.text)
        yield {
            "id": row.id,
            "text": result.text,
            "spans": [{"start": s.start, "end": s.end, "type": s.type} for s in result.spans],
        }


def check_text_rows(
    rows: Iterable[TextRow],
    resolve_trial: Callable[[str], NormalizedTrial | None],
    resolve_case: Callable[[int], CaseContext | None],
    config: ChecksConfig | None = None,
) -> Iterator[dict[str, Any]]:
    """{"id", "passed", "failed": [{"check", "why", "token"}]} per row, from the sentence-level checks.

    A trial id or case id that cannot be found is reported as the row's error, not skipped silently.
    """
    # Each trial and case is looked up once, however many rows name it (and the checks prepare each once).
    trials: dict[str, NormalizedTrial | None] = {}
    cases: dict[int, CaseContext | None] = {}
    for row in rows:
        if row.trial_id and row.trial_id not in trials:
            trials[row.trial_id] = resolve_trial(row.trial_id)
        if row.case_id is not None and row.case_id not in cases:
            cases[row.case_id] = resolve_case(row.case_id)
        trial = trials[row.trial_id] if row.trial_id else None
        case = cases[row.case_id] if row.case_id is not None else None
        errors = []
        if row.trial_id and trial is None:
            errors.append(f"no trial {row.trial_id!r} in the catalogue")
        if row.case_id is not None and case is None:
            errors.append(f"no case {row.case_id}")
        results = run_checks(
            {"text": row.text}, kind="trial", trial=trial, facts=case.facts if case else CaseFacts(),
            personal_data=case.known if case else KnownIdentifiers(), config=config,
        )
        failed = [
            {"check": r.name, "why": f.why, "token": f.token}
            for r in results
            if r.name in SENTENCE_CHECKS and not r.passed and (r.name != "grounding" or trial or case)
            for f in r.findings
        ]
        out: dict[str, Any] = {"id": row.id, "passed": not failed and not errors, "failed": failed}
        if errors:
            out["errors"] = errors
        yield out


def write_rows(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write rows as JSONL; return how many were written."""
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count
