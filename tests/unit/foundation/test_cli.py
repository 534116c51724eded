"""The command line walks the whole flow with the same core functions the pages call."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from core.cli import main
from core.matching.service import list_matches
from core.reports import list_reports
from tests.support.paths import REPO_ROOT


def test_cli_walks_case_to_released_report(db, tmp_path, capsys):
    from core.catalogue.demo_data import demo_trial_paths
    from core.permissions import SYSTEM
    from tests.support.flow import make_case

    assert main(["init"]) == 0
    assert main(["create-user", "clare", "--role", "reviewer", "--password", "long-enough-1"]) == 0
    assert main(["create-user", "ada", "--role", "admin", "--password", "long-enough-1"]) == 0
    assert main(["import", "--as", "ada", *map(str, demo_trial_paths())]) == 0
    assert "40 new" in capsys.readouterr().out
    from core.auth import authenticate

    clare = authenticate("clare", "long-enough-1")
    case_id = make_case(clare)
    assert main(["match", "--as", "clare", str(case_id)]) == 0
    shortlist = [m for m in list_matches(clare, case_id) if m.passed_filters][:2]
    assert main(["select", "--as", "clare", str(case_id), *[str(m.trial_id) for m in shortlist]]) == 0
    assert main(["draft", "--as", "clare", str(case_id)]) == 0
    capsys.readouterr()
    assert main(["review", "--as", "clare", "list", "--case", str(case_id)]) == 0
    listed = capsys.readouterr().out
    assert len(re.findall(r"^draft ", listed, re.M)) == 3
    assert main(["review", "--as", "clare", "approve", "--case", str(case_id), "--override-reason", "checked"]) == 0
    assert main(["release", "--as", "clare", str(case_id), "--out", str(tmp_path)]) == 0
    assert list_reports(clare, case_id)[0].version == 1
    assert (tmp_path / f"report-case{case_id}-v1.pdf").read_bytes().startswith(b"%PDF")
    assert SYSTEM.can("user.manage")


def test_cli_refuses_the_wrong_role(db, capsys):
    main(["init"])
    main(["create-user", "ana", "--role", "analyst", "--password", "long-enough-1"])
    assert main(["import", "--as", "ana", "nothing.json"]) == 2
    assert "may not do catalogue.import" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["init", "import", "match", "draft", "review", "release", "create-user", "seed-demo"])
def test_every_subcommand_has_help(command):
    out = subprocess.run([sys.executable, "-m", "core", command, "--help"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "usage: python -m core" in out.stdout
