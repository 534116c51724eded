"""The synthetic study generator is reproducible, streaming, and shaped like real API v2 records."""

from __future__ import annotations

import inspect
import re
import tracemalloc
from collections import Counter
from itertools import islice

import pytest

from core.evaluation.synthetic_studies import generate_studies
from tests.unit.demo.v2_spec import spec_enum, spec_errors

AGE_PATTERN = re.compile(r"^\d+ (Year|Years|Month|Months)$")


def test_same_seed_gives_the_same_studies():
    assert list(generate_studies(300, seed=7)) == list(generate_studies(300, seed=7))


def test_different_seeds_give_different_studies():
    first = [s["protocolSection"]["identificationModule"]["briefTitle"] for s in generate_studies(50, seed=1)]
    second = [
        s["protocolSection"]["identificationModule"]["briefTitle"] for s in generate_studies(50, seed=2)
    ]
    assert first != second


def test_a_shorter_run_is_a_prefix_of_a_longer_one():
    assert list(generate_studies(40, seed=3)) == list(islice(generate_studies(400, seed=3), 40))


def test_ids_are_sequential_and_padded():
    ids = [s["protocolSection"]["identificationModule"]["nctId"] for s in generate_studies(12)]
    assert ids == [f"SYN-{i:07d}" for i in range(1, 13)]


def test_it_streams_instead_of_building_a_list():
    studies = generate_studies(10**12)
    assert inspect.isgenerator(studies)
    assert next(studies)["protocolSection"]["identificationModule"]["nctId"] == "SYN-0000001"


def test_memory_stays_flat_while_streaming():
    next(generate_studies(1))  # warm the lookup tables outside the measurement
    tracemalloc.start()
    try:
        for _ in generate_studies(3000, seed=11):
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000, f"peak {peak:,} bytes while streaming 3000 studies"


@pytest.mark.parametrize("n", [-1, 2.5, "10"])
def test_bad_counts_are_refused_with_a_clear_message(n):
    with pytest.raises(ValueError, match="non-negative integer"):
        generate_studies(n)


def test_studies_have_the_v2_shape_and_spec_values():
    for study in generate_studies(2000, seed=5):
        assert set(study) == {"protocolSection", "derivedSection", "hasResults"}
        p = study["protocolSection"]
        sid = p["identificationModule"]["nctId"]
        status, design, elig = p["statusModule"], p["designModule"], p["eligibilityModule"]
        assert status["overallStatus"] in spec_enum("Status"), sid
        assert design["studyType"] in spec_enum("StudyType"), sid
        assert set(design.get("phases", [])) <= spec_enum("Phase"), sid
        if design["studyType"] == "EXPANDED_ACCESS":
            assert status["overallStatus"] in spec_enum("ExpandedAccessStatus"), sid
        assert elig["sex"] in spec_enum("Sex")
        assert set(elig["stdAges"]) <= spec_enum("StandardAge") and elig["stdAges"]
        for key in ("minimumAge", "maximumAge"):
            assert key not in elig or AGE_PATTERN.match(elig[key]), sid
        for iv in p["armsInterventionsModule"]["interventions"]:
            assert iv["type"] in spec_enum("InterventionType") and iv["name"]
        assert p["conditionsModule"]["conditions"]
        assert study["derivedSection"]["conditionBrowseModule"]["meshes"]

        locations = p["contactsLocationsModule"]["locations"]
        assert 1 <= len(locations) <= 30, sid
        for loc in locations:
            assert -90 <= loc["geoPoint"]["lat"] <= 90 and -180 <= loc["geoPoint"]["lon"] <= 180
            assert loc.get("status", "RECRUITING") in spec_enum("RecruitmentStatus"), sid
        if status["overallStatus"] == "RECRUITING":
            assert locations[0]["status"] == "RECRUITING", sid

        criteria = elig["eligibilityCriteria"]
        head, _, tail = criteria.partition("\n\nExclusion Criteria:\n\n")
        assert head.startswith("Inclusion Criteria:\n\n") and tail, sid
        count = len(re.findall(r"^(?:\* |\d+\. )", criteria, re.M))
        assert 5 <= count <= 25, f"{sid}: {count} criteria"


def test_the_mix_is_realistic():
    studies = list(generate_studies(5000, seed=9))
    statuses = Counter(s["protocolSection"]["statusModule"]["overallStatus"] for s in studies)
    assert 0.10 <= statuses["RECRUITING"] / len(studies) <= 0.16
    assert statuses["COMPLETED"] > statuses["RECRUITING"]
    types = Counter(s["protocolSection"]["designModule"]["studyType"] for s in studies)
    assert types["INTERVENTIONAL"] > types["OBSERVATIONAL"] > types["EXPANDED_ACCESS"] > 0
    conditions = Counter(c for s in studies for c in s["protocolSection"]["conditionsModule"]["conditions"])
    assert conditions["Acute Lymphoblastic Leukemia"] and conditions["Asthma"] and conditions["Breast Cancer"]
    site_counts = [len(s["protocolSection"]["contactsLocationsModule"]["locations"]) for s in studies]
    assert min(site_counts) == 1 and max(site_counts) >= 25
    assert sorted(site_counts)[len(site_counts) // 2] <= 5  # most studies have few sites
    countries = {
        loc["country"]
        for s in studies
        for loc in s["protocolSection"]["contactsLocationsModule"]["locations"]
    }
    assert len(countries) >= 15


def test_studies_follow_the_openapi_schema():
    for study in generate_studies(300, seed=13):
        errors = spec_errors(study)
        assert not errors, "; ".join(errors[:10])
