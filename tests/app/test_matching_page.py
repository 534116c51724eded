"""Matching page: a case sent as free text only shows the diagnoses the search adds, and the findings behind them."""

from __future__ import annotations

from core.cases import CaseInput, create_case
from tests.app.conftest import page, shown

VIGNETTE = "A 19-year-old student with fever, severe headache, neck stiffness and photophobia since this morning."


def _captions(at) -> str:  # noqa: ANN001
    return shown(" ".join(c.value for c in at.caption))


def test_summary_only_case_shows_the_suggested_diagnoses(team):
    case_id = create_case(team.reviewer, CaseInput(summary=VIGNETTE, contact_name="A Family"))
    at = page("pages/matching.py", team.reviewer, case_id=case_id).run()
    assert not at.exception
    captions = _captions(at)
    assert "No diagnosis given" in captions
    assert "meningitis (from: " in captions and "neck stiffness" in captions.lower()
    assert "not a diagnosis" in captions


def test_case_with_a_diagnosis_shows_no_guesses(team):
    case_id = create_case(
        team.reviewer, CaseInput(diagnosis="relapsed T-cell acute lymphoblastic leukaemia", summary=VIGNETTE, contact_name="B Family")
    )
    at = page("pages/matching.py", team.reviewer, case_id=case_id).run()
    assert not at.exception
    assert "No diagnosis given" not in _captions(at)


def test_reviewer_corrects_conditions_and_absent_findings(team):
    from core.cases import get_case_facts

    case_id = create_case(
        team.reviewer, CaseInput(summary="A 58-year-old woman with hypertension. She denies smoking.", contact_name="C")
    )
    at = page("pages/matching.py", team.reviewer, case_id=case_id).run()
    at.text_area(key=f"fx-cond-{case_id}").input("hypertension\nobesity")
    at.text_area(key=f"fx-neg-{case_id}").input("smoking\ndiabetes")
    at.button(key=f"FormSubmitter:facts-{case_id}-Save corrections").click().run()
    assert not at.exception
    facts = get_case_facts(case_id)
    assert facts.conditions == ["hypertension", "obesity"] and facts.negations == ["smoking", "diabetes"]
