"""The command line drives the whole flow from outside: JSON out, and exit codes that say whether it happened."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.catalogue.demo_data import demo_trial_paths
from core.cli.main import main
from core.reports.store import list_reports
from tests.support.paths import REPO_ROOT

CASE = {
    "age_years": 14, "sex": "male", "diagnosis": "relapsed T-cell acute lymphoblastic leukaemia",
    "disease_status": "relapsed", "prior_therapies": ["nelarabine", "allogeneic stem cell transplant"],
    "lines_of_therapy": 3, "biomarkers": ["CD7 positive"], "performance_status": "Lansky 80",
    "summary": "A 14-year-old boy with CD7-positive T-ALL in second relapse after an allogeneic transplant.",
    "location_label": "Manchester, UK", "travel_radius_km": 800,
    "contact_name": "Zoë Family", "contact_email": "family@example.org", "contact_phone": "+44 7700 900123",
    "contact_address": "1 Example Road, Manchester",
}


def _cli(db: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m core ...` in a fresh process against the test's database, as a script would run it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "AZURE_"))}
    env.update(DATABASE_URL=db, DATA_DIR=str(tmp_path / "data"), DEMO_MODE="false", PYTHONPATH=str(REPO_ROOT))
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=180)


def _in_process(argv: list[str]) -> None:
    assert main(argv) == 0, argv


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, (result.args, result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    return result.stdout


def test_the_review_loop_driven_only_through_the_cli(db, tmp_path):
    _ok(_cli(db, tmp_path, "init"))
    _ok(_cli(db, tmp_path, "create-user", "clare", "--role", "reviewer", "--password", "long-enough-1"))
    _ok(_cli(db, tmp_path, "create-user", "rob", "--role", "reviewer", "--password", "long-enough-1"))
    _ok(_cli(db, tmp_path, "create-user", "ada", "--role", "admin", "--password", "long-enough-1"))
    _ok(_cli(db, tmp_path, "import", "--as", "ada", *map(str, demo_trial_paths())))
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(CASE))
    case_id = int(_ok(_cli(db, tmp_path, "case", "create", "--as", "clare", "--file", str(case_file))).strip())

    shortlist = json.loads(_ok(_cli(db, tmp_path, "match", "--as", "clare", str(case_id), "--json")))
    assert shortlist and {"registry_id", "trial_id", "label", "score", "distance_km", "verdicts"} <= set(shortlist[0])
    assert all("reason" in v for m in shortlist for v in m["verdicts"])
    pick = next(m for m in shortlist if m["passed_filters"])
    _ok(_cli(db, tmp_path, "select", "--as", "clare", str(case_id), str(pick["trial_id"])))
    _ok(_cli(db, tmp_path, "draft", "--as", "clare", str(case_id)))

    queue = json.loads(_ok(_cli(db, tmp_path, "review", "--as", "clare", "list", "--case", str(case_id), "--json")))
    assert len(queue) == 2 and all(item["claimed_by"] is None for item in queue)  # nothing claimed by reading
    trial_draft, overview = (str(item["draft_id"]) for item in queue)
    shown = json.loads(_ok(_cli(db, tmp_path, "review", "--as", "clare", "show", "--draft", trial_draft, "--json")))
    assert shown["claim_holder"] is None and shown["current_version"] == 1 and shown["checks"]
    _ok(_cli(db, tmp_path, "review", "--as", "clare", "claim", "--draft", trial_draft))
    # Another reviewer cannot approve a draft someone holds: exit 1 and a plain one-line reason.
    refused = _cli(db, tmp_path, "review", "--as", "rob", "approve", "--draft", trial_draft, "--version", "1")
    assert refused.returncode == 1 and "clare is reviewing this draft" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    sections = dict(shown["sections"])
    first_key = next(iter(sections))
    sections[first_key] += " The study team will explain each step."
    text = tmp_path / "draft.md"
    text.write_text("\n\n".join(f"## {k}\n{v}" for k, v in sections.items()))
    saved = json.loads(_ok(_cli(db, tmp_path, "review", "--as", "clare", "save", "--draft", trial_draft,
                                "--base-version", "1", "--file", str(text), "--json")))
    assert saved["version"] == 2
    # Approving the version read before the save is refused: exit 1, a plain message, the draft is not approved.
    stale = _cli(db, tmp_path, "review", "--as", "clare", "approve", "--draft", trial_draft, "--version", "1")
    assert stale.returncode == 1 and "You read version 1, but version 2" in stale.stderr
    override = ["--override-category", "verified_in_source",
                "--override-reason", "Every flagged sentence was checked against the record."]
    approve = ["review", "--as", "clare", "approve", "--draft", trial_draft, "--version", "2", "--json"]
    if any(c["blocking"] and not c["passed"] for c in saved["checks"]):
        approve += override
    assert json.loads(_ok(_cli(db, tmp_path, *approve)))["status"] == "approved"
    # The overview the same way, in this process (the same parser and handlers): claim, then approve version 1.
    _in_process(["review", "--as", "clare", "claim", "--draft", overview])
    _in_process(["review", "--as", "clare", "approve", "--draft", overview, "--version", "1", *override])

    released = _cli(db, tmp_path, "release", "--as", "clare", str(case_id), "--out", str(tmp_path / "out"), "--json")
    if released.returncode == 1:  # overridden checks: the release lists them and asks for confirmation
        assert "overridden check" in released.stderr
        released = _cli(db, tmp_path, "release", "--as", "clare", str(case_id), "--out", str(tmp_path / "out"),
                        "--confirm-overrides", "--json")
    outcome = json.loads(_ok(released))
    assert outcome["created"] and outcome["version"] == 1
    assert (tmp_path / "out" / f"report-case{case_id}-v1.pdf").read_bytes().startswith(b"%PDF")
    again = json.loads(_ok(_cli(db, tmp_path, "release", "--as", "clare", str(case_id), "--out", str(tmp_path / "out"),
                                "--confirm-overrides", "--json")))
    assert not again["created"] and again["version"] == 1 and "Nothing changed" in again["message"]


def test_case_create_names_the_bad_field_and_a_repeated_key_makes_one_case(db, tmp_path, capsys):
    main(["init"])
    main(["create-user", "clare", "--role", "reviewer", "--password", "long-enough-1"])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**CASE, "age_years": "fourteen", "favourite_colour": "blue"}))
    assert main(["case", "create", "--as", "clare", "--file", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "favourite_colour" in err and "age_years" in err and str(bad) in err
    good = tmp_path / "case.json"
    good.write_text(json.dumps(CASE))
    assert main(["case", "create", "--as", "clare", "--file", str(good), "--key", "form-1", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["case", "create", "--as", "clare", "--file", str(good), "--key", "form-1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == first["id"]
    assert main(["case", "list", "--as", "clare", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1


def test_cli_refuses_the_wrong_role(db, capsys):
    main(["init"])
    main(["create-user", "ana", "--role", "analyst", "--password", "long-enough-1"])
    assert main(["import", "--as", "ana", "nothing.json"]) == 1
    assert "may not do catalogue.import" in capsys.readouterr().err


def test_release_before_approval_fails_with_exit_1(team, capsys):
    from tests.support.flow import case_with_drafts

    case_id, _ = case_with_drafts(team.reviewer)
    assert main(["release", "--as", team.reviewer.username, str(case_id)]) == 1
    assert "cannot be released yet" in capsys.readouterr().err
    assert list_reports(team.reviewer, case_id) == []


def test_every_subcommand_has_help(capsys):
    out = subprocess.run([sys.executable, "-m", "core", "--help"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "usage: python -m core" in out.stdout
    for command in ("init", "import", "case", "match", "select", "draft", "review", "release", "create-user", "seed-demo"):
        with pytest.raises(SystemExit) as done:
            main([command, "--help"])
        assert done.value.code == 0 and f"usage: python -m core {command}" in capsys.readouterr().out
