"""Workflow core: the intake form's submission key, per-check approval overrides, and a released report's sources.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("intake_key", sa.String(80), nullable=True))
        batch.create_unique_constraint("uq_cases_intake_key", ["intake_key"])
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("overrides", sa.JSON(), nullable=True))
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("source_fingerprint", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("source_fingerprint")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("overrides")
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint("uq_cases_intake_key", type_="unique")
        batch.drop_column("intake_key")
