"""Tests for the vocabulary normalisers."""

from datetime import date

import pytest

from core.catalogue.normalise import (
    FieldError,
    normalise_age,
    normalise_date,
    normalise_expanded_access_types,
    normalise_phases,
    normalise_sex,
    normalise_status,
    normalise_study_type,
    to_int,
)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("18 Years", 18.0),
        ("6 Months", 0.5),
        ("2 Weeks", 0.0383),
        ("1 Year", 1.0),
        ("N/A", None),
        ("", None),
        (None, None),
    ],
)
def test_ages_become_years(text, years):
    assert normalise_age(text) == years


def test_bad_age_names_the_field():
    with pytest.raises(FieldError) as err:
        normalise_age("eighteen", field="eligibilityModule.minimumAge")
    assert err.value.field == "eligibilityModule.minimumAge"
    assert "eighteen" in err.value.reason


@pytest.mark.parametrize(
    ("value", "phases"),
    [
        (["PHASE1", "PHASE2"], ["PHASE1", "PHASE2"]),
        ("Phase 1/Phase 2", ["PHASE1", "PHASE2"]),
        ("N/A", ["NA"]),
        (["NA"], ["NA"]),
        ("Early Phase 1", ["EARLY_PHASE1"]),
        ("Phase 0", ["EARLY_PHASE1"]),
        ("PHASE2|PHASE3", ["PHASE2", "PHASE3"]),
        ("", []),
        (None, []),
    ],
)
def test_phases_from_every_format(value, phases):
    assert normalise_phases(value) == phases


def test_unknown_phase_is_rejected_with_field():
    with pytest.raises(FieldError, match="PHASE5"):
        normalise_phases(["PHASE5"], field="designModule.phases")


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Recruiting", "RECRUITING"),
        ("Active, not recruiting", "ACTIVE_NOT_RECRUITING"),
        ("Available", "AVAILABLE"),
        ("No longer available", "NO_LONGER_AVAILABLE"),
        ("Temporarily not available", "TEMPORARILY_NOT_AVAILABLE"),
        ("Approved for marketing", "APPROVED_FOR_MARKETING"),
        ("Unknown status", "UNKNOWN"),
        ("ENROLLING_BY_INVITATION", "ENROLLING_BY_INVITATION"),
        (None, "UNKNOWN"),
    ],
)
def test_statuses(text, status):
    assert normalise_status(text) == status


def test_unknown_status_is_an_error_not_a_guess():
    with pytest.raises(FieldError):
        normalise_status("Open-ish")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Interventional", "INTERVENTIONAL"),
        ("Observational [Patient Registry]", "OBSERVATIONAL"),
        ("Expanded Access", "EXPANDED_ACCESS"),
        ("EXPANDED_ACCESS", "EXPANDED_ACCESS"),
        ("N/A", "UNKNOWN"),
    ],
)
def test_study_types(text, kind):
    assert normalise_study_type(text) == kind


def test_sex_and_expanded_access_types():
    assert normalise_sex("All") == "ALL"
    assert normalise_sex("Female") == "FEMALE"
    assert normalise_sex("MALE") == "MALE"
    assert normalise_expanded_access_types(["treatment", "individual", "Intermediate-size Population"]) == [
        "INDIVIDUAL",
        "INTERMEDIATE",
        "TREATMENT",
    ]
    with pytest.raises(FieldError):
        normalise_sex(3)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2023-05", date(2023, 5, 1)),
        ("2023-05-05", date(2023, 5, 5)),
        ("May 2023", date(2023, 5, 1)),
        ("May 5, 2023", date(2023, 5, 5)),
        ("", None),
    ],
)
def test_dates(text, day):
    assert normalise_date(text) == day


def test_bad_date_names_field():
    with pytest.raises(FieldError) as err:
        normalise_date("2023-13", field="startDateStruct.date")
    assert err.value.field == "startDateStruct.date"


def test_counts():
    assert to_int("88.0", field="enrollment") == 88
    assert to_int(12, field="enrollment") == 12
    for bad in ("many", -1, 1.5, True):
        with pytest.raises(FieldError):
            to_int(bad, field="enrollment")
