"""The audit log: one small event for every change, login and release, and its filtered export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import session_scope
from core.inert_cells import rows_to_csv
from core.models import AuditEvent
from core.permissions import Actor, requires

# Fields that hold personal data; they are masked in exports for anyone but admins.
_PERSONAL_KEYS = frozenset({"name", "email", "phone", "address", "contact_name", "contact_email", "contact_phone"})


def record_event(
    session: Session,
    actor: Actor | str,
    action: str,
    entity_type: str,
    entity_id: object = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    """Add an audit event to the caller's session, so it commits or rolls back with the change itself."""
    session.add(
        AuditEvent(
            actor=actor if isinstance(actor, str) else actor.username,
            action=action,
            entity_type=entity_type,
            entity_id=None if entity_id is None else _short(str(entity_id)),
            before=before,
            after=after,
            reason=reason,
        )
    )


def _short(text: str, limit: int = 80) -> str:
    """Entity ids fit their column; longer ones (several file paths) keep their start and end."""
    return text if len(text) <= limit else text[: limit // 2 - 1] + "…" + text[-(limit // 2) :]


class AuditFilter(BaseModel):
    actor: str | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 500


class AuditRow(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None


@requires("audit.view")
def list_events(actor: Actor, flt: AuditFilter | None = None) -> list[AuditRow]:
    """Audit events, newest first, filtered."""
    flt = flt or AuditFilter()
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(flt.limit)
    if flt.actor:
        stmt = stmt.where(AuditEvent.actor == flt.actor)
    if flt.action:
        stmt = stmt.where(AuditEvent.action.like(f"{flt.action}%"))
    if flt.entity_type:
        stmt = stmt.where(AuditEvent.entity_type == flt.entity_type)
    if flt.entity_id:
        stmt = stmt.where(AuditEvent.entity_id == flt.entity_id)
    if flt.since:
        stmt = stmt.where(AuditEvent.at >= flt.since)
    if flt.until:
        stmt = stmt.where(AuditEvent.at <= flt.until)
    with session_scope() as s:
        return [AuditRow.model_validate(e, from_attributes=True) for e in s.scalars(stmt)]


def _mask(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {k: ("***" if k in _PERSONAL_KEYS else v) for k, v in value.items()}


@requires("audit.view")
def export_events_csv(actor: Actor, flt: AuditFilter | None = None) -> str:
    """The filtered audit log as CSV; personal data is masked unless the actor is an admin."""
    rows = list_events(actor, flt)
    unmasked = "admin" in actor.roles
    header = ["id", "at", "actor", "action", "entity_type", "entity_id", "before", "after", "reason"]
    body = []
    for r in rows:
        before, after = (r.before, r.after) if unmasked else (_mask(r.before), _mask(r.after))
        body.append([r.id, r.at.isoformat(), r.actor, r.action, r.entity_type, r.entity_id, before, after, r.reason])
    return rows_to_csv([header, *body])
