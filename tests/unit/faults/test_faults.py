"""Faults: a commit failing mid-save writes nothing, a full disk while writing a report leaves no partial file."""

from __future__ import annotations

import errno
import os

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.cli.main import main
from core.errors import ConflictError, DatabaseUnavailable
from core.reports.store import list_reports
from core.workflow.review import save_draft, start_review
from core.workflow.review_views import get_draft_detail
from tests.support.flow import approve_current, case_with_drafts


def test_a_failed_commit_in_the_middle_of_a_save_leaves_nothing_half_written(team):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)
    before = get_draft_detail(team.reviewer, d)
    mine = {**before.current.sections, "what_is_tested": "My text."}

    def lose_the_database(session, *args):  # noqa: ANN001, ANN202
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    event.listen(Session, "before_commit", lose_the_database)
    try:
        with pytest.raises(DatabaseUnavailable, match="nothing of this action was saved"):
            save_draft(team.reviewer, d, mine, base_version_id=before.current.id)
    finally:
        event.remove(Session, "before_commit", lose_the_database)
    after = get_draft_detail(team.reviewer, d)
    assert [v.number for v in after.versions] == [v.number for v in before.versions]
    assert after.row_version == before.row_version and after.current.id == before.current.id
    # When the database is back, the same save (the text the page kept) goes through.
    assert save_draft(team.reviewer, d, mine, base_version_id=before.current.id).sections["what_is_tested"] == "My text."
    with pytest.raises(ConflictError):  # and a replay of the old base is refused, not applied twice
        save_draft(team.reviewer, d, mine, base_version_id=before.current.id)


def test_disk_full_while_writing_the_report_files(team, tmp_path, monkeypatch, capsys):
    from core.auth import create_user
    from core.permissions import SYSTEM

    create_user(SYSTEM, "cli-rev", "CLI", ["reviewer"], "long-enough-1", enforce_policy=False)
    from core.auth import authenticate

    reviewer = authenticate("cli-rev", "long-enough-1")
    case_id, drafts = case_with_drafts(reviewer)
    for d in drafts:
        approve_current(reviewer, d)

    def no_space(src, dst):  # noqa: ANN001, ANN202
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    out = tmp_path / "reports"
    assert main(["release", "--as", "cli-rev", str(case_id), "--out", str(out), "--confirm-overrides"]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "released and stored" in err
    assert list(out.iterdir()) == []  # no partial or temporary file left behind
    assert list_reports(reviewer, case_id)[0].version == 1  # the release itself is intact
