"""Remembers, per endpoint and model, which structured-output format the server accepts."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from core.llm.records import ResponseFormatKind

Loader = Callable[[], Iterable[tuple[str, str, ResponseFormatKind]]]
Saver = Callable[[str, str, ResponseFormatKind], None]


class CapabilityCache:
    """In-memory by default; `load` and `save` hooks let the caller persist entries (e.g. in the database)."""

    def __init__(self, *, load: Loader | None = None, save: Saver | None = None) -> None:
        self._load = load
        self._save = save
        self._entries: dict[tuple[str, str], ResponseFormatKind] = {}
        self._loaded = load is None
        self._lock = threading.Lock()

    def get(self, base_url: str, model: str) -> ResponseFormatKind | None:
        """Return the format known to work for this endpoint and model, or None when untried."""
        with self._lock:
            self._load_once()
            return self._entries.get((base_url, model))

    def remember(self, base_url: str, model: str, response_format: ResponseFormatKind) -> None:
        """Store what worked; the save hook runs only when the answer changes."""
        with self._lock:
            self._load_once()
            if self._entries.get((base_url, model)) == response_format:
                return
            self._entries[(base_url, model)] = response_format
        if self._save is not None:
            self._save(base_url, model, response_format)

    def snapshot(self) -> dict[tuple[str, str], ResponseFormatKind]:
        """Return a copy of every remembered entry."""
        with self._lock:
            self._load_once()
            return dict(self._entries)

    def _load_once(self) -> None:
        # Lazy so that building a client never touches the database until a call is made.
        if not self._loaded and self._load is not None:
            for base_url, model, fmt in self._load():
                self._entries[(base_url, model)] = fmt
            self._loaded = True
