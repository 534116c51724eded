"""Seeded, streaming generator of synthetic ClinicalTrials.gov API v2 studies for scale tests and benchmarks."""

from __future__ import annotations

import random
from collections.abc import Iterator
from functools import cache
from typing import Any

from core.evaluation import synthetic_vocabulary as vocab

SYNTHETIC_ORGANIZATION = "Next Option Workbench synthetic data (generated)"
SUMMARY_PREFIX = "SYNTHETIC RECORD (generated for benchmarks, not a real study). "


def _weighted(pairs: tuple[tuple[Any, int], ...]) -> tuple[Any, ...]:
    """Expand (value, weight) pairs into a lookup table, so a draw is one index instead of choices()."""
    return tuple(value for value, weight in pairs for _ in range(weight))


# Overall status mix close to the registry's (about 13% recruiting), per 100 interventional/observational studies.
_OVERALL = _weighted(
    (
        ("COMPLETED", 52),
        ("UNKNOWN", 15),
        ("RECRUITING", 13),
        ("TERMINATED", 6),
        ("ACTIVE_NOT_RECRUITING", 5),
        ("NOT_YET_RECRUITING", 4),
        ("WITHDRAWN", 3),
        ("ENROLLING_BY_INVITATION", 1),
        ("SUSPENDED", 1),
    )
)
_EA_STATUS = _weighted(
    (
        ("AVAILABLE", 4),
        ("NO_LONGER_AVAILABLE", 4),
        ("TEMPORARILY_NOT_AVAILABLE", 1),
        ("APPROVED_FOR_MARKETING", 1),
    )
)
_RECRUITING_SITE = _weighted(
    (
        ("RECRUITING", 14),
        ("NOT_YET_RECRUITING", 2),
        ("ACTIVE_NOT_RECRUITING", 2),
        ("COMPLETED", 1),
        ("WITHDRAWN", 1),
    )
)
_PHASES = _weighted(
    (
        (("NA",), 33),
        (("EARLY_PHASE1",), 2),
        (("PHASE1",), 13),
        (("PHASE1", "PHASE2"), 5),
        (("PHASE2",), 19),
        (("PHASE2", "PHASE3"), 2),
        (("PHASE3",), 13),
        (("PHASE4",), 13),
    )
)
_AGE_RANGES = _weighted(
    (
        (("18 Years", None), 46),
        (("18 Years", "75 Years"), 10),
        (("18 Years", "65 Years"), 8),
        ((None, None), 8),
        (("1 Year", "21 Years"), 4),
        (("6 Months", "17 Years"), 3),
        (("12 Years", None), 4),
        (("2 Years", "30 Years"), 3),
        (("65 Years", None), 4),
        (("40 Years", "80 Years"), 5),
        ((None, "18 Years"), 3),
        (("16 Years", "39 Years"), 2),
    )
)
_SEX = _weighted((("ALL", 90), ("FEMALE", 7), ("MALE", 3)))
_OPEN = frozenset({"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "AVAILABLE"})
_STEADY_SITE = frozenset(
    {"ACTIVE_NOT_RECRUITING", "ENROLLING_BY_INVITATION", "SUSPENDED", "NOT_YET_RECRUITING"}
)
_MONTHS = tuple(f"{m:02d}" for m in range(1, 13))
_DAYS = tuple(f"{d:02d}" for d in range(1, 29))


def _shuffles(pool: tuple[Any, ...]) -> tuple[tuple[Any, ...], ...]:
    """Fixed shuffles of a pool; a prefix of a random one is a distinct sample at a fraction of rng.sample's cost."""
    shuffler = random.Random(len(pool))
    shuffles = []
    for _ in range(64):
        items = list(pool)
        shuffler.shuffle(items)
        shuffles.append(tuple(items))
    return tuple(shuffles)


@cache
def _sample_tables() -> dict[str, tuple[tuple[Any, ...], ...]]:
    tables = {area: _shuffles(pool) for area, pool in vocab.DRUGS.items()}
    tables["inclusion"] = _shuffles(vocab.INCLUSION)
    tables["exclusion"] = _shuffles(vocab.EXCLUSION)
    return tables


def _sample(r: Any, shuffles: tuple[tuple[Any, ...], ...], k: int) -> tuple[Any, ...]:
    return shuffles[int(r() * 64)][:k]


@cache
def _sites() -> tuple[tuple[str, str, str | None, str, float, float], ...]:
    return tuple(
        (pattern.format(city=city), city, state, country, lat, lon)
        for city, state, country, lat, lon in vocab.CITIES
        for pattern in vocab.FACILITY_PATTERNS
    )


def _std_ages(minimum: str | None, maximum: str | None) -> list[str]:
    low = 0.0 if minimum is None else float(minimum.split()[0]) / (12 if "Month" in minimum else 1)
    high = 200.0 if maximum is None else float(maximum.split()[0])
    ages = []
    if low < 18:
        ages.append("CHILD")
    if high >= 18 and low < 65:
        ages.append("ADULT")
    if high >= 65:
        ages.append("OLDER_ADULT")
    return ages


@cache
def _std_ages_table() -> dict[tuple[str | None, str | None], tuple[str, ...]]:
    return {pair: tuple(_std_ages(*pair)) for pair in set(_AGE_RANGES)}


def generate_studies(n: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Yield n synthetic API v2 studies (ids SYN-0000001...), the same ones for the same seed."""
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"generate_studies: n must be a non-negative integer, got {n!r}")
    return _stream(n, seed)


def _stream(n: int, seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for number in range(1, n + 1):
        yield _build_study(number, rng)


def _pick(rng_random: Any, table: tuple[Any, ...]) -> Any:
    return table[int(rng_random() * len(table))]


def _build_study(number: int, rng: random.Random) -> dict[str, Any]:
    r = rng.random
    nct_id = f"SYN-{number:07d}"
    expanded_access = r() < 0.005
    observational = not expanded_access and r() < 0.22
    status = _pick(r, _EA_STATUS) if expanded_access else _pick(r, _OVERALL)

    conditions = [vocab.CONDITIONS[int(r() * len(vocab.CONDITIONS))]]
    if r() < 0.35:
        extra = vocab.CONDITIONS[int(r() * len(vocab.CONDITIONS))]
        if extra is not conditions[0]:
            conditions.append(extra)
    area = conditions[0][3]
    drug_pool = vocab.DRUGS[area]
    drugs = _sample(r, _sample_tables()[area], 1 + int(r() * min(3, len(drug_pool))))
    phases = () if (observational or expanded_access) else _pick(r, _PHASES)
    minimum_age, maximum_age = _pick(r, _AGE_RANGES)
    sex = _pick(r, _SEX)
    sponsor, sponsor_class = _pick(r, vocab.SPONSORS)

    title = _pick(r, vocab.TITLE_PATTERNS).format(
        drug=drugs[0][1],
        population=_pick(r, vocab.POPULATIONS),
        condition=conditions[0][0],
        status=_pick(r, vocab.DISEASE_STATES[area]),
        phase=phases[-1][-1] if phases and phases[0] != "NA" else "2",
    )

    status_module = _status_module(r, status, expanded_access)
    design: dict[str, Any]
    if expanded_access:
        design = {
            "studyType": "EXPANDED_ACCESS",
            "expandedAccessTypes": {_pick(r, ("individual", "intermediate", "treatment")): True},
        }
    elif observational:
        design = {
            "studyType": "OBSERVATIONAL",
            "patientRegistry": r() < 0.1,
            "designInfo": {
                "observationalModel": _pick(r, ("COHORT", "CASE_CONTROL", "CASE_ONLY")),
                "timePerspective": "PROSPECTIVE",
            },
            "enrollmentInfo": {
                "count": 20 + int(r() * 2000),
                "type": "ACTUAL" if status == "COMPLETED" else "ESTIMATED",
            },
        }
    else:
        randomized = len(drugs) > 1 and r() < 0.6
        design = {
            "studyType": "INTERVENTIONAL",
            "phases": list(phases),
            "designInfo": {
                "allocation": "RANDOMIZED" if randomized else "NA",
                "interventionModel": "PARALLEL" if randomized else "SINGLE_GROUP",
                "primaryPurpose": "TREATMENT" if area != "other" or r() < 0.6 else "PREVENTION",
                "maskingInfo": {
                    "masking": _pick(r, ("NONE", "NONE", "DOUBLE", "QUADRUPLE")) if randomized else "NONE"
                },
            },
            "enrollmentInfo": {
                "count": 10 + int(r() * 600),
                "type": "ACTUAL" if status == "COMPLETED" else "ESTIMATED",
            },
        }

    interventions = [
        {"type": kind, "name": name, "otherNames": list(other)} if other else {"type": kind, "name": name}
        for kind, name, other in drugs
    ]
    protocol: dict[str, Any] = {
        "identificationModule": {
            "nctId": nct_id,
            "orgStudyIdInfo": {"id": f"SYN-{number:07d}-P"},
            "organization": {"fullName": SYNTHETIC_ORGANIZATION, "class": "OTHER"},
            "briefTitle": title,
            "officialTitle": f"{title}: a Synthetic {'Observational' if observational else 'Interventional'} Study",
        },
        "statusModule": status_module,
        "sponsorCollaboratorsModule": {
            "responsibleParty": {"type": "SPONSOR"},
            "leadSponsor": {"name": sponsor, "class": sponsor_class},
        },
        "descriptionModule": {
            "briefSummary": f"{SUMMARY_PREFIX}This study looks at {drugs[0][1].lower()} in people with "
            f"{conditions[0][0].lower()}. It records side effects and how the condition changes over time."
        },
        "conditionsModule": {
            "conditions": [c[0] for c in conditions],
            "keywords": [drugs[0][1], conditions[0][0], area],
        },
        "designModule": design,
        "armsInterventionsModule": {"interventions": interventions},
        "eligibilityModule": {
            "eligibilityCriteria": _criteria(r),
            "healthyVolunteers": r() < 0.05,
            "sex": sex,
            "stdAges": list(_std_ages_table()[(minimum_age, maximum_age)]),
        },
        "contactsLocationsModule": _contacts_locations(r, status, number),
    }
    eligibility = protocol["eligibilityModule"]
    if minimum_age:
        eligibility["minimumAge"] = minimum_age
    if maximum_age:
        eligibility["maximumAge"] = maximum_age
    return {
        "protocolSection": protocol,
        "derivedSection": {
            "miscInfoModule": {"versionHolder": "2026-11-01"},
            "conditionBrowseModule": {"meshes": [{"id": c[1], "term": c[2]} for c in conditions]},
        },
        "hasResults": False,
    }


def _status_module(r: Any, status: str, expanded_access: bool) -> dict[str, Any]:
    if status in _OPEN or status == "ACTIVE_NOT_RECRUITING":
        start_year = 2021 + int(r() * 6)
    else:
        start_year = 2000 + int(r() * 23)
    start = f"{start_year}-{_pick(r, _MONTHS)}-{_pick(r, _DAYS)}"
    last_update = f"{min(2026, start_year + 1 + int(r() * 4))}-{_pick(r, _MONTHS)}-{_pick(r, _DAYS)}"
    module: dict[str, Any] = {
        "statusVerifiedDate": last_update[:7],
        "overallStatus": status,
        "expandedAccessInfo": {"hasExpandedAccess": r() < 0.02},
    }
    if not expanded_access:
        future = status in (
            "RECRUITING",
            "NOT_YET_RECRUITING",
            "ACTIVE_NOT_RECRUITING",
            "ENROLLING_BY_INVITATION",
        )
        date_type = "ESTIMATED" if future else "ACTUAL"
        module["startDateStruct"] = {
            "date": start,
            "type": "ESTIMATED" if status == "NOT_YET_RECRUITING" else "ACTUAL",
        }
        end_year = start_year + 2 + int(r() * 4)
        if future:
            end_year = max(end_year, 2026 + int(r() * 4))
        module["primaryCompletionDateStruct"] = {"date": f"{end_year}-{_pick(r, _MONTHS)}", "type": date_type}
        module["completionDateStruct"] = {"date": f"{end_year + 1}-{_pick(r, _MONTHS)}", "type": date_type}
    module["studyFirstSubmitDate"] = start
    module["studyFirstPostDateStruct"] = {"date": start, "type": "ACTUAL"}
    module["lastUpdateSubmitDate"] = last_update
    module["lastUpdatePostDateStruct"] = {"date": last_update, "type": "ACTUAL"}
    return module


def _criteria(r: Any) -> str:
    total = 5 + int(r() * 21)
    n_inclusion = 2 + int(r() * (total - 3))
    tables = _sample_tables()
    inclusion = _sample(r, tables["inclusion"], n_inclusion)
    exclusion = _sample(r, tables["exclusion"], total - n_inclusion)
    if r() < 0.25:
        inc = "\n".join(f"{i}. {text}" for i, text in enumerate(inclusion, 1))
        exc = "\n".join(f"{i}. {text}" for i, text in enumerate(exclusion, 1))
    else:
        inc = "* " + "\n* ".join(inclusion)
        exc = "* " + "\n* ".join(exclusion)
    return f"Inclusion Criteria:\n\n{inc}\n\nExclusion Criteria:\n\n{exc}"


def _contacts_locations(r: Any, status: str, number: int) -> dict[str, Any]:
    sites = _sites()
    n_all_sites, n_site_statuses = len(sites), len(_RECRUITING_SITE)
    # Most studies have one or a few sites; a long tail has many (up to 30).
    n_sites = 1 + int(29 * r() ** 4)
    recruiting = status == "RECRUITING"
    steady = status in _STEADY_SITE
    available = status == "AVAILABLE"
    locations = []
    for index in range(n_sites):
        facility, city, state, country, lat, lon = sites[int(r() * n_all_sites)]
        location: dict[str, Any] = {"facility": facility}
        if recruiting:
            location["status"] = "RECRUITING" if index == 0 else _RECRUITING_SITE[int(r() * n_site_statuses)]
        elif steady:
            location["status"] = status
        elif available:
            location["status"] = "AVAILABLE"
        location["city"] = city
        if state:
            location["state"] = state
        location["country"] = country
        location["geoPoint"] = {"lat": lat, "lon": lon}
        locations.append(location)
    module: dict[str, Any] = {}
    if status in _OPEN:
        first, last = _pick(r, vocab.FIRST_NAMES), _pick(r, vocab.LAST_NAMES)
        module["centralContacts"] = [
            {
                "name": f"{first} {last}",
                "role": "CONTACT",
                "phone": f"+1 555-01{number % 100:02d}",
                "email": f"{first.lower()}.{last.lower()}@example.org",
            }
        ]
    module["locations"] = locations
    return module
