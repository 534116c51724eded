"""Escape text for Markdown only where Markdown would read it as markup, so a viewer shows it as typed."""

from __future__ import annotations

import re

# Characters that start markup anywhere in a line (emphasis, code, links, strikethrough, HTML, entities).
_INLINE = re.compile(
    r"\\(?=[!-/:-@\[-`{-~])"  # a backslash that would escape the next character
    r"|[*`\[\]~]"  # emphasis, code spans, links and images, strikethrough
    r"|(?<![^\W_])_|_(?![^\W_])"  # underscores not between letters or digits (inside words they are literal)
    r"|<(?=[A-Za-z/!?])"  # the start of an HTML tag, comment or autolink ("< 16" stays as typed)
    r"|&(?=#?\w+;)"  # the start of an entity ("&amp;" must show as typed)
)
# Markup that only counts at the start of a line: headings, quotes, list items, rules, setext underlines.
_LINE_START = re.compile(r"^(\s*)(#|>|[-+=](?=\s|$|[-=]*\s*$)|\d+(?=[.)](?:\s|$)))")


def escape_markdown(text: str) -> str:
    """Return text as one Markdown paragraph line that renders exactly as the text reads."""
    text = " ".join(text.split())
    text = _INLINE.sub(lambda m: "\\" + m.group(0), text)
    return _LINE_START.sub(
        lambda m: m.group(1) + ("\\" + m.group(2) if not m.group(2)[0].isdigit() else m.group(2) + "\\"), text
    )


def escape_table_cell(text: str) -> str:
    """Escape text for one cell of a pipe table: as a paragraph, and its pipes too."""
    return escape_markdown(text).replace("|", "\\|")
