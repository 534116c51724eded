"""Defects reviewers found in the review loop, each as a test: the family's name hidden however it is escaped,
verdicts scoped to the case under review, overrides that belong to one version, the release fingerprint, the CLI's
exit codes, the case's status, rejected slots, atomic steps, the drafting requeue race and claims of ended sessions."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select, update

from core.db import session_scope
from core.models import CaseContact, CriterionVerdictRow, Draft, Match
from core.reports.store import list_reports, preview_report
from core.trial_view import get_trial_for_review
from core.workflow.review import approve_draft, save_draft, start_review
from core.workflow.review_views import get_draft_detail
from tests.support.flow import (
    TEST_OVERRIDE,
    approve_current,
    case_with_drafts,
    make_case,
    release,
)


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
