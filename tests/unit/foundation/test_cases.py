"""Case intake: validation by field, free-text extraction that never overrides typed facts, corrections audited."""

from __future__ import annotations

import pytest

from core.audit import AuditFilter, list_events
from core.case_records import get_case_facts
from core.cases import CaseInput, create_case, get_case, update_case_facts
from core.errors import PermissionDenied, ValidationFailed


def test_free_text_only_case_is_read_into_facts(team):
    case_id = create_case(
        team.reviewer,
        CaseInput(
            summary="A 58-year-old woman with relapsed diffuse large B-cell lymphoma after R-CHOP. She denies smoking. ECOG 1.",
            contact_name="Family Contact",
        ),
    )
    view = get_case(team.reviewer, case_id)
    assert view.facts.age_years == 58 and view.facts.sex == "female"
    assert "lymphoma" in view.facts.diagnosis and view.facts.performance_status == "ECOG 1"
    assert "smoking" in view.facts.negations
    assert "age_years" in view.extracted["filled"]


def test_typed_facts_win_over_extraction(team):
    case_id = create_case(
        team.reviewer,
        CaseInput(age_years=60, sex="male", diagnosis="AML", summary="A 58-year-old woman with AML.", contact_name="X"),
    )
    facts = get_case_facts(case_id)
    assert facts.age_years == 60 and facts.sex == "male" and facts.diagnosis == "AML"


def test_bad_input_names_each_field(team):
    with pytest.raises(ValidationFailed) as err:
        create_case(team.reviewer, CaseInput(age_years=130, contact_email="nope", latitude=10))
    assert set(err.value.errors) >= {"age_years", "diagnosis", "contact_name", "contact_email", "latitude"}


def test_corrections_are_audited_and_role_checked(team):
    case_id = create_case(team.reviewer, CaseInput(diagnosis="T-ALL", contact_name="X"))
    update_case_facts(team.reviewer, case_id, {"age_years": 16, "performance_status": "Lansky 80"})
    assert get_case_facts(case_id).age_years == 16
    events = list_events(team.admin, AuditFilter(action="case.update"))
    assert events[0].before == {"age_years": None, "performance_status": None}
    with pytest.raises(PermissionDenied):
        update_case_facts(team.analyst, case_id, {"age_years": 3})
    with pytest.raises(ValidationFailed):
        update_case_facts(team.reviewer, case_id, {"age_years": -4})


def test_contact_details_are_hidden_from_analysts(team):
    case_id = create_case(team.reviewer, CaseInput(diagnosis="T-ALL", contact_name="Zoë", contact_email="z@example.org"))
    assert get_case(team.reviewer, case_id).contact_email == "z@example.org"
    assert get_case(team.analyst, case_id).contact_email is None and get_case(team.analyst, case_id).contact_name is None


def test_overlong_fields_are_named_not_crashing_the_database(team):
    with pytest.raises(ValidationFailed) as err:
        create_case(team.reviewer, CaseInput(diagnosis="x" * 600, contact_name="y" * 300))
    assert "diagnosis" in err.value.errors and "contact_name" in err.value.errors


def test_extracted_conditions_and_negations_can_be_corrected(team):
    case_id = create_case(
        team.reviewer,
        CaseInput(summary="A 58-year-old woman with hypertension. She denies smoking and diabetes.", contact_name="X"),
    )
    assert "diabetes" in get_case_facts(case_id).negations
    update_case_facts(
        team.reviewer, case_id, {"conditions": ["hypertension", " obesity "], "negations": ["smoking"]}
    )
    facts = get_case_facts(case_id)
    assert facts.conditions == ["hypertension", "obesity"] and facts.negations == ["smoking"]
    event = list_events(team.admin, AuditFilter(action="case.update"))[0]
    assert "diabetes" in event.before["negations"] and event.after["negations"] == ["smoking"]
    with pytest.raises(ValidationFailed) as err:
        update_case_facts(team.reviewer, case_id, {"negations": "smoking"})
    assert "negations" in err.value.errors
    assert get_case_facts(case_id).negations == ["smoking"]  # nothing lost by the refused change
