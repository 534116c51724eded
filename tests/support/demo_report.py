"""Run the whole offline flow on a demo case: match, pick as a reviewer would, draft, approve, release."""

from __future__ import annotations

from dataclasses import dataclass

from core.bootstrap import seed_demo_cases, seed_demo_catalogue
from core.db import session_scope
from core.matching.service import list_matches, select_trial
from core.models import Case
from core.permissions import Actor
from core.reports.compose import ReportContent, compose_report
from core.reports.store import ReportView
from core.workflow.drafting import start_drafting
from core.workflow.matching import start_matching
from core.workflow.release import release_report
from core.workflow.review_views import get_draft_detail, list_queue
from tests.support.flow import approve_current

OPEN = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "AVAILABLE")


@dataclass
class DemoReport:
    case_id: int
    picked: list[str]  # registry ids, in match order
    report: ReportView
    content: ReportContent
    overridden: list[str]  # "draft N: check" for every blocking check the approval had to override


def load_demo_data() -> dict[str, int]:
    """Import the demo catalogue and cases into the current database; return {case reference: id}."""
    seed_demo_catalogue()
    seed_demo_cases()
    with session_scope() as s:
        return {c.reference: c.id for c in s.query(Case).filter(Case.is_demo.is_(True))}


def pick_as_a_reviewer(actor: Actor, case_id: int, count: int = 3) -> list[str]:
    """Select the top open matches with no rule that fails: what a reviewer would pick first."""
    picked = []
    for m in list_matches(actor, case_id, with_verdicts=False):
        if len(picked) < count and m.passed_filters and m.not_met == 0 and m.overall_status in OPEN:
            select_trial(actor, case_id, m.trial_id)
            picked.append(m.registry_id)
    return picked


def release_demo_report(actor: Actor, case_id: int, count: int = 3) -> DemoReport:
    """Match, pick, draft offline, approve every draft as it stands, release; return the report."""
    start_matching(actor, case_id)
    picked = pick_as_a_reviewer(actor, case_id, count)
    job = start_drafting(actor, case_id)
    assert job.status == "done", job.error
    overridden = []
    for item in list_queue(actor, case_id=case_id):
        detail = get_draft_detail(actor, item.draft_id)
        overridden += [f"draft {item.draft_id}: {name}" for name in detail.failing_blocking_checks]
        approve_current(actor, item.draft_id)
    report = release_report(actor, case_id, confirm_overrides=True).report
    with session_scope() as s:
        content = compose_report(s, case_id)
    return DemoReport(case_id=case_id, picked=picked, report=report, content=content, overridden=overridden)
