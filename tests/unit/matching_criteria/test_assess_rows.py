"""Batch assessment of annotation-shaped rows and the assess-criteria command."""

import json

import pytest

from core.evaluation.assess_rows import RowError, assess_rows, main_assess_criteria
from tests.support.paths import SHARED_DATA

ROW = {
    "annotation_id": 7,
    "patient_id": "p1",
    "note": "0. A 58-year-old woman with chest pain.\n1. She will provide informed consent.",
    "trial_id": "NCT0",
    "criterion_type": "inclusion",
    "criterion_text": "Age 18 years or older",
}


def test_assess_rows_yields_label_and_evidence():
    out = list(assess_rows([ROW, {**ROW, "annotation_id": 8, "criterion_text": "Signed informed consent"}]))
    assert out == [
        {"annotation_id": 7, "eligibility": "included", "sentences": [0]},
        {"annotation_id": 8, "eligibility": "included", "sentences": [1]},
    ]


def test_evidence_uses_the_numbers_written_in_the_note():
    row = {**ROW, "note": "1. A 58-year-old woman with chest pain.\n2. She will provide informed consent."}
    assert next(assess_rows([row]))["sentences"] == [1]


def test_bad_rows_name_the_row_and_field():
    with pytest.raises(RowError, match="row 2: field 'criterion_text' is missing"):
        list(assess_rows([ROW, {k: v for k, v in ROW.items() if k != "criterion_text"}]))
    with pytest.raises(RowError, match="row 1: field 'criterion_type' must be"):
        list(assess_rows([{**ROW, "criterion_type": "both"}]))


def test_command_writes_predictions(tmp_path, capsys):
    source = tmp_path / "rows.jsonl"
    source.write_text(json.dumps(ROW) + "\n\n", encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    assert main_assess_criteria(["--input", str(source), "--out", str(out)]) == 0
    assert [json.loads(line) for line in out.read_text().splitlines()] == [
        {"annotation_id": 7, "eligibility": "included", "sentences": [0]}
    ]


def test_command_reports_bad_json_with_line(tmp_path, capsys):
    source = tmp_path / "rows.jsonl"
    source.write_text(json.dumps(ROW) + "\n{not json\n", encoding="utf-8")
    assert main_assess_criteria(["--input", str(source), "--out", str(tmp_path / "p.jsonl")]) == 1
    assert "rows.jsonl: line 2: not valid JSON" in capsys.readouterr().err


def test_missing_input_file(tmp_path, capsys):
    assert (
        main_assess_criteria(["--input", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "p.jsonl")])
        == 2
    )
    assert "does not exist" in capsys.readouterr().err


def test_real_annotations_get_a_valid_label_each():
    path = SHARED_DATA / "criteria" / "annotations.jsonl"
    if not path.exists():
        pytest.skip(f"shared data not found at {path}")
    rows = [json.loads(line) for line in path.open(encoding="utf-8")][:120]
    stripped = [{k: v for k, v in r.items() if not k.startswith("expert_")} for r in rows]
    preds = list(assess_rows(stripped))
    assert len(preds) == len(rows)
    for row, pred in zip(rows, preds, strict=True):
        allowed = (
            ("included", "not included")
            if row["criterion_type"] == "inclusion"
            else ("excluded", "not excluded")
        )
        assert pred["eligibility"] in (*allowed, "not enough information", "not applicable")
    agreement = sum(
        p["eligibility"] == r["expert_eligibility"] for p, r in zip(preds, rows, strict=True)
    ) / len(rows)
    assert agreement > 0.6
