"""Render a composed report with one Jinja2 template set: Markdown and HTML from the same ReportContent."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.reports.compose import ReportContent
from core.reports.markdown_text import escape_markdown, escape_table_cell

TEMPLATES = Path(__file__).resolve().parent / "templates"


class Trusted(str):
    """Markdown the template writes itself (links, table syntax), not to be escaped again."""


def _finalize_markdown(value: Any) -> str:
    # Every value printed into Markdown is source text and escaped, unless a filter already made it safe.
    if value is None:
        return ""
    return value if isinstance(value, Trusted) else escape_markdown(str(value))


@lru_cache(maxsize=1)
def _markdown_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,
        undefined=StrictUndefined,
        finalize=_finalize_markdown,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = lambda text: Trusted(escape_table_cell(str(text or "")))
    env.filters["trusted"] = Trusted
    return env


@lru_cache(maxsize=1)
def _html_env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_markdown(content: ReportContent) -> str:
    """The report as Markdown: escaped only where Markdown would misread the text."""
    return _markdown_env().get_template("report.md.j2").render(r=content)


def render_html(content: ReportContent) -> str:
    """The report as a self-contained, responsive HTML page (no scripts, no outside resources)."""
    return _html_env().get_template("report.html.j2").render(r=content)
