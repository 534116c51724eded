"""A hierarchy of named concepts (diseases, treatments) and where a text names them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Mention:
    """One concept named in a text, and where."""

    concept: str
    start: int
    end: int


@dataclass(frozen=True)
class ConceptSpec:
    """How a concept is written and what it belongs to (as read from a knowledge file)."""

    parents: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # case-insensitive regular expressions
    acronyms: tuple[str, ...] = ()  # case-sensitive regular expressions


def _whole_words(patterns: Sequence[str], flags: int) -> re.Pattern[str] | None:
    if not patterns:
        return None
    ordered = sorted(patterns, key=len, reverse=True)  # at one position the longest written form wins
    return re.compile(rf"(?<![\w-])(?:{'|'.join(ordered)})(?![\w-])", flags)


class ConceptTable:
    """Concepts with parents (several allowed), found in text as whole words; narrower beats broader."""

    def __init__(self, specs: Mapping[str, ConceptSpec]) -> None:
        self.specs = dict(specs)
        self._patterns = [
            (name, _whole_words(spec.names, re.IGNORECASE), _whole_words(spec.acronyms, 0))
            for name, spec in self.specs.items()
        ]
        self._ancestors: dict[str, frozenset[str]] = {}
        for name in self.specs:
            self._ancestors[name] = self._collect_ancestors(name)
        self.find = lru_cache(maxsize=16384)(self._find)  # the same texts are read for many trials

    def _collect_ancestors(self, name: str) -> frozenset[str]:
        seen: set[str] = set()
        stack = list(self.specs[name].parents)
        while stack:
            parent = stack.pop()
            if parent not in seen:
                seen.add(parent)
                stack.extend(self.specs[parent].parents)
        return frozenset(seen)

    def ancestors(self, name: str) -> frozenset[str]:
        """Every broader concept (parents, their parents, ...), without the concept itself."""
        return self._ancestors[name]

    def is_a(self, narrow: str, broad: str) -> bool:
        """True when `narrow` is `broad` or lies under it."""
        return narrow == broad or broad in self._ancestors[narrow]

    def related(self, a: str, b: str) -> bool:
        """True when one of the two contains the other."""
        return self.is_a(a, b) or self.is_a(b, a)

    def _find(self, text: str) -> tuple[Mention, ...]:
        found: list[Mention] = []
        for name, words, acronyms in self._patterns:
            for pattern in (words, acronyms):
                if pattern is not None:
                    found += [Mention(name, m.start(), m.end()) for m in pattern.finditer(text)]
        return tuple(sorted(found, key=lambda m: (m.start, -m.end, m.concept)))

    def mentions(self, text: str) -> list[Mention]:
        """The concepts a text names, narrowest where names overlap ("T-cell acute lymphoblastic
        leukaemia" is T-ALL, not also ALL and leukaemia), in text order."""
        found = self.find(text)
        kept = [
            m
            for m in found
            if not any(
                o is not m and o.start < m.end and m.start < o.end and m.concept in self._ancestors[o.concept]
                for o in found
            )
        ]
        out: list[Mention] = []
        for m in kept:
            if not any(o.concept == m.concept and o.start == m.start for o in out):
                out.append(m)
        return out

    def named(self, text: str) -> list[str]:
        """The distinct concepts of `mentions`, in order of first mention."""
        return list(dict.fromkeys(m.concept for m in self.mentions(text)))

    def narrowest(self, concepts: Iterable[str]) -> list[str]:
        """The concepts that are not broader than another one in the collection, in order."""
        items = list(dict.fromkeys(concepts))
        return [c for c in items if not any(c in self._ancestors[o] for o in items if o != c)]
