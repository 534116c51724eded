"""The job handler registry: entry points (app, CLI, worker, tests) register handlers explicitly, by kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from core.db import session_scope
from core.domain.statuses import JobStatus
from core.errors import ConfigurationError
from core.models import Job, utcnow


class JobCancelled(Exception):
    """Raised inside a handler when the user asked to cancel."""


class JobContext:
    """Given to a handler: report progress (which also beats the heartbeat) and learn about cancellation."""

    def __init__(self, job_id: int, payload: dict[str, Any]):
        self.job_id = job_id
        self.payload = payload

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        with session_scope() as s:
            values: dict[str, Any] = {"progress_done": done, "heartbeat_at": utcnow()}
            if total is not None:
                values["progress_total"] = total
            if message:
                values["message"] = message
            s.execute(update(Job).where(Job.id == self.job_id).values(**values))

    def pause(self, message: str) -> None:
        """Show the job as paused (it keeps its claim and heartbeat while it waits to go on)."""
        with session_scope() as s:
            s.execute(
                update(Job)
                .where(Job.id == self.job_id)
                .values(status=JobStatus.PAUSED, message=message, heartbeat_at=utcnow())
            )

    def resume(self, message: str) -> None:
        """Back to running after a pause."""
        with session_scope() as s:
            s.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.status == JobStatus.PAUSED)
                .values(status=JobStatus.RUNNING, message=message, heartbeat_at=utcnow())
            )

    def cancelled(self) -> bool:
        with session_scope() as s:
            return bool(s.scalar(select(Job.cancel_requested).where(Job.id == self.job_id)))

    def check_cancelled(self) -> None:
        if self.cancelled():
            raise JobCancelled()


Handler = Callable[[JobContext], dict[str, Any] | None]


@dataclass(frozen=True)
class JobKind:
    """A registered kind of job: its handler, and when its work is small enough to run in the request."""

    name: str
    handler: Handler
    # Given the payload, True when running it right in the caller's thread is cheaper than a runner
    # (offline drafting of a few drafts, matching a small catalogue). None: never inline.
    small: Callable[[dict[str, Any]], bool] | None = None


_KINDS: dict[str, JobKind] = {}


def register_handler(name: str, handler: Handler, *, small: Callable[[dict[str, Any]], bool] | None = None) -> None:
    """Register (or replace) the handler of one job kind."""
    _KINDS[name] = JobKind(name=name, handler=handler, small=small)


def job_kind(name: str) -> JobKind:
    """The registered kind; a clear error when no entry point registered it (a wiring mistake, not user input)."""
    try:
        return _KINDS[name]
    except KeyError:
        raise ConfigurationError(
            f"No handler is registered for jobs of kind {name!r}: the entry point must call register_job_handlers()."
        ) from None


def registered_kinds() -> list[str]:
    return sorted(_KINDS)


def clear_handlers() -> None:
    """Forget every registration (tests that check the wiring)."""
    _KINDS.clear()
