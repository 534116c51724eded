"""Who ran a job (jobs.runner), and on PostgreSQL the procrastinate task-queue schema.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# procrastinate's objects, for the downgrade (its schema has no drop script of its own).
_QUEUE_TABLES = ("procrastinate_events", "procrastinate_periodic_defers", "procrastinate_jobs", "procrastinate_workers")
_QUEUE_TYPES = ("procrastinate_job_event_type", "procrastinate_job_status")


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.add_column(sa.Column("runner", sa.String(length=120), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        # Created in the connection's search_path, so a per-test schema gets its own queue. The raw
        # cursor runs the script as is: without parameters psycopg does not read its '%' signs.
        with bind.connection.dbapi_connection.cursor() as cursor:
            cursor.execute(SchemaManager.get_schema())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in _QUEUE_TABLES:
            bind.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
        functions = bind.exec_driver_sql(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE p.proname LIKE 'procrastinate%' AND n.nspname = current_schema()"
        ).scalars()
        for signature in list(functions):
            bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
        for type_name in _QUEUE_TYPES:
            bind.exec_driver_sql(f"DROP TYPE IF EXISTS {type_name} CASCADE")
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.drop_column("runner")
