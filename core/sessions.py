"""Server-side browser sessions: opened at login, carried to the browser by a one-time code, resumed from the cookie
(or the tab's own token) on every full rerun of the app, ended by logout, inactivity, expiry, deactivation or a
password reset; when a user's last session ends, their review claims lapse."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core.config import get_settings
from core.db import session_scope
from core.models import Draft, UserSession, utcnow

HANDOFF_SECONDS = 60  # the login form hands the code to the browser, which redeems it at once
TOUCH_EVERY = timedelta(seconds=30)  # last activity is written at most this often (every rerun reads it)
KEEP_ENDED_DAYS = 30  # ended sessions stay this long for the record, then are deleted


class SessionCheck(BaseModel):
    """The outcome of resuming a session: the user it belongs to, or why it is over."""

    user_id: int | None = None
    ended: str | None = None  # "inactivity timeout", "expired", "logged out", "account deactivated", ...


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _ended(row: UserSession, now: datetime) -> str | None:
    """Why a session is over (expired, idle), or None while it is live; a revoked one says why it was revoked."""
    if row.revoked_at is not None:
        return row.revoke_reason or "logged out"
    if now >= row.expires_at:
        return "expired"
    if now - row.last_seen_at > timedelta(minutes=get_settings().session_idle_minutes):
        return "inactivity timeout"
    return None


def live_session_user(token: str) -> int | None:
    """The user of this token's session while it is live, else None. Reading it is not activity: a page's timer
    (the review claim's heartbeat) must not keep an idle session alive."""
    if not token:
        return None
    with session_scope() as s:
        row = s.scalar(select(UserSession).where(UserSession.token_hash == _digest(token)))
        return row.user_id if row is not None and _ended(row, utcnow()) is None else None


def lapse_claims_without_session(s: Session, user_id: int) -> int:
    """End the review claims of a user who has no live session left (in the caller's transaction); returns how
    many. A claim is held by someone at work: once they are logged out, others may take the draft at once."""
    now = utcnow()
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    live = s.scalar(select(UserSession.id).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None), UserSession.token_hash.is_not(None),
        UserSession.expires_at > now, UserSession.last_seen_at >= now - idle,
    ).limit(1))
    if live is not None:
        return 0
    done = s.execute(
        update(Draft).where(Draft.claimed_by == user_id, Draft.claim_expires_at > now).values(claim_expires_at=now)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount


def open_session(user_id: int) -> str:
    """A new session for a user who just logged in; returns the one-time code that the browser redeems."""
    now = utcnow()
    code = secrets.token_urlsafe(32)
    with session_scope() as s:
        s.execute(delete(UserSession).where(UserSession.expires_at < now - timedelta(days=KEEP_ENDED_DAYS)))
        s.add(
            UserSession(
                user_id=user_id,
                handoff_hash=_digest(code),
                handoff_expires_at=now + timedelta(seconds=HANDOFF_SECONDS),
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(hours=get_settings().session_max_hours),
            )
        )
    return code


def redeem_handoff(code: str) -> str | None:
    """The session's token for the cookie, once per code and only while the code is fresh; None otherwise."""
    if not code:
        return None
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with session_scope() as s:
        # One conditional UPDATE: two requests racing with the same code cannot both get a token.
        done = s.execute(
            update(UserSession)
            .where(
                UserSession.handoff_hash == _digest(code),
                UserSession.handoff_expires_at > now,
                UserSession.revoked_at.is_(None),
            )
            .values(handoff_hash=None, handoff_expires_at=None, token_hash=_digest(token), last_seen_at=now)
        )
    return token if done.rowcount == 1 else None


def resume_session(token: str) -> SessionCheck:
    """Whose session this token is, refreshing its last activity; an idle or expired session is ended here."""
    if not token:
        return SessionCheck()
    now = utcnow()
    with session_scope() as s:
        row = s.scalar(select(UserSession).where(UserSession.token_hash == _digest(token)))
        if row is None:
            return SessionCheck()
        if row.revoked_at is not None:
            return SessionCheck(ended=row.revoke_reason or "logged out")
        ended = _ended(row, now)
        if ended:
            row.revoked_at, row.revoke_reason = now, ended
            s.flush()
            lapse_claims_without_session(s, row.user_id)
            return SessionCheck(user_id=row.user_id, ended=ended)
        if now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
        return SessionCheck(user_id=row.user_id)


def revoke_session(token: str, reason: str) -> bool:
    """End the session of this token (logout); False when it was already over."""
    with session_scope() as s:
        user_id = s.scalar(select(UserSession.user_id).where(
            UserSession.token_hash == _digest(token or ""), UserSession.revoked_at.is_(None)))
        done = s.execute(
            update(UserSession)
            .where(UserSession.token_hash == _digest(token or ""), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoke_reason=reason)
        )
        if done.rowcount == 1 and user_id is not None:
            lapse_claims_without_session(s, user_id)
    return done.rowcount == 1


def revoke_user_sessions(s: Session, user_id: int, reason: str) -> int:
    """End every open session of a user, in the caller's transaction (deactivation, password reset)."""
    done = s.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoke_reason=reason, handoff_hash=None, handoff_expires_at=None)
    )
    lapse_claims_without_session(s, user_id)
    return done.rowcount
