"""Indexes for the explorer: site coordinates per trial, status with last update.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # "near a place" checks a trial's sites by coordinates; covering both avoids reading the site rows.
    op.create_index("ix_sites_trial_coords", "sites", ["trial_id", "latitude", "longitude"])
    # Filtering by status and paging by most recent update is the explorer's default view.
    op.create_index("ix_trials_status_updated", "trials", ["overall_status", "last_update_date"])


def downgrade() -> None:
    op.drop_index("ix_trials_status_updated", table_name="trials")
    op.drop_index("ix_sites_trial_coords", table_name="sites")
