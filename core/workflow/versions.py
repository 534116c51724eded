"""Immutable draft versions: each save or drafting run appends one and makes it current."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Draft, DraftVersion


def add_version(
    s: Session,
    draft: Draft,
    sections: dict[str, str],
    *,
    author: str,
    author_kind: str,
    checks: list[dict[str, Any]],
    sources: dict[str, Any] | None = None,
    note: str = "",
) -> DraftVersion:
    """Append an immutable version and make it current; earlier approvals and overrides were for another text."""
    number = (s.scalar(select(func.max(DraftVersion.number)).where(DraftVersion.draft_id == draft.id)) or 0) + 1
    version = DraftVersion(
        draft_id=draft.id,
        number=number,
        sections=sections,
        sources=sources or {},
        author=author,
        author_kind=author_kind,
        parent_id=draft.current_version_id,
        checks=checks,
        note=note,
    )
    s.add(version)
    s.flush()
    draft.current_version_id = version.id
    draft.approvals = []
    # An override was made on the checks of the version it names: the new text must pass or be overridden anew.
    draft.overrides = []
    draft.override_reason = None
    return version
