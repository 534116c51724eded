"""First start: migrate the database, seed prompts, and (in demo mode) demo users, trials and cases."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select

from core.audit import record_event
from core.auth import create_user
from core.cases import CaseInput, create_case
from core.catalogue.demo_data import demo_trial_paths, load_demo_cases
from core.catalogue.importer import import_paths
from core.config import get_settings
from core.db import session_scope, startup_lock, upgrade_database
from core.errors import ConfigurationError
from core.jobs.store import requeue_stale_jobs
from core.models import Case, Trial, User
from core.permissions import SYSTEM, Actor
from core.prompting.store import seed_prompts

log = logging.getLogger(__name__)
_prepared: set[str] = set()
_lock = threading.Lock()

# Demo accounts: shown in the README and on the login page while demo data is loaded.
DEMO_USERS: tuple[tuple[str, str, list[str], str], ...] = (
    ("reviewer", "Demo Reviewer", ["reviewer"], "reviewer-demo"),
    ("reviewer2", "Second Demo Reviewer", ["reviewer"], "reviewer2-demo"),
    ("analyst", "Demo Analyst", ["analyst"], "analyst-demo"),
    ("admin", "Demo Admin", ["admin"], "admin-demo"),
)


def seed_demo_users() -> list[str]:
    created = []
    for username, name, roles, password in DEMO_USERS:
        with session_scope() as s:
            if s.scalar(select(User.id).where(User.username == username)):
                continue
        create_user(SYSTEM, username, name, roles, password, is_demo=True, enforce_policy=False)
        created.append(username)
    return created


def seed_demo_catalogue(actor: Actor = SYSTEM) -> str:
    return import_paths(actor, demo_trial_paths()).summary()


def seed_demo_cases(actor: Actor | None = None) -> list[int]:
    actor = actor or Actor(username="system", roles=frozenset({"reviewer"}))
    ids = []
    for demo in load_demo_cases():
        with session_scope() as s:
            if s.scalar(select(Case.id).where(Case.reference == demo.reference)):
                continue
        facts = demo.facts.model_dump(exclude={"negations", "conditions"})
        data = CaseInput(
            **{k: v for k, v in facts.items() if k in CaseInput.model_fields},
            contact_name=demo.contact_name,
            contact_email=demo.contact_email,
            contact_phone=demo.contact_phone,
            contact_address=demo.contact_address,
            is_demo=True,
            reference=demo.reference,
        )
        ids.append(create_case(actor, data))
    return ids


def seed_demo() -> dict[str, object]:
    """Demo users, the demo catalogue (through the real importer) and demo cases; safe to run twice. Refused
    unless demo mode is on: demo accounts have published passwords."""
    if not get_settings().demo_enabled:
        raise ConfigurationError(
            "Demo data is off for this database (DEMO_MODE is false, or DATABASE_URL is set without DEMO_MODE=true). "
            "Set DEMO_MODE=true to load the demo accounts, trials and cases."
        )
    return {"users": seed_demo_users(), "catalogue": seed_demo_catalogue(), "cases": seed_demo_cases()}


def active_demo_accounts() -> list[str]:
    """Usernames of demo accounts that can still log in (their passwords are in the README)."""
    with session_scope() as s:
        return list(s.scalars(select(User.username).where(User.is_demo.is_(True), User.is_active.is_(True))))


def disable_demo_accounts() -> list[str]:
    """Deactivate every demo account (audited); returns the usernames deactivated."""
    with session_scope() as s:
        users = list(s.scalars(select(User).where(User.is_demo.is_(True), User.is_active.is_(True))))
        for user in users:
            user.is_active = False
            record_event(s, SYSTEM, "user.deactivate", "user", user.username, reason="demo account outside demo mode")
        return [u.username for u in users]


def prepare_database(*, refuse_demo_accounts: bool = True) -> None:
    """Run once per process and database: migrations, prompts, resumable jobs, and demo data when enabled.

    Outside demo mode a database with a demo account that can still log in is refused (ConfigurationError)
    unless `refuse_demo_accounts` is off (the command that disables them)."""
    settings = get_settings()
    url = settings.resolved_database_url
    if url in _prepared:
        return  # done in this process (serve.py's start, then the router): no lock, no migrations check again
    with _lock, startup_lock(url):
        if url in _prepared:
            return
        upgrade_database(url)
        seed_prompts()
        requeue_stale_jobs()
        if settings.demo_enabled:
            with session_scope() as s:
                has_users = s.scalar(select(User.id).limit(1)) is not None
            if not has_users:
                log.info("seeding demo data: %s", seed_demo())
        elif refuse_demo_accounts and (enabled := active_demo_accounts()):
            raise ConfigurationError(
                f"Demo account(s) {', '.join(enabled)} can log in with published passwords while demo mode is off. "
                "Run `python -m core disable-demo-accounts`, or set DEMO_MODE=true for a demo set-up."
            )
        _prepared.add(url)


def is_demo_data_loaded() -> bool:
    """True while any demo trial, case or account is in the database (the UI shows a banner)."""
    with session_scope() as s:
        return any(
            s.scalar(select(model.id).where(model.is_demo.is_(True)).limit(1)) is not None for model in (Trial, Case, User)
        )
