"""The registry client against the fake registry: each fault recovered, persistent faults explained."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.catalogue.rate_limit import TokenBucket
from core.catalogue.registry_client import SyncError, parse_retry_after
from core.catalogue.sync_query import SyncQuery
from tests.support.fake_registry import Fault, free_port, study_id

FIRST_PAGE = SyncQuery(page_size=10).to_params()


def first_page_ids(registry) -> list[str]:
    return [study_id(study) for study in registry.studies[:10]]


@pytest.mark.parametrize(
    "fault",
    [
        Fault.status(500),
        Fault.status(503),
        Fault.status(429),
        Fault.drop(),
        Fault.malformed(),
        Fault.missing_studies(),
    ],
    ids=["500", "503", "429", "dropped-connection", "truncated-json", "missing-studies"],
)
def test_a_transient_fault_is_retried_and_the_page_delivered(registry, make_client, sleeps, fault):
    registry.inject(fault, on=[1, 2])
    client = make_client(registry.base_url)

    page = client.fetch_page(FIRST_PAGE)

    assert [study_id(study) for study in page.studies] == first_page_ids(registry)
    assert page.next_page_token
    assert len(registry.requests) == 3
    assert len(sleeps) == 2


def test_retry_after_is_honoured_on_429(registry, make_client, sleeps):
    registry.inject(Fault.status(429, retry_after=7), on=[1])
    client = make_client(registry.base_url)

    client.fetch_page(FIRST_PAGE)

    assert sleeps == [7.0]


def test_backoff_grows_between_attempts(registry, make_client, sleeps):
    registry.inject(Fault.status(503), on=[1, 2, 3])
    client = make_client(registry.base_url, max_attempts=4, backoff_initial=1.0, backoff_max=100.0)

    client.fetch_page(FIRST_PAGE)

    # wait_exponential_jitter: 1, 2, 4 seconds plus up to 1 s of jitter each.
    assert len(sleeps) == 3
    for sleep, base in zip(sleeps, [1, 2, 4], strict=True):
        assert base <= sleep <= base + 1


def test_a_slow_reply_times_out_and_is_retried(registry, make_client):
    registry.inject(Fault.slow(1.0), on=[1])
    client = make_client(registry.base_url, timeout=0.2)

    page = client.fetch_page(FIRST_PAGE)

    assert len(page.studies) == 10
    assert len(registry.requests) == 2


@pytest.mark.parametrize(
    ("fault", "kind", "phrase"),
    [
        (Fault.status(503), "server_error", "HTTP 503"),
        (Fault.status(429, retry_after=1), "rate_limited", "HTTP 429"),
        (Fault.malformed(), "malformed", "invalid JSON"),
        (Fault.missing_studies(), "malformed", "studies: field required"),
        (Fault.drop(), "unreachable", "the connection was dropped before a reply"),
    ],
)
def test_a_persistent_fault_ends_with_a_plain_sync_error(registry, make_client, fault, kind, phrase):
    registry.inject_from(1, fault)
    client = make_client(registry.base_url, max_attempts=3)

    with pytest.raises(SyncError) as raised:
        client.fetch_page(FIRST_PAGE)

    assert raised.value.kind == kind
    assert phrase in str(raised.value)
    assert "Traceback" not in str(raised.value)
    assert len(registry.requests) == 3


def test_a_closed_port_gives_the_plain_unreachable_message(make_client):
    base_url = f"http://127.0.0.1:{free_port()}/api/v2"
    client = make_client(base_url, max_attempts=2)

    with pytest.raises(SyncError) as raised:
        client.fetch_page(FIRST_PAGE)

    assert raised.value.kind == "unreachable"
    assert str(raised.value) == (
        f"Cannot reach clinicaltrials.gov ({base_url}): connection refused. Check the network or the proxy settings."
    )


def test_a_refused_query_is_not_retried(registry, make_client, sleeps):
    client = make_client(registry.base_url)

    with pytest.raises(SyncError) as raised:
        client.fetch_page({**FIRST_PAGE, "pageToken": "not-a-token"})

    assert raised.value.kind == "rejected"
    assert "HTTP 400" in str(raised.value)
    assert "Invalid pageToken" in str(raised.value)
    assert len(registry.requests) == 1
    assert sleeps == []


def test_every_attempt_waits_for_the_rate_limiter(registry, make_client):
    limiter_sleeps: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        limiter_sleeps.append(seconds)
        now[0] += seconds

    limiter = TokenBucket(60, burst=1, clock=lambda: now[0], sleep=sleep)
    registry.inject(Fault.status(500), on=[1])
    client = make_client(registry.base_url, rate_limiter=limiter)

    client.fetch_page(FIRST_PAGE)
    client.fetch_page(FIRST_PAGE)

    # Three requests at one a second with a burst of one: the second and third wait.
    assert len(registry.requests) == 3
    assert limiter_sleeps == [pytest.approx(1.0), pytest.approx(1.0)]


def test_parse_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
