"""The demo cases load, keep contact details apart, and each has real matches and clear non-matches."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from core.catalogue.demo_data import DemoCase, demo_trial_paths, load_demo_cases
from core.domain.trial import OPEN_STATUSES

EARTH_RADIUS_KM = 6371.0


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def years(age: str | None) -> float | None:
    if age is None:
        return None
    number, unit = age.split()
    return float(number) / (12 if unit.startswith("Month") else 1)


def screen(case: DemoCase, study: dict) -> set[str]:
    """Return the structured reasons a study is ruled out for a case (empty set = plausible)."""
    p = study["protocolSection"]
    elig, facts = p["eligibilityModule"], case.facts
    reasons = set()
    low, high = years(elig.get("minimumAge")), years(elig.get("maximumAge"))
    if (low is not None and facts.age_years < low) or (high is not None and facts.age_years > high):
        reasons.add("age")
    if elig["sex"] != "ALL" and elig["sex"].lower() != facts.sex:
        reasons.add("sex")
    if p["statusModule"]["overallStatus"] not in OPEN_STATUSES:
        reasons.add("status")
    nearest = min(
        km_between(facts.latitude, facts.longitude, loc["geoPoint"]["lat"], loc["geoPoint"]["lon"])
        for loc in p["contactsLocationsModule"]["locations"]
    )
    if nearest > facts.travel_radius_km:
        reasons.add("distance")
    return reasons


DIAGNOSIS_WORDS = {
    "DEMO-CASE-001": ("T-cell Acute Lymphoblastic", "T-cell Lymphoblastic"),
    "DEMO-CASE-002": ("Large B-cell Lymphoma", "Aggressive B-cell"),
    "DEMO-CASE-003": ("B-cell Acute Lymphoblastic",),
}


def relevant_studies(reference: str) -> list[dict]:
    studies = [json.loads(p.read_text(encoding="utf-8")) for p in demo_trial_paths()]
    words = DIAGNOSIS_WORDS[reference]
    return [
        s
        for s in studies
        if any(
            w.lower() in c.lower()
            for c in s["protocolSection"]["conditionsModule"]["conditions"]
            for w in words
        )
    ]


def test_three_demo_cases_load():
    cases = load_demo_cases()
    assert [c.reference for c in cases] == ["DEMO-CASE-001", "DEMO-CASE-002", "DEMO-CASE-003"]
    assert all(c.is_demo for c in cases)
    t_all, dlbcl, b_all = (c.facts for c in cases)
    assert (t_all.age_years, t_all.travel_radius_km, t_all.location_label) == (
        16,
        800,
        "Manchester, United Kingdom",
    )
    assert "nelarabine" in t_all.prior_therapies and t_all.lines_of_therapy == 2
    assert (dlbcl.age_years, dlbcl.sex, dlbcl.location_label) == (54, "female", "Lyon, France")
    assert any("R-CHOP" in t for t in dlbcl.prior_therapies) and any(
        "R-ICE" in t for t in dlbcl.prior_therapies
    )
    assert (b_all.age_years, b_all.location_label) == (7, "Toronto, Canada")


@pytest.mark.parametrize("case", load_demo_cases(), ids=lambda c: c.reference)
def test_contact_details_are_separate_and_fictional(case: DemoCase):
    assert case.contact_email.endswith("@example.org")
    summary = case.facts.summary
    assert len(summary) > 300
    surname = case.contact_name.split("(")[0].split()[-1]
    for private in filter(None, (surname, case.contact_email, case.contact_phone, case.contact_address)):
        assert private not in summary, f"{case.reference}: summary contains contact detail {private!r}"
    assert "contact" not in case.facts.model_dump()


@pytest.mark.parametrize("case", load_demo_cases(), ids=lambda c: c.reference)
def test_each_case_has_matches_and_clear_non_matches(case: DemoCase):
    outcomes = [screen(case, s) for s in relevant_studies(case.reference)]
    plausible = [o for o in outcomes if not o]
    ruled_out = set().union(*outcomes)
    assert len(plausible) >= 3, case.reference
    assert len(ruled_out) >= 2, f"{case.reference}: non-matches only for {ruled_out}"


def test_a_bad_case_file_names_file_case_and_field(tmp_path: Path):
    bad = tmp_path / "cases.json"
    case = {
        "reference": "X-1",
        "facts": {"age_years": "sixteen"},
        "contact_name": "A",
        "contact_email": "a@example.org",
    }
    bad.write_text(json.dumps({"cases": [case]}), encoding="utf-8")
    with pytest.raises(ValueError) as info:
        load_demo_cases(bad)
    message = str(info.value)
    assert str(bad) in message and "case 1 (X-1)" in message and "facts.age_years" in message


def test_a_case_file_that_is_not_json_says_where(tmp_path: Path):
    bad = tmp_path / "cases.json"
    bad.write_text('{"cases": [\n  {oops}\n]}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2"):
        load_demo_cases(bad)
