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
        context = MigrationContext.configure(
            conn, opts={"include_name": _ours, "compare_type": False}
        )
        diffs = compare_metadata(context, Base.metadata)
    assert diffs == []
