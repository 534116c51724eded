"""Small persisted settings and state (AppSetting rows): read, and write in one upsert that concurrent first uses survive."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.models import AppSetting, utcnow


def read_setting(s: Session, key: str) -> dict[str, Any] | None:
    row = s.get(AppSetting, key)
    return dict(row.value) if row else None


def upsert_setting(s: Session, key: str, value: dict[str, Any]) -> None:
    """Insert or replace a setting in one statement: two writers using it for the first time at once both succeed
    (the later one's value stands), where a read-then-insert would fail one of them on the primary key."""
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(AppSetting).values(key=key, value=value, updated_at=utcnow())
    s.execute(stmt.on_conflict_do_update(index_elements=[AppSetting.key], set_={"value": value, "updated_at": utcnow()}))
    s.expire_all()  # an AppSetting loaded earlier in this session must not shadow the new value
