"""What was seen going wrong in the workflow, each as a test: claims, named versions, dispatched redrafts, reading
without claiming, races that end in the product's message, idempotent releases and intake, job permissions."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select, text

from core.app_settings import read_setting, upsert_setting
from core.audit import AuditFilter, list_events
from core.cases import CaseInput, create_case, list_cases
from core.config import get_settings
from core.db import session_scope
from core.domain.overrides import CheckOverride
from core.errors import (
    ConfirmationRequired,
    ConflictError,
    InvalidTransition,
    PermissionDenied,
    WorkbenchError,
)
from core.jobs.dispatch import Runner, set_entry_runner
from core.jobs.store import cancel_job, get_job
from core.jobs.task_queue import is_postgres
from core.llm_config import capability_cache
from core.models import Draft, Job, Report
from core.prompt_lab.comparisons import ComparisonRequest, ItemRef, SideSpec
from core.reports.store import list_reports
from core.workflow.comparisons import start_comparison
from core.workflow.drafting import redraft
from core.workflow.matching import start_matching
from core.workflow.release import release_report
from core.workflow.review import (
    approve_draft,
    release_claim,
    request_changes,
    save_draft,
    start_review,
)
from core.workflow.review_views import get_draft_detail
from tests.app.conftest import page
from tests.support.flow import TEST_OVERRIDE, approve_current, case_with_drafts, jobs_left_queued, release


def _claims(draft_id: int) -> int:
    return sum(1 for e in list_events(_admin(), AuditFilter(action="draft.claim")) if e.entity_id == str(draft_id))


def _admin():  # noqa: ANN202
    from core.permissions import SYSTEM

    return SYSTEM


def _in_threads(*calls: Callable[[], object]) -> list[object]:
    """Run the calls at the same moment on threads; each result is its return value or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # the test inspects what each raised
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_approval_is_refused_while_another_reviewer_holds_the_claim_and_their_save_goes_through(team):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)  # rita is editing
    v1 = get_draft_detail(team.reviewer, d).current
    with pytest.raises(ConflictError, match="rita is reviewing this draft"):
        approve_draft(team.reviewer2, d, version=1)
    saved = save_draft(team.reviewer, d, {**v1.sections, "what_is_tested": "Rita's careful edit."}, base_version_id=v1.id)
    assert saved.number == 2 and get_draft_detail(team.reviewer, d).status == "in_review"


def test_approval_names_the_version_read_and_a_newer_version_refuses_it(team):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    v1 = get_draft_detail(team.reviewer2, d).current  # rob reads version 1
    start_review(team.reviewer, d)
    save_draft(team.reviewer, d, {**v1.sections, "what_is_tested": "A newer text rob never read."}, base_version_id=v1.id)
    release_claim(team.reviewer, d)
    start_review(team.reviewer2, d)
    with pytest.raises(ConflictError, match="You read version 1, but version 2"):
        approve_draft(team.reviewer2, d, version=v1.number, override=TEST_OVERRIDE)
    detail = get_draft_detail(team.reviewer2, d)
    assert detail.status == "in_review" and detail.approvals == []
    assert approve_draft(team.reviewer2, d, version=2, override=TEST_OVERRIDE) == "approved"


def test_approval_without_starting_review_is_refused(team):
    _, drafts = case_with_drafts(team.reviewer)
    with pytest.raises(InvalidTransition, match="Start review"):
        approve_draft(team.reviewer, drafts[0], version=1)


def test_request_changes_dispatches_the_redraft_at_once(team):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)
    set_entry_runner(None)  # the app's own dispatch policy: offline redrafting is small work, run right away
    try:
        job = request_changes(team.reviewer, d, "Say where the nearest site is.")
    finally:
        set_entry_runner(Runner.INLINE)
    assert job.finished and job.status == "done" and job.kind == "draft_one"
    detail = get_draft_detail(team.reviewer, d)
    assert detail.status == "ready" and detail.current.number == 2 and detail.current.author_kind == "model"
    assert detail.feedback == "Say where the nearest site is."


def test_request_changes_on_a_thread_is_drafted_without_anyone_dispatching_it(team):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)
    set_entry_runner(Runner.THREAD)  # as for an LLM redraft: the page follows the job's progress
    try:
        job = request_changes(team.reviewer, d, "Shorter sentences, please.")
    finally:
        set_entry_runner(Runner.INLINE)
    for _ in range(300):
        if get_job(job.id).finished:
            break
        threading.Event().wait(0.1)
    assert get_job(job.id).status == "done"
    assert get_draft_detail(team.reviewer, d).status == "ready"


def test_opening_a_draft_to_read_it_claims_nothing(team):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    at = page("pages/review.py", team.reviewer, draft_id=d).run()
    assert not at.exception
    assert get_draft_detail(team.reviewer, d).claimed_by is None and _claims(d) == 0
    assert any("Reading it does not claim it" in i.value for i in at.info)
    at.button(key="start-review").click().run()
    assert get_draft_detail(team.reviewer, d).claimed_by == "rita" and _claims(d) == 1


def test_request_changes_on_the_review_page_ends_with_the_new_version_drafted(team):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    at = page("pages/review.py", team.reviewer, draft_id=d).run()
    at.button(key="start-review").click().run()
    at.text_area(key=f"fb-{d}").input("Explain what a CAR-T cell is in one sentence.")
    set_entry_runner(None)  # the app's dispatch policy, as in `streamlit run`
    try:
        at.button(key="req-changes").click().run()
    finally:
        set_entry_runner(Runner.INLINE)
    assert not at.exception and not at.error, [e.value for e in at.error]
    detail = get_draft_detail(team.reviewer, d)
    assert detail.status == "ready" and detail.current.number == 2 and detail.current.author_kind == "model"
    with session_scope() as s:
        jobs = s.execute(select(Job.kind, Job.status).where(Job.kind == "draft_one")).all()
    assert [tuple(j) for j in jobs] == [("draft_one", "done")]


def test_two_saves_at_once_end_in_one_version_and_the_conflict_message_with_both_texts(team):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)
    base = get_draft_detail(team.reviewer, d).current
    texts = [{**base.sections, "what_is_tested": f"Tab {i} text."} for i in (1, 2)]
    results = _in_threads(*[lambda t=t: save_draft(team.reviewer, d, t, base_version_id=base.id) for t in texts])
    saved = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(saved) == 1 and len(refused) == 1
    assert isinstance(refused[0], ConflictError), repr(refused[0])  # not StaleDataError / IntegrityError
    assert refused[0].current.sections["what_is_tested"] == saved[0].sections["what_is_tested"]  # theirs, to compare
    assert [v.number for v in get_draft_detail(team.reviewer, d).versions] == [1, 2]


def test_two_approvals_at_once_approve_once(team, monkeypatch):
    monkeypatch.setenv("SECOND_REVIEWER_REQUIRED", "false")
    get_settings.cache_clear()
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)
    results = _in_threads(*[lambda: approve_draft(team.reviewer, d, version=1, override=TEST_OVERRIDE)] * 2)
    assert sorted(type(r).__name__ for r in results) == ["InvalidTransition", "str"], results
    assert "approved" in str(next(r for r in results if isinstance(r, WorkbenchError)))
    assert sum(1 for e in list_events(_admin(), AuditFilter(action="draft.approve")) if e.entity_id == str(d)) == 1


def test_concurrent_first_use_of_a_setting_is_an_upsert(db):
    # Each draft written at once opens its own cache and remembers what the endpoint accepts.
    results = _in_threads(*[
        lambda i=i: capability_cache().remember(f"http://127.0.0.1:{9000 + i}/v1", "m", "json_object") for i in range(6)
    ])
    assert all(r is None for r in results), results  # no "UNIQUE constraint failed: app_settings.key"
    with session_scope() as s:
        assert read_setting(s, "llm_capabilities")["entries"]
    results = _in_threads(*[lambda i=i: _upsert("first-use", {"n": i}) for i in range(6)])
    assert all(r is None for r in results), results
    with session_scope() as s:
        assert read_setting(s, "first-use")["n"] in range(6)


def _upsert(key: str, value: dict) -> None:
    with session_scope() as s:
        upsert_setting(s, key, value)


def test_releasing_twice_with_nothing_changed_makes_no_new_version_and_says_so(team):
    case_id, drafts = case_with_drafts(team.reviewer)
    for d in drafts:
        approve_current(team.reviewer, d)
    first = release(team.reviewer, case_id)
    again = release_report(team.reviewer, case_id, confirm_overrides=True)
    assert not again.created and again.report.version == first.version == 1
    assert again.message == "Nothing changed since version 1 was released; no new version was made."
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Report)) == 1


def test_a_release_lists_overridden_checks_and_needs_their_confirmation(team):
    case_id, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)
    v1 = get_draft_detail(team.reviewer, d).current
    saved = save_draft(team.reviewer, d, {**v1.sections, "what_is_tested": "This guaranteed cure will work for him."},
                       base_version_id=v1.id)
    assert any(c["name"] == "no_promises" and not c["passed"] for c in saved.checks)
    with pytest.raises(ValueError, match="sentence of at least 4 words"):
        CheckOverride(category="false_alarm", reason="x")  # a one-character reason is not a reason
    approve_draft(team.reviewer, d, version=2, override=CheckOverride(
        category="accepted_wording", reason="Quoted from the sponsor's consent form on purpose."))
    approve_current(team.reviewer, drafts[1])
    with pytest.raises(ConfirmationRequired) as asked:
        release_report(team.reviewer, case_id)
    listed = asked.value.items
    assert any(o["check"] == "no_promises" and o["category"] == "accepted_wording" and o["by"] == "rita" for o in listed)
    assert list_reports(team.reviewer, case_id) == []
    assert release_report(team.reviewer, case_id, confirm_overrides=True).created
    event = next(e for e in list_events(_admin(), AuditFilter(action="report.release")))
    assert any("no_promises" in o for o in event.after["overrides_confirmed"])


def test_a_double_submitted_intake_form_makes_one_case(team):
    data = CaseInput(diagnosis="relapsed T-ALL", age_years=14, contact_name="A Parent")
    results = _in_threads(*[lambda: create_case(team.reviewer, data, intake_key="form-abc")] * 3)
    assert len(set(results)) == 1 and all(isinstance(r, int) for r in results), results
    assert len(list_cases(team.reviewer)) == 1
    assert create_case(team.reviewer, data, intake_key="form-def") != results[0]  # a new submission is a new case


def test_only_the_starter_or_an_admin_cancels_a_job_and_each_cancel_is_audited(team):
    case_id, _ = case_with_drafts(team.reviewer)
    with jobs_left_queued():
        job = start_matching(team.reviewer, case_id)
    with pytest.raises(PermissionDenied):
        cancel_job(team.analyst, job.id)  # analysts watch jobs; they do not stop them
    with pytest.raises(PermissionDenied, match="started by rita"):
        cancel_job(team.reviewer2, job.id)
    assert cancel_job(team.reviewer, job.id).status == "cancelled"
    events = [e for e in list_events(team.admin, AuditFilter(action="job.cancel"))]
    assert [(e.actor, e.entity_id) for e in events] == [("rita", str(job.id))]


def test_a_redraft_needs_a_role_that_may_draft(team):
    _, drafts = case_with_drafts(team.reviewer)
    with pytest.raises(PermissionDenied):
        redraft(team.analyst, drafts[0], 2)


def test_the_compare_page_job_follows_the_dispatch_policy(team, db, monkeypatch):
    from core.prompting.store import seed_prompts

    seed_prompts()
    case_id, _ = case_with_drafts(team.reviewer)
    monkeypatch.setenv("JOB_RUNNER", "worker")
    get_settings.cache_clear()
    set_entry_runner(None)
    before = {t.name for t in threading.enumerate()}
    try:
        started = start_comparison(team.admin, ComparisonRequest(
            prompt_name="case_overview", left=SideSpec(version=1), right=SideSpec(version=1, model="other"),
            items=[ItemRef(case_id=case_id)],
        ))
    finally:
        set_entry_runner(Runner.INLINE)
        get_settings.cache_clear()
    # No job thread of this process runs it (the task queue's own connection pool may start threads).
    assert not [name for name in {t.name for t in threading.enumerate()} - before if name.startswith("job-")]
    assert get_job(started.job_id).status == "queued"  # a worker runs it
    if is_postgres(db):
        from core.jobs.task_queue import close_queue

        with session_scope() as s:
            tasks = s.execute(text("SELECT args->>'job_id' FROM procrastinate_jobs")).scalars().all()
        close_queue()
        assert tasks == [str(started.job_id)]


def test_the_cli_draft_command_exits_non_zero_when_drafts_fail(team, llm_failing, capsys):
    from core.cli.main import main
    from tests.support.flow import case_with_selected_trials

    case_id = case_with_selected_trials(team.reviewer)
    assert main(["draft", "--as", team.reviewer.username, str(case_id), "--json"]) == 1
    with session_scope() as s:
        assert set(s.scalars(select(Draft.status).where(Draft.case_id == case_id))) == {"failed"}


@pytest.fixture
def llm_failing(monkeypatch):
    from core.prompting.store import seed_prompts
    from tests.support.fake_openai import FakeOpenAI, server_error

    seed_prompts()
    with FakeOpenAI() as server:
        server.respond_with(lambda body: server_error(500))
        for key, value in {"LLM_BASE_URL": server.base_url, "LLM_API_KEY": server.api_key, "LLM_MODEL": server.model,
                           "LLM_MAX_RETRIES": "0"}.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        yield server
    get_settings.cache_clear()
