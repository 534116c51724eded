"""The source record as a reviewer reads it beside a draft: labelled fields and the criterion verdicts of the
case under review (never another case's)."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select

from core.db import session_scope
from core.domain.ages import describe_age_range
from core.domain.trial import NormalizedTrial
from core.errors import NotFound
from core.models import CriterionVerdictRow, Match, Trial
from core.permissions import Actor, requires


class TrialForReview(BaseModel):
    registry_id: str
    fields: list[tuple[str, str, str]]  # (field name, label, text)
    verdicts: list[dict[str, object]]


def _sites_text(trial: NormalizedTrial) -> str:
    lines = []
    for s in trial.sites:
        place = ", ".join(p for p in (s.facility, s.city, s.country) if p)
        lines.append(f"{place} ({(s.status or trial.overall_status).replace('_', ' ').lower()})")
    return "\n".join(lines)


@requires("draft.view")
def get_trial_for_review(actor: Actor, registry_id: str, *, case_id: int) -> TrialForReview:
    """The fields a draft's sentences can cite, labelled for the reviewer, and the verdicts of the case under review
    (`case_id`): a trial matched to several cases must not show one family's verdicts beside another's draft."""
    with session_scope() as s:
        row = s.scalar(select(Trial).where(Trial.registry_id == registry_id))
        if row is None:
            raise NotFound(f"No trial {registry_id}.")
        trial = NormalizedTrial.model_validate(row.record)
        verdict_rows = list(
            s.scalars(
                select(CriterionVerdictRow)
                .join(Match, Match.id == CriterionVerdictRow.match_id)
                .where(Match.trial_id == row.id, Match.case_id == case_id)
                .order_by(CriterionVerdictRow.id)
            )
        )
    ages = describe_age_range(trial.minimum_age_years, trial.maximum_age_years)
    fields = [
        ("brief_title", "Title", trial.brief_title),
        ("brief_summary", "Brief summary", trial.brief_summary or ""),
        ("detailed_description", "Detailed description", trial.detailed_description or ""),
        ("conditions", "Conditions", ", ".join(trial.conditions)),
        ("interventions", "Interventions", "\n".join(f"{i.name} ({i.type or 'type not given'})" + (f"; also called {', '.join(i.other_names)}" if i.other_names else "") for i in trial.interventions)),
        ("phases", "Phase and design", f"{', '.join(trial.phases) or 'not given'} · {trial.study_type} · allocation {trial.allocation or '-'} · masking {trial.masking or '-'}"),
        ("overall_status", "Status", trial.overall_status),
        ("ages", "Ages and sex", f"{ages} · {trial.sex}"),
        ("eligibility", "Eligibility criteria", trial.eligibility_text),
        ("sites", "Sites", _sites_text(trial)),
        ("central_contacts", "Study contacts", "\n".join(" · ".join(p for p in (c.name, c.phone, c.email) if p) for c in trial.central_contacts)),
        ("sponsor", "Sponsor", trial.sponsor or ""),
    ]
    verdicts = [
        {"kind": v.kind, "#": str(v.position + 1) if v.position >= 0 else "-", "criterion": v.criterion_text,
         "verdict": v.verdict, "source": v.source}
        for v in verdict_rows
    ]
    return TrialForReview(registry_id=registry_id, fields=fields, verdicts=verdicts)
