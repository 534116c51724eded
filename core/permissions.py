"""The one permission table: which roles may perform which action, enforced in core for every service."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from core.errors import PermissionDenied

ROLES: tuple[str, ...] = ("reviewer", "analyst", "admin")

F = TypeVar("F", bound=Callable[..., Any])
R, AN, AD = "reviewer", "analyst", "admin"

# action -> roles allowed. Every public service function checks exactly one of these.
PERMISSIONS: dict[str, frozenset[str]] = {
    "case.create": frozenset({R}),
    "case.view": frozenset({R, AN, AD}),
    "case.view_contact": frozenset({R}),
    "case.update": frozenset({R}),
    "catalogue.view": frozenset({R, AN, AD}),
    "catalogue.import": frozenset({AD}),
    "catalogue.sync": frozenset({AD}),
    "catalogue.export": frozenset({AN, AD}),
    "match.run": frozenset({R}),
    "match.view": frozenset({R, AN, AD}),
    "match.select": frozenset({R}),
    "verdict.override": frozenset({R}),
    "draft.create": frozenset({R}),
    "draft.view": frozenset({R, AD}),
    "review.work": frozenset({R}),
    "report.release": frozenset({R}),
    "report.view": frozenset({R, AD}),
    "prompt.view": frozenset({AD}),
    "prompt.edit": frozenset({AD}),
    "prompt.promote": frozenset({AD}),
    "comparison.run": frozenset({AD}),
    "comparison.list": frozenset({R, AN, AD}),
    "comparison.view": frozenset({AN, AD}),  # which side wrote what: not shown to reviewers, who judge blind
    "comparison.judge": frozenset({R, AD}),
    "settings.edit": frozenset({AD}),
    "user.manage": frozenset({AD}),
    "audit.view": frozenset({AD}),
    "insights.view": frozenset({AN, AD}),
    "job.view": frozenset({R, AN, AD}),
    "job.cancel": frozenset({R, AD}),  # and only the job's own starter, unless an admin
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in user, or the system (CLI bootstrap, seeding)."""

    username: str
    roles: frozenset[str] = field(default_factory=frozenset)
    user_id: int | None = None
    display_name: str = ""

    def can(self, action: str) -> bool:
        return bool(PERMISSIONS[action] & self.roles)


SYSTEM = Actor(username="system", roles=frozenset(ROLES))


SERVICES: dict[str, tuple[str, Callable[..., Any]]] = {}


def requires(action: str) -> Callable[[F], F]:
    """Decorate a service whose first argument is the actor: the check runs before anything else,
    and the service is registered so a test can call every service as every role."""
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}: add it to core.permissions.PERMISSIONS")

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def checked(actor: Actor, *args: Any, **kwargs: Any) -> Any:
            require(actor, action)
            return fn(actor, *args, **kwargs)

        SERVICES[f"{fn.__module__}.{fn.__qualname__}"] = (action, checked)
        return checked  # type: ignore[return-value]

    return wrap


def require(actor: Actor, action: str) -> None:
    """Raise PermissionDenied unless one of the actor's roles allows `action`."""
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}: add it to core.permissions.PERMISSIONS")
    if not actor.can(action):
        allowed = ", ".join(sorted(PERMISSIONS[action]))
        raise PermissionDenied(f"{actor.username} may not do {action} (needs the role: {allowed}).")
