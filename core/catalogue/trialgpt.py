"""Parse TrialGPT corpus records and plain {"_id", "text"} JSONL records into NormalizedTrials."""

from __future__ import annotations

from typing import Any

from core.catalogue.assemble import assemble_trial
from core.catalogue.normalise import FieldError, get_obj, get_str, get_str_list, normalise_phases, to_int
from core.catalogue.records import NormalizedTrial


def is_trialgpt_metadata(obj: Any) -> bool:
    """True for a TrialGPT trial_info dict (the metadata part, with or without _id)."""
    return (
        isinstance(obj, dict)
        and "brief_title" in obj
        and ("inclusion_criteria" in obj or "diseases_list" in obj)
    )


def parse_trialgpt(obj: dict[str, Any], *, registry_id: str | None = None) -> NormalizedTrial:
    """A corpus line {"_id","title","text","metadata":{...}} or a bare metadata dict -> NormalizedTrial."""
    if not isinstance(obj, dict):
        raise FieldError("record", f"expected a JSON object, got {type(obj).__name__}")
    meta = get_obj(obj, "metadata", "metadata") if "metadata" in obj else obj
    prefix = "metadata." if meta is not obj else ""
    rid = get_str(obj, "_id", "_id") or registry_id
    if rid is None:
        raise FieldError("_id", "missing registry id")
    inclusion = get_str(meta, "inclusion_criteria", f"{prefix}inclusion_criteria") or ""
    exclusion = get_str(meta, "exclusion_criteria", f"{prefix}exclusion_criteria") or ""
    # The corpus keeps the two lists apart; rejoin them under the registry's own headings.
    parts = []
    if inclusion.strip():
        parts.append("Inclusion Criteria:\n" + inclusion.strip("\n"))
    if exclusion.strip():
        parts.append("Exclusion Criteria:\n" + exclusion.strip("\n"))
    fields: dict[str, Any] = {
        "registry_id": rid,
        "source_format": "trialgpt_jsonl",
        "brief_title": get_str(meta, "brief_title", f"{prefix}brief_title")
        or get_str(obj, "title", "title")
        or "",
        "brief_summary": get_str(meta, "brief_summary", f"{prefix}brief_summary"),
        "phases": normalise_phases(get_str(meta, "phase", f"{prefix}phase"), field=f"{prefix}phase"),
        "conditions": get_str_list(meta, "diseases_list", f"{prefix}diseases_list"),
        "interventions": [{"name": d} for d in get_str_list(meta, "drugs_list", f"{prefix}drugs_list")],
        "enrollment": to_int(meta.get("enrollment"), field=f"{prefix}enrollment"),
        "eligibility_text": "\n\n".join(parts),
        "raw": obj,
    }
    return assemble_trial(fields, eligibility_field=f"{prefix}inclusion_criteria")


def parse_plain(obj: dict[str, Any]) -> NormalizedTrial:
    """A plain {"_id","text"} record (e.g. the SIGIR corpus): id and free text only."""
    if not isinstance(obj, dict):
        raise FieldError("record", f"expected a JSON object, got {type(obj).__name__}")
    rid = get_str(obj, "_id", "_id")
    if rid is None:
        raise FieldError("_id", "missing registry id")
    fields: dict[str, Any] = {
        "registry_id": rid,
        "source_format": "plain_jsonl",
        "brief_title": get_str(obj, "title", "title") or "",
        "brief_summary": get_str(obj, "text", "text"),
        "raw": obj,
    }
    return assemble_trial(fields)
