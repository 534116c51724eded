"""Importing files into the catalogue: streamed in batches, each batch one transaction, with a report and progress."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from core.audit import record_event
from core.catalogue.sources import estimate_total, iter_import_bytes, iter_import_items
from core.catalogue.store import ImportReport, store_trials
from core.catalogue.sync_cli import main_sync
from core.config import get_settings
from core.db import session_scope
from core.domain.trial import NormalizedTrial, RejectedRecord
from core.permissions import ROLES, Actor, requires

BATCH_SIZE = 500


def import_items(
    items: Iterable[Any],
    *,
    actor: Actor,
    source: str,
    total: int | None = None,
    on_progress: Callable[[int, int | None, str], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Store streamed ImportItems; a failing batch is retried record by record so one bad record loses nothing else."""
    report = ImportReport()
    batch: list[NormalizedTrial] = []

    def flush() -> None:
        if not batch:
            return
        try:
            with session_scope() as s:
                store_trials(s, batch, report)
        except Exception:
            # The batch rolled back as a whole; store one by one to keep every good record.
            for trial in batch:
                single = ImportReport()
                try:
                    with session_scope() as s:
                        store_trials(s, [trial], single)
                    report.new += single.new
                    report.updated += single.updated
                    report.unchanged += single.unchanged
                except Exception as exc:
                    report.rejected.append(
                        RejectedRecord(file=source, position=trial.registry_id, field=None, reason=f"could not be stored: {exc}", registry_id=trial.registry_id)
                    )
        batch.clear()

    for item in items:
        report.add_warnings(item.warnings)
        if item.ok:
            batch.append(item.trial)
        else:
            report.rejected.append(item.rejection)
        if len(batch) >= batch_size:
            flush()
            if on_progress:
                on_progress(item.seen, total, report.summary())
            if cancel and cancel():
                report.cancelled = True
                break
    if not report.cancelled:
        flush()
    if on_progress:
        on_progress(report.seen, total, report.summary())
    with session_scope() as s:
        record_event(
            s, actor, "catalogue.import", "catalogue", source,
            after={**report.as_dict(), "rejected": len(report.rejected), "warnings": report.records_with_warnings,
                   "source": source[:2000]},
        )
    return report


@requires("catalogue.import")
def import_paths(
    actor: Actor,
    paths: Sequence[str | Path],
    *,
    on_progress: Callable[[int, int | None, str], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import files, folders or zips in any supported format (detected from content)."""
    total = estimate_total(paths)
    return import_items(
        iter_import_items(paths), actor=actor, source=", ".join(str(p) for p in paths), total=total,
        on_progress=on_progress, cancel=cancel,
    )


@requires("catalogue.import")
def save_upload(actor: Actor, name: str, data: bytes) -> Path:
    """Keep an uploaded file under the data directory so an import job (maybe on a worker) can read it."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(name).name)[:120] or "upload"
    folder = get_settings().data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / safe
    n = 1
    while path.exists():
        path = folder / f"{n}-{safe}"
        n += 1
    path.write_bytes(data)
    return path


def import_study_page(studies: list[dict], *, source: str, actor: Actor | None = None) -> ImportReport:
    """Store one page of API v2 studies fetched by the registry sync (same parser and store as files)."""
    actor = actor or Actor(username="registry-sync", roles=frozenset(ROLES))
    data = json.dumps({"studies": studies}).encode()
    return import_items(iter_import_bytes(data, name=source), actor=actor, source=source, total=len(studies))


def main_sync_into_catalogue(argv: list[str] | None = None) -> int:
    """`python -m core sync ...`: the registry client, with every page stored in the catalogue."""
    def store(studies: list[dict], state: Any) -> None:
        report = import_study_page(studies, source=f"clinicaltrials.gov sync, page {state.pages_done + 1}")
        print(f"  stored: {report.summary()}")

    return main_sync(argv, on_page=store)
