"""`python -m core deidentify` and `check-text` from the command line: files in, files out, exit codes that say so."""

from __future__ import annotations

import json

from core.cli.main import main
from tests.support.flow import case_with_drafts


def test_deidentify_writes_placeholders_and_spans_never_the_identifiers(db, tmp_path, capsys):
    notes = tmp_path / "notes.jsonl"
    notes.write_text(json.dumps({"id": "n1", "text": "María González, MRN 4829173, lives at 4521 Oak Hollow Dr."}) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["deidentify", "--input", str(notes), "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == 1
    row = json.loads(out.read_text().splitlines()[0])
    assert row["id"] == "n1" and "[NAME]" in row["text"] and "[ID]" in row["text"]
    for secret in ("María", "González", "4829173", "Oak Hollow"):
        assert secret not in out.read_text()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "fine"}\n{"id": "b"}\n')
    assert main(["deidentify", "--input", str(bad), "--out", str(tmp_path / "x.jsonl")]) == 1
    assert "line 2" in capsys.readouterr().out and not (tmp_path / "x.jsonl").exists()


def test_check_text_flags_failing_rows_against_a_case_and_exits_1(team, tmp_path, capsys):
    case_id, _ = case_with_drafts(team.reviewer)
    rows = tmp_path / "sentences.jsonl"
    rows.write_text("\n".join(json.dumps(r) for r in [
        {"id": "promise", "text": "You will not regret this guaranteed cure."},
        {"id": "family", "text": "Call Zoë Ångström-Test on +44 7700 900123.", "case_id": case_id},
        {"id": "hedged", "text": "No one can say whether it will work.", "case_id": case_id},
    ]) + "\n")
    out = tmp_path / "flags.jsonl"
    assert main(["check-text", "--as", team.reviewer.username, "--input", str(rows), "--out", str(out)]) == 1
    flags = {r["id"]: {f["check"] for f in r["failed"]} for r in map(json.loads, out.read_text().splitlines())}
    assert flags["promise"] == {"no_promises"} and flags["hedged"] == set()
    assert "no_personal_data" in flags["family"]  # the family's name and phone, from the case's contact


def test_a_reviewer_sees_what_a_model_gets_and_marks_more_private(team, capsys):
    from tests.support.flow import make_case

    case_id = make_case(team.reviewer, summary="Lucía, known at school as Lulu, has relapsed T-ALL.")
    assert main(["case", "private", str(case_id), "--phrase", "Lulu", "--as", team.reviewer.username, "--json"]) == 0
    capsys.readouterr()
    assert main(["case", "model-view", str(case_id), "--as", team.reviewer.username, "--json"]) == 0
    view = json.loads(capsys.readouterr().out)
    sent = json.dumps(view["variables"], ensure_ascii=False)
    assert "Lulu" not in sent and "Lucía" not in sent and "T-ALL" in sent
    assert view["private_phrases"] == ["Lulu"] and {h["type"] for h in view["hidden"]} >= {"NAME", "PRIVATE"}
    assert main(["case", "private", str(case_id), "--phrase", "x", "--as", team.analyst.username]) == 1
