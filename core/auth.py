"""Users and logins: argon2 password hashes, lockout after repeated failures, single sign-on mapping."""

from __future__ import annotations

import contextlib
import re
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel
from sqlalchemy import func, select

from core.audit import record_event
from core.config import get_settings
from core.db import session_scope
from core.errors import AuthenticationFailed, NotFound, ValidationFailed
from core.models import User, utcnow
from core.permissions import ROLES, Actor, requires
from core.sessions import open_session, redeem_handoff, resume_session, revoke_session, revoke_user_sessions

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0")
LOGIN_FAILED_MESSAGE = "Wrong username or password."
# Said only to someone who gave the right password, so the state of an account leaks to no one else.
LOCKED_MESSAGE = (
    "This account is locked after too many failed logins, until {until:%H:%M} UTC. "
    # Plain words: the UI shows messages as inert text, where Markdown code quotes would print as backticks.
    "An admin can unlock it now on the Users page, or with the command python -m core unlock-user."
)
INACTIVE_MESSAGE = "This account is deactivated. Ask an admin to reactivate it."
MIN_PASSWORD_LENGTH = 10


class UserView(BaseModel):
    id: int
    username: str
    display_name: str
    email: str | None
    roles: list[str]
    is_active: bool
    is_demo: bool
    locked: bool


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_policy(password: str, username: str) -> None:
    """Refuse weak passwords with a message that says what is missing."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"at least {MIN_PASSWORD_LENGTH} characters")
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        problems.append("letters and digits")
    if username and username.lower() in password.lower():
        problems.append("not containing the username")
    if problems:
        raise ValidationFailed({"password": "the password needs " + ", ".join(problems) + "."})


def actor_for(user: User) -> Actor:
    return Actor(username=user.username, roles=frozenset(user.roles), user_id=user.id, display_name=user.display_name)


def actor_by_username(username: str) -> Actor:
    """The actor of an active account, for the command line's `--as USERNAME`."""
    with session_scope() as s:
        user = s.scalar(select(User).where(User.username == (username or "").strip().lower(), User.is_active.is_(True)))
        if user is None:
            raise NotFound(f"No active user {username!r}; create one with `python -m core create-user`.")
        return actor_for(user)


def _validate_user_fields(username: str, display_name: str, roles: list[str], email: str | None) -> None:
    errors: dict[str, str] = {}
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]{1,79}", username or ""):
        errors["username"] = "use 2-80 lower-case letters, digits, '.', '_' or '-'."
    if not display_name.strip():
        errors["display_name"] = "a display name is required."
    bad = [r for r in roles if r not in ROLES]
    if not roles or bad:
        errors["roles"] = f"choose one or more of {', '.join(ROLES)}" + (f" (unknown: {', '.join(bad)})." if bad else ".")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        errors["email"] = "this is not an e-mail address."
    if errors:
        raise ValidationFailed(errors)


@requires("user.manage")
def create_user(
    actor: Actor,
    username: str,
    display_name: str,
    roles: list[str],
    password: str | None,
    *,
    email: str | None = None,
    is_demo: bool = False,
    enforce_policy: bool = True,
) -> int:
    """Create an account; a password is optional only for single-sign-on users (matched by e-mail)."""
    username = username.strip().lower()
    _validate_user_fields(username, display_name, roles, email)
    if password is not None and enforce_policy:
        check_password_policy(password, username)
    if password is None and not email:
        raise ValidationFailed({"password": "give a password, or an e-mail for single sign-on."})
    with session_scope() as s:
        if s.scalar(select(User.id).where(User.username == username)):
            raise ValidationFailed({"username": f"{username!r} is taken."})
        user = User(
            username=username,
            display_name=display_name.strip(),
            email=email.lower() if email else None,
            roles=sorted(set(roles)),
            password_hash=hash_password(password) if password is not None else None,
            is_demo=is_demo,
        )
        s.add(user)
        s.flush()
        record_event(s, actor, "user.create", "user", user.id, after={"username": username, "roles": user.roles})
        return user.id


@requires("user.manage")
def set_user_roles(actor: Actor, username: str, roles: list[str], *, active: bool = True) -> None:
    """Change an account's roles or deactivate it."""
    with session_scope() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"No user {username!r}.")
        _validate_user_fields(user.username, user.display_name, roles, None)
        before = {"roles": list(user.roles), "active": user.is_active}
        user.roles, user.is_active = sorted(set(roles)), active
        if not active:
            revoke_user_sessions(s, user.id, "account deactivated")
        record_event(s, actor, "user.update", "user", user.id, before=before, after={"roles": user.roles, "active": active})


@requires("user.manage")
def reset_password(actor: Actor, username: str, password: str) -> None:
    check_password_policy(password, username)
    with session_scope() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"No user {username!r}.")
        user.password_hash, user.failed_logins, user.locked_until = hash_password(password), 0, None
        revoke_user_sessions(s, user.id, "password reset")
        record_event(s, actor, "user.password_reset", "user", user.id)


@requires("user.manage")
def unlock_user(actor: Actor, username: str) -> bool:
    """Lift a lockout after failed logins at once; returns whether the account was locked."""
    with session_scope() as s:
        user = s.scalar(select(User).where(User.username == (username or "").strip().lower()))
        if user is None:
            raise NotFound(f"No user {username!r}.")
        was_locked = bool(user.locked_until and user.locked_until > utcnow())
        before = {"locked_until": user.locked_until.isoformat() if user.locked_until else None, "failed_logins": user.failed_logins}
        user.locked_until, user.failed_logins = None, 0
        record_event(s, actor, "user.unlock", "user", user.id, before=before, after={"locked_until": None, "failed_logins": 0})
        return was_locked


@requires("user.manage")
def list_users(actor: Actor) -> list[UserView]:
    now = utcnow()
    with session_scope() as s:
        return [
            UserView(
                id=u.id,
                username=u.username,
                display_name=u.display_name,
                email=u.email,
                roles=list(u.roles),
                is_active=u.is_active,
                is_demo=u.is_demo,
                locked=bool(u.locked_until and u.locked_until > now),
            )
            for u in s.scalars(select(User).order_by(User.username))
        ]


def authenticate(username: str, password: str) -> Actor:
    """Log in with a password; every success and failure is audited; repeated failures lock the account."""
    settings = get_settings()
    username = (username or "").strip().lower()
    now = utcnow()
    refusal = LOGIN_FAILED_MESSAGE
    with session_scope() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None or not user.password_hash:
            with contextlib.suppress(VerificationError):
                _hasher.verify(_DUMMY_HASH, password or "")
            record_event(s, username or "(empty)", "login.failure", "user", None, reason="unknown user")
        else:
            try:
                _hasher.verify(user.password_hash, password or "")
                failure = False
            except (VerificationError, InvalidHashError):
                failure = True
            locked = bool(user.locked_until and user.locked_until > now)
            if not failure and (locked or not user.is_active):
                record_event(s, username, "login.failure", "user", user.id, reason="account locked" if locked else "account inactive")
                refusal = LOCKED_MESSAGE.format(until=user.locked_until) if locked else INACTIVE_MESSAGE
            elif failure:
                if not locked:  # failures while locked do not extend the lockout
                    user.failed_logins += 1
                reason = "wrong password while locked" if locked else f"wrong password ({user.failed_logins} in a row)"
                if not locked and user.failed_logins >= settings.login_max_failures:
                    user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
                    user.failed_logins = 0
                    reason += f"; locked for {settings.login_lockout_minutes} minutes"
                record_event(s, username, "login.failure", "user", user.id, reason=reason)
            else:
                user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
                if _hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = hash_password(password)
                record_event(s, user.username, "login.success", "user", user.id)
                return actor_for(user)
    raise AuthenticationFailed(refusal)


def authenticate_sso(email: str) -> Actor:
    """Map a single-sign-on identity (OpenID Connect e-mail) to an active user."""
    email = (email or "").strip().lower()
    with session_scope() as s:
        user = s.scalar(select(User).where(func.lower(User.email) == email, User.is_active.is_(True)))
        if user is None:
            record_event(s, email or "(empty)", "login.failure", "user", None, reason="single sign-on: no user with this e-mail")
            raise AuthenticationFailed("No workbench account is linked to this e-mail. Ask an admin to create one.")
        user.last_login_at = utcnow()
        record_event(s, user.username, "login.success", "user", user.id, reason="single sign-on")
        return actor_for(user)


def start_session(actor: Actor) -> str:
    """Open a server-side session for a user who just logged in; returns the one-time code for the browser."""
    if actor.user_id is None:
        raise AuthenticationFailed("Only a user account can have a session.")
    return open_session(actor.user_id)


def exchange_session_code(code: str) -> str | None:
    """The session token for the browser's cookie, or None for a used, stale or unknown code."""
    return redeem_handoff(code)


def actor_for_session(token: str) -> tuple[Actor | None, str | None]:
    """The logged-in actor of a session token with current roles, or None and why the session ended."""
    check = resume_session(token)
    if check.user_id is None:
        return None, check.ended
    with session_scope() as s:
        user = s.get(User, check.user_id)
        if check.ended:
            if check.ended == "inactivity timeout" and user is not None:
                record_event(s, user.username, "logout", "user", user.id, reason="inactivity timeout")
            return None, check.ended
        if user is None or not user.is_active:
            return None, "account deactivated"
        return actor_for(user), None


def logout(actor: Actor, *, reason: str | None = None, token: str | None = None) -> None:
    """End the actor's session (the token's, when given) and audit it."""
    if token:
        revoke_session(token, reason or "logged out")
    with session_scope() as s:
        record_event(s, actor, "logout", "user", actor.user_id, reason=reason)
