"""The variables of the drafting prompts (trial summary, case overview): the record, the de-identified case,
the verdicts and the nearest sites, all untrusted text neutralised."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.domain.case_facts import CaseFacts
from core.domain.trial import NormalizedTrial, Site
from core.domain.verdicts import CriterionVerdict
from core.drafting.context import OptionSummary, format_distance_km, order_options
from core.drafting.schema import SECTION_TITLES, required_sections
from core.prompting.case_block import MAX_DESCRIPTION_CHARS, build_case_variables
from core.prompting.templates import neutralise_untrusted

MAX_SITES_IN_PROMPT = 5


def _phase_text(phases: Sequence[str]) -> str:
    numbers = sorted({"".join(c for c in p if c.isdigit()) for p in phases} - {""})
    return f"phase {'/'.join(numbers)}" if numbers else "not given"


def _trial_variables(trial: NormalizedTrial) -> dict[str, Any]:
    u = neutralise_untrusted
    return {
        "registry_id": u(trial.registry_id),
        "brief_title": u(trial.brief_title),
        "official_title": u(trial.official_title),
        "acronym": u(trial.acronym),
        "brief_summary": u(trial.brief_summary, MAX_DESCRIPTION_CHARS),
        "detailed_description": u(trial.detailed_description, MAX_DESCRIPTION_CHARS),
        "study_type": trial.study_type,
        "expanded_access_types": list(trial.expanded_access_types),
        "overall_status": trial.overall_status,
        "phases": _phase_text(trial.phases),
        "conditions": [u(c) for c in trial.conditions],
        "interventions": [
            {
                "name": u(i.name),
                "type": i.type or "",
                "description": u(i.description, 600),
                "other_names": [u(n) for n in i.other_names],
            }
            for i in trial.interventions
        ],
        "allocation": trial.allocation or "not given",
        "masking": trial.masking or "not given",
        "primary_purpose": trial.primary_purpose or "not given",
        "enrollment": trial.enrollment if trial.enrollment is not None else "not given",
        "minimum_age_years": f"{trial.minimum_age_years:g}"
        if trial.minimum_age_years is not None
        else "no limit",
        "maximum_age_years": f"{trial.maximum_age_years:g}"
        if trial.maximum_age_years is not None
        else "no limit",
        "sex": trial.sex,
        "sponsor": u(trial.sponsor),
        # Study-team contacts are public registry data, not the family's.
        "central_contacts": [
            {"name": u(c.name), "role": u(c.role), "phone": u(c.phone), "email": u(c.email)}
            for c in trial.central_contacts
        ],
    }


def _site_variables(site: Site, distance: float | None) -> dict[str, Any]:
    u = neutralise_untrusted
    return {
        "facility": u(site.facility),
        "city": u(site.city),
        "state": u(site.state),
        "country": u(site.country),
        "status": site.status or "not given",
        "distance": format_distance_km(distance) if distance is not None else "not known",
        "contacts": [
            {"name": u(c.name), "phone": u(c.phone), "email": u(c.email)} for c in site.contacts[:2]
        ],
    }


def _sections_variable(kind: str, study_type: str | None) -> list[dict[str, str]]:
    return [{"key": k, "title": SECTION_TITLES[k]} for k in required_sections(kind, study_type)]  # type: ignore[arg-type]


def build_trial_summary_variables(
    trial: NormalizedTrial,
    facts: CaseFacts,
    verdicts: Sequence[CriterionVerdict],
    nearest_sites: Sequence[tuple[Site, float | None]],
) -> dict[str, Any]:
    """Return the variables of prompts/trial_summary.md: the record, de-identified facts, verdicts, sites."""
    return {
        "trial": _trial_variables(trial),
        "case": build_case_variables(facts),
        "verdicts": [
            {
                "ref": f"{v.kind} {v.position + 1}",
                "kind": v.kind,
                "criterion": neutralise_untrusted(v.criterion_text, 1000),
                "verdict": v.verdict,
                "explanation": neutralise_untrusted(v.explanation, 600),
            }
            for v in verdicts
            if not v.is_implicit  # a draft cites the trial's own criteria, which the implicit ones are not
        ],
        "sites": [_site_variables(s, d) for s, d in list(nearest_sites)[:MAX_SITES_IN_PROMPT]],
        "sections": _sections_variable("trial", trial.study_type),
    }


def build_case_overview_variables(options: Sequence[OptionSummary], facts: CaseFacts) -> dict[str, Any]:
    """Return the variables of prompts/case_overview.md: the options in order and the de-identified facts."""
    return {
        "options": [
            {
                "registry_id": neutralise_untrusted(o.registry_id),
                "title": neutralise_untrusted(o.title),
                "study_type": o.study_type,
                "phases": _phase_text(o.phases),
                "overall_status": o.overall_status,
                "met": o.met,
                "unknown": o.unknown,
                "not_met": o.not_met,
                "nearest_distance": format_distance_km(o.nearest_distance_km)
                if o.nearest_distance_km is not None
                else "not known",
            }
            for o in order_options(options)
        ],
        "case": build_case_variables(facts),
        "sections": _sections_variable("case", None),
    }

