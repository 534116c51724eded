"""What a draft is written from, read from the store: the match's verdicts, the nearest open sites, the selected options."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.catalogue.store import split_bars
from core.domain.case_facts import CaseFacts
from core.domain.statuses import DraftStatus
from core.domain.trial import NormalizedTrial, Site
from core.domain.verdicts import CriterionVerdict
from core.drafting.context import OptionSummary
from core.matching.geo import haversine_km, is_site_open
from core.models import Draft, Match, Trial

NEAREST_SITES_SHOWN = 3


def nearest_open_sites(trial: NormalizedTrial, facts: CaseFacts, limit: int = NEAREST_SITES_SHOWN) -> list[tuple[Site, float | None]]:
    """The open sites nearest to the case (all open sites, unsorted distance None, when the location is unknown)."""
    open_sites = [site for site in trial.sites if is_site_open(site, trial.overall_status)]
    if facts.latitude is None or facts.longitude is None:
        return [(site, None) for site in open_sites[:limit]]
    with_distance = [
        (site, haversine_km(facts.latitude, facts.longitude, site.latitude, site.longitude))
        for site in open_sites
        if site.latitude is not None and site.longitude is not None
    ]
    with_distance.sort(key=lambda pair: pair[1])
    return with_distance[:limit]  # type: ignore[return-value]


def load_match_verdicts(s: Session, case_id: int, trial_id: int) -> list[CriterionVerdict]:
    """The stored criterion verdicts of a case's match with a trial (empty when it was never matched)."""
    match = s.scalar(select(Match).where(Match.case_id == case_id, Match.trial_id == trial_id))
    if match is None:
        return []
    return [
        CriterionVerdict(
            kind=v.kind,  # type: ignore[arg-type]
            position=v.position,
            criterion_text=v.criterion_text,
            verdict=v.verdict,  # type: ignore[arg-type]
            evidence_sentences=list(v.evidence or []),
            source=v.source,  # type: ignore[arg-type]
            explanation=v.explanation,
        )
        for v in match.verdicts
    ]


def load_trial(s: Session, trial_id: int) -> NormalizedTrial:
    """The stored normalised record of a trial."""
    return NormalizedTrial.model_validate(s.get(Trial, trial_id).record)


def option_summaries(s: Session, case_id: int) -> list[OptionSummary]:
    """The case's drafted (not rejected) trial options in match order, as the case overview sees them."""
    rows = s.execute(
        select(Trial, Match)
        .join(Draft, Draft.trial_id == Trial.id)
        .join(Match, (Match.trial_id == Trial.id) & (Match.case_id == case_id))
        .where(Draft.case_id == case_id, Draft.kind == "trial", Draft.status != DraftStatus.REJECTED)
        .order_by(Match.rank)
    ).all()
    return [
        OptionSummary(
            registry_id=trial.registry_id,
            title=trial.brief_title,
            study_type=trial.study_type,
            phases=split_bars(trial.phases),
            overall_status=trial.overall_status,
            met=match.met,
            unknown=match.unknown,
            not_met=match.not_met,
            nearest_distance_km=match.distance_km,
        )
        for trial, match in rows
    ]
