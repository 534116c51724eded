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


_QUANTIFIERS = frozenset("?*+{")
# Escapes that stand for one literal character; any other escape (\w, \d, \b ...) is a class or an assertion.
_LITERAL_ESCAPES = frozenset(".^$*+?{}[]()|\\/-#&~ '\"")


def _split_top_level(pattern: str) -> list[str] | None:
    """The top-level alternatives of a pattern; None for one this reading does not follow."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(pattern, i)
            if i < 0:
                return None
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*parts, pattern[start:]] if depth == 0 else None


def _class_end(pattern: str, i: int) -> int:
    """The index of the "]" closing the character class opened at `i`; -1 when there is none."""
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern):
        if pattern[j] == "\\":
            j += 2
            continue
        if pattern[j] == "]":
            return j
        j += 1
    return -1


def _group_end(pattern: str, i: int) -> int:
    """The index of the ")" closing the group opened at `i`; -1 when there is none."""
    depth, j = 0, i
    while j < len(pattern):
        c = pattern[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            j = _class_end(pattern, j)
            if j < 0:
                return -1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return -1


def _runs(branch: str) -> list[str] | None:
    """Runs of literal characters every match of one alternative contains, read conservatively: a group, a
    class, an escape class or a repeat ends a run (so nothing optional is ever required); None when the
    alternative cannot be read."""
    runs, current, i = [], "", 0
    while i < len(branch):
        c = branch[i]
        if c in _QUANTIFIERS:
            # the atom before is optional or repeated: it is not a required part of the run
            runs.append(current[:-1] if c in "?*" or c == "{" else current)
            current = ""
            if c == "{":
                close = branch.find("}", i)
                if close < 0:
                    return None
                i = close
            i += 1
            if i < len(branch) and branch[i] in "?+":  # lazy or possessive
                i += 1
            continue
        if c == "\\":
            if i + 1 >= len(branch):
                return None
            escaped = branch[i + 1]
            if escaped in _LITERAL_ESCAPES:
                current += escaped
            else:
                runs.append(current)
                current = ""
            i += 2
            continue
        if c in "([":
            end = _group_end(branch, i) if c == "(" else _class_end(branch, i)
            if end < 0:
                return None
            runs.append(current)
            current = ""
            quantified = end + 1 < len(branch) and branch[end + 1] in _QUANTIFIERS
            if c == "(" and not quantified:
                # a plain group of one alternative ("(?:gprc5d)") is required as a whole: read inside it
                inner = branch[i + 3 : end] if branch.startswith("(?:", i) else branch[i + 1 : end]
                plain = not branch.startswith("(?", i) or branch.startswith("(?:", i)
                alternatives = _split_top_level(inner) if plain else None
                if alternatives is not None and len(alternatives) == 1:
                    runs += _runs(inner) or []
            i = end + 1
            if i < len(branch) and branch[i] in _QUANTIFIERS:
                if branch[i] == "{":
                    close = branch.find("}", i)
                    if close < 0:
                        return None
                    i = close
                i += 1
                if i < len(branch) and branch[i] in "?+":
                    i += 1
            continue
        if c in ".^$)":
            runs.append(current)
            current = ""
            i += 1
            continue
        current += c
        i += 1
    runs.append(current)
    return runs


def required_text(pattern: str) -> list[str] | None:
    """For each top-level alternative of a regular expression, its longest literal run every match must
    contain (lower-cased); None when some alternative has none of 3 characters or more (or the pattern is
    beyond this reading): such a pattern is always tried."""
    try:
        re.compile(pattern)
    except re.error:
        return None
    if "(?x" in pattern:  # verbose patterns ignore their spaces: not read here
        return None
    branches = _split_top_level(pattern)
    if branches is None:
        return None
    out = []
    for branch in branches:
        runs = _runs(branch)
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
