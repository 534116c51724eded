"""Split free-text eligibility criteria into individual inclusion and exclusion criteria."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.domain.trial import CriterionKind, ParsedCriterion

# Markdown escapes the registry puts in front of punctuation: "\>=", "\<", "\*", "\-".
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>=|~^&%$])")
_HEADING = re.compile(
    r"^(?:(?:key|main|major|general|other|additional|selected|specific)\s+)?"
    r"(?P<kind>inclusions?|exclusions?|eligibility|ineligibility)"
    r"(?:\s+criteri(?:a|on))?"
    r"(?:\s*\([^)]{0,60}\)|\s+for\s[^:]{0,60}|\s*-\s*[^:]{0,60})?"
    r"\s*(?::\s*(?P<rest>.*))?$",
    re.I,
)
_BULLET = re.compile(
    r"^(?P<indent>[ \t]*)"
    r"(?P<marker>[*\-•·◦▪▫‣⁃–—+o](?=\s)|\(?\d{1,3}[.)](?=\s)|\(?[a-zA-Z][.)](?=\s)|\(?[ivxIVX]{1,4}[.)](?=\s))"
    r"\s+(?P<text>.*)$"
)
# A plain line ending in ":" that announces exclusions ("Patients will be excluded if they have:").
_EXCLUSION_LEAD = re.compile(r"\b(?:excluded|exclusions?|not\s+(?:be\s+)?eligible|ineligible)\b.*:$", re.I)
_EMPTY_TEXTS = {"", "none", "none.", "n/a", "na", "not applicable", "nil"}
_PUNCT_ONLY = re.compile(r"^[\s:;.,\-*•]*$")


@dataclass
class _Item:
    kind: CriterionKind
    level: int
    indent: int  # column where the item's marker (or text) starts
    lines: list[str] = field(default_factory=list)
    bullet: bool = False


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _is_wrap_of(previous: str, line: str) -> bool:
    """Guess whether an unmarked line continues the previous line (hard wrap) or starts a new one."""
    first = line.lstrip()[:1]
    if first.islower() or first in "([{<≤≥=,;&/%":
        return True
    return len(previous) >= 60 and not previous.rstrip().endswith((".", ":", ";"))


def split_criteria(eligibility_text: str) -> list[ParsedCriterion]:
    """Split eligibility text into criteria; text before any heading counts as inclusion.

    Nested bullets keep their depth in `level`; a parent line ending in ":" is kept as its own
    criterion, its children follow it with a higher level and carry the parents' text in `context`
    (so "16 and over" under "Age:" stays meaningful). Hard-wrapped lines are joined with single spaces.
    """
    if not eligibility_text or not eligibility_text.strip():
        return []
    kind: CriterionKind = "inclusion"
    items: list[_Item] = []
    current: _Item | None = None
    stack: list[int] = []  # marker columns of the open bullet levels
    parent_bonus = 0  # +1 under a plain "...:" line that introduces a list
    blank_before = True

    def close() -> None:
        nonlocal current
        if current is not None:
            items.append(current)
        current = None

    for raw_line in _unescape(eligibility_text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw_line.rstrip()
        stripped = line.strip()
        if _PUNCT_ONLY.match(stripped):
            if current is not None and not current.bullet:
                close()  # a paragraph ends at a blank line; bullets may continue after one
            blank_before = True
            continue
        indent = _indent_of(line)
        bullet = _BULLET.match(line)
        body = bullet.group("text").strip() if bullet else stripped
        heading = _HEADING.match(body.rstrip(".")) if len(body) <= 120 else None
        if heading and (not bullet or body.rstrip().endswith(":") or heading.group("rest") is None):
            close()
            word = heading.group("kind").lower()
            kind = "exclusion" if word.startswith(("exclusion", "ineligib")) else "inclusion"
            stack, parent_bonus = [], 0
            rest = (heading.group("rest") or "").strip()
            if rest and not _PUNCT_ONLY.match(rest):
                current = _Item(kind, 0, indent, [rest])
            blank_before = False
            continue
        if bullet:
            close()
            col = len(bullet.group("indent").expandtabs(4))
            while stack and stack[-1] > col:
                stack.pop()
            if not stack or stack[-1] < col:
                stack.append(col)
            current = _Item(kind, len(stack) - 1 + parent_bonus, col, [body], bullet=True)
        elif current is not None and current.bullet and (indent > current.indent or not blank_before):
            current.lines.append(stripped)  # wrapped bullet text (legacy XML indents it under the text)
        elif current is not None and not blank_before and _is_wrap_of(current.lines[-1], stripped):
            current.lines.append(stripped)
        else:
            close()
            stack, parent_bonus = [], 0
            if not stripped.endswith(":"):
                current = _Item(kind, 0, indent, [stripped])
            else:
                if _EXCLUSION_LEAD.search(stripped):
                    kind = "exclusion"
                current = _Item(kind, 0, indent, [stripped])
                close()
                parent_bonus = 1
        blank_before = False
    close()
    return _number(items)


def _number(items: list[_Item]) -> list[ParsedCriterion]:
    """Number criteria within their kind and give nested ones the text of their parents as context."""
    counters = {"inclusion": 0, "exclusion": 0}
    out: list[ParsedCriterion] = []
    parents: list[tuple[int, str]] = []  # (level, text) of the open ancestors
    kind = None
    for item in items:
        text = " ".join(" ".join(item.lines).split())
        if text.lower() in _EMPTY_TEXTS:
            continue
        if item.kind != kind:
            parents, kind = [], item.kind
        while parents and parents[-1][0] >= item.level:
            parents.pop()
        context = " ".join(t for _, t in parents) if item.level > 0 and parents else None
        # model_construct: every value is built right here, and imports make tens of thousands a second.
        out.append(
            ParsedCriterion.model_construct(
                kind=item.kind, position=counters[item.kind], text=text, level=item.level, context=context
            )
        )
        counters[item.kind] += 1
        parents.append((item.level, text))
    return out
