"""Released reports and what a release needs: readiness, the approved drafts and their overrides, the sources'
fingerprint, preview, versions and PDFs. (The release step itself is a workflow transition.)"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import session_scope
from core.domain.statuses import APPROVED_OR_RELEASED, DraftStatus
from core.errors import NotFound
from core.models import Case, CaseContact, Draft, Match, Report, Trial, User, utcnow
from core.permissions import Actor, require, requires
from core.reports.compose import ReportContent, compose_report
from core.reports.markdown_text import escape_markdown
from core.reports.render import render_html, render_markdown

# What someone without access to contact details sees where the family's name would be.
CONTACT_HIDDEN = "the family (the name is shown to reviewers only)"
# A name typed with one apostrophe is often printed with another ("O'Brien", "O’Brien").
_APOSTROPHES = "'’‘ʼ"


def _char_pattern(c: str, *, rendered: str) -> str:
    """Every way one character of a name can appear in a rendered report. HTML escapers differ (markupsafe
    writes ' as &#39;, html.escape as &#x27;), and Markdown may put a backslash before punctuation, so the
    name is found in the text as a reader sees it, not as one escaper spelled it."""
    if c.isspace():
        return r"\s+"
    chars = _APOSTROPHES if c in _APOSTROPHES else c
    options = []
    for ch in chars:
        options.append(re.escape(ch))
        if rendered == "html":
            options += [re.escape(html.escape(ch)), f"&#0*{ord(ch)};", f"&#[xX]0*{ord(ch):x};"]
        elif not ch.isalnum():
            options.append(re.escape("\\" + ch))
    return "(?:" + "|".join(options) + ")"


def _name_pattern(name: str, rendered: str) -> re.Pattern[str]:
    """The family's name in a rendered text ("markdown", "html" or "text"), however it was escaped."""
    body = "".join(_char_pattern(c, rendered=rendered) for c in " ".join(name.split()))
    # Any case: the hex digits of an entity, and a name retyped in capitals, are the same name.
    return re.compile(r"(?<!\w)" + body + r"(?!\w)", re.IGNORECASE)


def hide_name(text: str, name: str, rendered: str) -> str:
    """The text with every appearance of the family's name replaced by CONTACT_HIDDEN, rendered the same way."""
    if not name.strip():
        return text
    stand_in = {"html": html.escape(CONTACT_HIDDEN), "markdown": escape_markdown(CONTACT_HIDDEN)}.get(
        rendered, CONTACT_HIDDEN)
    return _name_pattern(name, rendered).sub(lambda _: stand_in, text)


def _hide_in_value(value: Any, name: str) -> Any:
    if isinstance(value, str):
        return hide_name(value, name, "text")
    if isinstance(value, list):
        return [_hide_in_value(v, name) for v in value]
    if isinstance(value, dict):
        return {k: _hide_in_value(v, name) for k, v in value.items()}
    return value


class ReportView(BaseModel):
    """A released report version as the pages and the CLI show it."""

    id: int
    case_id: int
    version: int
    sha256: str
    released_by: str
    released_at: datetime
    markdown: str
    html: str
    has_pdf: bool


def case_ready_for_release(s: Session, case_id: int) -> tuple[bool, list[str]]:
    """Whether every selected trial's summary and the case overview are approved, and what is missing."""
    every = list(s.scalars(select(Draft).where(Draft.case_id == case_id)))
    drafts = [d for d in every if d.status != DraftStatus.REJECTED]
    missing = []
    if not any(d.kind == "case" for d in drafts):
        rejected = any(d.kind == "case" for d in every)
        missing.append("the case overview was rejected: draft it again" if rejected
                       else "the case overview has not been drafted")
    if not any(d.kind == "trial" for d in drafts):
        missing.append("no trial summary has been drafted")
    for d in drafts:
        if d.status not in APPROVED_OR_RELEASED:
            name = "case overview" if d.kind == "case" else f"summary of trial #{d.trial_id}"
            missing.append(f"the {name} is {d.status.replace('_', ' ')}")
    return (not missing, missing)


def report_drafts(s: Session, case_id: int) -> list[Draft]:
    """The approved (or released) drafts a report is made of."""
    return list(s.scalars(
        select(Draft).where(Draft.case_id == case_id, Draft.status.in_(APPROVED_OR_RELEASED)).order_by(Draft.id)
    ))


def content_fingerprint(content: ReportContent) -> str:
    """The sha256 of what a report says: the approved texts in their order, the registry facts and dates, the
    family's name, the team's contact and the disclaimer. The release date is left out: the same words released
    on another day are the same report."""
    return hashlib.sha256(content.model_dump_json(exclude={"date"}).encode()).hexdigest()


def source_fingerprint(s: Session, case_id: int) -> str:
    """The fingerprint of the report this case would get now (see content_fingerprint)."""
    return content_fingerprint(compose_report(s, case_id))


def report_overrides(s: Session, case_id: int) -> list[dict[str, object]]:
    """Every blocking check overridden in the approved texts of the report, with who overrode it and why."""
    out = []
    for d in report_drafts(s, case_id):
        trial = s.get(Trial, d.trial_id) if d.trial_id else None
        part = "Case overview" if d.kind == "case" else (trial.brief_title if trial else f"trial #{d.trial_id}")
        out += [{"draft_id": d.id, "part": part, **o} for o in d.overrides or []]
    return out


@requires("report.view")
def list_report_overrides(actor: Actor, case_id: int) -> list[dict[str, object]]:
    """Every overridden check in the report's approved texts (the release asks to confirm them)."""
    with session_scope() as s:
        return report_overrides(s, case_id)


@requires("report.view")
def preview_report(actor: Actor, case_id: int) -> tuple[str, str, list[str]]:
    """Markdown and HTML of the report as it would be released now, and what still blocks release."""
    with session_scope() as s:
        _, missing = case_ready_for_release(s, case_id)
        content = compose_report(s, case_id)
        name = s.scalar(select(CaseContact.name).where(CaseContact.case_id == case_id))
    if name and not actor.can("case.view_contact"):
        # Hidden in the composed (unescaped) text, wherever it appears, before any escaper spells it its way.
        content = ReportContent.model_validate(_hide_in_value(content.model_dump(), name))
    return render_markdown(content), render_html(content), missing


def report_view(s: Session, r: Report, *, hide_contact: bool = False) -> ReportView:
    """A released version; with `hide_contact` the family's name is replaced in the texts, and the PDF (which
    names the family and cannot be edited the same way) is withheld."""
    markdown, page, has_pdf = r.markdown, r.html, r.pdf is not None
    name = s.scalar(select(CaseContact.name).where(CaseContact.case_id == r.case_id)) if hide_contact else None
    if name:
        markdown, page = hide_name(markdown, name, "markdown"), hide_name(page, name, "html")
        has_pdf = False
    return ReportView(
        id=r.id, case_id=r.case_id, version=r.version, sha256=r.sha256,
        released_by=s.get(User, r.released_by).username, released_at=r.released_at,
        markdown=markdown, html=page, has_pdf=has_pdf,
    )


@requires("report.view")
def list_reports(actor: Actor, case_id: int) -> list[ReportView]:
    """Every released version of a case's report, newest first; the family's name is hidden from those who may
    not see contact details."""
    hide = not actor.can("case.view_contact")
    with session_scope() as s:
        rows = s.scalars(select(Report).where(Report.case_id == case_id).order_by(Report.version.desc()))
        return [report_view(s, r, hide_contact=hide) for r in rows]


@requires("report.view")
def get_report_pdf(actor: Actor, report_id: int) -> bytes:
    """The PDF of one released version; it names the family, so it is for those who may see contact details."""
    require(actor, "case.view_contact")
    with session_scope() as s:
        r = s.get(Report, report_id)
        if r is None or r.pdf is None:
            raise NotFound(f"No PDF for report {report_id}.")
        return r.pdf


@requires("report.view")
def preview_fingerprint(actor: Actor, case_id: int) -> str:
    """A short digest of everything the report preview of a case is made from (its drafts and their versions,
    its matches, the trial records, the family's contact, the date and who looks): the page renders the
    preview again only when it changes, not on every rerun."""
    with session_scope() as s:
        drafts = s.execute(
            select(Draft.id, Draft.status, Draft.current_version_id).where(Draft.case_id == case_id).order_by(Draft.id)
        ).all()
        matches = s.execute(
            select(Match.trial_id, Match.status, Match.nearest_site, Match.distance_km, Match.rank)
            .where(Match.case_id == case_id)
            .order_by(Match.trial_id)
        ).all()
        trial_ids = [d.trial_id for d in s.scalars(select(Draft).where(Draft.case_id == case_id)) if d.trial_id]
        hashes = s.execute(select(Trial.id, Trial.content_hash).where(Trial.id.in_(trial_ids)).order_by(Trial.id)).all()
        contact = s.scalar(select(CaseContact.name).where(CaseContact.case_id == case_id))
        reference = s.scalar(select(Case.reference).where(Case.id == case_id))
    parts = [drafts, matches, hashes, contact, reference, utcnow().date(), actor.can("case.view_contact")]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
