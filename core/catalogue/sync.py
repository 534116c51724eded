"""Run a resumable, incremental sync of ClinicalTrials.gov studies, page by page."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel

from core.catalogue.registry_client import RegistryClient, SyncError
from core.catalogue.sync_query import SyncQuery
from core.catalogue.sync_state import SyncState, SyncStateStore

log = logging.getLogger(__name__)

PageHandler = Callable[[list[dict[str, Any]], SyncState], None]
ProgressHandler = Callable[[SyncState], None]


class SyncSummary(BaseModel):
    """What one call of `run_sync` did, and where the sync now stands."""

    key: str
    since: date | None  # the LastUpdatePostDate lower bound used
    resumed: bool  # continued an unfinished run
    pages: int  # pages handed to on_page by this call
    studies: int  # studies handed to on_page by this call
    pages_done: int  # pages of the whole run, earlier interrupted calls included
    studies_seen: int
    total_count: int | None
    cancelled: bool
    finished: bool
    started_at: datetime
    finished_at: datetime | None


def run_sync(
    query: SyncQuery,
    *,
    client: RegistryClient,
    state_store: SyncStateStore,
    on_page: PageHandler,
    cancel: Callable[[], bool] | None = None,
    on_progress: ProgressHandler | None = None,
    now: Callable[[], datetime] | None = None,
) -> SyncSummary:
    """Fetch every page of `query`, hand each to `on_page`, and persist progress after each page.

    `on_page` receives the page's raw study dicts and a copy of the state as it was before the
    page (so `pages_done` counts earlier pages). The state is saved only after `on_page` returns,
    so a crash re-fetches at most one page; `on_page` must therefore be idempotent. An unfinished
    run resumes from its saved page token; after a finished run, the next run only asks for
    studies updated since the finished run started. Network failures raise `SyncError`, with the
    state saved and its `last_error` set.
    """
    clock = now or _now_utc
    state, resumed = begin_run(query, state_store.load(query.fingerprint()), clock())
    state_store.save(state)
    pages = studies = 0
    cancelled = False
    while not state.is_finished:
        if cancel is not None and cancel():
            cancelled = True
            log.info("sync %s cancelled after %d pages", state.key, state.pages_done)
            break
        params = query.to_params(updated_since=state.run_since, page_token=state.next_page_token)
        if state.pages_done == 0:
            params["countTotal"] = "true"
        try:
            try:
                page = client.fetch_page(params)
            except SyncError as error:
                if not (error.kind == "rejected" and resumed and pages == 0 and state.next_page_token):
                    raise
                # A saved page token can go stale between runs; the importer is idempotent, so
                # starting the run's paging over loses nothing.
                log.warning("saved page token refused (%s); restarting sync %s from page 1", error, state.key)
                state = restart_paging(state)
                state_store.save(state)
                resumed = False
                continue
            if page.next_page_token is not None and page.next_page_token == state.next_page_token:
                raise SyncError(
                    "clinicaltrials.gov returned the same page token twice; stopping to avoid a loop.",
                    kind="malformed",
                )
        except SyncError as error:
            _save_failure(state_store, state, str(error))
            raise
        try:
            on_page(page.studies, state.model_copy(deep=True))
        except Exception as error:
            _save_failure(state_store, state, f"importing page {state.pages_done + 1} failed: {error!r}")
            raise
        state = advance_state(state, page.studies, page.next_page_token, page.total_count, clock())
        state_store.save(state)
        pages += 1
        studies += len(page.studies)
        if on_progress is not None:
            on_progress(state.model_copy(deep=True))
    return SyncSummary(
        key=state.key,
        since=state.run_since,
        resumed=resumed,
        pages=pages,
        studies=studies,
        pages_done=state.pages_done,
        studies_seen=state.studies_seen,
        total_count=state.total_count,
        cancelled=cancelled,
        finished=state.is_finished,
        started_at=state.started_at,
        finished_at=state.finished_at,
    )


def begin_run(query: SyncQuery, previous: SyncState | None, started_at: datetime) -> tuple[SyncState, bool]:
    """Continue an unfinished run, or start a new one bounded by the last finished run's start date."""
    snapshot = query.model_dump(mode="json", exclude_defaults=True)
    if previous is not None and not previous.is_finished:
        resumed = previous.pages_done > 0
        return previous.model_copy(update={"last_error": None, "query": snapshot}), resumed
    carried_since = previous.next_since if previous is not None else None
    bounds = [bound for bound in (query.updated_since, carried_since) if bound is not None]
    state = SyncState(
        key=query.fingerprint(),
        query=snapshot,
        run_since=max(bounds) if bounds else None,
        started_at=started_at,
        next_since=carried_since,
    )
    return state, False


def restart_paging(state: SyncState) -> SyncState:
    """Start the current run's paging over from the first page, keeping its update bound and start time."""
    return state.model_copy(
        update={"next_page_token": None, "pages_done": 0, "studies_seen": 0, "last_error": None}
    )


def advance_state(
    state: SyncState,
    studies: list[dict[str, Any]],
    next_page_token: str | None,
    total_count: int | None,
    at: datetime,
) -> SyncState:
    """Record a page as handed over; mark the run finished when the page was the last."""
    update: dict[str, Any] = {
        "next_page_token": next_page_token,
        "pages_done": state.pages_done + 1,
        "studies_seen": state.studies_seen + len(studies),
        "total_count": total_count if total_count is not None else state.total_count,
        "last_error": None,
    }
    if next_page_token is None:
        # Studies updated while this run was paging are caught by starting the next run on its start day.
        update |= {"finished_at": at, "next_since": state.started_at.date()}
    return state.model_copy(update=update)


def _save_failure(store: SyncStateStore, state: SyncState, message: str) -> None:
    state.last_error = message
    store.save(state)


def _now_utc() -> datetime:
    return datetime.now(UTC)
