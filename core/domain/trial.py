"""The normalised trial record: the one shape every importer produces and the store consumes."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

OverallStatus = Literal[
    "RECRUITING",
    "NOT_YET_RECRUITING",
    "ENROLLING_BY_INVITATION",
    "ACTIVE_NOT_RECRUITING",
    "SUSPENDED",
    "TERMINATED",
    "COMPLETED",
    "WITHDRAWN",
    "UNKNOWN",
    # expanded-access programme statuses
    "AVAILABLE",
    "NO_LONGER_AVAILABLE",
    "TEMPORARILY_NOT_AVAILABLE",
    "APPROVED_FOR_MARKETING",
    "WITHHELD",
]
StudyType = Literal["INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS", "UNKNOWN"]
Phase = Literal["EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA"]
Sex = Literal["ALL", "FEMALE", "MALE"]
CriterionKind = Literal["inclusion", "exclusion"]
ExpandedAccessType = Literal["INDIVIDUAL", "INTERMEDIATE", "TREATMENT"]

# Statuses under which a family could still join or request access.
OPEN_STATUSES: frozenset[str] = frozenset(
    {"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "AVAILABLE"}
)


class Intervention(BaseModel):
    type: str | None = None  # DRUG, BIOLOGICAL, GENETIC, PROCEDURE, DEVICE, ...
    name: str
    description: str | None = None
    other_names: list[str] = Field(default_factory=list)
    arm_labels: list[str] = Field(default_factory=list)  # the arms that give it


class ArmGroup(BaseModel):
    """One arm of a study: who gets what (its type says whether it is tested or compared against)."""

    label: str
    type: str | None = None  # EXPERIMENTAL, ACTIVE_COMPARATOR, PLACEBO_COMPARATOR, NO_INTERVENTION, OTHER...
    description: str | None = None


class Contact(BaseModel):
    name: str | None = None
    role: str | None = None
    phone: str | None = None
    email: str | None = None


class Site(BaseModel):
    facility: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    status: str | None = None  # per-site recruitment status, same vocabulary as OverallStatus
    latitude: float | None = None
    longitude: float | None = None
    contacts: list[Contact] = Field(default_factory=list)


class ParsedCriterion(BaseModel):
    kind: CriterionKind
    position: int  # 0-based order within its kind
    text: str
    level: int = 0  # nesting depth of the bullet it came from
    context: str | None = None  # text of the enclosing parent items, e.g. "PATIENT CHARACTERISTICS: Age:"


class NormalizedTrial(BaseModel):
    """One study, whatever format it came in; the importer's output and the store's input."""

    registry_id: str  # NCT01234567, or DEMO-0001 for our own demo records
    source_format: str  # ctgov_v2_json, ctgov_legacy_xml, ctgov_csv, trialgpt_jsonl, plain_jsonl
    is_demo: bool = False
    brief_title: str = ""
    official_title: str | None = None
    acronym: str | None = None
    brief_summary: str | None = None
    detailed_description: str | None = None
    overall_status: OverallStatus = "UNKNOWN"
    study_type: StudyType = "UNKNOWN"
    phases: list[Phase] = Field(default_factory=list)
    has_expanded_access: bool | None = None  # the flag on an ordinary trial
    expanded_access_types: list[ExpandedAccessType] = Field(default_factory=list)
    conditions: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    mesh_terms: list[str] = Field(default_factory=list)
    interventions: list[Intervention] = Field(default_factory=list)
    arms: list[ArmGroup] = Field(default_factory=list)
    sponsor: str | None = None
    collaborators: list[str] = Field(default_factory=list)
    start_date: date | None = None
    primary_completion_date: date | None = None
    completion_date: date | None = None
    first_posted_date: date | None = None
    last_update_date: date | None = None
    enrollment: int | None = None
    allocation: str | None = None  # RANDOMIZED, NON_RANDOMIZED, NA
    masking: str | None = None  # NONE, SINGLE, DOUBLE, ...
    primary_purpose: str | None = None
    minimum_age_years: float | None = None  # None = no lower limit
    maximum_age_years: float | None = None  # None = no upper limit
    sex: Sex = "ALL"
    healthy_volunteers: bool | None = None
    eligibility_text: str = ""
    criteria: list[ParsedCriterion] = Field(default_factory=list)
    sites: list[Site] = Field(default_factory=list)
    central_contacts: list[Contact] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)  # cell_therapy, car_t, gene_therapy, expanded_access, children
    raw: dict[str, Any] | str | None = None  # the record as it came in (dict for JSON, str for XML/CSV rows)

    def content_hash(self) -> str:
        """Hash of the normalised content, used to skip unchanged records on re-import."""
        payload = self.model_dump(mode="json", exclude={"raw"})
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()

    def search_text(self) -> str:
        """The text retrieval indexes: titles, conditions, keywords, interventions, summaries, criteria."""
        return search_text_of(self.model_dump(include=SEARCH_FIELDS))


SEARCH_FIELDS = {
    "brief_title", "official_title", "conditions", "keywords", "mesh_terms", "interventions",
    "brief_summary", "detailed_description", "eligibility_text",
}


def search_text_of(record: dict[str, Any]) -> str:
    """search_text from a stored record dict, without validating it again (index builds read many)."""
    parts: list[str] = [record.get("brief_title") or "", record.get("official_title") or ""]
    for key in ("conditions", "keywords", "mesh_terms"):
        parts += record.get(key) or []
    for iv in record.get("interventions") or []:
        parts.append(iv.get("name") or "")
        parts += iv.get("other_names") or []
    parts += [record.get("brief_summary") or "", record.get("detailed_description") or "", record.get("eligibility_text") or ""]
    return "\n".join(p for p in parts if p)


class RejectedRecord(BaseModel):
    """Why one input record could not be imported, and where it was."""

    file: str
    position: str  # e.g. "line 12", "study 3", "row 7", "member a/b.json"
    field: str | None = None
    reason: str
    registry_id: str | None = None


class ImportWarning(BaseModel):
    """A record that was imported but needs a look (no title, no criteria, an unexpanded XML entity), and where it was."""

    file: str
    position: str
    registry_id: str
    field: str
    message: str
