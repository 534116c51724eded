"""The `python -m core sync` command: run a registry sync from the shell and print progress per page."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TextIO

from pydantic import ValidationError

from core.catalogue.rate_limit import TokenBucket
from core.catalogue.registry_client import DEFAULT_BASE_URL, RegistryClient, SyncError
from core.catalogue.sync import PageHandler, run_sync
from core.catalogue.sync_query import GeoFilter, SyncQuery
from core.catalogue.sync_state import JsonFileSyncStateStore, SyncState, SyncStateStore


class _DryRunStore:
    """Read the saved state but keep new progress in memory, so a dry run never moves the real sync on."""

    def __init__(self, backing: SyncStateStore) -> None:
        self._backing = backing
        self._states: dict[str, SyncState] = {}

    def load(self, key: str) -> SyncState | None:
        return self._states.get(key) or self._backing.load(key)

    def save(self, state: SyncState) -> None:
        self._states[state.key] = state


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line of `sync`."""
    parser = argparse.ArgumentParser(
        prog="python -m core sync",
        description="Fetch studies from the ClinicalTrials.gov API v2, page by page, resuming where the last run stopped.",
    )
    parser.add_argument("--cond", help='condition or disease, e.g. "T-cell leukemia"')
    parser.add_argument("--term", help="other search terms")
    parser.add_argument(
        "--status",
        action="append",
        default=[],
        help="overall status to keep, e.g. RECRUITING; repeat or separate with commas",
    )
    parser.add_argument("--near", metavar="LAT,LON,KM", help="only studies with a site within KM of LAT,LON")
    parser.add_argument(
        "--since", type=date.fromisoformat, help="only studies updated on or after YYYY-MM-DD"
    )
    parser.add_argument(
        "--page-size", type=int, default=100, help="studies per page, 1 to 1000 (default 100)"
    )
    parser.add_argument("--state", required=True, help="JSON file keeping the sync's progress between runs")
    parser.add_argument(
        "--base-url", default=DEFAULT_BASE_URL, help=f"API base URL (default {DEFAULT_BASE_URL})"
    )
    parser.add_argument("--rate", type=float, default=50, help="requests a minute at most (default 50)")
    parser.add_argument(
        "--timeout", type=float, default=30, help="seconds to wait for each reply (default 30)"
    )
    parser.add_argument(
        "--max-attempts", type=int, default=6, help="attempts per page before giving up (default 6)"
    )
    return parser


def build_query(args: argparse.Namespace) -> SyncQuery:
    """Turn parsed arguments into a validated `SyncQuery`."""
    statuses = tuple(
        part.strip().upper() for value in args.status for part in value.split(",") if part.strip()
    )
    geo = None
    if args.near:
        parts = args.near.split(",")
        if len(parts) != 3:
            raise ValueError("--near needs LAT,LON,KM, e.g. 52.37,4.90,250")
        geo = GeoFilter(latitude=float(parts[0]), longitude=float(parts[1]), radius_km=float(parts[2]))
    return SyncQuery(
        condition=args.cond,
        term=args.term,
        statuses=statuses,  # type: ignore[arg-type]
        geo=geo,
        updated_since=args.since,
        page_size=args.page_size,
    )


def main_sync(
    argv: list[str] | None = None,
    *,
    on_page: PageHandler | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run `sync` with `argv` (without the program name); 0 done or cancelled, 1 sync failed, 2 bad input.

    Without an `on_page` hook the run is a dry run: studies are fetched and counted, and the state
    file is read but not updated.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["sync"]:
        args_list = args_list[1:]
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        query = build_query(args)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'query'}: {e['msg']}" for e in error.errors())
        print(f"Invalid sync query: {problems}.", file=err)
        return 2
    except ValueError as error:
        print(f"Invalid sync query: {error}.", file=err)
        return 2

    store: SyncStateStore = JsonFileSyncStateStore(args.state)
    handler = on_page
    if handler is None:
        print("Dry run: no importer is connected, so studies are counted but not stored.", file=out)
        store = _DryRunStore(store)

        def handler(studies: list[dict], state: SyncState) -> None:
            return None

    def report_page(state: SyncState) -> None:
        total = f" of {state.total_count}" if state.total_count is not None else ""
        print(f"page {state.pages_done}: {state.studies_seen}{total} studies so far", file=out, flush=True)

    limiter = TokenBucket(args.rate)
    try:
        with RegistryClient(
            args.base_url, rate_limiter=limiter, timeout=args.timeout, max_attempts=args.max_attempts
        ) as client:
            summary = run_sync(
                query, client=client, state_store=store, on_page=handler, on_progress=report_page
            )
    except SyncError as error:
        print(f"Sync stopped: {error}", file=err)
        if error.kind != "state":
            print("Progress is saved after every page; run the same command again to resume.", file=err)
        return 1
    except KeyboardInterrupt:
        print(
            "Interrupted. Progress is saved after every page; run the same command again to resume.", file=err
        )
        return 130

    since = f", updated since {summary.since.isoformat()}" if summary.since else ""
    verb = "Resumed and finished" if summary.resumed else "Finished"
    if summary.cancelled:
        verb = "Cancelled"
    print(f"{verb}: {summary.pages} pages, {summary.studies} studies this run{since}.", file=out)
    return 0
