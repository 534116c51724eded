"""Parse TrialGPT corpus records and plain {"_id", "text"} JSONL records into NormalizedTrials."""

from __future__ import annotations

from typing import Any

from core.catalogue.assemble import assemble_trial
from core.catalogue.normalise import FieldError, get_obj, get_str, get_str_list, normalise_phases, to_int
from core.domain.trial import NormalizedTrial


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
    meta = get_obj(obj, "metadata", "") if "metadata" in obj else obj
    where = "metadata" if meta is not obj else ""
    prefix = f"{where}." if where else ""
    rid = get_str(obj, "_id", "") or registry_id
    if rid is None:
        raise FieldError("_id", "missing registry id")
    inclusion = get_str(meta, "inclusion_criteria", where) or ""
    exclusion = get_str(meta, "exclusion_criteria", where) or ""
    # The corpus keeps the two lists apart; rejoin them under the registry's own headings.
    parts = []
    if inclusion.strip():
        parts.append("Inclusion Criteria:\n" + inclusion.strip("\n"))
    if exclusion.strip():
        parts.append("Exclusion Criteria:\n" + exclusion.strip("\n"))
    fields: dict[str, Any] = {
        "registry_id": rid,
        "source_format": "trialgpt_jsonl",
        "brief_title": get_str(meta, "brief_title", where) or get_str(obj, "title", "") or "",
        "brief_summary": get_str(meta, "brief_summary", where),
        "phases": normalise_phases(get_str(meta, "phase", where), field=f"{prefix}phase"),
        "conditions": get_str_list(meta, "diseases_list", where),
        "interventions": [{"name": d} for d in get_str_list(meta, "drugs_list", where)],
        "enrollment": to_int(meta.get("enrollment"), field=f"{prefix}enrollment"),
        "eligibility_text": "\n\n".join(parts),
        "raw": obj,
    }
    return assemble_trial(fields, eligibility_field=f"{prefix}inclusion_criteria")


def parse_plain(obj: dict[str, Any]) -> NormalizedTrial:
    """A plain {"_id","text"} record (e.g. the SIGIR corpus): id and free text only."""
    if not isinstance(obj, dict):
        raise FieldError("record", f"expected a JSON object, got {type(obj).__name__}")
    rid = get_str(obj, "_id", "")
    if rid is None:
        raise FieldError("_id", "missing registry id")
    fields: dict[str, Any] = {
        "registry_id": rid,
        "source_format": "plain_jsonl",
        "brief_title": get_str(obj, "title", "") or "",
        "brief_summary": get_str(obj, "text", ""),
        "raw": obj,
    }
    return assemble_trial(fields)
