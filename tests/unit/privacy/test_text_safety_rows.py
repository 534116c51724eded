"""The deidentify and check-text row functions behind the CLI: outputs, and clear errors on bad rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.drafting.active_content import find_active_content
from core.drafting.promises import find_promises
from core.text_safety_rows import CaseContext, RowError, TextRow, check_text_rows, deidentify_rows, read_rows
from tests.unit.drafting.fixtures import make_car_t_trial, make_case_facts


def test_deidentified_rows_carry_offsets_and_types_never_the_original(tmp_path: Path) -> None:
    row = TextRow(id="r1", text="Patient Lucía GONZALEZ, MRN 4829173, born 14/03/2012.")
    out = list(deidentify_rows([row]))[0]
    dumped = json.dumps(out, ensure_ascii=False)
    for secret in ("Lucía", "GONZALEZ", "4829173", "14/03/2012"):
        assert secret not in dumped
    assert set(out) == {"id", "text", "spans"}
    assert all(set(s) == {"start", "end", "type"} for s in out["spans"])
    assert {s["type"] for s in out["spans"]} == {"NAME", "ID", "DATE"}


def test_bad_rows_are_refused_with_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "text": "ok"}\n{"id": "b"}\n', encoding="utf-8")
    with pytest.raises(RowError, match=r"in.jsonl, line 2, field text: Field required"):
        list(read_rows(path))
    path.write_text('{"id": "a", "text": "ok"}\nnot json\n', encoding="utf-8")
    with pytest.raises(RowError, match=r"line 2: not valid JSON"):
        list(read_rows(path))


def test_check_text_reports_each_rows_failing_checks() -> None:
    trial = make_car_t_trial()
    rows = [
        TextRow(id="promise", text="You will not regret this guaranteed cure."),
        TextRow(id="script", text="Read this <script>alert(1)</script> now."),
        TextRow(id="ok", text="No one can say whether it will work.", trial_id=trial.registry_id, case_id=1),
        TextRow(id="missing", text="Fine.", trial_id="NCT00000000"),
    ]
    out = {r["id"]: r for r in check_text_rows(
        rows, lambda rid: trial if rid == trial.registry_id else None,
        lambda cid: CaseContext(facts=make_case_facts(), known={"names": ["Maria Okafor"]}),
    )}
    assert {f["check"] for f in out["promise"]["failed"]} == {"no_promises"}
    assert {f["check"] for f in out["script"]["failed"]} == {"no_active_content"}
    assert out["ok"]["passed"] and out["ok"]["failed"] == []
    assert not out["missing"]["passed"] and "NCT00000000" in out["missing"]["errors"][0]


@pytest.mark.parametrize("text", [
    "You will not regret this guaranteed cure.",
    "Doctors have no doubt it will cure her.",
    "It is side-effect free.",
    "This is the best option for her.",
    "The response rate is 100%.",
])
def test_issue_promises_are_caught(text: str) -> None:
    assert find_promises(text)


@pytest.mark.parametrize("text", [
    "No one can say whether it will work.",
    "The study team will check whether she can join.",
    "This is not a cure.",
    "There is no guarantee.",
])
def test_hedged_sentences_are_not_promises(text: str) -> None:
    assert find_promises(text) == []


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "![chart](http://x.example/c.png)", "[click](https://x.example)",
    "go to javascript:alert(1)", "<img src=x onerror=alert(1)>",
])
def test_active_content_is_found(text: str) -> None:
    assert find_active_content(text)


def test_comparisons_in_plain_text_are_not_active_content() -> None:
    assert find_active_content("If a < b and c > d, the dose is 5 mg/kg for <10 years.") == []
