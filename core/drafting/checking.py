"""Running the automatic checks on text written for a case: the admin's blocking choices and the right context."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.app_settings import read_setting
from core.case_records import get_case_facts, get_known_identifiers
from core.drafting.checks import ChecksConfig, run_checks
from core.drafting.context import context_texts_for_options, grounding_context_for_sites
from core.drafting.inputs import load_trial, nearest_open_sites, option_summaries


def load_checks_config(s: Session) -> ChecksConfig:
    """The admin's choice of blocking checks (AppSetting 'checks')."""
    return ChecksConfig(**(read_setting(s, "checks") or {}))


def check_sections(s: Session, case_id: int, trial_id: int | None, sections: dict[str, str]) -> list[dict[str, Any]]:
    """Run every automatic check on text written for a case's trial (or its overview when trial_id is None)."""
    facts = get_case_facts(case_id, s)
    trial = None
    if trial_id:
        trial = load_trial(s, trial_id)
        context = grounding_context_for_sites([d for _, d in nearest_open_sites(trial, facts)])
    else:
        context = context_texts_for_options(option_summaries(s, case_id))
    results = run_checks(
        sections,
        kind="trial" if trial_id else "case",
        trial=trial,
        facts=facts,
        personal_data=get_known_identifiers(case_id, s),
        context_texts=context,
        config=load_checks_config(s),
    )
    return [r.model_dump(mode="json") for r in results]
