"""Release: only when everything is approved; immutable versions with sha256; everything escaped."""

from __future__ import annotations

import hashlib
import subprocess

import pytest
from markdown_it import MarkdownIt

from core.audit import AuditFilter, list_events
from core.errors import InvalidTransition, PermissionDenied
from core.reports.store import get_report_pdf, list_reports, preview_report
from core.workflow.release import release_report
from core.workflow.review import save_draft, start_review
from core.workflow.review_views import get_draft_detail
from tests.support.flow import add_trials, approve_current, case_with_drafts, make_trial, release


def _approve_all(actor, drafts):  # noqa: ANN001, ANN202
    for d in drafts:
        approve_current(actor, d)


def test_release_refused_until_every_part_is_approved(team):
    case_id, drafts = case_with_drafts(team.reviewer)
    with pytest.raises(InvalidTransition, match="cannot be released yet"):
        release_report(team.reviewer, case_id)
    _approve_all(team.reviewer, drafts[:1])
    with pytest.raises(InvalidTransition):
        release_report(team.reviewer, case_id)


def test_release_stores_immutable_versions_with_sha256(team):
    case_id, drafts = case_with_drafts(team.reviewer)
    _approve_all(team.reviewer, drafts)
    with pytest.raises(PermissionDenied):
        release_report(team.analyst, case_id)
    first = release(team.reviewer, case_id)
    again = release_report(team.reviewer, case_id, confirm_overrides=True)  # nothing changed: no new version
    assert not again.created and again.report.id == first.id and "Nothing changed" in again.message
    reports = list_reports(team.reviewer, case_id)
    assert [r.version for r in reports] == [1]
    pdf = get_report_pdf(team.reviewer, first.id)
    assert pdf.startswith(b"%PDF")
    expected = hashlib.sha256(first.markdown.encode() + b"\0" + first.html.encode() + b"\0" + pdf).hexdigest()
    assert first.sha256 == expected
    assert "Please read" in first.markdown and "not medical advice" in first.markdown
    assert "Zoë Ångström-Test" in first.html  # the family's report may name the family
    assert any(e.action == "report.release" for e in list_events(team.admin, AuditFilter(entity_type="case")))


def test_pdf_renders_non_ascii_and_medical_terms(team, tmp_path):
    case_id, drafts = case_with_drafts(team.reviewer)
    _approve_all(team.reviewer, drafts)
    report = release(team.reviewer, case_id)
    path = tmp_path / "r.pdf"
    path.write_bytes(get_report_pdf(team.reviewer, report.id))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Zoë Ångström-Test" in text
    assert "CD7 CAR-T" in text
    assert "Please read" in text


def test_html_and_script_in_sources_render_as_text(team):
    add_trials(make_trial("NCT09000009", brief_title="<script>alert('x')</script> CAR-T <b>bold</b>"))
    case_id, drafts = case_with_drafts(team.reviewer)
    d = drafts[0]
    start_review(team.reviewer, d)
    v = get_draft_detail(team.reviewer, d).current
    evil = {**v.sections, "what_is_tested": "<img src=x onerror=alert(1)> [click](javascript:alert(1))"}
    save_draft(team.reviewer, d, evil, base_version_id=v.id)
    _approve_all(team.reviewer, drafts)
    md, html, missing = preview_report(team.reviewer, case_id)
    assert not missing
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    # Markdown escapes only what it would read as markup: the tag and the link, not the brackets' contents.
    assert "\\<img src=x onerror=alert(1)> \\[click\\](javascript:alert(1))" in md
    rendered = MarkdownIt("commonmark").render(md)
    assert "<img" not in rendered and 'href="javascript' not in rendered


def test_admins_see_reports_without_the_familys_name(team):
    case_id, drafts = case_with_drafts(team.reviewer)
    _approve_all(team.reviewer, drafts)
    name = "Zoë Ångström-Test"
    assert name in preview_report(team.reviewer, case_id)[0]
    admin_md, admin_html, _ = preview_report(team.admin, case_id)
    assert name not in admin_md and name not in admin_html
    assert "shown to reviewers only" in admin_md and "shown to reviewers only" in admin_html
    released = release(team.reviewer, case_id)
    assert name in list_reports(team.reviewer, case_id)[0].markdown
    seen = list_reports(team.admin, case_id)[0]
    assert name not in seen.markdown and name not in seen.html and not seen.has_pdf
    assert seen.sha256 == released.sha256  # the same released version, its name hidden
    with pytest.raises(PermissionDenied):
        get_report_pdf(team.admin, released.id)
