"""Backups restore to the same cases and reports (SQLite online backup; PostgreSQL via pg_dump when present)."""

from __future__ import annotations

import os
import shutil

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text as text_sql

from core import db
from core.backup import backup_database, restore_database, workbench_schema
from core.config import get_settings
from core.errors import WorkbenchError
from core.reports.store import list_reports
from tests.support.flow import approve_current, case_with_drafts, release


def _released_case(team):  # noqa: ANN001, ANN202
    case_id, drafts = case_with_drafts(team.reviewer)
    for d in drafts:
        approve_current(team.reviewer, d)
    return case_id, release(team.reviewer, case_id)


def test_sqlite_backup_restores_cases_and_reports(team, tmp_path):
    if not get_settings().resolved_database_url.startswith("sqlite"):
        pytest.skip("SQLite backup")
    case_id, report = _released_case(team)
    backup_database(tmp_path / "backup.sqlite")

    os.environ["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored' / 'workbench.sqlite'}"
    get_settings.cache_clear()
    db.dispose_engines()
    restore_database(tmp_path / "backup.sqlite")
    restored = list_reports(team.reviewer, case_id)
    assert [(r.version, r.sha256) for r in restored] == [(1, report.sha256)]
    with pytest.raises(Exception, match="exists"):
        restore_database(tmp_path / "backup.sqlite")


def test_postgres_backup_restores_cases_and_reports(team, tmp_path):
    url = get_settings().resolved_database_url
    if not url.startswith("postgresql") or not shutil.which("pg_dump"):
        pytest.skip("needs PostgreSQL and pg_dump")
    case_id, report = _released_case(team)
    out = backup_database(tmp_path / "backup.sql")
    text = out.read_text()
    assert "CREATE TABLE" in text and "drafts" in text
    schema = workbench_schema(url)
    assert schema and f"CREATE SCHEMA {schema};" in text  # only the workbench's own schema is dumped

    db.dispose_engines()
    admin = create_engine(url.split("?")[0])
    with admin.begin() as conn:  # the data is lost...
        conn.execute(text_sql(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()
    restore_database(out)  # ...and comes back from the dump
    restored = list_reports(team.reviewer, case_id)
    assert [(r.version, r.sha256) for r in restored] == [(1, report.sha256)]
    with pytest.raises(WorkbenchError, match="psql failed"):
        restore_database(out)  # not over a database that has the schema already
