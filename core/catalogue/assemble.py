"""Turn the fields a parser read into a validated NormalizedTrial with criteria and tags."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from core.catalogue.criteria_parser import split_criteria
from core.catalogue.normalise import FieldError
from core.catalogue.tags import tag_trial
from core.domain.trial import NormalizedTrial

# Real eligibility texts stay under ~30 kB; anything far larger is a broken or hostile record.
MAX_ELIGIBILITY_CHARS = 200_000


def assemble_trial(fields: dict[str, Any], *, eligibility_field: str = "eligibility_text") -> NormalizedTrial:
    """Validate parsed fields, split the eligibility text into criteria and add tags."""
    registry_id = fields.get("registry_id")
    if not isinstance(registry_id, str) or not registry_id.strip():
        raise FieldError("registry_id", "missing registry id")
    fields["registry_id"] = registry_id = registry_id.strip()
    fields["is_demo"] = registry_id.upper().startswith("DEMO-")
    text = fields.get("eligibility_text") or ""
    if len(text) > MAX_ELIGIBILITY_CHARS:
        raise FieldError(
            eligibility_field,
            f"eligibility text is {len(text):,} characters, above the {MAX_ELIGIBILITY_CHARS:,} limit",
        )
    fields["eligibility_text"] = text
    try:
        trial = NormalizedTrial.model_validate(fields)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise FieldError(loc, err["msg"]) from None
    trial.criteria = split_criteria(text)
    trial.tags = tag_trial(trial)
    return trial
