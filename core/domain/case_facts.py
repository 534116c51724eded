"""The case as the matcher sees it: de-identified clinical facts only (never contact details)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class CaseFacts(BaseModel):
    """Clinical facts of a case. Contains nothing that identifies the patient."""

    age_years: float | None = None
    sex: Literal["female", "male", "unknown"] = "unknown"
    diagnosis: str = ""
    conditions: list[str] = Field(default_factory=list)  # diagnoses and comorbidities the summary asserts
    disease_status: str | None = None  # relapsed, refractory, newly diagnosed, ...
    prior_therapies: list[str] = Field(default_factory=list)
    lines_of_therapy: int | None = None
    biomarkers: list[str] = Field(default_factory=list)
    performance_status: str | None = None  # e.g. "ECOG 1", "Karnofsky 80", "Lansky 70"
    pregnant: bool | None = None
    summary: str = ""  # free-text clinical summary (already stripped of names and contacts)
    latitude: float | None = None
    longitude: float | None = None
    location_label: str | None = None  # city / country, never a street address
    travel_radius_km: float | None = None  # None = will travel anywhere
    negations: list[str] = Field(default_factory=list)  # things the summary says are absent
