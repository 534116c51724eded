"""Phrases a reviewer marked private for a case, kept with the contact details.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_contacts") as batch:
        batch.add_column(sa.Column("private_phrases", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("case_contacts") as batch:
        batch.drop_column("private_phrases")
