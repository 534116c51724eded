"""Full-text index of the catalogue (SQLite FTS5 / PostgreSQL tsvector), filled from the stored trials.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

from core.catalogue.search_index import create_search_index, drop_search_index, rebuild_search_index

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    create_search_index(conn)
    # An existing catalogue is indexed here, once (about a minute per 100,000 trials).
    rebuild_search_index(conn)


def downgrade() -> None:
    drop_search_index(op.get_bind())
