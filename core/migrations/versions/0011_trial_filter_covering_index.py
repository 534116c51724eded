"""PostgreSQL: a covering index of the trial filter columns by id, for checking text-search hits against filters.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_COLUMNS = ["overall_status", "study_type", "phases", "minimum_age_years", "maximum_age_years", "sex",
            "is_demo", "last_update_date"]


def upgrade() -> None:
    # "lymphoblastic leukaemia" + recruiting + phase 2 + age 16 at 550,000 trials checks 44,000 hits against
    # the filters: index-only probes instead of reading each trial row (280 -> 180 ms).
    # SQLite needs none: its indexes already end with the row id.
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_trials_id_filters", "trials", ["id"], postgresql_include=_COLUMNS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_trials_id_filters", table_name="trials")
