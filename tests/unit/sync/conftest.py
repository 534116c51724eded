"""Fixtures for the sync tests: a fake registry serving real records, and fast clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from core.catalogue.rate_limit import TokenBucket
from core.catalogue.registry_client import RegistryClient
from core.catalogue.sync_state import JsonFileSyncStateStore
from tests.support.fake_registry import FakeRegistry, load_real_studies, replicate_studies

STUDY_COUNT = 45  # five pages of ten


@pytest.fixture(scope="session")
def real_studies() -> list[dict]:
    return load_real_studies()


@pytest.fixture
def registry(real_studies) -> Iterator[FakeRegistry]:
    with FakeRegistry(replicate_studies(real_studies, STUDY_COUNT)) as fake:
        yield fake


@pytest.fixture
def sleeps() -> list[float]:
    """Every back-off the client asked for; nothing actually sleeps."""
    return []


@pytest.fixture
def make_client(sleeps: list[float]) -> Iterator[Callable[..., RegistryClient]]:
    clients: list[RegistryClient] = []

    def build(base_url: str, **overrides: object) -> RegistryClient:
        options: dict[str, object] = {
            "rate_limiter": TokenBucket(60_000),
            "timeout": 2.0,
            "max_attempts": 4,
            "backoff_initial": 0.01,
            "backoff_max": 0.05,
            "sleep": sleeps.append,
            "trust_env": False,
        }
        options.update(overrides)
        client = RegistryClient(base_url, **options)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def state_store(tmp_path) -> JsonFileSyncStateStore:
    return JsonFileSyncStateStore(tmp_path / "sync-state.json")
