"""The family's report: composed once from approved texts, rendered to Markdown, HTML and PDF, released immutably."""

from core.reports.compose import ReportContent, compose_report
from core.reports.pdf import render_pdf
from core.reports.release import ReportView, get_report_pdf, list_reports, preview_report, release_report
from core.reports.render import render_html, render_markdown

__all__ = [
    "ReportContent",
    "ReportView",
    "compose_report",
    "get_report_pdf",
    "list_reports",
    "preview_report",
    "release_report",
    "render_html",
    "render_markdown",
    "render_pdf",
]
