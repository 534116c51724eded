"""Checks on an imported record that do not reject it but need a person's eye: no title, no criteria, lost XML entities."""

from __future__ import annotations

import re

from core.domain.trial import ImportWarning, NormalizedTrial

# Imported XML never expands declared entities (they can read files or explode), so their text is missing.
_ENTITY = re.compile(r"&([A-Za-z_][\w.-]*);")
_PREDEFINED = frozenset({"amp", "lt", "gt", "quot", "apos"})


def check_record(trial: NormalizedTrial, *, file: str, position: str) -> list[ImportWarning]:
    """Warnings for one imported record, each naming the field and what to do about it."""
    found: list[ImportWarning] = []

    def warn(field: str, message: str) -> None:
        found.append(ImportWarning(file=file, position=position, registry_id=trial.registry_id, field=field,
                                   message=message))

    if trial.source_format == "ctgov_legacy_xml" and isinstance(trial.raw, str):
        entities = sorted({f"&{name};" for name in _ENTITY.findall(trial.raw)} - {f"&{p};" for p in _PREDEFINED})
        if entities:
            warn("xml", f"uses the entities {', '.join(entities)}, which are never expanded on import: the text "
                        "they stood for is missing, so check the record against the registry")
    if not trial.brief_title.strip():
        warn("brief_title", "the record has no title (empty, or lost to an XML entity); check it against the registry")
    if not trial.eligibility_text.strip() and not trial.criteria:
        warn("eligibility_text", "the record has no eligibility criteria, so matching cannot check them")
    return found
