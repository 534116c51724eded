"""Hard filters of one case against one trial, each rejection kept with a plain-language reason."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from math import asin, cos, radians, sin, sqrt

from core.domain.ages import age_fits, describe_age_range, format_age
from core.domain.case_facts import CaseFacts
from core.domain.trial import OPEN_STATUSES, NormalizedTrial, Site
from core.matching.geo import EARTH_RADIUS_KM

DEFAULT_STUDY_TYPES: tuple[str, ...] = ("INTERVENTIONAL", "EXPANDED_ACCESS")

# A site list cannot reopen a study the registry says is over for good.
FINAL_STATUSES: frozenset[str] = frozenset(
    {"COMPLETED", "TERMINATED", "WITHDRAWN", "NO_LONGER_AVAILABLE", "APPROVED_FOR_MARKETING", "WITHHELD"}
)

STATUS_WORDS: dict[str, str] = {
    "RECRUITING": "recruiting",
    "NOT_YET_RECRUITING": "not yet recruiting",
    "ENROLLING_BY_INVITATION": "enrolling by invitation",
    "ACTIVE_NOT_RECRUITING": "active but no longer recruiting",
    "SUSPENDED": "suspended",
    "TERMINATED": "stopped early (terminated)",
    "COMPLETED": "completed",
    "WITHDRAWN": "withdrawn before it started",
    "UNKNOWN": "of unknown status",
    "AVAILABLE": "available",
    "NO_LONGER_AVAILABLE": "no longer available",
    "TEMPORARILY_NOT_AVAILABLE": "temporarily not available",
    "APPROVED_FOR_MARKETING": "approved for marketing (no longer offered as expanded access)",
    "WITHHELD": "withheld",
}

HEALTHY_CONDITION_WORDS = ("healthy", "healthy volunteer", "healthy volunteers", "healthy subjects")


# Plain slotted dataclasses, not pydantic: thousands are built per case and nothing here needs
# validating (every field is produced by this module). dataclasses.asdict() serialises them.
@dataclass(frozen=True, slots=True)
class FilterReason:
    """One reason a trial was set aside, or a note the reviewer should see."""

    code: str  # status, site_status, age_min, age_max, age_unknown, sex, healthy_volunteers, distance, ...
    message: str


@dataclass(slots=True)
class FilterOutcome:
    """Whether a trial survives the hard filters, why not, and the nearest open site."""

    passed: bool
    reasons: list[FilterReason] = field(default_factory=list)  # why it was set aside
    notes: list[FilterReason] = field(default_factory=list)  # not filtered, but worth a look
    nearest_site: Site | None = None
    nearest_site_km: float | None = None
    open_site_count: int = 0


def _is_above_maximum(age: float, maximum: float) -> bool:
    # The one age rule (core/domain/ages.py): a maximum of "17 Years" admits a 17-and-a-half-year-old.
    return age_fits(age, None, maximum) is False


def _check_age(facts: CaseFacts, trial: NormalizedTrial, reasons: list, notes: list) -> None:
    lo, hi = trial.minimum_age_years, trial.maximum_age_years
    if lo is None and hi is None:
        return
    age = facts.age_years
    if age is None:
        notes.append(
            FilterReason(
                code="age_unknown", message=f"{describe_age_range(lo, hi)}; patient's age is not known"
            )
        )
        return
    if lo is not None and age < lo:
        reasons.append(
            FilterReason(
                code="age_min", message=f"{describe_age_range(lo, hi)}; patient is {format_age(age)}"
            )
        )
    elif hi is not None and _is_above_maximum(age, hi):
        reasons.append(
            FilterReason(
                code="age_max", message=f"{describe_age_range(lo, hi)}; patient is {format_age(age)}"
            )
        )


def _check_sex(facts: CaseFacts, trial: NormalizedTrial, reasons: list, notes: list) -> None:
    if trial.sex == "ALL":
        return
    wanted = trial.sex.lower()
    if facts.sex == "unknown":
        notes.append(
            FilterReason(code="sex_unknown", message=f"Only {wanted} patients; patient's sex is not known")
        )
    elif facts.sex != wanted:
        reasons.append(FilterReason(code="sex", message=f"Only {wanted} patients; patient is {facts.sex}"))


def _is_healthy_volunteers_only(trial: NormalizedTrial) -> bool:
    if not trial.healthy_volunteers:
        return False
    if not trial.conditions:
        return "healthy" in trial.brief_title.lower()
    return all(c.strip().lower() in HEALTHY_CONDITION_WORDS for c in trial.conditions)


def _is_open_status(status: str) -> bool:
    if status in OPEN_STATUSES:
        return True
    # Some sources spell site statuses as prose ("Not yet recruiting", "Active, not recruiting").
    return status.replace(",", "").replace(" ", "_").upper() in OPEN_STATUSES


def _open_sites(trial: NormalizedTrial) -> list[Site]:
    overall = trial.overall_status
    return [s for s in trial.sites if _is_open_status(s.status or overall)]


def _check_status(trial: NormalizedTrial, reasons: list) -> list[Site]:
    """Add a reason when the trial is closed; return its open sites."""
    overall = trial.overall_status
    words = STATUS_WORDS.get(overall, overall.lower())
    if overall in FINAL_STATUSES:
        reasons.append(FilterReason(code="status", message=f"The study is {words}"))
        return []
    if not trial.sites:
        if overall not in OPEN_STATUSES:
            reasons.append(FilterReason(code="status", message=f"The study is {words}"))
        return []
    open_sites = _open_sites(trial)
    if not open_sites:
        n = len(trial.sites)
        where = "its only site is" if n == 1 else f"all {n} sites are"
        reasons.append(
            FilterReason(
                code="site_status", message=f"The study is {words} and {where} closed to recruitment"
            )
        )
    return open_sites


def _find_nearest(lat: float, lon: float, sites: list[Site]) -> tuple[Site | None, float, int]:
    """Nearest site with coordinates, its distance, and how many sites had none.

    Compares the haversine term itself (monotonic in distance) and takes one asin at the end:
    this loop runs over every open site of every candidate trial.
    """
    phi1 = radians(lat)
    cos1 = cos(phi1)
    best: Site | None = None
    best_h = 2.0
    missing = 0
    for site in sites:
        slat, slon = site.latitude, site.longitude
        if slat is None or slon is None:
            missing += 1
            continue
        phi2 = radians(slat)
        h = sin((phi2 - phi1) * 0.5) ** 2 + cos1 * cos(phi2) * sin(radians(slon - lon) * 0.5) ** 2
        if h < best_h:
            best, best_h = site, h
    if best is None:
        return None, float("inf"), missing
    return best, 2.0 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(best_h))), missing


def _check_distance(
    facts: CaseFacts, open_sites: list[Site], outcome: dict, reasons: list, notes: list
) -> None:
    lat, lon = facts.latitude, facts.longitude
    if lat is None or lon is None:
        if facts.travel_radius_km is not None and open_sites:
            notes.append(
                FilterReason(
                    code="location_unknown",
                    message="The patient's location is not known, so distance was not checked",
                )
            )
        return
    best, best_km, missing = _find_nearest(lat, lon, open_sites)
    if best is not None:
        outcome["nearest_site"] = best
        outcome["nearest_site_km"] = best_km
    radius = facts.travel_radius_km
    if missing:
        notes.append(
            FilterReason(
                code="site_coordinates_missing",
                message=f"{missing} open site(s) have no map position, so distance to them was not checked",
            )
        )
    if radius is None or best is None or missing:
        return
    if best_km > radius:
        place = ", ".join(p for p in (best.city, best.country) if p) or (best.facility or "unnamed site")
        reasons.append(
            FilterReason(
                code="distance",
                message=f"Nearest open site is {best_km:.0f} km away ({place}); travel radius is {radius:.0f} km",
            )
        )


def apply_hard_filters(
    facts: CaseFacts,
    trial: NormalizedTrial,
    *,
    allowed_study_types: Collection[str] = DEFAULT_STUDY_TYPES,
) -> FilterOutcome:
    """Decide whether a trial can be offered to this case at all, keeping every reason why not."""
    reasons: list[FilterReason] = []
    notes: list[FilterReason] = []
    extra: dict = {}
    if trial.study_type not in allowed_study_types:
        reasons.append(
            FilterReason(
                code="study_type",
                message=f"Study type {trial.study_type.replace('_', ' ').lower()} is not offered",
            )
        )
    open_sites = _check_status(trial, reasons)
    _check_age(facts, trial, reasons, notes)
    _check_sex(facts, trial, reasons, notes)
    if _is_healthy_volunteers_only(trial):
        reasons.append(
            FilterReason(code="healthy_volunteers", message="The study takes healthy volunteers only")
        )
    _check_distance(facts, open_sites, extra, reasons, notes)
    return FilterOutcome(
        passed=not reasons,
        reasons=reasons,
        notes=notes,
        nearest_site=extra.get("nearest_site"),
        nearest_site_km=extra.get("nearest_site_km"),
        open_site_count=len(open_sites),
    )
