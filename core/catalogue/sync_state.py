"""The persisted progress of a registry sync, and where it is kept between runs."""

from __future__ import annotations

import json
import os
import tempfile
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ValidationError

from core.catalogue.registry_client import SyncError


class SyncState(BaseModel):
    """Where a sync stands: enough to resume after a crash and to start the next incremental run."""

    key: str  # the query fingerprint
    query: dict[str, object] = {}  # the query as given, for people reading the state
    run_since: date | None = None  # LastUpdatePostDate lower bound of the current run
    next_page_token: str | None = None  # token of the first page not yet handed over
    pages_done: int = 0
    studies_seen: int = 0
    total_count: int | None = None
    started_at: datetime
    finished_at: datetime | None = None
    next_since: date | None = None  # lower bound for the next incremental run
    last_error: str | None = None

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class SyncStateStore(Protocol):
    """Somewhere to keep one `SyncState` per query fingerprint."""

    def load(self, key: str) -> SyncState | None: ...

    def save(self, state: SyncState) -> None: ...


class JsonFileSyncStateStore:
    """Keep sync states in one JSON file, rewritten atomically so a crash never leaves half a file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def load(self, key: str) -> SyncState | None:
        with self._lock:
            raw = self._read_all().get(key)
        if raw is None:
            return None
        try:
            return SyncState.model_validate(raw)
        except ValidationError as error:
            raise SyncError(
                f"The sync state in {self.path} is unreadable ({error.error_count()} problems); "
                "delete the file to start the sync over.",
                kind="state",
            ) from error

    def save(self, state: SyncState) -> None:
        with self._lock:
            states = self._read_all()
            states[state.key] = state.model_dump(mode="json")
            self._write_all(states)

    def _read_all(self) -> dict[str, dict]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SyncError(
                f"The sync state file {self.path} is unreadable ({error}); delete it to start the sync over.",
                kind="state",
            ) from error
        if not isinstance(data, dict):
            raise SyncError(
                f"The sync state file {self.path} is not a JSON object; delete it to start over.",
                kind="state",
            )
        return data

    def _write_all(self, states: dict[str, dict]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=self.path.name, suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as temp:
                json.dump(states, temp, indent=2, sort_keys=True)
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
