"""Catalogue work as jobs: imports (then the search index, and embeddings when the dense re-ranker is on)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from core.catalogue.importer import import_paths
from core.catalogue.store import ImportReport
from core.config import get_settings
from core.jobs.dispatch import dispatch_job
from core.jobs.registry import JobContext
from core.jobs.store import JobView, submit_job
from core.matching.dense import DenseEncoder
from core.matching.embeddings import embed_catalogue
from core.matching.service import ensure_index
from core.permissions import ROLES, Actor, requires

IMPORT_JOB = "import"
EMBED_JOB = "embed_catalogue"


@requires("catalogue.import")
def start_import(actor: Actor, paths: Sequence[str | Path]) -> JobView:
    """Import files as a job (progress, cancel), dispatched by the policy."""
    job_id = submit_job(IMPORT_JOB, {"paths": [str(p) for p in paths], "actor": actor.username}, created_by=actor.username)
    return dispatch_job(job_id)


def refresh_search_index(on_message: Callable[[str], None] | None = None) -> None:
    """Rebuild the retrieval index after the catalogue changed, so the next match does not wait for it."""
    if on_message:
        on_message("Updating the search index")
    ensure_index()


@requires("catalogue.import")
def import_files(actor: Actor, paths: Sequence[str | Path], *,
                 on_progress: Callable[[int, int | None, str], None] | None = None) -> ImportReport:
    """Import in this thread (the CLI): the files, then the search index, then embeddings if enabled."""
    report = import_paths(actor, paths, on_progress=on_progress)
    if report.new or report.updated:
        refresh_search_index()
        queue_catalogue_embedding(actor.username)
    return report


def run_import(ctx: JobContext) -> dict[str, Any]:
    actor = Actor(username=ctx.payload.get("actor", "system"), roles=frozenset(ROLES))
    report = import_paths(actor, ctx.payload["paths"], on_progress=ctx.progress, cancel=ctx.cancelled)
    if report.new or report.updated:
        refresh_search_index(lambda message: ctx.progress(report.seen, report.seen, message))
        queue_catalogue_embedding(actor.username)
    return report.as_dict()


@requires("catalogue.import")
def start_catalogue_embedding(actor: Actor) -> JobView:
    """Embed new and changed trials for the dense re-ranker (a double click joins the job under way)."""
    return dispatch_job(submit_job(EMBED_JOB, {}, created_by=actor.username, idempotency_key=EMBED_JOB))


def queue_catalogue_embedding(created_by: str) -> JobView | None:
    """After an import, with DENSE_RERANK on: embed the new and changed trials as a job of their own."""
    if not get_settings().dense_rerank:
        return None
    return dispatch_job(submit_job(EMBED_JOB, {}, created_by=created_by, idempotency_key=EMBED_JOB))


def run_embed_catalogue(ctx: JobContext) -> dict[str, Any]:
    encoder = DenseEncoder()  # raises DenseUnavailable naming the extra to install: the job fails saying so

    def progress(done: int, last_id: int, total: int) -> None:
        ctx.check_cancelled()
        ctx.progress(min(last_id, total), total, f"{done} trials embedded")

    return embed_catalogue(encoder, progress)
