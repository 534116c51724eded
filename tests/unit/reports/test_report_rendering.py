"""Rendering details of the family report: the phase is said once ("Phase 1/2", not "Phase: Phase 1/2"), and the
HTML's styles are scoped to the report so showing it inside the app (st.html) restyles nothing else."""

from __future__ import annotations

import re

from core.reports.compose import ReportContent, ReportOption, ReportPart, TeamContact
from core.reports.pdf import render_pdf
from core.reports.render import render_html, render_markdown


def _content(phase: str = "Phase 1/2") -> ReportContent:
    option = ReportOption(
        number=1, registry_id="DEMO-0001", title="A CAR T study", programme=False,
        what_it_is="This study is testing NXO-T7.", phase=phase, status="Looking for people to join",
        nearest_site="London", distance="58 km", how_it_may_fit="The age fits.", what_to_ask="Ask about a donor.",
        registry_url=None, record_updated="2 October 2026",
        parts=[ReportPart(title="What the study is testing", paragraphs=["This study is testing NXO-T7."])],
        contacts=[],
    )  # fmt: skip
    return ReportContent(
        case_reference="DEMO-CASE-001", prepared_for=None, date="6 December 2026",
        overview=[ReportPart(title="Overview", paragraphs=["We found 1 option."])], options=[option],
        disclaimer=["This report gives information."], team=TeamContact(name="The team"),
    )  # fmt: skip


def test_the_phase_is_said_once_in_markdown_html_and_pdf() -> None:
    markdown, html = render_markdown(_content()), render_html(_content())
    assert "- Phase 1/2 · Status:" in markdown and "Phase: Phase" not in markdown
    assert "<li>Phase 1/2 · <b>Status:</b>" in html and "Phase:</b> Phase" not in html
    pdf_text = render_pdf(_content())
    assert b"Phase: Phase" not in pdf_text


def test_every_style_rule_of_the_html_is_scoped_to_the_report() -> None:
    html = render_html(_content())
    css = re.search(r"<style>(.*?)</style>", html, re.S).group(1)  # type: ignore[union-attr]
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    selectors = re.findall(r"([^{}@]+)\{[^{}]*\}", re.sub(r"@media[^{]*\{", "", css))
    assert selectors
    for group in selectors:
        for selector in group.split(","):
            assert re.match(r"\s*(?:main)?\.now-report\b", selector), selector
    assert '<main class="now-report">' in html
