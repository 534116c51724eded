"""Versioned prompts in the database: seeding from prompts/, immutable versions, and production/staging labels."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select

from core.audit import record_event
from core.config import REPO_ROOT
from core.db import session_scope
from core.errors import NotFound, ValidationFailed
from core.models import PromptLabel, PromptVersion, utcnow
from core.permissions import SYSTEM, Actor, requires
from core.prompting.templates import PromptTemplate, parse_prompt_text, prompt_files, validate_template

PROMPTS_DIR = REPO_ROOT / "prompts"
LABELS = ("production", "staging")


class PromptVersionView(BaseModel):
    id: int
    name: str
    version: int
    template_text: str
    parameters: dict[str, Any]
    content_hash: str
    author: str
    note: str
    created_at: datetime
    labels: list[str] = []


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _view(s, v: PromptVersion) -> PromptVersionView:  # noqa: ANN001
    labels = list(s.scalars(select(PromptLabel.label).where(PromptLabel.version_id == v.id)))
    view = PromptVersionView.model_validate(v, from_attributes=True)
    view.labels = sorted(labels)
    return view


def _parse(name: str, text: str) -> PromptTemplate:
    try:
        template = parse_prompt_text(text, name)
        validate_template(template)
    except ValidationFailed:
        raise
    except Exception as exc:
        raise ValidationFailed({"template": f"{type(exc).__name__}: {exc}"}) from exc
    return template


@requires("prompt.edit")
def create_prompt_version(actor: Actor, name: str, text: str, *, note: str = "") -> PromptVersionView:
    """Store a new immutable version after validating its variables; returns it (unlabelled)."""
    template = _parse(name, text)
    with session_scope() as s:
        latest = s.scalar(select(func.max(PromptVersion.version)).where(PromptVersion.name == name)) or 0
        v = PromptVersion(
            name=name,
            version=latest + 1,
            template_text=text,
            parameters=dict(template.parameters),
            content_hash=_hash(text),
            author=actor.username,
            note=note,
        )
        s.add(v)
        s.flush()
        record_event(s, actor, "prompt.create_version", "prompt", f"{name}@{v.version}", after={"hash": v.content_hash, "note": note})
        return _view(s, v)


@requires("prompt.promote")
def set_label(actor: Actor, name: str, label: str, version: int) -> None:
    """Point a label at a version: promotion and rollback are both this one explicit step."""
    if label not in LABELS:
        raise ValidationFailed({"label": f"use one of {', '.join(LABELS)}."})
    with session_scope() as s:
        target = s.scalar(select(PromptVersion).where(PromptVersion.name == name, PromptVersion.version == version))
        if target is None:
            raise NotFound(f"No version {version} of prompt {name!r}.")
        row = s.scalar(select(PromptLabel).where(PromptLabel.name == name, PromptLabel.label == label))
        before = None
        if row is None:
            s.add(PromptLabel(name=name, label=label, version_id=target.id))
        else:
            before = s.scalar(select(PromptVersion.version).where(PromptVersion.id == row.version_id))
            row.version_id, row.updated_at = target.id, utcnow()
        record_event(s, actor, "prompt.set_label", "prompt", name, before={label: before}, after={label: version})


def get_labelled_version(name: str, label: str = "production") -> PromptVersionView:
    """The version a label points at (used by drafting; no permission needed to read it)."""
    with session_scope() as s:
        v = s.scalar(
            select(PromptVersion)
            .join(PromptLabel, PromptLabel.version_id == PromptVersion.id)
            .where(PromptLabel.name == name, PromptLabel.label == label)
        )
        if v is None:
            raise NotFound(f"Prompt {name!r} has no {label} version.")
        return _view(s, v)


@requires("prompt.view")
def list_prompt_versions(actor: Actor, name: str | None = None) -> list[PromptVersionView]:
    stmt = select(PromptVersion).order_by(PromptVersion.name, PromptVersion.version.desc())
    if name:
        stmt = stmt.where(PromptVersion.name == name)
    with session_scope() as s:
        return [_view(s, v) for v in s.scalars(stmt)]


def seed_prompts(directory: Path = PROMPTS_DIR) -> list[str]:
    """Load prompts/*.md as version 1 with the production label, for prompts the database does not have yet;
    when the production version no longer fits the variables this code renders it with (a shipped prompt
    whose interface changed), add the shipped file as a new version and move production to it."""
    seeded = []
    for path in prompt_files(directory):
        name, text = path.stem, path.read_text(encoding="utf-8")
        with session_scope() as s:
            known = s.scalar(select(PromptVersion.id).where(PromptVersion.name == name))
        if known and _production_fits(name):
            continue
        version = create_prompt_version(SYSTEM, name, text, note=f"seeded from prompts/{path.name}")
        set_label(SYSTEM, name, "production", version.version)
        seeded.append(name)
    return seeded


def _production_fits(name: str) -> bool:
    try:
        _parse(name, get_labelled_version(name).template_text)
    except (NotFound, ValidationFailed):
        return False
    return True
