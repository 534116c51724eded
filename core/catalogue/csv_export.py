"""Parse rows of the CSV that clinicaltrials.gov's search page exports into NormalizedTrials."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from core.catalogue.assemble import assemble_trial
from core.catalogue.normalise import (
    FieldError,
    normalise_age,
    normalise_date,
    normalise_phases,
    normalise_sex,
    normalise_status,
    normalise_study_type,
    to_int,
)
from core.domain.trial import NormalizedTrial

ID_COLUMN = "NCT Number"
_AGE_RANGE = re.compile(
    r"^\s*(?:(?P<min>\d+(?:\.\d+)?\s*\w+?)\s+(?:and older|to\s+(?P<max>\d+(?:\.\d+)?\s*\w+))"
    r"|up to\s+(?P<upto>\d+(?:\.\d+)?\s*\w+)"
    r"|(?P<min_only>\d+(?:\.\d+)?\s*\w+)\s*(?:\+|and over))?"
    r"\s*(?:\((?P<groups>[^)]*)\))?\s*$",
    re.I,
)
_AGE_GROUPS_ONLY = re.compile(r"^\s*\(?[A-Za-z ,]*\)?\s*$")
_INTERVENTION = re.compile(r"^\s*(?P<type>[A-Za-z][A-Za-z_ ]{1,30}):\s*(?P<name>.+)$")
_DESIGN_PART = re.compile(r"^\s*(?P<key>[^:]+):\s*(?P<value>.*)$")


def is_csv_export_header(first_line: str) -> bool:
    """True when a header line looks like the registry's CSV export."""
    return ID_COLUMN in first_line and any(
        c in first_line for c in ("Study Title", "Study Status", "Title", "Status")
    )


def iter_csv_rows(text: str | Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number of the row's start, row dict) for each data row; streams from a text file object."""
    reader = csv.DictReader(io.StringIO(text) if isinstance(text, str) else text)
    if reader.fieldnames is None or ID_COLUMN not in reader.fieldnames:
        raise FieldError("header", f"no {ID_COLUMN!r} column: not a ClinicalTrials.gov CSV export")
    start = reader.line_num + 1
    for row in reader:
        yield start, {k: (v or "") for k, v in row.items() if isinstance(k, str)}
        start = reader.line_num + 1


def parse_csv_row(row: dict[str, str]) -> NormalizedTrial:
    """One CSV export row -> NormalizedTrial (the export has no eligibility text, so no criteria)."""
    if not isinstance(row, dict):
        raise FieldError("row", "expected a row of named columns")
    minimum, maximum = parse_age_range(_cell(row, "Age") or "")
    design = _parse_design(_cell(row, "Study Design"))
    fields: dict[str, Any] = {
        "registry_id": _cell(row, ID_COLUMN),
        "source_format": "ctgov_csv",
        "brief_title": _cell(row, "Study Title") or "",
        "acronym": _cell(row, "Acronym"),
        "brief_summary": _cell(row, "Brief Summary"),
        "overall_status": normalise_status(_cell(row, "Study Status"), field="Study Status"),
        "study_type": normalise_study_type(_cell(row, "Study Type"), field="Study Type"),
        "phases": normalise_phases(_cell(row, "Phases"), field="Phases"),
        "conditions": _split(row, "Conditions"),
        "interventions": [_parse_intervention(v) for v in _split(row, "Interventions")],
        "sponsor": _cell(row, "Sponsor"),
        "collaborators": _split(row, "Collaborators"),
        "sex": normalise_sex(_cell(row, "Sex"), field="Sex"),
        "minimum_age_years": minimum,
        "maximum_age_years": maximum,
        "enrollment": to_int(_cell(row, "Enrollment"), field="Enrollment"),
        "allocation": design.get("ALLOCATION") or None,
        "masking": design.get("MASKING") or None,
        "primary_purpose": design.get("PRIMARY_PURPOSE") or None,
        "start_date": normalise_date(_cell(row, "Start Date"), field="Start Date"),
        "primary_completion_date": normalise_date(
            _cell(row, "Primary Completion Date"), field="Primary Completion Date"
        ),
        "completion_date": normalise_date(_cell(row, "Completion Date"), field="Completion Date"),
        "first_posted_date": normalise_date(_cell(row, "First Posted"), field="First Posted"),
        "last_update_date": normalise_date(_cell(row, "Last Update Posted"), field="Last Update Posted"),
        "sites": [_parse_location(v) for v in _split(row, "Locations")],
        "raw": dict(row),
    }
    if fields["registry_id"] is None:
        raise FieldError(ID_COLUMN, "missing registry id")
    return assemble_trial(fields)


def parse_age_range(text: str) -> tuple[float | None, float | None]:
    """'18 Years and older (Adult, Older Adult)' -> (18, None); '1 Year to 17 Years (Child)' -> (1, 17)."""
    if not isinstance(text, str):
        raise FieldError("Age", "expected text")
    if _AGE_GROUPS_ONLY.match(text):
        return None, None  # only the age groups are given, e.g. "Child, Adult"
    m = _AGE_RANGE.match(text)
    if not m:
        raise FieldError("Age", f"unrecognised age range {text[:60]!r}")
    low = m.group("min") or m.group("min_only")
    high = m.group("max") or m.group("upto")
    return normalise_age(low, field="Age"), normalise_age(high, field="Age")


# Column names of the classic (pre-2024) search export that were renamed in the current one.
_ALIASES = {
    "Study Title": "Title",
    "Study Status": "Status",
    "Sex": "Gender",
    "Study Design": "Study Designs",
}


def _cell(row: dict[str, str], column: str) -> str | None:
    value = row.get(column)
    if value is None and column in _ALIASES:
        value = row.get(_ALIASES[column])
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(column, f"expected text, got {type(value).__name__}")
    return value.strip() or None


def _split(row: dict[str, str], column: str) -> list[str]:
    return [p.strip() for p in (_cell(row, column) or "").split("|") if p.strip()]


def _parse_intervention(value: str) -> dict[str, Any]:
    m = _INTERVENTION.match(value)
    if not m:
        return {"type": None, "name": value}
    return {"type": m.group("type").strip().upper().replace(" ", "_"), "name": m.group("name").strip()}


def _parse_design(text: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (text or "").split("|"):
        m = _DESIGN_PART.match(part)
        if m:
            # "None (Open Label)", "Non-Randomized", "N/A" -> "NONE", "NON_RANDOMIZED", "NA"
            value = re.sub(r"\s*\(.*\)\s*$", "", m.group("value")).upper()
            value = re.sub(r"[^A-Z0-9]+", "_", value).strip("_")
            out[m.group("key").strip().upper().replace(" ", "_")] = "NA" if value == "N_A" else value
    return out


def _parse_location(value: str) -> dict[str, Any]:
    """'Facility, City, State, Zip, Country': facility names may hold commas, so read from the right."""
    parts = [p.strip() for p in value.split(",")]
    site: dict[str, Any] = {"country": parts.pop() if len(parts) > 1 else None}
    if len(parts) > 1 and any(ch.isdigit() for ch in parts[-1]):
        site["zip"] = parts.pop()
    if len(parts) >= 3:
        site["state"] = parts.pop()
    if len(parts) >= 2:
        site["city"] = parts.pop()
    site["facility"] = ", ".join(parts) or None
    return site
