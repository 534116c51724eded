"""Facts a draft may state beyond the record: computed site distances and the selected options of a case."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from core.domain.trial import OPEN_STATUSES


class OptionSummary(BaseModel):
    """One selected option as the case overview sees it."""

    registry_id: str
    title: str
    study_type: str = "UNKNOWN"
    phases: list[str] = []
    overall_status: str = "UNKNOWN"
    met: int = 0
    unknown: int = 0
    not_met: int = 0
    nearest_distance_km: float | None = None


def format_distance_km(distance_km: float) -> str:
    """Spell a distance the way drafts and the grounding context both write it."""
    if distance_km < 1:
        return "less than 1 km"
    if distance_km >= 10:
        return f"{distance_km:.0f} km"
    return f"{distance_km:.1f}".removesuffix(".0") + " km"


def distance_phrase(distance_km: float) -> str:
    """A distance in a sentence: "about 57 km", or "less than 1 km" (never "about less than")."""
    spelled = format_distance_km(distance_km)
    return spelled if spelled.startswith("less") else f"about {spelled}"


def grounding_context_for_sites(distances_km: Sequence[float | None]) -> list[str]:
    """Return the computed site distances as texts a trial summary may quote (pass as context_texts)."""
    return [format_distance_km(d) for d in distances_km if d is not None]


def order_options(options: Sequence[OptionSummary]) -> list[OptionSummary]:
    """Order options for a family: open ones first, then fewest rules not met, most met, fewest unknown, nearest."""
    return sorted(
        options,
        key=lambda o: (
            o.overall_status not in OPEN_STATUSES,
            o.not_met,
            -o.met,
            o.unknown,
            o.nearest_distance_km if o.nearest_distance_km is not None else float("inf"),
            o.registry_id,
        ),
    )


def context_texts_for_options(options: Sequence[OptionSummary]) -> list[str]:
    """Return the options' fields and counts as texts a case overview may quote (pass as context_texts)."""
    texts = [f"{len(options)} options"]
    for o in options:
        texts.append(
            f"{o.registry_id} {o.title} {o.study_type} phases {' '.join(o.phases)} status {o.overall_status} "
            f"met {o.met} unknown {o.unknown} not met {o.not_met}"
        )
        if o.nearest_distance_km is not None:
            texts.append(format_distance_km(o.nearest_distance_km))
        for phase in o.phases:
            digits = "".join(c for c in phase if c.isdigit())
            if digits:
                texts.append(f"phase {digits}")
    return texts
