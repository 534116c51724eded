"""Fold text for comparison (accents, case, quotes) without changing its length, so offsets stay valid."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_QUOTES = {"\u2019": "'", "\u2018": "'", "\u2013": "-", "\u2014": "-", "\u00a0": " "}


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    c = _QUOTES.get(c, c)
    base = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x))
    lowered = (base or c).lower()
    # Characters that fold to several (ß, ǆ, İ) keep their own lower case: one character in, one out.
    return lowered if len(lowered) == 1 else (c.lower() if len(c.lower()) == 1 else c)


def fold(text: str) -> str:
    """Lower-case and strip accents character by character: fold(t)[i] corresponds to t[i]."""
    return "".join(_fold_char(c) for c in text)
