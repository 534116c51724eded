"""The migrations build exactly the schema the ORM models describe (tables, columns, indexes), on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.db import get_engine
from core.models import Base


def _ours(name, type_, *_args) -> bool:  # noqa: ANN001
    # The task queue's own tables (procrastinate) are not in our models, nor is the full-text index, which is
    # an FTS5 virtual table on SQLite and a tsvector table on PostgreSQL (migration 0007, core/catalogue/search_index.py).
    return not (
        type_ == "table" and name is not None and (name.startswith("procrastinate") or name.startswith("trial_search"))
    )


def test_migrated_schema_matches_the_models(db):
    with get_engine(db).connect() as conn:
        dialect = conn.dialect.name

        def included(obj, name, type_, *_args) -> bool:  # noqa: ANN001
            # ix_trials_id_filters is declared for PostgreSQL only (Index.ddl_if), as migration 0011 creates it.
            return not (type_ == "index" and name == "ix_trials_id_filters" and dialect != "postgresql")

        context = MigrationContext.configure(
            conn, opts={"include_name": _ours, "include_object": included, "compare_type": False}
        )
        diffs = compare_metadata(context, Base.metadata)
    assert diffs == []


def test_instances_starting_together_migrate_one_after_the_other(tmp_path):
    """Two app instances (or workers) on one fresh PostgreSQL schema both start: neither fails on the other's tables."""
    import os
    import threading
    import uuid

    import pytest
    from sqlalchemy import create_engine, inspect, text

    from core import db as database
    from tests.support.database import _pg_url_with_schema

    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(_pg_url_with_schema(base, "public"))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = _pg_url_with_schema(base, schema)
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def start() -> None:
        barrier.wait()
        try:
            database.upgrade_database(url)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    try:
        threads = [threading.Thread(target=start) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert errors == []
        assert "drafts" in inspect(database.get_engine(url)).get_table_names()
    finally:
        database.get_engine(url).dispose()
        database._engines.pop(url, None)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_two_processes_preparing_one_database_seed_it_once(tmp_path):
    """`init` in two processes at once on a fresh PostgreSQL schema in demo mode: both succeed, one set of demo data."""
    import os
    import subprocess
    import sys
    import uuid

    import pytest
    from sqlalchemy import create_engine, text

    from tests.support.database import _pg_url_with_schema
    from tests.support.paths import REPO_ROOT

    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(_pg_url_with_schema(base, "public"))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = _pg_url_with_schema(base, schema)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "AZURE_"))}
    env.update(DATABASE_URL=url, DATA_DIR=str(tmp_path / "data"), DEMO_MODE="true", PYTHONPATH=str(REPO_ROOT))
    try:
        procs = [subprocess.Popen([sys.executable, "-m", "core", "init"], cwd=tmp_path, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outs = [p.communicate(timeout=300) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [err[-1500:] for _, err in outs]
        with admin.connect() as conn:
            users = conn.execute(text(f"SELECT count(*) FROM {schema}.users WHERE is_demo")).scalar_one()
            cases = conn.execute(text(f"SELECT count(*) FROM {schema}.cases")).scalar_one()
        assert (users, cases) == (4, 3)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
