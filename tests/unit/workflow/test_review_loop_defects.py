"""Defects reviewers found in the review loop, each as a test: the family's name hidden however it is escaped,
verdicts scoped to the case under review, overrides that belong to one version, the release fingerprint, the CLI's
exit codes, the case's status, rejected slots, atomic steps, the drafting requeue race and claims of ended sessions."""

from __future__ import annotations

import html
import threading

import pytest
from sqlalchemy import func, select, update

import core.jobs.store as job_store
import core.workflow.drafting as drafting
import core.workflow.release as releasing
from core.cli.main import main
from core.db import session_scope
from core.errors import InvalidTransition
from core.models import Case, CaseContact, CriterionVerdictRow, Draft, DraftVersion, Job, Match, Trial, utcnow
from core.reports.store import list_reports, preview_report
from core.trial_view import get_trial_for_review
from core.workflow.drafting import draft_one, retry_draft, start_drafting
from core.workflow.release import release_report
from core.workflow.review import approve_draft, reject_draft, request_changes, save_draft, start_review
from core.workflow.review_views import get_draft_detail
from core.workflow.steps import lock_draft, move_draft
from tests.support.flow import (
    TEST_OVERRIDE,
    approve_current,
    case_with_drafts,
    make_case,
    release,
)


def _case_status(case_id: int) -> str:
    with session_scope() as s:
        return s.get(Case, case_id).status


def _draft(draft_id: int) -> Draft:
    with session_scope() as s:
        return s.get(Draft, draft_id)


def _trial_draft_ids(draft_ids: list[int]) -> list[int]:
    return [d for d in draft_ids if _draft(d).kind == "trial"]


def _registry_id(draft_id: int) -> str:
    with session_scope() as s:
        return s.get(Draft, draft_id).trial.registry_id


def _set_contact_name(case_id: int, name: str) -> None:
    with session_scope() as s:
        s.execute(update(CaseContact).where(CaseContact.case_id == case_id).values(name=name))


def _say_name_in_overview(reviewer, draft_ids: list[int], name: str) -> None:  # noqa: ANN001
    """A reviewer writes the family's name into the approved overview (it is allowed in the family's report)."""
    overview = next(d for d in draft_ids if get_draft_detail(reviewer, d).kind == "case")
    start_review(reviewer, overview)
    current = get_draft_detail(reviewer, overview).current
    first = next(iter(current.sections))
    sections = {**current.sections, first: f"Dear {name}, this report is for you. " + current.sections[first]}
    save_draft(reviewer, overview, sections, base_version_id=current.id)


@pytest.mark.parametrize("name", ["Siobhan O'Brien", "Zoë Müller-Lüdenscheidt", "Anne-Marie D'Arcy"])
def test_admins_never_see_the_familys_name_however_it_is_escaped(team, name):
    case_id, drafts = case_with_drafts(team.reviewer)
    _set_contact_name(case_id, name)
    _say_name_in_overview(team.reviewer, drafts, name)
    for d in drafts:
        approve_current(team.reviewer, d)
    reviewer_md, reviewer_html, _ = preview_report(team.reviewer, case_id)
    assert name in html.unescape(reviewer_html) and reviewer_md.count("Dear") == 1  # the reviewer sees the name
    released = release(team.reviewer, case_id)
    assert name in html.unescape(released.html)
    admin_md, admin_html, _ = preview_report(team.admin, case_id)
    seen = list_reports(team.admin, case_id)[0]
    for text in (admin_md, admin_html, seen.markdown, seen.html):
        # Compared on the text as a reader sees it: markupsafe writes ' as &#39;, Markdown may add backslashes.
        readable = html.unescape(text).replace("\\", "")
        assert name.lower() not in readable.lower()
        for part in name.replace("-", " ").split():
            if len(part) > 3:
                assert part not in readable, part
        assert "shown to reviewers only" in readable


def test_the_trial_record_beside_a_draft_shows_only_that_cases_verdicts(team):
    case_a, drafts_a = case_with_drafts(team.reviewer)
    case_b = make_case(team.reviewer, contact_name="Other Family", summary="A 40-year-old woman with relapsed T-ALL.")
    with session_scope() as s:
        trial_draft = s.scalar(select(Draft).where(Draft.id.in_(drafts_a), Draft.kind == "trial"))
        trial_id, registry_id = trial_draft.trial_id, trial_draft.trial.registry_id
        # The same trial, matched to another case with its own verdict on the same criterion.
        other = Match(case_id=case_b, trial_id=trial_id, rank=1)
        s.add(other)
        s.flush()
        s.add(CriterionVerdictRow(match_id=other.id, kind="inclusion", position=0,
                                  criterion_text="OTHER CASE criterion", verdict="not_met"))
        own = s.scalar(select(Match).where(Match.case_id == case_a, Match.trial_id == trial_id))
        s.add(CriterionVerdictRow(match_id=own.id, kind="inclusion", position=9,
                                  criterion_text="THIS CASE criterion", verdict="met"))
    # The other case also has a draft of the trial: before, every drafted case's verdicts were shown.
    with session_scope() as s:
        s.add(Draft(case_id=case_b, trial_id=trial_id, kind="trial", idempotency_key="other-case-draft"))
    seen = get_trial_for_review(team.reviewer, registry_id, case_id=case_a)
    texts = [v["criterion"] for v in seen.verdicts]
    assert "THIS CASE criterion" in texts and "OTHER CASE criterion" not in texts
    assert [v["criterion"] for v in get_trial_for_review(team.reviewer, registry_id, case_id=case_b).verdicts] == [
        "OTHER CASE criterion"]


def test_an_override_belongs_to_the_version_it_was_made_on(team, monkeypatch):
    monkeypatch.setenv("SECOND_REVIEWER_REQUIRED", "true")
    from core.config import get_settings

    get_settings.cache_clear()
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)
    v = get_draft_detail(team.reviewer, d).current
    promise = {**v.sections, "what_is_tested": v.sections["what_is_tested"] + " This treatment will cure the leukaemia."}
    saved = save_draft(team.reviewer, d, promise, base_version_id=v.id)
    assert approve_draft(team.reviewer, d, version=saved.number, override=TEST_OVERRIDE) == "ready"
    with session_scope() as s:
        assert s.get(Draft, d).override_reason == TEST_OVERRIDE.reason  # made on this version
    start_review(team.reviewer2, d)
    save_draft(team.reviewer2, d, v.sections, base_version_id=saved.id)  # a new text: the override was not for it
    with session_scope() as s:
        draft = s.get(Draft, d)
        assert draft.override_reason is None and draft.overrides == [] and draft.approvals == []
    assert get_draft_detail(team.reviewer, d).overrides == []


# ----- 1. "Nothing changed" compares the composed report, not draft version ids -----

def test_a_release_makes_a_new_version_exactly_when_the_composed_report_changes(team):
    case_id, drafts = case_with_drafts(team.reviewer)
    for d in drafts:
        approve_current(team.reviewer, d)
    first = release(team.reviewer, case_id)
    # The trial records changed where the report does not look: the family would read the same report.
    with session_scope() as s:
        s.execute(update(Trial).values(content_hash="0" * 64))
    again = release_report(team.reviewer, case_id, confirm_overrides=True)
    assert not again.created and again.report.id == first.id
    # The same approved versions, but the report would say something else (the name it is prepared for).
    _set_contact_name(case_id, "Nora Newname")
    changed = release_report(team.reviewer, case_id, confirm_overrides=True)
    assert changed.created and changed.report.version == 2 and "Nora Newname" in changed.report.markdown
    assert not release_report(team.reviewer, case_id, confirm_overrides=True).created


# ----- 2. A rejected draft stays out of the report, and its slot can be drafted again -----

def test_a_rejected_trial_stays_out_of_the_report_and_can_be_drafted_again(team):
    case_id, drafts = case_with_drafts(team.reviewer, n_trials=2)
    rejected = _trial_draft_ids(drafts)[0]
    start_review(team.reviewer, rejected)
    reject_draft(team.reviewer, rejected, "Not relevant for this family")
    for d in drafts:
        if d != rejected:
            approve_current(team.reviewer, d)
    first = release(team.reviewer, case_id)
    assert f"number: {_registry_id(rejected)}" not in first.markdown
    # Drafting the case again does not bring the rejected text back by itself ...
    assert start_drafting(team.reviewer, case_id).status == "done"
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Draft).where(Draft.case_id == case_id)) == len(drafts)
    # ... asking for it does: a new draft of the same slot, drafted at once; the rejected one stays for the record.
    job = retry_draft(team.reviewer, rejected)
    assert job.finished and job.status == "done" and job.result == {"status": "ready"}
    again = job.payload["draft_id"]
    assert again != rejected and _draft(again).trial_id == _draft(rejected).trial_id
    assert _draft(rejected).status == "rejected" and _draft(again).status == "ready"
    assert retry_draft(team.reviewer, rejected).payload["draft_id"] == again  # a double click: one new draft
    start_review(team.reviewer, again)
    reject_draft(team.reviewer, again, "Still not right")
    third = retry_draft(team.reviewer, rejected).payload["draft_id"]  # the slot's latest draft is drafted again
    assert third not in (rejected, again) and _draft(third).status == "ready"
    again = third
    assert _case_status(case_id) == "in_review"  # the released case has a new text to review
    with pytest.raises(InvalidTransition, match="cannot be released yet"):
        release_report(team.reviewer, case_id, confirm_overrides=True)
    approve_current(team.reviewer, again)
    second = release_report(team.reviewer, case_id, confirm_overrides=True)
    assert second.created and f"number: {_registry_id(rejected)}" in second.report.markdown
    assert _case_status(case_id) == "released"


# ----- 3. The CLI exits non-zero, with a one-line reason, when what it was asked did not happen -----

def _break_drafter(monkeypatch) -> None:  # noqa: ANN001
    """From now on the drafter fails (not the endpoint: a broken prompt, a bad answer): a draft ends failed."""
    def broken(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("the drafter broke")

    monkeypatch.setattr(drafting, "write_trial_summary", broken)
    monkeypatch.setattr(drafting, "write_case_overview", broken)


def test_cli_request_changes_exits_non_zero_when_the_redraft_failed(team, monkeypatch, capsys):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)
    _break_drafter(monkeypatch)
    code = main(["review", "request-changes", "--as", "rita", "--draft", str(d), "--comment", "Shorter, please."])
    err = capsys.readouterr().err
    assert code == 1 and _draft(d).status == "failed"
    assert len(err.strip().splitlines()) == 1 and "did not write a new version" in err and "drafter broke" in err


def test_cli_redraft_of_a_rejected_draft_exits_by_what_happened(team, monkeypatch, capsys):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)
    reject_draft(team.reviewer, d, "Wrong trial")
    assert main(["review", "redraft", "--as", "rita", "--draft", str(d)]) == 0
    start_review(team.reviewer, drafts[1])
    reject_draft(team.reviewer, drafts[1], "Start over")
    _break_drafter(monkeypatch)
    capsys.readouterr()
    assert main(["review", "redraft", "--as", "rita", "--draft", str(drafts[1])]) == 1
    assert "did not write a new version" in capsys.readouterr().err


def test_cli_draft_says_why_it_failed(team, monkeypatch, capsys):
    from tests.support.flow import case_with_selected_trials

    case_id = case_with_selected_trials(team.reviewer)
    _break_drafter(monkeypatch)
    assert main(["draft", "--as", "rita", str(case_id)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "failed" in err[0]


# ----- 4. The case's status follows the table in every path -----

def test_a_release_with_nothing_changed_leaves_the_case_released(team):
    case_id, drafts = case_with_drafts(team.reviewer)
    for d in drafts:
        approve_current(team.reviewer, d)
    release(team.reviewer, case_id)
    assert _case_status(case_id) == "released"
    assert start_drafting(team.reviewer, case_id).status == "done"  # nothing new to draft
    assert _case_status(case_id) == "in_review"
    outcome = release_report(team.reviewer, case_id, confirm_overrides=True)
    assert not outcome.created and _case_status(case_id) == "released"


def test_a_retried_draft_moves_a_case_left_drafting_into_review(team):
    case_id, drafts = case_with_drafts(team.reviewer)
    # The drafting job stopped (an endpoint gone for good) with one draft failed: the case was left "drafting".
    with session_scope() as s:
        s.get(Case, case_id).status = "drafting"
        s.get(Draft, drafts[0]).status = "failed"
    job = retry_draft(team.reviewer, drafts[0])
    assert job.result == {"status": "ready"} and _case_status(case_id) == "in_review"
    for d in drafts:
        approve_current(team.reviewer, d)
    release(team.reviewer, case_id)
    assert _case_status(case_id) == "released"


# ----- 5. A draft requeued while a run drafts it is written once -----

def test_a_draft_requeued_while_it_is_drafted_is_written_once(team, monkeypatch):
    _, drafts = case_with_drafts(team.reviewer)
    d = _trial_draft_ids(drafts)[0]
    with session_scope(write=True) as s:
        draft = lock_draft(s, d)
        draft.status = "queued"
    real = drafting.write_trial_summary
    second: list[str] = []

    def slow_writer(s, draft):  # noqa: ANN001, ANN202
        if not second:
            second.append("started")
            # Meanwhile, in other sessions: the draft is requeued (its runner taken for dead) and drafted again.
            with session_scope(write=True) as other:
                move_draft(other, "system", lock_draft(other, d), "requeue_drafting", reason="taken for dead")
            second.append(draft_one(d))
        return real(s, draft)

    monkeypatch.setattr(drafting, "write_trial_summary", slow_writer)
    assert draft_one(d) == "ready"  # the first run finds it lost the draft, and writes nothing
    assert second == ["started", "ready"]
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(DraftVersion).where(DraftVersion.draft_id == d)) == 2
    assert _draft(d).status == "ready"


def test_a_drafting_job_does_not_requeue_a_draft_another_live_job_is_writing(team):
    case_id, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    with session_scope() as s:
        s.get(Draft, d).status = "drafting"
        s.add(Job(kind="draft_one", payload={"draft_id": d, "case_id": case_id}, status="running",
                  heartbeat_at=utcnow()))
    drafting._requeue_interrupted_drafts(case_id, this_job=-1)
    assert _draft(d).status == "drafting"
    with session_scope() as s:
        s.execute(update(Job).values(status="failed"))  # the other job died: now the draft is interrupted
    drafting._requeue_interrupted_drafts(case_id, this_job=-1)
    assert _draft(d).status == "queued"


# ----- 6. The PDF is rendered outside the write transaction -----

def test_the_pdf_is_rendered_while_others_can_write(team, monkeypatch):
    case_id, drafts = case_with_drafts(team.reviewer)
    for d in drafts:
        approve_current(team.reviewer, d)
    real = releasing.render_pdf
    wrote = threading.Event()
    in_time: list[bool] = []

    def render_while_someone_writes(content):  # noqa: ANN001, ANN202
        def write() -> None:
            with session_scope(write=True) as s:  # another user's step on the same case
                s.execute(update(Case).where(Case.id == case_id).values(reference=Case.reference))
            wrote.set()

        writer = threading.Thread(target=write)
        writer.start()
        in_time.append(wrote.wait(10))  # False: the writer is still waiting for the release's write lock
        render_while_someone_writes.writer = writer
        return real(content)

    monkeypatch.setattr(releasing, "render_pdf", render_while_someone_writes)
    outcome = release_report(team.reviewer, case_id, confirm_overrides=True)
    render_while_someone_writes.writer.join(30)
    assert in_time == [True], "the other writer waited for the PDF: it was rendered inside the write transaction"
    assert outcome.created


def test_a_change_while_the_pdf_is_rendered_is_not_released_stale(team, monkeypatch):
    case_id, drafts = case_with_drafts(team.reviewer)
    for d in drafts:
        approve_current(team.reviewer, d)
    real = releasing.render_pdf
    renders: list[str] = []

    def render_and_change(content):  # noqa: ANN001, ANN202
        renders.append(content.prepared_for)
        if len(renders) == 1:
            _set_contact_name(case_id, "Changed Meanwhile")
        return real(content)

    monkeypatch.setattr(releasing, "render_pdf", render_and_change)
    outcome = release_report(team.reviewer, case_id, confirm_overrides=True)
    assert renders[-1] == "Changed Meanwhile" and "Changed Meanwhile" in outcome.report.markdown
    assert [r.version for r in list_reports(team.reviewer, case_id)] == [1]


# ----- 7. "Request changes" is one transaction -----

def test_request_changes_that_fails_to_queue_its_redraft_changes_nothing(team, monkeypatch):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)
    before = _draft(d)

    def refuse(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("injected: the job could not be stored")

    monkeypatch.setattr(job_store, "Job", refuse)
    with pytest.raises(RuntimeError, match="injected"):
        request_changes(team.reviewer, d, "Say where the nearest site is.")
    after = _draft(d)
    assert (after.status, after.feedback, after.rounds, after.claimed_by) == (
        "in_review", before.feedback, before.rounds, before.claimed_by)
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Job).where(Job.kind == "draft_one")) == 0


# ----- 10. A claim lapses when its holder's session ends -----

def _logged_in(actor) -> str:  # noqa: ANN001
    """A browser session of the actor; returns its token (as the cookie holds it)."""
    from core.sessions import open_session, redeem_handoff

    return redeem_handoff(open_session(actor.user_id))


def _claim_active(draft_id: int) -> bool:
    draft = _draft(draft_id)
    return draft.claimed_by is not None and draft.claim_expires_at > utcnow()


def test_the_claim_heartbeat_stops_and_the_claim_lapses_when_the_session_ends(team):
    from core.sessions import revoke_session
    from core.workflow.review import heartbeat_claim

    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    token = _logged_in(team.reviewer)
    start_review(team.reviewer, d)
    assert heartbeat_claim(team.reviewer, d, session_token=token) is not None
    assert revoke_session(token, "logged out")
    assert not _claim_active(d)  # logged out: others may take the draft at once
    assert heartbeat_claim(team.reviewer, d, session_token=token) is None  # the open tab's timer renews nothing
    assert not _claim_active(d)
    start_review(team.reviewer2, d)


def test_an_idle_session_does_not_keep_its_claim_alive_but_another_live_session_does(team):
    from datetime import timedelta

    from core.models import UserSession
    from core.workflow.review import heartbeat_claim

    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    idle_tab, other_browser = _logged_in(team.reviewer), _logged_in(team.reviewer)
    start_review(team.reviewer, d)
    with session_scope() as s:
        s.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(days=1)))  # both idle
        # The other browser is in use.
        s.execute(update(UserSession).where(UserSession.id == s.scalar(select(func.max(UserSession.id))))
                  .values(last_seen_at=utcnow()))
    assert heartbeat_claim(team.reviewer, d, session_token=idle_tab) is None
    assert _claim_active(d)  # the reviewer is still at work in the other browser
    assert heartbeat_claim(team.reviewer, d, session_token=other_browser) is not None
    with session_scope() as s:
        s.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(days=1)))
    assert heartbeat_claim(team.reviewer, d, session_token=other_browser) is None
    assert not _claim_active(d)
