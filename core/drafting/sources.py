"""Validate the source names a draft's sentences cite, so a reviewer sees when a model cites a field that does not exist."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel

from core.domain.case_facts import CaseFacts
from core.domain.trial import NormalizedTrial
from core.drafting.glossary import GLOSSARY
from core.drafting.schema import CaseOverviewDraft, TrialSummaryDraft

# Fields the drafts may cite besides the record's and the case's own.
EXTRA_TRIAL_FIELDS = frozenset({"eligibility"})
EXTRA_CASE_FIELDS = frozenset({"location"})
PLAIN_SOURCES = frozenset({"site.distance_km", "verdicts", "options", "guidance"})

_FIELD = re.compile(r"^(trial|case)\.(\w+)$")
_CRITERION = re.compile(r"^(?:trial\.eligibility|verdict)\[(inclusion|exclusion) (\d+)\]$")
_OPTION = re.compile(r"^option\[(.+)\]$")
_GLOSSARY_TERMS = frozenset(e.term for e in GLOSSARY)


class InvalidSource(BaseModel):
    """A cited source that names no real field, criterion or option."""

    section: str
    sentence: str
    source: str
    why: str


def _why_invalid(source: str, trial: NormalizedTrial | None, option_ids: set[str]) -> str | None:
    if source in PLAIN_SOURCES:
        return None
    if source.startswith("glossary."):
        return None if source.removeprefix("glossary.") in _GLOSSARY_TERMS else "not a glossary term"
    if match := _FIELD.match(source):
        scope, name = match.groups()
        if scope == "trial":
            ok = name in NormalizedTrial.model_fields or name in EXTRA_TRIAL_FIELDS
        else:
            ok = name in CaseFacts.model_fields or name in EXTRA_CASE_FIELDS
        return None if ok else f"no such {scope} field"
    if match := _CRITERION.match(source):
        kind, number = match.group(1), int(match.group(2))
        if trial is None or not trial.criteria:
            return None
        count = sum(1 for c in trial.criteria if c.kind == kind)
        return None if 1 <= number <= count else f"the record has {count} {kind} criteria"
    if match := _OPTION.match(source):
        return None if not option_ids or match.group(1) in option_ids else "not one of the selected options"
    return "unrecognised source name"


def find_invalid_sources(
    draft: TrialSummaryDraft | CaseOverviewDraft,
    trial: NormalizedTrial | None = None,
    option_ids: Sequence[str] = (),
) -> list[InvalidSource]:
    """Return every cited source that does not name a real field, criterion (1-based), glossary term or option."""
    ids = set(option_ids)
    invalid = []
    for section in draft.sections:
        for sentence in section.sentences:
            for source in sentence.sources:
                why = _why_invalid(source, trial, ids)
                if why:
                    invalid.append(
                        InvalidSource(section=section.key, sentence=sentence.text, source=source, why=why)
                    )
    return invalid
