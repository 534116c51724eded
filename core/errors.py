"""Errors that core raises for the UI and CLI to show in plain words."""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base class: the message is safe to show to the user."""


class PermissionDenied(WorkbenchError):
    """The actor's roles do not allow this action."""


class NotFound(WorkbenchError):
    """The thing asked for does not exist."""


class ValidationFailed(WorkbenchError):
    """Input is invalid; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))


class InvalidTransition(WorkbenchError):
    """The workflow does not allow this step from the current state."""


class ConflictError(WorkbenchError):
    """Someone else changed the record since it was read; nothing was overwritten."""

    def __init__(self, message: str, *, current: object = None):
        self.current = current
        super().__init__(message)


class AuthenticationFailed(WorkbenchError):
    """Wrong username or password, said without revealing which."""


class ConfigurationError(WorkbenchError):
    """The settings ask for something this set-up cannot do (the message says which setting)."""


class DatabaseUnavailable(WorkbenchError):
    """The database connection was lost (or the database did not answer) during an action; it was rolled back."""

    def __init__(self) -> None:
        super().__init__(
            "The database could not be reached, so nothing of this action was saved. What you typed is kept: "
            "try again in a moment."
        )


class ConfirmationRequired(WorkbenchError):
    """The step is allowed but needs the user's explicit confirmation of what `items` lists (nothing was done)."""

    def __init__(self, message: str, *, items: list[dict[str, object]]):
        self.items = items
        super().__init__(message)
