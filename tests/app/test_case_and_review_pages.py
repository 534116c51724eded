"""The case form saves and names bad fields without losing input; the review page approves a draft."""

from __future__ import annotations

from core.cases import list_cases
from core.workflow.review_views import get_draft_detail
from tests.app.conftest import page, shown
from tests.support.flow import case_with_drafts


def test_case_form_saves(team):
    at = page("pages/cases.py", team.reviewer).run()
    at.number_input(key="nc-age").set_value(16)
    at.text_input(key="nc-diagnosis").input("relapsed T-cell acute lymphoblastic leukaemia")
    at.text_area(key="nc-summary").input("Second relapse after nelarabine.")
    at.text_input(key="nc-location").input("Lyon, France")
    at.text_input(key="nc-name").input("Zoë Family")
    at.button[-1].click().run()
    assert not at.exception
    assert any("Case saved" in s.value for s in at.success)
    cases = list_cases(team.reviewer)
    assert len(cases) == 1 and cases[0].facts.age_years == 16
    assert cases[0].facts.latitude is not None  # "Lyon" was located offline
    assert cases[0].contact_name == "Zoë Family"
    # the table is drawn again after the save, with the new case in it
    assert list(at.dataframe[0].value["reference"]) == [cases[0].reference]


def test_empty_case_form_names_the_fields_and_keeps_the_input(team):
    at = page("pages/cases.py", team.reviewer).run()
    at.text_area(key="nc-prior").input("Typed by the reviewer, must survive.")
    at.text_input(key="nc-email").input("not-an-email")
    at.button[-1].click().run()
    errors = " ".join(e.value for e in at.error)
    assert "diagnosis" in errors and "contact name" in errors and "contact email" in errors
    assert at.text_area(key="nc-prior").value == "Typed by the reviewer, must survive."
    assert list_cases(team.reviewer) == []


def test_review_page_approves(team):
    _, drafts = case_with_drafts(team.reviewer)
    at = page("pages/review.py", team.reviewer, draft_id=drafts[0]).run()
    assert not at.exception
    assert get_draft_detail(team.reviewer, drafts[0]).claimed_by is None  # reading does not claim
    at.button(key="start-review").click().run()
    assert get_draft_detail(team.reviewer, drafts[0]).claimed_by == "rita"
    blocking = get_draft_detail(team.reviewer, drafts[0]).failing_blocking_checks
    if blocking:
        at.text_input(key=f"override-{drafts[0]}").input("I checked every sentence against the record.").run()
    at.button(key="approve").click().run()
    assert not at.exception
    assert get_draft_detail(team.reviewer, drafts[0]).status == "approved"


def test_review_page_keeps_typed_text_on_a_conflict(team):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    at = page("pages/review.py", team.reviewer, draft_id=d).run()
    at.button(key="start-review").click().run()
    base = get_draft_detail(team.reviewer, d).current
    key = f"edit-{d}-{base.id}-what_is_tested"
    at.text_area(key=key).input("My careful edit.").run()
    # Meanwhile the reviewer's claim expires (a long pause) and someone else claims the draft and saves first.
    from datetime import timedelta

    from core.db import session_scope
    from core.models import Draft, utcnow
    from core.workflow.review import release_claim, save_draft, start_review

    with session_scope() as s:
        s.get(Draft, d).claim_expires_at = utcnow() - timedelta(minutes=1)
    start_review(team.reviewer2, d)
    save_draft(team.reviewer2, d, {**base.sections, "what_is_tested": "Their text."}, base_version_id=base.id)
    release_claim(team.reviewer2, d)
    at.run()
    assert at.text_area(key=key).value == "My careful edit." and at.text_area(key=key).disabled  # kept, read-only
    at.button(key="start-review").click().run()
    at.button(key="save").click().run()
    assert any("Someone saved" in e.value for e in at.error), [e.value for e in at.error] + [w.value for w in at.warning] + [str(at.exception)]
    assert at.text_area(key="c-y-what_is_tested").value == "My careful edit."
    assert at.text_area(key="c-t-what_is_tested").value == "Their text."
    assert at.text_area(key=key).value == "My careful edit."  # still in the editor, not replaced
    assert get_draft_detail(team.reviewer, d).current.sections["what_is_tested"] == "Their text."


def test_an_unknown_location_is_a_warning_with_a_field_to_correct_it(team):
    at = page("pages/cases.py", team.reviewer).run()
    at.text_input(key="nc-diagnosis").input("relapsed T-cell acute lymphoblastic leukaemia")
    at.text_input(key="nc-location").input("Xyzzyville")
    at.text_input(key="nc-name").input("Family")
    at.button[-1].click().run()
    assert not at.exception
    case = list_cases(team.reviewer)[0]
    assert case.facts.location_label == "Xyzzyville" and case.facts.latitude is None
    assert any("Xyzzyville" in w.value and "not in the offline list" in shown(w.value) for w in at.warning)
    at.text_input(key=f"loc-label-cases-{case.id}").input("St. Louis, Missouri")
    next(b for b in at.button if b.label == "Save location").click().run()
    assert not at.exception
    facts = list_cases(team.reviewer)[0].facts
    assert facts.location_label == "St. Louis, Missouri" and round(facts.latitude) == 39 and round(facts.longitude) == -90
    assert not any("not in the offline list" in shown(w.value) for w in at.warning)


def test_an_ambiguous_location_says_which_place_was_chosen(team):
    at = page("pages/cases.py", team.reviewer).run()
    at.text_input(key="nc-diagnosis").input("AML")
    at.text_input(key="nc-location").input("Manchester")
    at.text_input(key="nc-name").input("Family")
    at.button[-1].click().run()
    assert any("Manchester, England, United Kingdom" in shown(i.value) and "most populous" in shown(i.value) for i in at.info)


def test_the_cases_page_shows_what_a_model_sees_and_keeps_a_phrase_private(team):
    from core.case_privacy import preview_case_for_model
    from tests.support.flow import make_case

    case_id = make_case(team.reviewer, summary="Lucía, called Lulu at school, has relapsed T-ALL.")
    at = page("pages/cases.py", team.reviewer).run()
    assert any("What a model sees of this case" in e.label for e in at.expander)
    sent_as = next(d.value for d in at.dataframe if "sent as" in d.value.columns)
    summary = sent_as.loc[sent_as["field"] == "summary", "sent as"].iloc[0]
    assert "[NAME]" in summary and "Lucía" not in summary and "T-ALL" in summary
    at.text_area(key=f"private-{case_id}").input("Lulu").run()
    at.button(key=f"private-save-{case_id}").click().run()
    assert not at.exception and "Lulu" not in str(preview_case_for_model(team.reviewer, case_id).variables)
