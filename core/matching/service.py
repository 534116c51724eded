"""Matching a stored case against the stored catalogue: filters, retrieval, rule assessment, ranking, selection."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Text, cast, delete, func, insert, select
from sqlalchemy.orm import Session

from core.audit import record_event
from core.case_records import get_case_facts, get_known_identifiers
from core.catalogue.store import catalogue_version, split_bars
from core.config import get_settings
from core.db import session_scope
from core.domain.case_facts import CaseFacts
from core.domain.statuses import MatchStatus
from core.domain.trial import NormalizedTrial, search_text_of
from core.domain.verdicts import EXCLUSION_LABELS, INCLUSION_LABELS, CriterionVerdict
from core.errors import NotFound, ValidationFailed
from core.llm_config import load_llm_settings
from core.matching.criteria_rules import assess_conditions, assess_trial_record, summarise_verdicts
from core.matching.embeddings import catalogue_dense_scorer
from core.matching.filters import apply_hard_filters
from core.matching.llm_assessment import TrialVerdicts, assess_unsettled_with_llm
from core.matching.ranker import rank_candidates
from core.matching.retrieval import build_index, load_index
from core.models import CriterionVerdictRow, Match, Trial
from core.nlp.sentences import split_sentences
from core.permissions import Actor, requires

log = logging.getLogger(__name__)
RETRIEVE_K = 300
_index_lock = threading.Lock()
_index_cache: dict[str, Any] = {}



class VerdictView(BaseModel):
    id: int
    kind: str
    position: int
    criterion_text: str
    verdict: str
    evidence: list[int]
    source: str
    explanation: str
    override_reason: str | None


class MatchView(BaseModel):
    id: int
    trial_id: int
    registry_id: str
    title: str
    study_type: str
    overall_status: str
    phases: list[str]
    is_demo: bool
    rank: int | None
    score: float
    retrieval_score: float
    passed_filters: bool
    filter_reasons: list[dict[str, Any]]
    eligibility: str
    met: int
    unknown: int
    not_met: int
    deciding_criterion: str | None
    nearest_site: dict[str, Any] | None
    distance_km: float | None
    status: str
    dismiss_reason: str | None
    verdicts: list[VerdictView] = []


def summary_fields(summary: Any) -> dict[str, Any]:
    """The one-line eligibility summary of a match, from summarise_verdicts' result."""
    if summary.likely_eligible:
        eligibility = "likely eligible"
    else:
        eligibility = "likely not eligible" if summary.deciding is not None else "unknown"
    return {
        "met": summary.met, "unknown": summary.unknown, "not_met": summary.not_met, "eligibility": eligibility,
        "deciding": summary.deciding.criterion_text if summary.deciding else None,
    }


def catalogue_fingerprint(s: Session) -> str:
    """Changes whenever an import adds or changes a trial (a counter the store bumps; O(1) to read)."""
    return catalogue_version(s)


def _index_dir() -> Path:
    return get_settings().data_dir / "index"


def _iter_index_docs():  # noqa: ANN202
    """Stream (registry_id, text) for every trial, in pages, so memory stays flat."""
    last = 0
    while True:
        with session_scope() as s:
            rows = s.execute(select(Trial.id, Trial.registry_id, Trial.record).where(Trial.id > last).order_by(Trial.id).limit(2000)).all()
        if not rows:
            return
        for tid, rid, record in rows:
            yield rid, search_text_of(record)
            last = tid


def ensure_index():  # noqa: ANN201
    """The retrieval index for the current catalogue: loaded from disk, rebuilt after imports changed it."""
    with session_scope() as s:
        fingerprint = catalogue_fingerprint(s)
    directory = _index_dir()
    key = f"{get_settings().resolved_database_url}|{fingerprint}"
    with _index_lock:
        if key in _index_cache:
            return _index_cache[key]
        marker = directory / "catalogue.fingerprint"
        index = None
        if marker.exists() and marker.read_text() == fingerprint:
            try:
                index = load_index(directory)
            except Exception:  # a damaged index is rebuilt, never fatal
                log.warning("retrieval index at %s unreadable; rebuilding", directory)
        if index is None:
            index = build_index(_iter_index_docs())
            directory.mkdir(parents=True, exist_ok=True)
            index.save(directory)
            marker.write_text(fingerprint)
        _index_cache.clear()
        _index_cache[key] = index
        return index


def stored_search_texts(s: Session, registry_ids: list[str]) -> dict[str, str]:
    """The indexed texts of stored trials (what relevance feedback reads), in one query; gone ids are left out."""
    rows = s.execute(select(Trial.registry_id, Trial.record).where(Trial.registry_id.in_(registry_ids))) if registry_ids else []
    return {rid: search_text_of(record) for rid, record in rows}


def _load_trials(s: Session, registry_ids: list[str]) -> dict[str, tuple[int, NormalizedTrial]]:
    out = {}
    for chunk_start in range(0, len(registry_ids), 500):
        chunk = registry_ids[chunk_start : chunk_start + 500]
        # The record as text, parsed and validated in one step by pydantic: a third faster than json.loads first.
        rows = s.execute(select(Trial.id, Trial.registry_id, cast(Trial.record, Text)).where(Trial.registry_id.in_(chunk)))
        for tid, rid, record in rows:
            out[rid] = (tid, NormalizedTrial.model_validate_json(record))
    return out


def assess_candidates(
    facts: CaseFacts,
    candidates: list[tuple[str, float, int, NormalizedTrial]],
    *,
    top_k: int,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Filter, assess the top trials criterion by criterion, and order them; one dict per candidate."""
    sentences = split_sentences(facts.summary) if facts.summary else []
    results: list[dict[str, Any]] = []
    assessed = fitted = 0
    for rid, score, tid, trial in candidates:
        outcome = apply_hard_filters(facts, trial)
        row: dict[str, Any] = {
            "trial_id": tid,
            "registry_id": rid,
            "retrieval_score": float(score),
            "passed_filters": outcome.passed,
            "filter_reasons": [asdict(r) for r in outcome.reasons] + [{**asdict(n), "note": True} for n in outcome.notes],
            "nearest_site": outcome.nearest_site.model_dump() if outcome.nearest_site else None,
            "distance_km": outcome.nearest_site_km,
            "verdicts": [],
            "eligibility": "unknown",
            "met": 0,
            "unknown": 0,
            "not_met": 0,
            "deciding": None,
        }
        if outcome.passed and assessed < top_k:
            verdicts = assess_trial_record(trial, sentences, facts)
            row.update(verdicts=verdicts, **summary_fields(summarise_verdicts(verdicts)))
            assessed += 1
            if on_progress:
                on_progress(assessed, top_k)
        # whether the trial is for the case's disease, also for the best trials the filters keep out (see
        # candidate_tier); deeper ones keep their retrieval order
        main = next((v for v in row["verdicts"] if v.is_implicit and v.criterion_text.startswith("Conditions")), None)
        if main is None and not outcome.passed and fitted < top_k:
            main = assess_conditions(trial.conditions, trial.brief_title, facts)
            fitted += 1
        row["disease_fit"] = main.verdict if main is not None else "not enough information"
        results.append(row)
    return order_candidates(results)


def candidate_tier(row: dict[str, Any]) -> int:
    """0: open to the case and not ruled out; 1: open, ruled out by a criterion, but for the case's disease;
    2: kept out by the filters (closed, age...) but for the case's disease; 3: the rest (another disease)."""
    other_disease = row.get("disease_fit") == "not included"
    if row["passed_filters"]:
        if row["eligibility"] != "likely not eligible":
            return 0
        return 3 if other_disease else 1
    return 2 if row.get("disease_fit") == "included" else 3


def order_candidates(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Score and sort candidates by tier (candidate_tier), then relevance, halved when a criterion makes the
    patient likely not eligible (a relevant trial with one failed rule still outranks an unrelated one)."""
    max_score = max((r["retrieval_score"] for r in rows), default=0.0) or 1.0
    for row in rows:
        penalty = 0.5 if row["eligibility"] == "likely not eligible" else 1.0
        row["score"] = round(penalty * row["retrieval_score"] / max_score, 4)
    return sorted(rows, key=lambda r: (candidate_tier(r), -r["score"], r["registry_id"]))


def match_case(case_id: int, *, on_progress: Callable[[int, int, str], None] | None = None) -> dict[str, Any]:
    """Match a case and store the ranked list; keeps selections, dismissals and reviewers' verdict overrides."""
    facts = get_case_facts(case_id)
    progress = on_progress or (lambda *_: None)
    progress(0, 3, "Loading the retrieval index")
    index = ensure_index()
    progress(1, 3, "Searching the catalogue")
    # The ranker rank-pools uses: weighted query, feedback over the candidates, then the hard filters
    # below judge age and sex from the structured fields (so no text-guessed populations here).
    with session_scope() as s:
        ranked_hits = rank_candidates(
            index, facts.summary, facts=facts, k=RETRIEVE_K, doc_texts=lambda ids: stored_search_texts(s, ids),
            dense=catalogue_dense_scorer(),
        )
    hits = [(r.doc_id, r.score) for r in ranked_hits]
    with session_scope() as s:
        kept = {
            tid: (status, reason, rid)
            for tid, status, reason, rid in s.execute(
                select(Match.trial_id, Match.status, Match.dismiss_reason, Trial.registry_id)
                .join(Trial, Trial.id == Match.trial_id)
                .where(Match.case_id == case_id, Match.status != "candidate")
            )
        }
        overrides = {
            (tid, kind, pos): (verdict, reason)
            for tid, kind, pos, verdict, reason in s.execute(
                select(Match.trial_id, CriterionVerdictRow.kind, CriterionVerdictRow.position,
                       CriterionVerdictRow.verdict, CriterionVerdictRow.override_reason)
                .join(Match, Match.id == CriterionVerdictRow.match_id)
                .where(Match.case_id == case_id, CriterionVerdictRow.source == "reviewer")
            )
        }
        # A trial the reviewer already selected or dismissed stays in the list even if retrieval moved it.
        hit_ids = {rid for rid, _ in hits}
        hits = hits + [(rid, 0.0) for _, _, rid in kept.values() if rid not in hit_ids]
        trials = _load_trials(s, [rid for rid, _ in hits])
    candidates = [(rid, score, *trials[rid]) for rid, score in hits if rid in trials]
    progress(2, 3, f"Checking {len(candidates)} trials")
    ranked = assess_candidates(facts, candidates, top_k=get_settings().match_top_k)
    ranked = _refine_top_with_llm(case_id, facts, ranked, {rid: trial for rid, _, _, trial in candidates}, progress)
    _store_matches(case_id, ranked, kept, overrides)
    progress(3, 3, "Done")
    return {"candidates": len(ranked), "passed": sum(1 for r in ranked if r["passed_filters"])}


LLM_TOP_TRIALS = 5


def _refine_top_with_llm(
    case_id: int, facts: CaseFacts, ranked: list[dict[str, Any]], trials: dict[str, NormalizedTrial],
    progress: Callable[[int, int, str], None],
) -> list[dict[str, Any]]:
    """With an LLM configured, settle the top trials' open criteria with it, recompute their summaries and
    re-order the list (a criterion the LLM finds not met moves a trial down)."""
    settings = load_llm_settings()
    if not settings.is_configured:
        return ranked
    top = [r for r in ranked if r["passed_filters"] and r["verdicts"]][:LLM_TOP_TRIALS]
    progress(2, 3, f"Asking the language model about open criteria of {len(top)} trials")
    try:
        settled = assess_unsettled_with_llm(
            [TrialVerdicts(trials[r["registry_id"]], r["verdicts"]) for r in top], facts,
            personal_data=get_known_identifiers(case_id), concurrency=settings.concurrency,
        )
    except Exception as exc:  # matching never fails because of the LLM: the rules' verdicts stand
        log.warning("LLM criterion assessment skipped for case %s: %s", case_id, exc)
        return ranked
    for row, verdicts in zip(top, settled, strict=True):
        row["verdicts"] = verdicts
        row.update(summary_fields(summarise_verdicts(verdicts)))
    return order_candidates(ranked)


def _store_matches(
    case_id: int,
    ranked: list[dict[str, Any]],
    kept: dict[int, tuple[str, str | None, str]],
    overrides: dict[tuple[int, str, int], tuple[str, str | None]],
) -> None:
    """Replace the case's matches in one transaction with bulk inserts (hundreds of rows per run)."""
    with session_scope() as s:
        conn = s.connection()
        conn.execute(delete(Match).where(Match.case_id == case_id))
        rows = []
        for rank, row in enumerate(ranked, start=1):
            status, reason, _ = kept.get(row["trial_id"], ("candidate", None, None))
            rows.append(
                {
                    "case_id": case_id, "trial_id": row["trial_id"], "rank": rank,
                    "retrieval_score": row["retrieval_score"], "score": row["score"],
                    "passed_filters": row["passed_filters"], "filter_reasons": row["filter_reasons"],
                    "eligibility": row["eligibility"], "met": row["met"], "unknown": row["unknown"],
                    "not_met": row["not_met"], "deciding_criterion": row["deciding"],
                    "nearest_site": row["nearest_site"], "distance_km": row["distance_km"],
                    "status": status, "dismiss_reason": reason,
                }
            )
        verdict_rows = []
        if rows:
            ids = conn.execute(insert(Match).returning(Match.id, sort_by_parameter_order=True), rows).scalars().all()
            for match_id, row in zip(ids, ranked, strict=True):
                for v in row["verdicts"]:
                    override = overrides.get((row["trial_id"], v.kind, v.position))
                    verdict_rows.append(
                        {
                            "match_id": match_id, "kind": v.kind, "position": v.position,
                            "criterion_text": v.criterion_text,
                            "verdict": override[0] if override else v.verdict,
                            "evidence": list(v.evidence_sentences),
                            "source": "reviewer" if override else v.source,
                            "explanation": v.explanation,
                            "override_reason": override[1] if override else None,
                        }
                    )
        if verdict_rows:
            conn.execute(insert(CriterionVerdictRow), verdict_rows)
        record_event(
            s, "system", "match.run", "case", case_id,
            after={"candidates": len(ranked), "passed": sum(r["passed_filters"] for r in ranked)},
        )


def _match_view(m: Match, trial: Trial, with_verdicts: bool) -> MatchView:
    return MatchView(
        id=m.id,
        trial_id=trial.id,
        registry_id=trial.registry_id,
        title=trial.brief_title,
        study_type=trial.study_type,
        overall_status=trial.overall_status,
        phases=split_bars(trial.phases),
        is_demo=trial.is_demo,
        rank=m.rank,
        score=m.score,
        retrieval_score=m.retrieval_score,
        passed_filters=m.passed_filters,
        filter_reasons=m.filter_reasons or [],
        eligibility=m.eligibility,
        met=m.met,
        unknown=m.unknown,
        not_met=m.not_met,
        deciding_criterion=m.deciding_criterion,
        nearest_site=m.nearest_site,
        distance_km=m.distance_km,
        status=m.status,
        dismiss_reason=m.dismiss_reason,
        verdicts=[VerdictView.model_validate(v, from_attributes=True) for v in m.verdicts] if with_verdicts else [],
    )


@requires("match.view")
def list_matches(actor: Actor, case_id: int, *, with_verdicts: bool = True) -> list[MatchView]:
    """The ranked list of a case (passed filters first), with verdicts."""
    with session_scope() as s:
        rows = s.execute(
            select(Match, Trial).join(Trial, Trial.id == Match.trial_id).where(Match.case_id == case_id).order_by(Match.rank)
        ).all()
        return [_match_view(m, t, with_verdicts) for m, t in rows]


def _get_match(s: Session, case_id: int, trial_id: int) -> Match:
    match = s.scalar(select(Match).where(Match.case_id == case_id, Match.trial_id == trial_id))
    if match is None:
        raise NotFound(f"Trial {trial_id} is not in the matches of case {case_id}.")
    return match


@requires("match.select")
def select_trial(actor: Actor, case_id: int, trial_id: int) -> None:
    with session_scope() as s:
        match = _get_match(s, case_id, trial_id)
        before = match.status
        match.status, match.dismiss_reason = MatchStatus.SELECTED, None
        record_event(s, actor, "match.select", "match", match.id, before={"status": before}, after={"status": "selected", "trial_id": trial_id})


@requires("match.select")
def unselect_trial(actor: Actor, case_id: int, trial_id: int) -> None:
    with session_scope() as s:
        match = _get_match(s, case_id, trial_id)
        before = match.status
        match.status, match.dismiss_reason = MatchStatus.CANDIDATE, None
        record_event(s, actor, "match.unselect", "match", match.id, before={"status": before}, after={"status": "candidate"})


@requires("match.select")
def dismiss_trial(actor: Actor, case_id: int, trial_id: int, reason: str) -> None:
    if not reason.strip():
        raise ValidationFailed({"reason": "say why this trial is dismissed."})
    with session_scope() as s:
        match = _get_match(s, case_id, trial_id)
        before = match.status
        match.status, match.dismiss_reason = MatchStatus.DISMISSED, reason.strip()
        record_event(s, actor, "match.dismiss", "match", match.id, before={"status": before}, after={"status": "dismissed"}, reason=reason)


@requires("verdict.override")
def override_verdict(actor: Actor, verdict_id: int, verdict: str, reason: str) -> None:
    """A reviewer's correction of one criterion verdict, with a reason; the match's summary is recomputed."""
    if not reason.strip():
        raise ValidationFailed({"reason": "say why you change this verdict."})
    with session_scope() as s:
        row = s.get(CriterionVerdictRow, verdict_id)
        if row is None:
            raise NotFound(f"No verdict {verdict_id}.")
        allowed = INCLUSION_LABELS if row.kind == "inclusion" else EXCLUSION_LABELS
        if verdict not in allowed:
            raise ValidationFailed({"verdict": f"for an {row.kind} criterion use one of: {', '.join(allowed)}."})
        before = {"verdict": row.verdict, "source": row.source}
        row.verdict, row.source, row.override_reason = verdict, "reviewer", reason.strip()
        match = row.match
        summary = summarise_verdicts(
            [
                CriterionVerdict(kind=v.kind, position=v.position, criterion_text=v.criterion_text, verdict=v.verdict, source=v.source)  # type: ignore[arg-type]
                for v in match.verdicts
            ]
        )
        fields = summary_fields(summary)
        match.met, match.unknown, match.not_met = fields["met"], fields["unknown"], fields["not_met"]
        match.eligibility, match.deciding_criterion = fields["eligibility"], fields["deciding"]
        record_event(s, actor, "verdict.override", "verdict", verdict_id, before=before, after={"verdict": verdict, "source": "reviewer"}, reason=reason)


def catalogue_size() -> int:
    """How many trials the catalogue holds (decides whether matching needs a progress panel)."""
    with session_scope() as s:
        return s.scalar(select(func.count(Trial.id))) or 0
