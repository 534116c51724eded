"""Builders for tests that need a case, a small catalogue, matches and drafts in the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from core.cases import CaseInput, create_case
from core.catalogue.store import ImportReport, store_trials
from core.db import session_scope
from core.domain.overrides import CheckOverride
from core.domain.trial import Contact, Intervention, NormalizedTrial, ParsedCriterion, Site
from core.jobs.dispatch import Runner, set_entry_runner
from core.matching.service import list_matches, select_trial
from core.permissions import Actor
from core.reports.store import ReportView
from core.workflow.drafting import start_drafting
from core.workflow.matching import start_matching
from core.workflow.release import release_report
from core.workflow.review import approve_draft, start_review
from core.workflow.review_views import get_draft_detail, list_queue


@contextmanager
def jobs_left_queued() -> Iterator[None]:
    """Jobs started inside stay queued (as for a polling worker), so the test runs them when it wants."""
    set_entry_runner(Runner.QUEUE)
    try:
        yield
    finally:
        set_entry_runner(Runner.INLINE)


TEST_OVERRIDE = CheckOverride(category="verified_in_source", reason="Test approval: the text was checked against the record.")


def make_trial(registry_id: str = "NCT09000001", **overrides) -> NormalizedTrial:  # noqa: ANN003
    """A realistic recruiting CAR-T trial for relapsed T-ALL, with sites and contacts."""
    base = dict(
        registry_id=registry_id,
        source_format="test",
        brief_title="CD7 CAR-T cells for relapsed T-cell acute lymphoblastic leukaemia",
        brief_summary="This phase 1 study tests CD7 CAR-T cells in people with relapsed or refractory T-cell acute lymphoblastic leukaemia.",
        overall_status="RECRUITING",
        study_type="INTERVENTIONAL",
        phases=["PHASE1"],
        conditions=["T-cell Acute Lymphoblastic Leukemia"],
        keywords=["CAR-T", "CD7"],
        interventions=[Intervention(type="BIOLOGICAL", name="CD7 CAR-T cells", other_names=["CD7-CART"])],
        sponsor="Example University Hospital",
        minimum_age_years=12,
        maximum_age_years=70,
        sex="ALL",
        eligibility_text="Inclusion Criteria:\n* Relapsed T-ALL\n* Age 12 to 70 years\nExclusion Criteria:\n* Pregnancy",
        criteria=[
            ParsedCriterion(kind="inclusion", position=0, text="Relapsed or refractory T-cell acute lymphoblastic leukemia"),
            ParsedCriterion(kind="inclusion", position=1, text="Age 12 to 70 years"),
            ParsedCriterion(kind="exclusion", position=0, text="Pregnant or breastfeeding"),
        ],
        sites=[
            Site(facility="Example Children's Hospital", city="Manchester", country="United Kingdom", status="RECRUITING", latitude=53.47, longitude=-2.23),
            Site(facility="Example Clinic", city="Paris", country="France", status="COMPLETED", latitude=48.85, longitude=2.35),
        ],
        central_contacts=[Contact(name="Study Nurse", phone="+44 161 555 0100", email="study@example.org")],
    )
    base.update(overrides)
    return NormalizedTrial(**base)


def add_trials(*trials: NormalizedTrial) -> None:
    with session_scope() as s:
        store_trials(s, list(trials), ImportReport())


def make_case(actor: Actor, **overrides) -> int:  # noqa: ANN003
    data = dict(
        age_years=16,
        sex="male",
        diagnosis="relapsed T-cell acute lymphoblastic leukaemia",
        disease_status="relapsed",
        summary="A 16-year-old boy with relapsed T-cell acute lymphoblastic leukemia after nelarabine. He is not pregnant. ECOG 1.",
        location_label="Manchester, UK",
        travel_radius_km=500,
        contact_name="Zoë Ångström-Test",
        contact_email="family@example.org",
        contact_phone="+44 7700 900123",
    )
    data.update(overrides)
    return create_case(actor, CaseInput(**data))


def case_with_selected_trials(reviewer: Actor, n_trials: int = 1) -> int:
    """A matched case with n similar trials selected, ready for drafting; returns the case id."""
    add_trials(*[make_trial(f"NCT0900000{i}", brief_title=f"CD7 CAR-T study {i} for relapsed T-ALL") for i in range(1, n_trials + 1)])
    case_id = make_case(reviewer)
    assert start_matching(reviewer, case_id).status == "done"
    for m in list_matches(reviewer, case_id)[:n_trials]:
        select_trial(reviewer, case_id, m.trial_id)
    return case_id


def case_with_drafts(reviewer: Actor, n_trials: int = 1) -> tuple[int, list[int]]:
    """A matched case with n selected trials drafted offline; returns (case id, draft ids)."""
    case_id = case_with_selected_trials(reviewer, n_trials)
    job = start_drafting(reviewer, case_id)
    assert job.status == "done", job.error
    return case_id, [i.draft_id for i in list_queue(reviewer, case_id=case_id)]


def approve_current(reviewer: Actor, draft_id: int) -> str:
    """Start review (if needed) and approve the current version, overriding failing blocking checks; returns the status."""
    detail = get_draft_detail(reviewer, draft_id)
    if detail.claimed_by != reviewer.username:
        start_review(reviewer, draft_id)
        detail = get_draft_detail(reviewer, draft_id)
    override = TEST_OVERRIDE if detail.failing_blocking_checks else None
    return approve_draft(reviewer, draft_id, version=detail.current.number, override=override)


def release(reviewer: Actor, case_id: int) -> ReportView:
    """Release a case's report, confirming any overridden checks; the released (or unchanged) version."""
    return release_report(reviewer, case_id, confirm_overrides=True).report
