"""Shared fixtures: a fresh database per test (SQLite, and PostgreSQL when TEST_DATABASE_URL is set) and actors."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.auth import actor_for, create_user
from core.db import session_scope
from core.jobs.dispatch import Runner, set_entry_runner
from core.models import User
from core.permissions import SYSTEM, Actor
from core.workflow.job_handlers import register_job_handlers
from tests.support.database import backends, temporary_database
from tests.support.flow import jobs_left_queued


@pytest.fixture(params=backends())
def db(request, tmp_path, tmp_path_factory) -> str:
    """A migrated, empty database for this test; yields its URL."""
    with temporary_database(request.param, tmp_path, tmp_path_factory.getbasetemp()) as url:
        yield url


@dataclass
class Team:
    reviewer: Actor
    reviewer2: Actor
    analyst: Actor
    admin: Actor


def _make(username: str, roles: list[str]) -> Actor:
    uid = create_user(SYSTEM, username, username.title(), roles, "correct-horse-9", enforce_policy=False)
    with session_scope() as s:
        return actor_for(s.get(User, uid))


@pytest.fixture
def team(db) -> Team:
    """One user per role (and a second reviewer), with the password 'correct-horse-9'."""
    return Team(
        reviewer=_make("rita", ["reviewer"]),
        reviewer2=_make("rob", ["reviewer"]),
        analyst=_make("ana", ["analyst"]),
        admin=_make("adam", ["admin"]),
    )


@pytest.fixture
def queued_jobs():
    """Jobs stay queued when started (as for a polling worker), so the test runs them when it wants."""
    with jobs_left_queued():
        yield


@pytest.fixture(autouse=True, scope="session")
def _job_handlers():
    """The test process is an entry point like the CLI: it registers the job handlers and runs jobs inline."""
    register_job_handlers()
    set_entry_runner(Runner.INLINE)
    yield
    set_entry_runner(None)
