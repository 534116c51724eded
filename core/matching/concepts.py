"""A hierarchy of named concepts (diseases, treatments) and where a text names them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from re import _constants as sre_constants  # the regex parser the re module itself uses (Python 3.11+)
from re import _parser as sre_parse


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


_LITERAL, _SUBPATTERN, _BRANCH = sre_constants.LITERAL, sre_constants.SUBPATTERN, sre_constants.BRANCH
_ZERO_WIDTH = {sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT}


def _runs(items: list) -> list[str] | None:
    """Runs of literal characters every match of a parsed sequence contains; None when a branch inside
    has none (then nothing can be required)."""
    runs, current = [], ""
    for op, arg in items:
        if op is _LITERAL:
            current += chr(arg)
            continue
        if op is _SUBPATTERN and not any(o is _BRANCH for o, _ in arg[-1]):
            inner = _runs(list(arg[-1]))
            if inner is None:
                return None
            runs.append(current)
            runs += inner
            current = ""
            continue
        if op in _ZERO_WIDTH:
            runs.append(current)
            current = ""
            continue
        runs.append(current)  # repeats, classes, branches: the run stops here
        current = ""
    runs.append(current)
    return runs


def required_text(pattern: str) -> list[str] | None:
    """For each top-level alternative of a regular expression, its longest literal run every match must
    contain (lower-cased); None when some alternative has none of 3 characters or more (or the pattern is
    beyond this reading): such a pattern is always tried."""
    try:
        parsed = list(sre_parse.parse(pattern))
    except re.error:
        return None
    branches = parsed[0][1][1] if len(parsed) == 1 and parsed[0][0] is _BRANCH else [parsed]
    out = []
    for branch in branches:
        runs = _runs(list(branch))
        best = max(runs or [""], key=len)
        if runs is None or len(best) < 3:
            return None
        out.append(best.lower())
    return out


def _whole_words(patterns: Sequence[str], flags: int) -> re.Pattern[str] | None:
    if not patterns:
        return None
    ordered = sorted(patterns, key=len, reverse=True)  # at one position the longest written form wins
    return re.compile(rf"(?<![\w-])(?:{'|'.join(ordered)})(?![\w-])", flags)


def _needles(spec: ConceptSpec) -> tuple[str, ...] | None:
    """Lower-case pieces of text one of which any match of the concept contains; None: always try it."""
    needles: list[str] = []
    for pattern in (*spec.names, *spec.acronyms):
        required = required_text(pattern)
        if required is None:
            return None
        needles += required
    return tuple(dict.fromkeys(needles))


class ConceptTable:
    """Concepts with parents (several allowed), found in text as whole words; narrower beats broader."""

    def __init__(self, specs: Mapping[str, ConceptSpec]) -> None:
        self.specs = dict(specs)
        self._patterns = [
            (name, _whole_words(spec.names, re.IGNORECASE), _whole_words(spec.acronyms, 0))
            for name, spec in self.specs.items()
        ]
        # A concept none of whose required pieces of text occur in a text cannot match it: only the concepts
        # whose pieces occur (or that have none) are tried with their regexes.
        self._always: list[int] = []
        self._by_needle: dict[str, list[int]] = {}
        for index, spec in enumerate(self.specs.values()):
            needles = _needles(spec)
            if needles is None:
                self._always.append(index)
            for needle in needles or ():
                self._by_needle.setdefault(needle, []).append(index)
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

    def overlaps(self, a: str, b: str) -> bool:
        """True when a case of `a` may also be one of `b`: one contains the other, or a narrower concept lies
        under both ("acute lymphoblastic leukaemia" and "B-cell neoplasm" share B-ALL). False only when the
        two exclude each other (T-ALL and B-cell neoplasm)."""
        if self.related(a, b):
            return True
        return any(a in ancestors and b in ancestors for ancestors in self._ancestors.values())

    def _find(self, text: str) -> tuple[Mention, ...]:
        found: list[Mention] = []
        lowered = text.lower()
        candidates = set(self._always)
        for needle, indices in self._by_needle.items():
            if needle in lowered:
                candidates.update(indices)
        for index in sorted(candidates):
            name, words, acronyms = self._patterns[index]
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
