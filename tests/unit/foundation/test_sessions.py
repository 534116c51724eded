"""Server-side sessions: one-time codes, resuming from the cookie's token, logout, inactivity, expiry and
revocation by an admin; locked accounts told why, and unlocked by an admin (page and command line)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.audit import AuditFilter, list_events
from core.auth import (
    INACTIVE_MESSAGE,
    LOGIN_FAILED_MESSAGE,
    actor_for_session,
    authenticate,
    exchange_session_code,
    logout,
    reset_password,
    set_user_roles,
    start_session,
    unlock_user,
)
from core.cli.main import main
from core.config import get_settings
from core.db import session_scope
from core.errors import AuthenticationFailed, NotFound, PermissionDenied
from core.models import User, UserSession, utcnow


def _browser_login(username: str) -> str:
    """Log in and redeem the code as the browser does; returns the cookie's token."""
    token = exchange_session_code(start_session(authenticate(username, "correct-horse-9")))
    assert token
    return token


def _age_session(token_owner: str, **changes) -> None:  # noqa: ANN003
    with session_scope() as s:
        uid = s.scalar(select(User.id).where(User.username == token_owner))
        s.execute(update(UserSession).where(UserSession.user_id == uid).values(**changes))


def test_a_code_is_redeemed_once_and_the_token_resumes_the_session(team):
    code = start_session(team.reviewer)
    token = exchange_session_code(code)
    assert token and exchange_session_code(code) is None  # a second use of the code gets nothing
    actor, ended = actor_for_session(token)
    assert ended is None and actor.username == "rita" and actor.roles == frozenset({"reviewer"})
    assert actor_for_session(token)[0] == actor  # a reload: the same session
    assert actor_for_session("not-a-token") == (None, None)
    with session_scope() as s:  # only hashes are stored
        row = s.scalar(select(UserSession))
        assert token not in (row.token_hash, row.handoff_hash) and code not in (row.token_hash, row.handoff_hash)


def test_a_stale_code_is_refused(team):
    code = start_session(team.reviewer)
    _age_session("rita", handoff_expires_at=utcnow() - timedelta(seconds=1))
    assert exchange_session_code(code) is None


def test_roles_changed_by_an_admin_apply_to_an_open_session(team):
    token = _browser_login("rita")
    set_user_roles(team.admin, "rita", ["reviewer", "analyst"])
    assert actor_for_session(token)[0].roles == frozenset({"reviewer", "analyst"})


def test_logout_revokes_the_session_in_every_tab(team):
    token = _browser_login("rita")
    actor, _ = actor_for_session(token)
    logout(actor, token=token)
    assert actor_for_session(token) == (None, "logged out")


def test_inactivity_ends_the_session_and_is_audited(team):
    token = _browser_login("rita")
    idle = get_settings().session_idle_minutes
    _age_session("rita", last_seen_at=utcnow() - timedelta(minutes=idle - 1))
    assert actor_for_session(token)[0] is not None  # still inside the idle limit, and activity is recorded
    _age_session("rita", last_seen_at=utcnow() - timedelta(minutes=idle + 1))
    assert actor_for_session(token) == (None, "inactivity timeout")
    assert actor_for_session(token) == (None, "inactivity timeout")  # stays ended
    events = list_events(team.admin, AuditFilter(actor="rita", action="logout"))
    assert [e.reason for e in events] == ["inactivity timeout"]


def test_a_session_expires_however_active(team):
    token = _browser_login("rita")
    _age_session("rita", expires_at=utcnow() - timedelta(seconds=1))
    assert actor_for_session(token) == (None, "expired")


def test_deactivation_and_password_reset_revoke_open_sessions(team):
    rita, rob = _browser_login("rita"), _browser_login("rob")
    set_user_roles(team.admin, "rita", ["reviewer"], active=False)
    assert actor_for_session(rita) == (None, "account deactivated")
    reset_password(team.admin, "rob", "another-horse-10")
    assert actor_for_session(rob) == (None, "password reset")
    assert actor_for_session(_browser_login("ana"))[0] is not None  # others are untouched


def _lock(username: str) -> None:
    for _ in range(get_settings().login_max_failures):
        with pytest.raises(AuthenticationFailed):
            authenticate(username, "wrong-password")


def test_a_locked_account_is_told_so_only_with_the_right_password(team):
    _lock("rob")
    with pytest.raises(AuthenticationFailed) as wrong:
        authenticate("rob", "wrong-again")
    assert str(wrong.value) == LOGIN_FAILED_MESSAGE
    with pytest.raises(AuthenticationFailed, match="locked after too many failed logins"):
        authenticate("rob", "correct-horse-9")


def test_a_deactivated_account_is_told_so_only_with_the_right_password(team):
    set_user_roles(team.admin, "rob", ["reviewer"], active=False)
    with pytest.raises(AuthenticationFailed) as wrong:
        authenticate("rob", "wrong")
    assert str(wrong.value) == LOGIN_FAILED_MESSAGE
    with pytest.raises(AuthenticationFailed) as right:
        authenticate("rob", "correct-horse-9")
    assert str(right.value) == INACTIVE_MESSAGE


def test_an_admin_unlocks_an_account_and_it_is_audited(team):
    _lock("rob")
    with pytest.raises(PermissionDenied):
        unlock_user(team.reviewer, "rob")
    with pytest.raises(NotFound):
        unlock_user(team.admin, "nobody")
    assert unlock_user(team.admin, "rob") is True
    assert authenticate("rob", "correct-horse-9").username == "rob"
    assert unlock_user(team.admin, "rob") is False  # nothing to lift
    assert [e.action for e in list_events(team.admin, AuditFilter(action="user.unlock"))] == ["user.unlock"] * 2


def test_unlock_user_on_the_command_line(team, capsys):
    _lock("rob")
    assert main(["unlock-user", "rob", "--as", "adam", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "username": "rob", "was_locked": True}
    assert authenticate("rob", "correct-horse-9").username == "rob"
    assert main(["unlock-user", "rob", "--as", "rita", "--json"]) == 1
    assert "user.manage" in capsys.readouterr().err
