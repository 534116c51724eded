"""BM25 retrieval over the trial catalogue: streaming build, weighted search, on-disk persistence."""

from __future__ import annotations

import hashlib
import json
import re
from array import array
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN
from pydantic import BaseModel, Field

from core.catalogue.spelling import spelling_rules

INDEX_FORMAT = "nextoption-bm25-v3"  # v3: the spelling table shared with catalogue search (v2: British spellings made American)
MANIFEST_NAME = "manifest.json"
DOC_IDS_NAME = "doc_ids.json"

_TOKEN_RE = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS: frozenset[str] = frozenset(STOPWORDS_EN)


class QueryPart(BaseModel):
    """One piece of query text and how much it counts."""

    text: str
    weight: float = 1.0


class WeightedQuery(BaseModel):
    """A retrieval query: pieces of text, each with a weight (tokens repeated across pieces add up)."""

    parts: list[QueryPart] = Field(default_factory=list)

    def add(self, text: str, weight: float = 1.0) -> WeightedQuery:
        """Append one weighted piece; returns self so calls chain."""
        if text.strip() and weight != 0:
            self.parts.append(QueryPart(text=text, weight=weight))
        return self


class IndexManifest(BaseModel):
    """What is on disk next to the BM25 arrays, so the product can tell when to rebuild."""

    format: str = INDEX_FORMAT
    fingerprint: str
    num_docs: int
    vocab_size: int
    k1: float
    b: float
    bm25s_version: str


def american_spelling(word: str) -> str:
    """A lower-case word with British spellings made American: "leukaemia" -> "leukemia", "tumour" -> "tumor",
    "randomised" -> "randomized". One table for matching and catalogue search
    (core/catalogue/search_terms/spelling_variants.csv)."""
    return spelling_rules().americanise(word)


class Analyzer:
    """Lower-case, split on word characters, drop English stopwords, make British spellings American,
    Snowball-stem (with a cache)."""

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("english")
        self._cache: dict[str, str] = {}

    def tokenize(self, text: str) -> list[str]:
        """Return the stemmed, stopword-free tokens of a text."""
        words = [w for w in _TOKEN_RE.findall(text.lower()) if w not in _STOPWORDS]
        cache = self._cache
        missing = [w for w in set(words) if w not in cache]
        if missing:
            spelled = [american_spelling(w) for w in missing]
            for word, stem in zip(missing, self._stemmer.stemWords(spelled), strict=True):
                cache[word] = stem
            if len(cache) > 2_000_000:  # keep memory bounded on huge, noisy catalogues
                cache.clear()
                return self.tokenize(text)
        return [cache[w] for w in words]


class _FingerprintingIterator:
    """Wrap the (doc_id, text) stream, hashing it as it passes so the build reads the data once."""

    def __init__(self, docs: Iterable[tuple[str, str]]) -> None:
        self._docs = iter(docs)
        self._hash = hashlib.sha256(INDEX_FORMAT.encode())

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for position, item in enumerate(self._docs):
            try:
                doc_id, text = item
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"document at position {position}: expected (doc_id, text), got {item!r}"
                ) from exc
            if not isinstance(doc_id, str) or not doc_id:
                raise ValueError(f"document at position {position}: doc_id must be a non-empty string")
            if not isinstance(text, str):
                raise ValueError(f"document {doc_id!r} at position {position}: text must be a string")
            _update_fingerprint(self._hash, doc_id, text)
            yield doc_id, text

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _update_fingerprint(h: hashlib._Hash, doc_id: str, text: str) -> None:
    h.update(doc_id.encode())
    h.update(b"\x00")
    h.update(hashlib.sha256(text.encode()).digest())


def compute_fingerprint(docs: Iterable[tuple[str, str]]) -> str:
    """Content fingerprint of a (doc_id, text) stream; equal to the one a build over it records."""
    h = hashlib.sha256(INDEX_FORMAT.encode())
    for doc_id, text in docs:
        _update_fingerprint(h, doc_id, text)
    return h.hexdigest()


class RetrievalIndex:
    """A BM25 (Lucene variant) index with precomputed per-term document scores in CSC layout."""

    def __init__(
        self,
        retriever: bm25s.BM25,
        doc_ids: list[str],
        manifest: IndexManifest,
        analyzer: Analyzer | None = None,
    ) -> None:
        self._retriever = retriever
        self.doc_ids = doc_ids
        self.manifest = manifest
        self._analyzer = analyzer or Analyzer()
        self._position = {doc_id: i for i, doc_id in enumerate(doc_ids)}
        self._vocab: dict[str, int] = retriever.vocab_dict
        scores = retriever.scores
        self._data = scores["data"]
        self._indices = scores["indices"]
        self._indptr = scores["indptr"]

    @property
    def fingerprint(self) -> str:
        return self.manifest.fingerprint

    def __len__(self) -> int:
        return len(self.doc_ids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._position

    def analyze(self, text: str) -> list[str]:
        """Tokens exactly as the index sees them (useful for query expansion and feedback)."""
        return self._analyzer.tokenize(text)

    def term_weights(self, query: str | WeightedQuery) -> dict[str, float]:
        """Aggregate a query into stemmed-token weights (tokens unknown to the index are dropped)."""
        if isinstance(query, str):
            query = WeightedQuery().add(query)
        weights: dict[str, float] = {}
        for part in query.parts:
            for token in self._analyzer.tokenize(part.text):
                if token in self._vocab:
                    weights[token] = weights.get(token, 0.0) + part.weight
        return weights

    def document_frequency(self, token: str) -> int:
        """Number of documents containing an analysed token."""
        tid = self._vocab.get(token)
        return 0 if tid is None else int(self._indptr[tid + 1] - self._indptr[tid])

    def score_all(self, query: str | WeightedQuery | dict[str, float]) -> np.ndarray:
        """BM25 score of every document (array aligned with `doc_ids`)."""
        weights = query if isinstance(query, dict) else self.term_weights(query)
        scores = np.zeros(len(self.doc_ids), dtype=np.float32)
        for token, weight in weights.items():
            tid = self._vocab.get(token)
            if tid is None or weight == 0:
                continue
            start, end = int(self._indptr[tid]), int(self._indptr[tid + 1])
            # doc indices are unique within one term's column, so fancy-index += is exact
            scores[self._indices[start:end]] += np.float32(weight) * self._data[start:end]
        return scores

    def score_docs(
        self, query: str | WeightedQuery | dict[str, float], doc_ids: Iterable[str]
    ) -> dict[str, float]:
        """BM25 scores of the given documents; raises KeyError naming ids absent from the index."""
        ids = list(doc_ids)
        missing = [d for d in ids if d not in self._position]
        if missing:
            raise KeyError(f"{len(missing)} document(s) not in the index, e.g. {missing[:5]}")
        scores = self.score_all(query)
        return {d: float(scores[self._position[d]]) for d in ids}

    def search(
        self,
        query: str | WeightedQuery | dict[str, float],
        k: int,
        restrict_to: Collection[str] | None = None,
    ) -> list[tuple[str, float]]:
        """Top-k matching (doc_id, score), best first; ties broken by doc_id so results are deterministic."""
        if k <= 0:
            return []
        scores = self.score_all(query)
        if restrict_to is not None:
            positions = np.fromiter(
                sorted({self._position[d] for d in restrict_to if d in self._position}), dtype=np.int64
            )
            positions = positions[scores[positions] > 0]
        else:
            positions = np.flatnonzero(scores > 0)  # a document sharing no term with the query is no hit
        candidate_scores = scores[positions]
        n = candidate_scores.shape[0]
        if n == 0:
            return []
        if k < n:
            # take everything tied with the k-th score, then sort exactly
            kth = np.partition(candidate_scores, n - k)[n - k]
            chosen = np.flatnonzero(candidate_scores >= kth)
        else:
            chosen = np.arange(n)
        doc_positions = positions[chosen]
        ranked = sorted(
            ((self.doc_ids[int(p)], float(scores[int(p)])) for p in doc_positions),
            key=lambda item: (-item[1], item[0]),
        )
        return ranked[:k]

    def save(self, directory: str | Path) -> Path:
        """Write the index (bm25s arrays + vocabulary, doc ids, manifest) to a directory."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(path), show_progress=False)
        (path / DOC_IDS_NAME).write_text(json.dumps(self.doc_ids), encoding="utf-8")
        # manifest last: its presence marks a complete index
        (path / MANIFEST_NAME).write_text(self.manifest.model_dump_json(indent=2), encoding="utf-8")
        return path


def read_manifest(directory: str | Path) -> IndexManifest | None:
    """The manifest of a saved index, or None if there is no complete index there."""
    path = Path(directory) / MANIFEST_NAME
    if not path.is_file():
        return None
    return IndexManifest.model_validate_json(path.read_text(encoding="utf-8"))


def index_is_current(directory: str | Path, fingerprint: str) -> bool:
    """True when a saved index exists and was built from content with this fingerprint."""
    manifest = read_manifest(directory)
    return manifest is not None and manifest.format == INDEX_FORMAT and manifest.fingerprint == fingerprint


def load_index(directory: str | Path, mmap: bool = False) -> RetrievalIndex:
    """Load an index saved with `RetrievalIndex.save` (mmap keeps big score arrays off the heap)."""
    path = Path(directory)
    manifest = read_manifest(path)
    if manifest is None:
        raise FileNotFoundError(f"{path}: no {MANIFEST_NAME}; not a complete retrieval index")
    if manifest.format != INDEX_FORMAT:
        raise ValueError(f"{path / MANIFEST_NAME}: format {manifest.format!r}, expected {INDEX_FORMAT!r}")
    retriever = bm25s.BM25.load(str(path), mmap=mmap, show_progress=False, verbosity=0)
    doc_ids = json.loads((path / DOC_IDS_NAME).read_text(encoding="utf-8"))
    if len(doc_ids) != manifest.num_docs:
        raise ValueError(f"{path / DOC_IDS_NAME}: {len(doc_ids)} ids but manifest says {manifest.num_docs}")
    return RetrievalIndex(retriever, doc_ids, manifest)


def build_index(docs: Iterable[tuple[str, str]], k1: float = 1.2, b: float = 0.75) -> RetrievalIndex:
    """Build a BM25 index from a stream of (doc_id, text), holding only compact postings in memory."""
    analyzer = Analyzer()
    stream = _FingerprintingIterator(docs)
    vocab: dict[str, int] = {}
    doc_ids: list[str] = []
    seen: set[str] = set()
    post_term = array("i")
    post_doc = array("i")
    post_tf = array("i")
    doc_len = array("i")
    for doc_idx, (doc_id, text) in enumerate(stream):
        if doc_id in seen:
            raise ValueError(f"document {doc_id!r} at position {doc_idx}: duplicate doc_id")
        seen.add(doc_id)
        doc_ids.append(doc_id)
        tokens = analyzer.tokenize(text)
        doc_len.append(len(tokens))
        for token, tf in Counter(tokens).items():
            tid = vocab.get(token)
            if tid is None:
                tid = vocab[token] = len(vocab)
            post_term.append(tid)
            post_doc.append(doc_idx)
            post_tf.append(tf)
    del seen

    num_docs = len(doc_ids)
    vocab_size = len(vocab)
    terms = np.frombuffer(post_term, dtype=np.int32)
    docs_arr = np.frombuffer(post_doc, dtype=np.int32)
    tfs = np.frombuffer(post_tf, dtype=np.int32).astype(np.float32)
    lengths = np.frombuffer(doc_len, dtype=np.int32).astype(np.float32)
    avg_len = float(lengths.mean()) if num_docs and lengths.mean() > 0 else 1.0

    df = np.bincount(terms, minlength=vocab_size).astype(np.float64)
    idf = np.log1p((num_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
    norm = np.float32(k1) * (np.float32(1 - b) + np.float32(b) * lengths / np.float32(avg_len))
    # Lucene BM25 (what bm25s calls method="lucene"): idf * tf / (tf + k1 * (1 - b + b * dl / avgdl))
    data = idf[terms] * (tfs / (tfs + norm[docs_arr]))
    del tfs, norm
    order = np.argsort(terms, kind="stable")  # stable keeps doc order inside each term's column
    data = data[order]
    indices = docs_arr[order].copy()
    del order
    indptr = np.zeros(vocab_size + 1, dtype=np.int64)
    np.cumsum(df.astype(np.int64), out=indptr[1:])

    retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
    retriever.scores = {"data": data, "indices": indices, "indptr": indptr, "num_docs": num_docs}
    retriever.vocab_dict = vocab
    retriever.nonoccurrence_array = None
    manifest = IndexManifest(
        fingerprint=stream.hexdigest(),
        num_docs=num_docs,
        vocab_size=vocab_size,
        k1=k1,
        b=b,
        bm25s_version=bm25s.__version__,
    )
    return RetrievalIndex(retriever, doc_ids, manifest, analyzer)
