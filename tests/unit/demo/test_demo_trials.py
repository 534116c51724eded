"""The demo studies are valid ClinicalTrials.gov API v2 records and cover the intended mix."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from core.catalogue.demo_data import demo_trial_paths
from tests.unit.demo.v2_spec import spec_enum, spec_errors

AGE_PATTERN = re.compile(r"^\d+ (Year|Years|Month|Months|Week|Weeks|Day|Days|Hour|Hours|Minute|Minutes)$")
REQUIRED_MODULES = (
    "identificationModule",
    "statusModule",
    "sponsorCollaboratorsModule",
    "descriptionModule",
    "conditionsModule",
    "designModule",
    "armsInterventionsModule",
    "eligibilityModule",
    "contactsLocationsModule",
)
# Ranges reserved for fiction: NANP 555-01xx, Ofcom drama numbers, ACMA 5550, ARCEP 01 99 00.
FICTIONAL_PHONE = re.compile(
    r"^(\+1 \d{3}-555-01\d\d"
    r"|\+44 (20 7946 0\d{3}|1\d\d 49[68] 0\d{3})"
    r"|\+61 \d 5550 \d{4}"
    r"|\+33 1 99 00 \d\d \d\d)$"
)
UNRELATED_CONDITIONS = {
    "Type 2 Diabetes",
    "Asthma",
    "Knee Osteoarthritis",
    "Menstrual Migraine",
    "Healthy Volunteers",
}


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def all_studies() -> tuple[tuple[str, dict[str, Any]], ...]:
    return tuple((p.stem, load(p)) for p in demo_trial_paths())


def protocol(study: dict[str, Any]) -> dict[str, Any]:
    return study["protocolSection"]


def test_there_are_forty_files_named_in_sequence():
    assert [p.name for p in demo_trial_paths()] == [f"DEMO-{i:04d}.json" for i in range(1, 41)]


@pytest.mark.parametrize("path", demo_trial_paths(), ids=lambda p: p.stem)
def test_file_has_the_v2_study_shape(path: Path):
    study = load(path)
    assert set(study) == {"protocolSection", "derivedSection", "hasResults"}, path.name
    assert study["hasResults"] is False
    missing = [m for m in REQUIRED_MODULES if m not in study["protocolSection"]]
    assert not missing, f"{path.name}: missing modules {missing}"
    ident = study["protocolSection"]["identificationModule"]
    assert ident["nctId"] == path.stem
    assert ident["organization"]["fullName"] == "Next Option Workbench demo data (fictional)"
    assert ident["briefTitle"].strip()
    summary = study["protocolSection"]["descriptionModule"]["briefSummary"]
    assert summary.startswith("DEMO RECORD (fictional, for training only).")


def test_ids_are_unique():
    ids = [protocol(s)["identificationModule"]["nctId"] for _, s in all_studies()]
    assert len(ids) == len(set(ids)) == 40


@pytest.mark.parametrize("path", demo_trial_paths(), ids=lambda p: p.stem)
def test_enumerated_values_come_from_the_spec(path: Path):
    p = protocol(load(path))
    status, design, elig = p["statusModule"], p["designModule"], p["eligibilityModule"]
    assert status["overallStatus"] in spec_enum("Status")
    assert design["studyType"] in spec_enum("StudyType")
    assert set(design.get("phases", [])) <= spec_enum("Phase")
    assert elig["sex"] in spec_enum("Sex")
    assert set(elig["stdAges"]) <= spec_enum("StandardAge")
    for key in ("startDateStruct", "primaryCompletionDateStruct", "completionDateStruct"):
        if key in status:
            assert status[key]["type"] in spec_enum("DateType"), f"{path.name}: {key}"
    if "designInfo" in design:
        info = design["designInfo"]
        assert info["allocation"] in spec_enum("DesignAllocation")
        assert info["interventionModel"] in spec_enum("InterventionalAssignment")
        assert info["primaryPurpose"] in spec_enum("PrimaryPurpose")
        assert info["maskingInfo"]["masking"] in spec_enum("DesignMasking")
    for iv in p["armsInterventionsModule"]["interventions"]:
        assert iv["type"] in spec_enum("InterventionType"), f"{path.name}: {iv['name']}"
    for arm in p["armsInterventionsModule"].get("armGroups", []):
        assert arm["type"] in spec_enum("ArmGroupType")
    locations = p["contactsLocationsModule"]["locations"]
    for loc in locations:
        if "status" in loc:
            assert loc["status"] in spec_enum("RecruitmentStatus"), f"{path.name}: {loc['facility']}"
    contacts = p["contactsLocationsModule"].get("centralContacts", [])
    contacts += [c for loc in locations for c in loc.get("contacts", [])]
    for contact in contacts:
        assert contact["role"] in spec_enum("ContactRole")


@pytest.mark.parametrize("path", demo_trial_paths(), ids=lambda p: p.stem)
def test_ages_sites_and_criteria_are_well_formed(path: Path):
    p = protocol(load(path))
    elig = p["eligibilityModule"]
    for key in ("minimumAge", "maximumAge"):
        if key in elig:
            assert AGE_PATTERN.match(elig[key]), f"{path.name}: {key}={elig[key]!r}"
    locations = p["contactsLocationsModule"]["locations"]
    assert locations, f"{path.name}: no locations"
    for loc in locations:
        assert loc["city"] and loc["country"] and loc["facility"]
        assert -90 <= loc["geoPoint"]["lat"] <= 90 and -180 <= loc["geoPoint"]["lon"] <= 180
    text = elig["eligibilityCriteria"]
    inclusion, exclusion = text.find("Inclusion Criteria:"), text.find("Exclusion Criteria:")
    assert 0 <= inclusion < exclusion, f"{path.name}: needs Inclusion then Exclusion headings"


@pytest.mark.parametrize("path", demo_trial_paths(), ids=lambda p: p.stem)
def test_contact_details_are_fictional(path: Path):
    cl = protocol(load(path))["contactsLocationsModule"]
    contacts = cl.get("centralContacts", []) + [c for loc in cl["locations"] for c in loc.get("contacts", [])]
    for contact in contacts:
        if "email" in contact:
            assert contact["email"].endswith("@example.org"), f"{path.name}: {contact['email']}"
        if "phone" in contact:
            assert FICTIONAL_PHONE.match(contact["phone"]), f"{path.name}: {contact['phone']}"


def test_expanded_access_programmes():
    programmes = {
        sid: protocol(s)
        for sid, s in all_studies()
        if protocol(s)["designModule"]["studyType"] == "EXPANDED_ACCESS"
    }
    assert 5 <= len(programmes) <= 7
    statuses = {p["statusModule"]["overallStatus"] for p in programmes.values()}
    assert statuses == {"AVAILABLE", "NO_LONGER_AVAILABLE", "TEMPORARILY_NOT_AVAILABLE"}
    types: set[str] = set()
    for sid, p in programmes.items():
        assert p["statusModule"]["overallStatus"] in spec_enum("ExpandedAccessStatus")
        ea_types = p["designModule"]["expandedAccessTypes"]
        assert ea_types and all(v is True for v in ea_types.values()), sid
        types |= set(ea_types)
        assert "phases" not in p["designModule"], sid
    assert types == {"individual", "intermediate", "treatment"}
    described = [
        sid
        for sid, p in programmes.items()
        if "how to request" in p["descriptionModule"].get("detailedDescription", "").lower()
    ]
    assert len(described) >= 4


def test_trials_flagged_with_expanded_access_point_to_real_programmes():
    by_id = {sid: protocol(s) for sid, s in all_studies()}
    flagged = {
        sid: p for sid, p in by_id.items() if p["statusModule"]["expandedAccessInfo"]["hasExpandedAccess"]
    }
    assert len(flagged) >= 3
    for sid, p in flagged.items():
        info = p["statusModule"]["expandedAccessInfo"]
        assert p["designModule"]["studyType"] == "INTERVENTIONAL", sid
        target = by_id[info["nctId"]]
        assert target["designModule"]["studyType"] == "EXPANDED_ACCESS"
        assert target["statusModule"]["overallStatus"] == info["statusForNctId"]


def test_the_catalogue_mix():
    protocols = [protocol(s) for _, s in all_studies()]

    def blob(p: dict[str, Any]) -> str:
        ivs = p["armsInterventionsModule"]["interventions"]
        return " ".join(
            [
                p["identificationModule"]["briefTitle"],
                *(iv["name"] for iv in ivs),
                *(n for iv in ivs for n in iv.get("otherNames", [])),
            ]
        )

    car_t = [p for p in protocols if re.search(r"\bCAR\b|CAR-T", blob(p))]
    assert len(car_t) >= 10
    unrelated = [p for p in protocols if set(p["conditionsModule"]["conditions"]) & UNRELATED_CONDITIONS]
    assert len(unrelated) == 5
    statuses = Counter(p["statusModule"]["overallStatus"] for p in protocols)
    assert statuses["RECRUITING"] > len(protocols) / 2
    assert {"NOT_YET_RECRUITING", "ACTIVE_NOT_RECRUITING", "COMPLETED"} <= set(statuses)
    phase_sets = {tuple(p["designModule"].get("phases", [])) for p in protocols}
    assert {("PHASE1",), ("PHASE1", "PHASE2"), ("PHASE2",), ("PHASE3",)} <= phase_sets
    sexes = Counter(p["eligibilityModule"]["sex"] for p in protocols)
    assert sexes["FEMALE"] >= 1 and sexes["MALE"] >= 1
    min_ages = {p["eligibilityModule"].get("minimumAge") for p in protocols}
    assert {"18 Years", "1 Year", "6 Months", None} <= min_ages
    assert any("maximumAge" not in p["eligibilityModule"] for p in protocols)
    assert any(p["eligibilityModule"]["healthyVolunteers"] for p in protocols)
    countries = {loc["country"] for p in protocols for loc in p["contactsLocationsModule"]["locations"]}
    assert {
        "United States",
        "United Kingdom",
        "Germany",
        "France",
        "Spain",
        "Netherlands",
        "Canada",
        "Australia",
        "Japan",
    } <= countries
    mixed_sites = [
        p
        for p in protocols
        if {loc.get("status") for loc in p["contactsLocationsModule"]["locations"]}
        >= {"RECRUITING", "COMPLETED"}
        or {loc.get("status") for loc in p["contactsLocationsModule"]["locations"]}
        >= {"RECRUITING", "ACTIVE_NOT_RECRUITING"}
    ]
    assert len(mixed_sites) >= 3
    criteria = [p["eligibilityModule"]["eligibilityCriteria"] for p in protocols]
    assert any(re.search(r"^1\. ", c, re.M) for c in criteria), "a numbered list"
    assert any(re.search(r"^\s{2,}[*\-] ", c, re.M) for c in criteria), "a nested sub-list"
    assert any("\\>=" in c for c in criteria), "an escaped \\>="
    assert any("otherNames" in iv for p in protocols for iv in p["armsInterventionsModule"]["interventions"])


def test_condition_meshes_for_every_patient_study():
    for sid, study in all_studies():
        if protocol(study)["eligibilityModule"]["healthyVolunteers"]:
            continue
        meshes = study["derivedSection"]["conditionBrowseModule"]["meshes"]
        assert meshes and all(re.match(r"^D\d{9}$", m["id"]) and m["term"] for m in meshes), sid


@pytest.mark.parametrize("path", demo_trial_paths(), ids=lambda p: p.stem)
def test_file_follows_the_openapi_schema(path: Path):
    errors = spec_errors(load(path))
    assert not errors, f"{path.name}: " + "; ".join(errors[:10])


def test_the_schema_check_catches_mistakes():
    study = load(demo_trial_paths()[0])
    study["protocolSection"]["statusModule"]["overallStatus"] = "OPEN"
    study["protocolSection"]["eligibilityModule"]["minimumAge"] = "18 yrs"
    study["protocolSection"]["designModule"]["enrolment"] = 3
    errors = " ".join(spec_errors(study))
    assert "'OPEN' not in Status" in errors and "'18 yrs'" in errors and "unknown key 'enrolment'" in errors
