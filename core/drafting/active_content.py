"""Find active content in draft text: HTML tags and scripts, Markdown images and links, script URLs.

A report is plain text for a family; anything a browser or Markdown renderer would run, load or link
must be removed before approval.
"""

from __future__ import annotations

import re

from pydantic import BaseModel


class ActiveContentHit(BaseModel):
    token: str
    start: int
    end: int
    why: str


_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"<\s*(script|style|iframe|object|embed|svg|math|link|meta|base|form|img|video|audio)\b[^>]*>?", re.IGNORECASE),
     "an HTML element that runs or loads content"),
    (re.compile(r"</?[a-zA-Z][\w:-]*(?:\s+[^<>]*)?/?>"), "an HTML tag"),
    (re.compile(r"\bon[a-z]+\s*=\s*[\"']?", re.IGNORECASE), "an HTML event handler"),
    (re.compile(r"\b(?:javascript|vbscript|livescript)\s*:|\bdata\s*:\s*(?:text/html|image/svg|application)", re.IGNORECASE),
     "a script URL"),
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), "a Markdown image (it loads a file from elsewhere)"),
    (re.compile(r"(?<!!)\[[^\]]+\]\(\s*[^)\s]+[^)]*\)"), "a Markdown link (its target is hidden from the reader)"),
    (re.compile(r"^\s*\[[^\]]+\]:\s*\S+", re.MULTILINE), "a Markdown link reference"),
    (re.compile(r"&(?:#x?[0-9a-f]+|lt|gt|quot|apos);", re.IGNORECASE), "an HTML character entity that can hide markup"),
)


def find_active_content(text: str) -> list[ActiveContentHit]:
    """Every piece of active content in text, each span reported once under its first (most specific) rule."""
    hits: list[ActiveContentHit] = []
    for pattern, why in _RULES:
        for m in pattern.finditer(text):
            if any(h.start < m.end() and m.start() < h.end for h in hits):
                continue
            hits.append(ActiveContentHit(token=m.group(0), start=m.start(), end=m.end(), why=why))
    hits.sort(key=lambda h: h.start)
    return hits
