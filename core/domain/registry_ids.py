"""The forms of trial registry ids (NCT, EudraCT, ISRCTN ...), to tell a typed id from search words."""

from __future__ import annotations

import re

# Real registry id forms only, whole or as a typed prefix ("NCT0512"): letters-and-digits in general
# ("CD19", "HER2", "IL2") are words to search, not ids. Upper-case as registries write them.
REGISTRY_ID = re.compile(
    r"NCT\d{1,8}"  # ClinicalTrials.gov
    r"|DEMO-\d{1,4}"  # this project's demo records
    r"|\d{4}-\d{6}-\d{2}(?:-\d{2})?"  # EudraCT, and EU CT numbers (yyyy-5nnnnn-nn-nn)
    r"|EUCTR\d{4}-\d{6}-\d{2}(?:-[A-Z]{2})?"  # EudraCT as the WHO portal writes it
    r"|ISRCTN\d{1,8}|ACTRN\d{1,14}|DRKS\d{1,8}|PACTR\d{1,15}|KCT\d{1,7}|TCTR\d{1,11}|JPRN-\w+|CTRI/[\d/]+|CTIS\d+",
    re.IGNORECASE,
)


def looks_like_registry_id(text: str) -> bool:
    """True when `text` (stripped) is a registry id in one of the known forms, or the start of one."""
    return REGISTRY_ID.fullmatch(text.strip()) is not None
