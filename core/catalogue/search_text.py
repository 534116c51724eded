"""Search terms for catalogue text search: one normaliser for documents and queries (spelling, stems, CAR-T/CAR T/CART).

Both databases index the words this module produces, with their own tokenisers doing nothing but splitting
on spaces, so SQLite and PostgreSQL find exactly the same trials for the same query.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import Stemmer
from bm25s.stopwords import STOPWORDS_EN
from pydantic import BaseModel

from core.catalogue.spelling import spelling_rules

_SEPARATED_TOKEN = re.compile(r"([^a-z0-9]*)([a-z0-9]+)")
_HYPHENS = frozenset("-\u2010\u2011\u2012\u2013/")  # "CAR-T", "CAR\u2011T", "PD-1/PD-L1"
_LETTERS = re.compile(r"[a-z]{1,3}")
_DIGITS = re.compile(r"[0-9]+")
_STOPWORDS = frozenset(STOPWORDS_EN)
_STEMMER = Stemmer.Stemmer("english")
_CACHE_LIMIT = 500_000
MAX_QUERY_WORDS = 32  # every word must match, so a pasted paragraph would find nothing anyway; keeps queries cheap


class SearchQuery(BaseModel):
    """What a person typed, as groups that must all match; each group is satisfied by any of its terms."""

    text: str
    groups: list[list[str]]  # every group must match; any one term of a group will do

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def to_fts5(self) -> str:
        """The SQLite FTS5 MATCH expression (words are [a-z0-9]+ only, so quoting is safe)."""
        return " AND ".join(
            "(" + " OR ".join(f'"{term}"' for term in group) + ")" for group in self.groups
        )

    def to_tsquery(self, weights: str = "") -> str:
        """The PostgreSQL to_tsquery('simple', ...) expression; `weights` ("A") keeps hits to those fields."""
        suffix = f":{weights}" if weights else ""
        return " & ".join("(" + " | ".join(term + suffix for term in group) + ")" for group in self.groups)


_term_cache: dict[str, str] = {}


def normalise_term(word: str) -> str:
    """One lower-case word as it is indexed: American spelling, then its English stem."""
    term = _term_cache.get(word)
    if term is None:
        term = _STEMMER.stemWord(spelling_rules().americanise(word))
        if len(_term_cache) < _CACHE_LIMIT:
            _term_cache[word] = term
    return term


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _words(text: str) -> list[tuple[str, str]]:
    """(word, what separates it from the word before: "-", " " or "" for anything else) for each word."""
    return [
        (word, "-" if sep in _HYPHENS else " " if sep.isspace() else "")
        for sep, word in _SEPARATED_TOKEN.findall(_fold(text))
    ]


def _joins(left: str, right: str, separator: str) -> bool:
    """Whether two neighbouring words are also one word: "CAR-T" and "CAR T" are "CART", "CD 19" is "CD19"."""
    if separator == "-":
        return True
    if separator != " ":
        return False  # "cells, T" or "(CAR) T" are two words
    if len(left) == 1 or len(right) == 1:
        return left not in _STOPWORDS and right not in _STOPWORDS
    return bool(_LETTERS.fullmatch(left) and _DIGITS.fullmatch(right))


def _is_short_pair(left: str, right: str) -> bool:
    """Whether a hyphenated pair is one name ("T-ALL", "IL-2"): one of its halves is too short to mean anything alone."""
    return min(len(left), len(right)) <= 2


def index_terms(text: str) -> str:
    """A document's indexed words, space-separated: each word, plus the joined form of each joinable pair."""
    words = _words(text)
    out: list[str] = []
    last = len(words) - 1
    for i, (word, _) in enumerate(words):
        if word not in _STOPWORDS:
            out.append(normalise_term(word))
        if i < last:
            nxt, separator = words[i + 1]
            if _joins(word, nxt, separator):
                out.append(normalise_term(word + nxt))
    return " ".join(out)


def index_document(parts: Iterable[str | None]) -> str:
    """index_terms of several fields, kept apart so no pair is joined across two fields."""
    return " ".join(t for t in (index_terms(p) for p in parts if p) if t)


def build_query(text: str) -> SearchQuery:
    """Turn typed text into AND-ed groups, one per word; a word also matches as part of a joined pair.

    "car t cell" needs (car or cart) and (t or cart or tcell) and (cell or tcell), so it finds
    "CAR T cells", "CAR-T cell" and "CART cell" alike; the index holds both the words and the joined pairs.
    """
    words = _words(text)
    groups: list[list[str]] = []
    for i, (word, separator) in enumerate(words):
        if word in _STOPWORDS:
            continue
        before = normalise_term(words[i - 1][0] + word) if i > 0 and _joins(words[i - 1][0], word, separator) else None
        after = normalise_term(word + words[i + 1][0]) if i + 1 < len(words) and _joins(word, *words[i + 1]) else None
        # "T-ALL", "PD-1", "COVID-19": a short word hyphenated to another is one token; its halves apart
        # ("t" and "all") would find every trial with a "T" and an "all" somewhere.
        if i > 0 and separator == "-" and _is_short_pair(words[i - 1][0], word):
            group = [before]
        elif after is not None and words[i + 1][1] == "-" and _is_short_pair(word, words[i + 1][0]):
            group = [after]
        else:
            # A single letter alone ("B" of "B ALL") finds nearly everything: only its joined forms count.
            alone = [] if len(word) == 1 and (before or after) else [normalise_term(word)]
            group = [*alone, *(t for t in (before, after) if t)]
        group = list(dict.fromkeys(t for t in group if t))
        if group not in groups:
            groups.append(group)
        if len(groups) == MAX_QUERY_WORDS:
            break
    return SearchQuery(text=text, groups=groups)
