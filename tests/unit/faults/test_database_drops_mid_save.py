"""Fault: the database connection drops in the middle of a save (the app's backend is terminated on the server)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, func, select, text

from core.db import get_engine, session_scope
from core.jobs.task_queue import is_postgres
from core.models import AuditEvent
from core.workflow.review_views import get_draft_detail
from tests.app.conftest import page
from tests.support.flow import case_with_drafts


def _saves() -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "draft.save"))


def test_a_connection_terminated_mid_save_keeps_the_text_saves_nothing_and_the_retry_works(team, db):
    if not is_postgres(db):
        pytest.skip("terminating the server's backend needs PostgreSQL")
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    at = page("pages/review.py", team.reviewer, draft_id=d).run()
    at.button(key="start-review").click().run()
    before = get_draft_detail(team.reviewer, d)
    key = f"edit-{d}-{before.current.id}-what_is_tested"
    at.text_area(key=key).input("My careful edit, typed before the database went away.")

    admin = create_engine(db)
    killed: list[int] = []

    def terminate_my_backend(conn, cursor, statement, *args):  # noqa: ANN001, ANN202
        # Half-way through the save, the new version is about to be written: the server drops this session.
        if not killed and statement.lstrip().upper().startswith("INSERT INTO DRAFT_VERSIONS"):
            pid = conn.connection.dbapi_connection.info.backend_pid
            killed.append(pid)
            with admin.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    event.listen(get_engine(), "before_cursor_execute", terminate_my_backend)
    try:
        at.button(key="save").click().run()
    finally:
        event.remove(get_engine(), "before_cursor_execute", terminate_my_backend)
        admin.dispose()
    assert killed, "the save never reached the database"
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("nothing of this action was saved" in e and "What you typed is kept" in e for e in errors), errors
    assert at.text_area(key=key).value == "My careful edit, typed before the database went away."
    after = get_draft_detail(team.reviewer, d)  # nothing half-written: same versions, same row version, no audit
    assert [v.id for v in after.versions] == [v.id for v in before.versions]
    assert after.row_version == before.row_version and _saves() == 0

    at.button(key="save").click().run()  # the database is back (a fresh connection): the same click saves
    assert not at.exception and not at.error, [e.value for e in at.error]
    saved = get_draft_detail(team.reviewer, d)
    assert saved.current.sections["what_is_tested"] == "My careful edit, typed before the database went away."
    assert len(saved.versions) == len(before.versions) + 1 and _saves() == 1
