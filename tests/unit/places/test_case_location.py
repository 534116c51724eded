"""A case's location: found places get coordinates, unknown ones a warning, corrections re-locate, distances are right."""

from __future__ import annotations

from core.case_records import get_case_facts
from core.cases import CaseInput, check_case_location, create_case, update_case_facts
from core.domain.trial import Site
from core.matching.geo import haversine_km
from core.matching.service import list_matches, match_case
from tests.support.flow import add_trials, make_case, make_trial

# Washington University (St. Louis), Dartmouth-Hitchcock Manchester (NH), Christie (Manchester, UK)
ST_LOUIS_SITE = Site(facility="Siteman Cancer Center", city="St. Louis", state="Missouri", country="United States",
                     status="RECRUITING", latitude=38.6355, longitude=-90.2637)
NH_SITE = Site(facility="Elliot Hospital", city="Manchester", state="New Hampshire", country="United States",
               status="RECRUITING", latitude=42.9862, longitude=-71.4404)
UK_SITE = Site(facility="The Christie", city="Manchester", country="United Kingdom", status="RECRUITING",
               latitude=53.4296, longitude=-2.2301)


def test_st_louis_is_found_and_the_nearest_open_site_distance_is_right(team):
    add_trials(make_trial("NCT09100001", brief_title="CD7 CAR-T for relapsed T-ALL", sites=[ST_LOUIS_SITE, NH_SITE]))
    case_id = make_case(team.reviewer, location_label="St. Louis, Missouri", travel_radius_km=100)
    facts = get_case_facts(case_id)
    assert facts.latitude is not None
    assert check_case_location(facts).level == "ok"
    match_case(case_id)
    m = next(m for m in list_matches(team.reviewer, case_id) if m.registry_id == "NCT09100001")
    expected = haversine_km(facts.latitude, facts.longitude, ST_LOUIS_SITE.latitude, ST_LOUIS_SITE.longitude)
    assert m.nearest_site["facility"] == "Siteman Cancer Center"
    assert abs(m.distance_km - expected) < 0.01 and m.distance_km < 10
    assert m.passed_filters  # within the 100 km radius


def test_an_unknown_place_is_kept_with_a_warning_and_a_correction_relocates_it(team):
    add_trials(make_trial("NCT09100002", brief_title="CD7 CAR-T for relapsed T-ALL", sites=[NH_SITE, UK_SITE]))
    case_id = make_case(team.reviewer, location_label="Xyzzyville", travel_radius_km=200)
    facts = get_case_facts(case_id)
    assert facts.location_label == "Xyzzyville" and facts.latitude is None
    check = check_case_location(facts)
    assert check.level == "warning" and "'Xyzzyville' is not in the offline list" in check.message

    update_case_facts(team.reviewer, case_id, {"location_label": "Manchester, NH"})
    facts = get_case_facts(case_id)
    assert haversine_km(facts.latitude, facts.longitude, 42.99, -71.46) < 10
    match_case(case_id)
    m = next(m for m in list_matches(team.reviewer, case_id) if m.registry_id == "NCT09100002")
    assert m.nearest_site["facility"] == "Elliot Hospital" and m.distance_km < 10

    # Correcting it again moves the coordinates too: old ones would give the old distances.
    update_case_facts(team.reviewer, case_id, {"location_label": "Manchester, UK"})
    facts = get_case_facts(case_id)
    assert haversine_km(facts.latitude, facts.longitude, 53.48, -2.24) < 10
    match_case(case_id)
    m = next(m for m in list_matches(team.reviewer, case_id) if m.registry_id == "NCT09100002")
    assert m.nearest_site["facility"] == "The Christie" and m.distance_km < 10

    update_case_facts(team.reviewer, case_id, {"location_label": "Nowhere-on-Sea"})
    facts = get_case_facts(case_id)
    assert facts.latitude is None and facts.longitude is None


def test_an_ambiguous_place_is_a_note_naming_the_choice(team):
    case_id = create_case(team.reviewer, CaseInput(diagnosis="AML", location_label="Manchester", contact_name="X"))
    check = check_case_location(get_case_facts(case_id))
    assert check.level == "note" and "Manchester, England, United Kingdom" in check.message


def test_typed_coordinates_win_over_an_unknown_place(team):
    case_id = create_case(team.reviewer, CaseInput(diagnosis="AML", location_label="Small village", latitude=45.0,
                                                   longitude=5.0, contact_name="X"))
    check = check_case_location(get_case_facts(case_id))
    assert check.level == "ok" and "45.0000, 5.0000" in check.message
