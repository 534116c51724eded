"""run_sync end to end against the fake registry: paging, failures, resume, cancel, incremental runs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.catalogue.registry_client import SyncError
from core.catalogue.sync import run_sync
from core.catalogue.sync_query import SyncQuery
from core.catalogue.sync_state import JsonFileSyncStateStore, SyncState
from tests.support.fake_registry import Fault, study_id
from tests.unit.sync.conftest import STUDY_COUNT

QUERY = SyncQuery(condition="T-cell leukemia", statuses=("RECRUITING",), page_size=10)


class Collector:
    """An on_page hook that records pages and can crash on a chosen page."""

    def __init__(self, crash_on_page: int | None = None) -> None:
        self.pages: list[list[str]] = []
        self.states: list[SyncState] = []
        self.crash_on_page = crash_on_page

    def __call__(self, studies: list[dict], state: SyncState) -> None:
        if self.crash_on_page is not None and state.pages_done + 1 == self.crash_on_page:
            raise RuntimeError("importer crashed")
        self.pages.append([study_id(study) for study in studies])
        self.states.append(state)

    @property
    def ids(self) -> list[str]:
        return [nct_id for page in self.pages for nct_id in page]


def clock_at(*moments: datetime):
    remaining = list(moments)
    return lambda: remaining.pop(0) if len(remaining) > 1 else remaining[0]


def test_all_pages_are_fetched_in_order_and_state_records_the_finished_run(
    registry, make_client, state_store
):
    collector = Collector()
    progress: list[tuple[int, int]] = []
    started = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)

    summary = run_sync(
        QUERY,
        client=make_client(registry.base_url),
        state_store=state_store,
        on_page=collector,
        on_progress=lambda state: progress.append((state.pages_done, state.studies_seen)),
        now=lambda: started,
    )

    assert collector.ids == [study_id(study) for study in registry.studies]
    assert [len(page) for page in collector.pages] == [10, 10, 10, 10, 5]
    assert progress == [(1, 10), (2, 20), (3, 30), (4, 40), (5, 45)]
    assert summary.finished and not summary.cancelled and not summary.resumed
    assert (summary.pages, summary.studies, summary.total_count) == (5, STUDY_COUNT, STUDY_COUNT)
    # Each page after the first is asked for with the token the previous page returned.
    assert registry.page_tokens()[0] is None
    assert all(registry.page_tokens()[1:])
    assert all(request.params["query.cond"] == "T-cell leukemia" for request in registry.requests)
    assert all(request.params["filter.overallStatus"] == "RECRUITING" for request in registry.requests)
    saved = state_store.load(QUERY.fingerprint())
    assert saved is not None
    assert saved.finished_at == started
    assert saved.next_page_token is None
    assert (saved.pages_done, saved.studies_seen) == (5, STUDY_COUNT)
    assert saved.next_since == date(2026, 2, 1)


def test_faults_during_a_sync_are_recovered_without_losing_or_repeating_pages(
    registry, make_client, state_store
):
    registry.inject(Fault.status(429, retry_after=1), on=[1])
    registry.inject(Fault.drop(), on=[3])
    registry.inject(Fault.malformed(), on=[5])
    registry.inject(Fault.status(503), on=[7])
    collector = Collector()

    summary = run_sync(
        QUERY, client=make_client(registry.base_url), state_store=state_store, on_page=collector
    )

    assert summary.finished
    assert collector.ids == [study_id(study) for study in registry.studies]
    assert len(registry.requests) == 5 + 4


def test_a_persistent_fault_raises_a_plain_error_and_saves_the_state(registry, make_client, state_store):
    registry.inject_from(3, Fault.status(503))
    collector = Collector()

    with pytest.raises(SyncError) as raised:
        run_sync(QUERY, client=make_client(registry.base_url), state_store=state_store, on_page=collector)

    assert raised.value.kind == "server_error"
    assert "HTTP 503" in str(raised.value)
    assert len(collector.pages) == 2
    saved = state_store.load(QUERY.fingerprint())
    assert saved is not None
    assert saved.pages_done == 2
    assert saved.finished_at is None
    assert saved.next_page_token == registry.requests[2].params["pageToken"]
    assert saved.last_error == str(raised.value)


def test_a_crash_in_on_page_resumes_at_the_same_page_and_no_page_is_skipped(registry, make_client, tmp_path):
    state_file = tmp_path / "state.json"
    crashing = Collector(crash_on_page=3)

    with pytest.raises(RuntimeError, match="importer crashed"):
        run_sync(
            QUERY,
            client=make_client(registry.base_url),
            state_store=JsonFileSyncStateStore(state_file),
            on_page=crashing,
        )

    token_of_page_3 = registry.requests[2].params["pageToken"]
    crashed_state = JsonFileSyncStateStore(state_file).load(QUERY.fingerprint())
    assert crashed_state is not None
    assert crashed_state.next_page_token == token_of_page_3
    assert "importer crashed" in (crashed_state.last_error or "")
    first_run_requests = len(registry.requests)

    # A fresh process: new client, new store object over the same file.
    resumed = Collector()
    summary = run_sync(
        QUERY,
        client=make_client(registry.base_url),
        state_store=JsonFileSyncStateStore(state_file),
        on_page=resumed,
    )

    assert summary.resumed and summary.finished
    assert registry.requests[first_run_requests].params["pageToken"] == token_of_page_3
    assert summary.pages == 3
    assert (summary.pages_done, summary.studies_seen) == (5, STUDY_COUNT)
    delivered = crashing.ids + resumed.ids
    assert delivered == [study_id(study) for study in registry.studies]
    assert resumed.states[0].pages_done == 2


def test_cancel_stops_between_pages_and_the_next_run_continues(registry, make_client, state_store):
    collector = Collector()

    summary = run_sync(
        QUERY,
        client=make_client(registry.base_url),
        state_store=state_store,
        on_page=collector,
        cancel=lambda: len(collector.pages) >= 2,
    )

    assert summary.cancelled and not summary.finished
    assert summary.pages == 2
    assert len(registry.requests) == 2
    saved = state_store.load(QUERY.fingerprint())
    assert saved is not None and saved.pages_done == 2 and saved.next_page_token

    rest = Collector()
    summary = run_sync(QUERY, client=make_client(registry.base_url), state_store=state_store, on_page=rest)

    assert summary.resumed and summary.finished
    assert collector.ids + rest.ids == [study_id(study) for study in registry.studies]


def test_an_incremental_run_asks_only_for_studies_updated_since_the_last_run_started(
    registry, make_client, state_store
):
    query = QUERY.model_copy(update={"updated_since": date(2026, 1, 1), "page_size": 50})
    first_start = datetime(2026, 3, 1, 23, 50, tzinfo=UTC)

    run_sync(
        query,
        client=make_client(registry.base_url),
        state_store=state_store,
        on_page=Collector(),
        now=clock_at(first_start, datetime(2026, 3, 2, 0, 10, tzinfo=UTC)),
    )
    first_run = len(registry.requests)
    second = run_sync(
        query,
        client=make_client(registry.base_url),
        state_store=state_store,
        on_page=Collector(),
        now=lambda: datetime(2026, 3, 9, 8, 0, tzinfo=UTC),
    )

    assert registry.requests[0].params["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2026-01-01,MAX]"
    # The bound is the day the previous run started, not finished: nothing updated mid-run is missed.
    assert (
        registry.requests[first_run].params["filter.advanced"]
        == "AREA[LastUpdatePostDate]RANGE[2026-03-01,MAX]"
    )
    assert second.since == date(2026, 3, 1)
    assert state_store.load(query.fingerprint()).next_since == date(2026, 3, 9)


def test_a_resumed_run_keeps_the_update_bound_it_started_with(registry, make_client, state_store):
    run_sync(
        QUERY,
        client=make_client(registry.base_url),
        state_store=state_store,
        on_page=Collector(),
        now=lambda: datetime(2026, 3, 1, tzinfo=UTC),
    )
    with pytest.raises(RuntimeError):
        run_sync(
            QUERY,
            client=make_client(registry.base_url),
            state_store=state_store,
            on_page=Collector(crash_on_page=2),
            now=lambda: datetime(2026, 4, 1, tzinfo=UTC),
        )
    before_resume = len(registry.requests)
    run_sync(
        QUERY,
        client=make_client(registry.base_url),
        state_store=state_store,
        on_page=Collector(),
        now=lambda: datetime(2026, 5, 1, tzinfo=UTC),
    )

    resumed_params = registry.requests[before_resume].params
    assert resumed_params["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2026-03-01,MAX]"
    # The run that began in April finished in May; the next run starts from April.
    assert state_store.load(QUERY.fingerprint()).next_since == date(2026, 4, 1)


def test_json_state_store_round_trips_and_reports_a_corrupt_file(tmp_path):
    path = tmp_path / "nested" / "state.json"
    store = JsonFileSyncStateStore(path)
    state = SyncState(key="k", started_at=datetime(2026, 1, 1, tzinfo=UTC), next_page_token="t", pages_done=3)

    assert store.load("k") is None
    store.save(state)
    assert JsonFileSyncStateStore(path).load("k") == state
    assert store.load("other") is None

    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(SyncError, match="delete it to start the sync over") as raised:
        store.load("k")
    assert raised.value.kind == "state"


def test_a_stale_saved_page_token_restarts_the_run_from_the_first_page(registry, make_client, state_store):
    first = Collector()
    run_sync(
        QUERY,
        client=make_client(registry.base_url),
        state_store=state_store,
        on_page=first,
        cancel=lambda: len(first.pages) >= 2,
    )
    registry.expire_page_tokens()
    before = len(registry.requests)

    again = Collector()
    summary = run_sync(QUERY, client=make_client(registry.base_url), state_store=state_store, on_page=again)

    assert summary.finished and not summary.resumed
    assert registry.requests[before].params.get("pageToken")  # the stale token, refused
    assert registry.requests[before + 1].params.get("pageToken") is None
    assert again.ids == [study_id(study) for study in registry.studies]
    assert (summary.pages_done, summary.studies_seen) == (5, STUDY_COUNT)


def test_a_refused_first_page_is_not_retried_forever(registry, make_client, state_store):
    query = QUERY.model_copy(update={"page_size": 10})
    registry.inject(Fault.status(400), on=[1])

    with pytest.raises(SyncError) as raised:
        run_sync(query, client=make_client(registry.base_url), state_store=state_store, on_page=Collector())

    assert raised.value.kind == "rejected"
    assert len(registry.requests) == 1
