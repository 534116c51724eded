"""The case form saves and names bad fields without losing input; the review page approves a draft."""

from __future__ import annotations

from core.cases import list_cases
from core.review import get_draft_detail
from tests.app.conftest import page
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
    blocking = [c for c in get_draft_detail(team.reviewer, drafts[0]).current.checks if c["blocking"] and not c["passed"]]
    if blocking:
        at.text_input(key=f"override-{drafts[0]}").input("checked by hand").run()
    at.button(key="approve").click().run()
    assert not at.exception
    assert get_draft_detail(team.reviewer, drafts[0]).status == "approved"


def test_review_page_keeps_typed_text_on_a_conflict(team):
    _, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    at = page("pages/review.py", team.reviewer, draft_id=d).run()
    base = get_draft_detail(team.reviewer, d).current
    # Someone else saves first (their claim expired in between, as after a long pause).
    from core.db import session_scope
    from core.models import Draft
    from core.review import save_draft

    with session_scope() as s:
        s.get(Draft, d).claimed_by = None
    save_draft(team.reviewer2, d, {**base.sections, "what_is_tested": "Their text."}, base_version_id=base.id)
    key = f"edit-{d}-{base.id}-what_is_tested"
    at.text_area(key=key).input("My careful edit.")
    at.button(key="save").click().run()
    assert any("Someone saved" in e.value for e in at.error), [e.value for e in at.error] + [w.value for w in at.warning] + [str(at.exception)]
    assert at.text_area(key="c-y-what_is_tested").value == "My careful edit."
    assert at.text_area(key="c-t-what_is_tested").value == "Their text."
    assert at.text_area(key=key).value == "My careful edit."  # still in the editor, not replaced
    assert get_draft_detail(team.reviewer, d).current.sections["what_is_tested"] == "Their text."
