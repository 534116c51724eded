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
    from core.case_records import get_case_facts

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


def test_location_corrected_on_the_matching_page_gives_the_distance_in_the_shortlist(team):
    from core.case_records import get_case_facts
    from core.domain.trial import Site
    from core.matching.geo import haversine_km
    from tests.support.flow import add_trials, make_trial

    add_trials(make_trial("NCT09200001", brief_title="CD7 CAR-T for relapsed T-ALL", sites=[
        Site(facility="Siteman Cancer Center", city="St. Louis", country="United States", status="RECRUITING",
             latitude=38.6355, longitude=-90.2637)]))
    case_id = create_case(team.reviewer, CaseInput(age_years=16, sex="male", diagnosis="relapsed T-cell acute lymphoblastic leukaemia",
                                                   location_label="Sant Luis", contact_name="D"))
    at = page("pages/matching.py", team.reviewer, case_id=case_id).run()
    assert any("'Sant Luis' is not in the offline list" in shown(w.value) for w in at.warning)
    at.text_input(key=f"fx-loc-{case_id}").input("St. Louis, Missouri")
    at.button(key=f"FormSubmitter:facts-{case_id}-Save corrections").click().run()
    assert not at.exception
    facts = get_case_facts(case_id)
    assert facts.latitude is not None
    assert not any("not in the offline list" in shown(w.value) for w in at.warning)
    at.button(key="run-match").click().run()
    assert not at.exception
    shortlist = " ".join(m.value for m in at.markdown) + _captions(at)
    km = haversine_km(facts.latitude, facts.longitude, 38.6355, -90.2637)
    assert km < 10 and f"nearest open site {km:.0f} km: Siteman Cancer Center" in shortlist.replace("\\", "")
