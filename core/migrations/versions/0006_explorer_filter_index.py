"""Covering index for the explorer's status, phase and age filters.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Counting "recruiting + phase 2 + age 16" must check every recruiting trial; with the phase and age
    # columns in the index it reads index entries only, not the trial rows with their large records.
    op.create_index(
        "ix_trials_status_phase_age",
        "trials",
        ["overall_status", "phases", "minimum_age_years", "maximum_age_years"],
    )


def downgrade() -> None:
    op.drop_index("ix_trials_status_phase_age", table_name="trials")
