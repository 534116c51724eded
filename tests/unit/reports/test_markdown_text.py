"""Markdown escaping: only what Markdown would misread is escaped, so a viewer shows the text as typed."""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from core.reports.markdown_text import escape_markdown, escape_table_cell

RENDERER = MarkdownIt("commonmark").enable("table").enable("strikethrough")

TEXTS = [
    "Karnofsky (age ≥ 16 years) or Lansky (age < 16 years) performance status ≥ 60",
    "<img src=x onerror=alert(1)> [click](javascript:alert(1))",
    "<script>alert('x')</script> and a<b",
    "# not a heading", "1. not a list", "2) nor this", "- no bullet", "+ no bullet", "> no quote", "===",
    "a_b _c_ 5 * 3 *x* __y__", "&amp; &lt; &#60; A & B", "back\\slash \\* x", "~~strike~~", "`code`",
    "Joanne Whitcombe (mother)", "e-mail harriet.okonkwo@example.org", "[DEMO-0001](x)",
]  # fmt: skip


def _rendered_text(markdown: str) -> tuple[str, str]:
    page = RENDERER.render(markdown)
    return page, html.unescape(re.sub(r"<[^>]+>", "", page)).strip()


@pytest.mark.parametrize("text", TEXTS)
def test_escaped_text_renders_exactly_as_typed_and_makes_no_markup(text: str) -> None:
    page, shown = _rendered_text(escape_markdown(text))
    assert shown == text
    assert re.findall(r"<(\w+)", page) == ["p"]  # one paragraph: no link, image, emphasis, heading or list


def test_parentheses_and_comparisons_are_left_alone() -> None:
    text = "Karnofsky (age ≥ 16 years) or Lansky (age < 16 years) ≥ 60"
    assert escape_markdown(text) == text


def test_a_table_cell_keeps_its_pipes_and_stays_one_cell() -> None:
    cell = escape_table_cell("A | B <b>x</b>\nnext line")
    page, _ = _rendered_text(f"| h |\n| --- |\n| {cell} |\n")
    assert page.count("<td>") == 1 and "A | B &lt;b&gt;x&lt;/b&gt; next line" in page
