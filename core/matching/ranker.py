"""Rank candidate trials for one case: weighted BM25, pseudo-relevance feedback, demographic fit."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from typing import Literal

from pydantic import BaseModel

from core.domain.case_facts import CaseFacts
from core.matching.demographics import TrialPopulation, demographic_fit
from core.matching.differential import rank_differential
from core.matching.presentations import suggest_diagnoses
from core.matching.query import (
    DIFFERENTIAL_WEIGHT,
    LEAD_SENTENCE_WEIGHT,
    PRESENTATION_WEIGHT,
    build_query,
    facts_from_text,
    split_sentences,
    strip_negated,
)
from core.matching.retrieval import RetrievalIndex, WeightedQuery

RERANK_DEPTH = 1000
MAX_TABLE_GUESSES = 3  # the presentation table's first diagnoses in the "what the patient has" variant
FEEDBACK_DEPTH_WITH_DENSE = 200  # lexical and dense first passes together feed back at most this many


class RankingSettings(BaseModel):
    """Global knobs of the ranking pipeline (never per patient)."""

    lead_sentence_weight: float = LEAD_SENTENCE_WEIGHT  # weight of the case text's first sentence
    # weight of each candidate diagnosis the case's findings suggest (core.matching.presentations)
    presentation_weight: float = PRESENTATION_WEIGHT
    # weight of the best diagnosis the knowledge base's findings support (core.matching.differential)
    differential_weight: float = DIFFERENTIAL_WEIGHT
    # RM3 over the candidate set: every candidate up to this depth feeds back terms, weighted by its
    # first-pass score relative to the best (so the candidates' common topic, not one document, steers);
    # 0 turns feedback off. 100 covers most judged pools whole; deeper adds nothing measurable.
    feedback_docs: int = 100
    feedback_terms: int = 25
    feedback_weight: float = 0.4  # share of the final query that comes from feedback
    demographic_weight: float = 0.5  # how much a demographic clash lowers the normalised score
    # A dense scorer first guides feedback: each feedback document weighs by the mean of its normalised
    # lexical and dense scores (equal shares, nothing tuned), and candidates sharing no word with the case
    # can feed back too. Its similarities then join the final score by reciprocal-rank fusion (no weight
    # to tune, the usual k=60), by a linear mix of min-max normalised scores with `dense_weight`, or not.
    fusion: Literal["rrf", "linear", "none"] = "rrf"
    # Query variations fused by CombSUM: the whole case, its opening sentence (the presenting problem) and
    # what the patient has (the named diagnosis, else the diagnoses the findings suggest) each rank the
    # candidates; their min-max normalised scores add up with equal weights (none tuned). False: the
    # whole case only.
    query_variants: bool = True
    rrf_k: int = 60
    dense_weight: float = 0.7  # linear fusion only; 0 turns dense scoring off altogether


class RankedTrial(BaseModel):
    """One ranked candidate with the parts of its score, for display and audit."""

    doc_id: str
    score: float
    retrieval_score: float
    demographic_fit: float
    dense_similarity: float | None = None


def _normalise(weights: Mapping[str, float]) -> dict[str, float]:
    total = sum(abs(w) for w in weights.values())
    return {t: w / total for t, w in weights.items()} if total else {}


def expand_with_feedback(
    index: RetrievalIndex,
    weights: dict[str, float],
    top: list[tuple[str, float]],
    doc_texts: Callable[[list[str]], Mapping[str, str]],
    settings: RankingSettings,
) -> dict[str, float]:
    """RM3: mix the query with the idf-filtered term distribution of the top-ranked documents."""
    if not top or settings.feedback_docs <= 0 or settings.feedback_weight <= 0:
        return weights
    best = top[0][1]
    feedback: Counter[str] = Counter()
    chosen_docs = top[: settings.feedback_docs]
    texts = doc_texts([doc_id for doc_id, _ in chosen_docs])  # one batch: the product reads them from the DB
    for doc_id, score in chosen_docs:
        tokens = index.analyze(texts.get(doc_id, ""))
        if not tokens:
            continue
        doc_weight = score / best if best > 0 else 1.0  # relevance model: documents weigh by their score
        for token, tf in Counter(tokens).items():
            feedback[token] += doc_weight * tf / len(tokens)
    n = len(index)
    for token in list(feedback):
        df = index.document_frequency(token)
        # very common terms carry no topic; idf keeps feedback from drifting to boilerplate
        feedback[token] *= math.log1p((n - df + 0.5) / (df + 0.5)) if df else 0.0
    chosen = dict(feedback.most_common(settings.feedback_terms))
    original = _normalise(weights)
    expansion = _normalise(chosen)
    lam = settings.feedback_weight
    mixed = {t: (1 - lam) * w for t, w in original.items()}
    for token, w in expansion.items():
        mixed[token] = mixed.get(token, 0.0) + lam * w
    return mixed


def blend_with_dense(
    top: list[tuple[str, float]], similarities: Mapping[str, float]
) -> list[tuple[str, float]]:
    """Feedback candidates rescored as the mean of lexical score over the best and min-max scaled dense
    similarity (documents only the dense scorer found count with their dense share), best first."""
    if not top:
        return []

    def scaled(values: Mapping[str, float]) -> dict[str, float]:
        low = min(values.values(), default=0.0)
        spread = (max(values.values(), default=0.0) - low) or 1.0
        return {d: (v - low) / spread for d, v in values.items()}

    best = top[0][1] or 1.0
    lexical = {d: score / best for d, score in top}
    dense = scaled(similarities)
    blended = {d: (lexical.get(d, 0.0) + dense.get(d, 0.0)) / 2 for d in {*lexical, *dense}}
    return sorted(blended.items(), key=lambda item: (-item[1], item[0]))


def rank_candidates(
    index: RetrievalIndex,
    text: str,
    facts: CaseFacts | None = None,
    candidates: Collection[str] | None = None,
    populations: Mapping[str, TrialPopulation] | None = None,
    doc_texts: Callable[[list[str]], Mapping[str, str]] | None = None,
    k: int | None = None,
    settings: RankingSettings | None = None,
    dense: Callable[[str, list[str]], dict[str, float]] | None = None,
) -> list[RankedTrial]:
    """Rank candidates (or the whole index) for a case, best first, deterministically.

    With `settings.query_variants`, the whole case, its opening sentence and what the patient has rank
    the candidates separately and their normalised scores add up (see `query_variants`). `dense`, when
    given (see core.matching.dense), scores candidates by embedding similarity for the whole-case
    ranking: it picks the feedback documents together with BM25, then joins the score as
    `settings.fusion` says.
    """
    settings = settings or RankingSettings()
    whole = _rank_query(index, text, facts, candidates, populations, doc_texts, k, settings, dense)
    if not settings.query_variants:
        return whole
    rankings = [whole] + [
        _rank_query(index, v_text, v_facts, candidates, populations, doc_texts, k, v_settings, None)
        for v_text, v_facts, v_settings in build_query_variants(text, facts, settings)
    ]
    pool_size = len(candidates) if candidates is not None else len(index)
    return fuse_by_score(rankings)[: pool_size if k is None else k]


def build_query_variants(
    text: str, facts: CaseFacts | None, settings: RankingSettings
) -> list[tuple[str, CaseFacts | None, RankingSettings]]:
    """The shorter queries fused with the whole case: its opening sentence, and what the patient has."""
    variants: list[tuple[str, CaseFacts | None, RankingSettings]] = []
    sentences = split_sentences(text)
    if len(sentences) > 1:
        variants.append((sentences[0], facts, settings.model_copy(update={"lead_sentence_weight": 1.0})))
    if facts is not None and facts.diagnosis:
        has = [facts.diagnosis]
    else:  # the guesses the whole-case query uses, each as far as its weight turns it on
        clauses = [strip_negated(s) for s in sentences]
        has = [s.names[0] for s in rank_differential(clauses)] if settings.differential_weight else []
        has += suggest_diagnoses(clauses)[:MAX_TABLE_GUESSES] if settings.presentation_weight else []
    if has:
        plain = {"lead_sentence_weight": 1.0, "presentation_weight": 0.0, "differential_weight": 0.0}
        variants.append(("; ".join(dict.fromkeys(has)), None, settings.model_copy(update=plain)))
    return variants


def fuse_by_score(rankings: list[list[RankedTrial]]) -> list[RankedTrial]:
    """CombSUM: each ranking's scores min-max normalised, then added. A trial keeps its score parts
    (retrieval score, demographic fit, dense similarity) from the first ranking that holds it."""
    fused: dict[str, float] = {}
    first: dict[str, RankedTrial] = {}
    for ranking in rankings:
        if not ranking:
            continue
        low = min(r.score for r in ranking)
        spread = max(r.score for r in ranking) - low
        for r in ranking:
            # all tied (one hit, say): each is that ranking's best
            fused[r.doc_id] = fused.get(r.doc_id, 0.0) + ((r.score - low) / spread if spread else 1.0)
            first.setdefault(r.doc_id, r)
    out = [first[d].model_copy(update={"score": score}) for d, score in fused.items()]
    out.sort(key=lambda r: (-r.score, r.doc_id))
    return out


def _rank_query(
    index: RetrievalIndex,
    text: str,
    facts: CaseFacts | None,
    candidates: Collection[str] | None,
    populations: Mapping[str, TrialPopulation] | None,
    doc_texts: Callable[[list[str]], Mapping[str, str]] | None,
    k: int | None,
    settings: RankingSettings,
    dense: Callable[[str, list[str]], dict[str, float]] | None,
) -> list[RankedTrial]:
    """One query's ranking: weighted BM25, feedback, demographic fit, and the dense scorer if given."""
    query: WeightedQuery = build_query(
        facts,
        text,
        lead_weight=settings.lead_sentence_weight,
        presentation_weight=settings.presentation_weight,
        differential_weight=settings.differential_weight,
    )
    weights = index.term_weights(query)
    pool_size = len(candidates) if candidates is not None else len(index)
    limit = pool_size if k is None else min(k, pool_size)
    use_dense = dense is not None and settings.dense_weight > 0
    if doc_texts is not None and settings.feedback_docs > 0:
        top = index.search(weights, settings.feedback_docs, restrict_to=candidates)
        if use_dense and top:
            # the dense scorer may vouch for candidates that share no word with the case
            scored = [d for d, _ in top] if candidates is None else [d for d in candidates if d in index]
            similarities = dense(_dense_query_text(facts, text, settings.presentation_weight > 0), scored)  # type: ignore[misc]
            top = blend_with_dense(top, similarities)[:FEEDBACK_DEPTH_WITH_DENSE]
        weights = expand_with_feedback(index, weights, top, doc_texts, settings)
    # demographic re-ranking must see beyond the final k, but not the whole of a huge catalogue
    depth = min(pool_size, max(limit * 5, RERANK_DEPTH)) if populations else limit
    hits = index.search(weights, depth, restrict_to=candidates)
    if not hits:
        return []
    case = facts if facts is not None else facts_from_text(text)
    top_score = hits[0][1] or 1.0
    similarities: dict[str, float] = {}
    if use_dense and settings.fusion != "none":
        similarities = dense(
            _dense_query_text(facts, text, settings.presentation_weight > 0), [d for d, _ in hits]
        )
    low = min(similarities.values(), default=0.0)
    spread = (max(similarities.values(), default=0.0) - low) or 1.0
    alpha = settings.dense_weight if similarities and settings.fusion == "linear" else 0.0
    ranked: list[RankedTrial] = []
    for doc_id, score in hits:
        pop = populations.get(doc_id) if populations else None
        fit = demographic_fit(case.age_years, case.sex, pop) if pop is not None else 1.0
        sim = similarities.get(doc_id)
        dense_part = (sim - low) / spread if sim is not None else 0.0
        final = (
            (1 - alpha) * score / top_score + alpha * dense_part - settings.demographic_weight * (1.0 - fit)
        )
        ranked.append(
            RankedTrial(
                doc_id=doc_id, score=final, retrieval_score=score, demographic_fit=fit, dense_similarity=sim
            )
        )
    if similarities and settings.fusion == "rrf":
        ranked = _fuse_reciprocal_ranks(ranked, similarities, settings.rrf_k)
    ranked.sort(key=lambda r: (-r.score, r.doc_id))
    return ranked[:limit]


def _fuse_reciprocal_ranks(
    ranked: list[RankedTrial], similarities: dict[str, float], k: int
) -> list[RankedTrial]:
    """Score = 1/(k + lexical rank) + 1/(k + dense rank); documents without a similarity get no dense share."""
    lexical = sorted(ranked, key=lambda r: (-r.score, r.doc_id))
    dense_order = sorted(similarities, key=lambda d: (-similarities[d], d))
    dense_rank = {d: i for i, d in enumerate(dense_order, start=1)}
    fused = []
    for i, r in enumerate(lexical, start=1):
        rrf = 1.0 / (k + i) + (1.0 / (k + dense_rank[r.doc_id]) if r.doc_id in dense_rank else 0.0)
        fused.append(r.model_copy(update={"score": rrf}))
    return fused


def _dense_query_text(facts: CaseFacts | None, text: str, with_presentations: bool = False) -> str:
    """The case as the encoder reads it: diagnosis first, negated findings removed.

    With `with_presentations`, the candidate diagnoses the findings suggest follow the case text.
    """
    clauses = [strip_negated(s) for s in split_sentences(text)]
    body = " ".join(clauses)
    if with_presentations and not (facts is not None and facts.diagnosis):
        suggested = list(
            dict.fromkeys([*suggest_diagnoses(clauses), *(s.names[0] for s in rank_differential(clauses))])
        )
        if suggested:
            body = f"{body} Possible diagnoses: {', '.join(suggested)}."
    if facts is not None and facts.diagnosis:
        body = f"{facts.diagnosis}. {body}"
    return body
