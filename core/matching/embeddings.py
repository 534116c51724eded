"""Catalogue embeddings for the optional dense re-ranker: computed once by a job, stored per trial, read back
for the candidates of a case."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

import numpy as np
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from core.config import get_settings
from core.db import session_scope
from core.jobs import JobContext, dispatch_job, register_handler, submit_job
from core.models import Trial, TrialEmbedding
from core.permissions import Actor, requires

log = logging.getLogger(__name__)

PAGE = 256  # trials encoded per step: one progress report and one commit each
DENSE_TEXT_CHARS = 1500  # MiniLM reads about 256 word pieces; more text only costs time


class Encoder(Protocol):
    """What the job needs of an encoder (core.matching.dense.DenseEncoder is the real one)."""

    @property
    def name(self) -> str: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def dense_text_of(record: dict[str, Any]) -> str:
    """What the encoder reads of a trial: what it is about first (title, conditions), then its summary."""
    parts = [record.get("brief_title") or "", "; ".join(record.get("conditions") or []),
             "; ".join(record.get("keywords") or []), record.get("brief_summary") or ""]
    return "\n".join(p for p in parts if p)[:DENSE_TEXT_CHARS]


def _pending_pages(model: str) -> Iterator[list[tuple[int, str, str]]]:
    """Pages of (trial id, text, record hash) whose stored embedding is missing or older than the record.

    Staleness is read from the trial's own content hash, so up-to-date trials cost an index scan, not a parse."""
    last = 0
    while True:
        with session_scope() as s:
            stale = s.execute(
                select(Trial.id, Trial.content_hash)
                .outerjoin(TrialEmbedding, and_(TrialEmbedding.trial_id == Trial.id, TrialEmbedding.model == model))
                .where(Trial.id > last, or_(TrialEmbedding.content_hash.is_(None), TrialEmbedding.content_hash != Trial.content_hash))
                .order_by(Trial.id)
                .limit(PAGE)
            ).all()
            if not stale:
                return
            last = stale[-1][0]
            digests = dict(stale)
            records = s.execute(select(Trial.id, Trial.record).where(Trial.id.in_(list(digests)))).all()
        yield [(tid, dense_text_of(record), digests[tid]) for tid, record in sorted(records)]


def _store(s: Session, model: str, rows: list[tuple[int, str, str]], vectors: np.ndarray) -> None:
    ids = [tid for tid, _, _ in rows]
    s.execute(delete(TrialEmbedding).where(TrialEmbedding.model == model, TrialEmbedding.trial_id.in_(ids)))
    s.add_all(
        TrialEmbedding(trial_id=tid, model=model, content_hash=digest, vector=np.asarray(vec, dtype=np.float32).tobytes())
        for (tid, _, digest), vec in zip(rows, vectors, strict=True)
    )


def embed_catalogue(encoder: Encoder, on_progress: Callable[[int, int, int], None] | None = None) -> dict[str, int]:
    """Embed every trial whose embedding is missing or stale for this encoder; resumable page by page.

    `on_progress(embedded so far, last trial id reached, highest trial id)`."""
    with session_scope() as s:
        total = s.scalar(select(Trial.id).order_by(Trial.id.desc()).limit(1)) or 0
    done = 0
    for page in _pending_pages(encoder.name):
        vectors = encoder.encode([text for _, text, _ in page])
        with session_scope() as s:
            _store(s, encoder.name, page, vectors)
        done += len(page)
        if on_progress:
            on_progress(done, page[-1][0], total)
    return {"embedded": done}


_encoder_lock = threading.Lock()
_encoder: list[Any] = []  # [encoder or None] once tried: the model loads once per process


def shared_encoder() -> Encoder | None:
    """The process's dense encoder, or None when the optional extra is not installed."""
    from core.matching.dense import load_encoder

    with _encoder_lock:
        if not _encoder:
            _encoder.append(load_encoder())
        return _encoder[0]


def stored_similarities(encoder: Encoder, query: str, registry_ids: list[str]) -> dict[str, float]:
    """Cosine similarity of the query to each candidate that has a stored embedding (others are left out)."""
    if not registry_ids:
        return {}
    found: dict[str, bytes] = {}
    with session_scope() as s:
        for start in range(0, len(registry_ids), 500):
            chunk = registry_ids[start : start + 500]
            rows = s.execute(
                select(Trial.registry_id, TrialEmbedding.vector)
                .join(TrialEmbedding, TrialEmbedding.trial_id == Trial.id)
                .where(TrialEmbedding.model == encoder.name, Trial.registry_id.in_(chunk))
            )
            found.update((rid, vector) for rid, vector in rows)
    if not found:
        return {}
    ids = sorted(found)
    matrix = np.stack([np.frombuffer(found[r], dtype=np.float32) for r in ids])
    return dict(zip(ids, (matrix @ encoder.encode([query])[0]).tolist(), strict=True))


def catalogue_dense_scorer() -> Callable[[str, list[str]], dict[str, float]] | None:
    """A scorer for `rank_candidates` over the stored embeddings; None unless DENSE_RERANK is on, the extra is
    installed and the embedding job has run."""
    if not get_settings().dense_rerank:
        return None
    with session_scope() as s:
        if s.scalar(select(TrialEmbedding.trial_id).limit(1)) is None:
            return None  # checked before loading the model: no embeddings, no reason to load it
    encoder = shared_encoder()
    if encoder is None:
        log.warning("DENSE_RERANK is on but the embedding extra is not installed: matching uses BM25 only")
        return None
    return lambda query, registry_ids: stored_similarities(encoder, query, registry_ids)


@requires("catalogue.import")
def start_catalogue_embedding(actor: Actor) -> int:
    """Queue the embedding job (a double click joins the job already under way)."""
    return submit_job("embed_catalogue", {}, created_by=actor.username, idempotency_key="embed_catalogue")


def queue_catalogue_embedding(created_by: str) -> int | None:
    """After an import, with DENSE_RERANK on: embed the new and changed trials as a job of their own."""
    if not get_settings().dense_rerank:
        return None
    job_id = submit_job("embed_catalogue", {}, created_by=created_by, idempotency_key="embed_catalogue")
    dispatch_job(job_id)
    return job_id


@register_handler("embed_catalogue")
def _run_embed_catalogue(ctx: JobContext) -> dict[str, Any]:
    from core.matching.dense import DenseEncoder

    encoder = DenseEncoder()  # raises DenseUnavailable naming the extra to install: the job fails saying so

    def progress(done: int, last_id: int, total: int) -> None:
        ctx.check_cancelled()
        ctx.progress(min(last_id, total), total, f"{done} trials embedded")

    return embed_catalogue(encoder, progress)
