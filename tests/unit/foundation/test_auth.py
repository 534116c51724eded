"""Logins, lockout, password policy and the audit of each."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.audit import AuditFilter, list_events
from core.auth import LOGIN_FAILED_MESSAGE, authenticate, authenticate_sso, create_user, logout
from core.db import session_scope
from core.errors import AuthenticationFailed, PermissionDenied, ValidationFailed
from core.models import User
from core.permissions import SYSTEM


def test_password_is_stored_as_argon2_hash(team):
    with session_scope() as s:
        user = s.scalar(select(User).where(User.username == "rita"))
        assert user.password_hash.startswith("$argon2id$")
        assert "correct-horse-9" not in user.password_hash


def test_login_success_and_logout_are_audited(team):
    actor = authenticate("rita", "correct-horse-9")
    assert actor.roles == frozenset({"reviewer"})
    logout(actor)
    actions = [e.action for e in list_events(team.admin, AuditFilter(actor="rita"))]
    assert actions[:2] == ["logout", "login.success"]


def test_wrong_password_and_unknown_user_give_the_same_message(team):
    with pytest.raises(AuthenticationFailed) as wrong:
        authenticate("rita", "nope")
    with pytest.raises(AuthenticationFailed) as unknown:
        authenticate("nobody", "nope")
    assert str(wrong.value) == str(unknown.value) == LOGIN_FAILED_MESSAGE
    failures = list_events(team.admin, AuditFilter(action="login.failure"))
    assert {e.actor for e in failures} == {"rita", "nobody"}


def test_repeated_failures_lock_the_account(team, monkeypatch):
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            authenticate("rob", "wrong-password")
    # A wrong password while locked gets the usual message; only the right one learns of the lock.
    with pytest.raises(AuthenticationFailed, match="Wrong username or password"):
        authenticate("rob", "wrong-password")
    with pytest.raises(AuthenticationFailed, match="locked after too many failed logins") as locked:
        authenticate("rob", "correct-horse-9")
    assert "admin can unlock" in str(locked.value)
    with session_scope() as s:
        assert s.scalar(select(User.locked_until).where(User.username == "rob")) is not None


def test_password_policy_names_what_is_missing(db):
    with pytest.raises(ValidationFailed) as err:
        create_user(SYSTEM, "newbie", "New Bie", ["reviewer"], "short")
    assert "password" in err.value.errors
    assert "10 characters" in err.value.errors["password"]


def test_only_admins_create_users(team):
    with pytest.raises(PermissionDenied):
        create_user(team.reviewer, "x-user", "X", ["reviewer"], "long-enough-password-1")


def test_sso_maps_email_to_user(db):
    create_user(SYSTEM, "sso-user", "Sso User", ["analyst"], None, email="Sso.User@example.org")
    actor = authenticate_sso("sso.user@example.org")
    assert actor.username == "sso-user" and "analyst" in actor.roles
    with pytest.raises(AuthenticationFailed):
        authenticate_sso("stranger@example.org")
