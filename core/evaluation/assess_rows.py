"""Batch criterion assessment over annotation-shaped JSONL rows, and its command-line entry point."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from core.domain.case_facts import CaseFacts
from core.jsonl_rows import RowError, read_json_lines
from core.matching.criteria_rules import assess_criterion
from core.matching.extract import extract_case_facts
from core.nlp.sentences import numbered_lines, split_sentences

REQUIRED_FIELDS = ("annotation_id", "note", "criterion_type", "criterion_text")


def check_row(row: dict, where: str) -> None:
    """Raise RowError naming the row and field when an input row is malformed."""
    if not isinstance(row, dict):
        raise RowError(f"{where}: expected a JSON object, got {type(row).__name__}")
    for name in REQUIRED_FIELDS:
        if name not in row:
            raise RowError(f"{where}: field {name!r} is missing")
    if row["criterion_type"] not in ("inclusion", "exclusion"):
        raise RowError(
            f"{where}: field 'criterion_type' must be 'inclusion' or 'exclusion', got {row['criterion_type']!r}"
        )
    for name in ("note", "criterion_text"):
        if not isinstance(row[name], str):
            raise RowError(f"{where}: field {name!r} must be text")


def assess_rows(rows: Iterable[dict]) -> Iterator[dict]:
    """Yield {'annotation_id', 'eligibility', 'sentences'} for each patient/criterion row."""
    cache: dict[str, tuple[list[str], CaseFacts, list[int] | None]] = {}
    for index, row in enumerate(rows):
        check_row(row, f"row {index + 1}")
        note = row["note"]
        if note not in cache:
            # Notes repeat across a patient's criteria; extract their facts once.
            cache[note] = (split_sentences(note), extract_case_facts(note), numbered_lines(note))
        sentences, facts, numbers = cache[note]
        verdict = assess_criterion(row["criterion_text"], row["criterion_type"], sentences, facts)  # type: ignore[arg-type]
        yield {
            "annotation_id": row["annotation_id"],
            "eligibility": verdict.verdict,
            "sentences": [numbers[i] for i in verdict.evidence_sentences]
            if numbers
            else verdict.evidence_sentences,
        }


def read_jsonl(path: Path) -> Iterator[dict]:
    """Read JSON objects one per line, naming file and line on a parse error."""
    return (row for _, row in read_json_lines(path))


def main_assess_criteria(argv: list[str] | None = None) -> int:
    """`assess-criteria --input ROWS.jsonl --out PREDICTIONS.jsonl`: label every row with the rules."""
    parser = argparse.ArgumentParser(
        prog="python -m core assess-criteria", description=main_assess_criteria.__doc__
    )
    parser.add_argument(
        "--input",
        required=True,
        type=Path,
        help="JSONL rows: annotation_id, note, criterion_type, criterion_text",
    )
    parser.add_argument("--out", required=True, type=Path, help="where to write the predictions (JSONL)")
    args = parser.parse_args(argv)
    if not args.input.is_file():
        print(f"error: input file {args.input} does not exist", file=sys.stderr)
        return 2
    count = 0
    try:
        rows = read_jsonl(args.input)
        with args.out.open("w", encoding="utf-8") as out:
            for prediction in assess_rows(rows):
                out.write(json.dumps(prediction, ensure_ascii=False) + "\n")
                count += 1
    except RowError as exc:
        print(f"error: {args.input}: {exc}", file=sys.stderr)
        return 1
    print(f"assessed {count} criteria -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main_assess_criteria())
