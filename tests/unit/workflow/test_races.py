"""Races between real processes, on SQLite and PostgreSQL: approve against save, and two reviewers claiming and
approving one draft. Each ends with exactly one winner and the product's plain message for the loser."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from core.workflow.review import start_review
from core.workflow.review_views import get_draft_detail
from tests.support.flow import case_with_drafts
from tests.support.paths import REPO_ROOT

PLAIN_REFUSALS = {"ConflictError", "InvalidTransition"}


def _race(db: str, tmp_path: Path, left: tuple[str, str], right: tuple[str, str], drafts: list[int]) -> list[tuple[dict, dict]]:
    """Start two worker processes (step, username), release them at the same instant, return their outcomes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "AZURE_"))}
    env.update(DATABASE_URL=db, DATA_DIR=str(tmp_path / "data"), DEMO_MODE="false", PYTHONPATH=str(REPO_ROOT))
    procs = [
        subprocess.Popen([sys.executable, "-m", "tests.support.race_worker", step, user, *map(str, drafts)],
                         cwd=REPO_ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for step, user in (left, right)
    ]
    try:
        for p in procs:
            line = p.stdout.readline()
            assert line.strip() == "ready", (line, p.stderr.read() if p.poll() is not None else "")
        start_at = time.time() + 0.5
        for p in procs:
            p.stdin.write(f"{start_at}\n")
            p.stdin.flush()
        outs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    results = []
    for (out, err), p in zip(outs, procs, strict=True):
        assert p.returncode == 0, err[-2000:]
        results.append([json.loads(line) for line in out.splitlines() if line.startswith("{")])
    assert all(len(r) == len(drafts) for r in results), results
    return list(zip(results[0], results[1], strict=True))


def test_two_processes_race_approve_against_save(team, db, tmp_path):
    _, drafts = case_with_drafts(team.reviewer, n_trials=3)
    for d in drafts:
        start_review(team.reviewer, d)  # rita holds every draft, with the page open in two tabs
    for saved, approved in _race(db, tmp_path, ("save", "rita"), ("approve", "rita"), drafts):
        assert saved["ok"] != approved["ok"], (saved, approved)  # exactly one of the two happened
        loser = approved if saved["ok"] else saved
        assert loser["error"] in PLAIN_REFUSALS, loser  # never a raw StaleDataError or IntegrityError
        detail = get_draft_detail(team.reviewer, saved["draft"])
        if approved["ok"]:
            # Approved what rita read: version 1 is current and approved; the late save changed nothing.
            assert detail.status == "approved" and detail.current.number == 1 and len(detail.versions) == 1
            assert "approved" in saved["message"]
        else:
            # The save came first: version 2 stands unapproved, and the approval of version 1 was refused.
            assert detail.status == "in_review" and detail.current.number == 2 and detail.approvals == []
            assert "You read version 1, but version 2" in approved["message"]


def test_two_reviewers_race_to_claim_and_approve_one_draft(team, db, tmp_path):
    _, drafts = case_with_drafts(team.reviewer, n_trials=3)
    for rita, rob in _race(db, tmp_path, ("claim-approve", "rita"), ("claim-approve", "rob"), drafts):
        assert rita["ok"] != rob["ok"], (rita, rob)
        winner, loser = ("rita", rob) if rita["ok"] else ("rob", rita)
        # Refused while the winner holds the claim, or once the winner has approved.
        assert loser["error"] in PLAIN_REFUSALS and (winner in loser["message"] or "approved" in loser["message"]), loser
        detail = get_draft_detail(team.reviewer, rita["draft"])
        assert detail.status == "approved" and detail.approved_by == [winner] and detail.claimed_by is None
