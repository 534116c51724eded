"""The family's report: composed from approved texts only, escaped, rendered as Markdown, HTML and PDF, released immutably."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.audit import record_event
from core.catalogue.records import NormalizedTrial
from core.db import session_scope
from core.errors import InvalidTransition, NotFound
from core.models import Case, CaseContact, Draft, DraftVersion, Match, Report, Trial, User, utcnow
from core.permissions import Actor, require, requires
from core.review import case_ready_for_release

DISCLAIMER = (
    "This report gives information, not medical advice. It does not promise that any option will help, "
    "and a place on a study is never guaranteed. The study teams decide who can take part. "
    "Please talk about every option with your own doctor before deciding anything."
)
# What someone without access to contact details sees where the family's name would be.
CONTACT_HIDDEN = "the family (the name is shown to reviewers only)"
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


class ReportSection(BaseModel):
    heading: str
    paragraphs: list[tuple[str, str]]  # (sub-heading, text)
    contacts: list[str] = []


class ReportContent(BaseModel):
    case_reference: str
    prepared_for: str | None
    date: str
    overview: list[tuple[str, str]]
    options: list[ReportSection]
    disclaimer: str = DISCLAIMER


class ReportView(BaseModel):
    id: int
    case_id: int
    version: int
    sha256: str
    released_by: str
    released_at: datetime
    markdown: str
    html: str
    has_pdf: bool


def _md_escape(text: str) -> str:
    """Source text is data: HTML is entity-escaped and Markdown link/emphasis syntax is backslash-escaped."""
    text = html.escape(text, quote=False)
    return re.sub(r"([\\`*_\[\]()#!|])", r"\\\1", text)


def _section_title(key: str) -> str:
    from core.drafting.schema import SECTION_TITLES

    return SECTION_TITLES.get(key, key.replace("_", " ").capitalize())


def _approved_text(s: Session, draft: Draft) -> dict[str, str]:
    version = s.get(DraftVersion, draft.current_version_id)
    return dict(version.sections) if version else {}


def compose_report(s: Session, case_id: int) -> ReportContent:
    """Gather the approved case overview and trial summaries, in match order, with the study contacts."""
    case = s.get(Case, case_id)
    if case is None:
        raise NotFound(f"No case with id {case_id}.")
    drafts = list(s.scalars(select(Draft).where(Draft.case_id == case_id, Draft.status.in_(("approved", "released")))))
    overview_draft = next((d for d in drafts if d.kind == "case"), None)
    ranks = dict(s.execute(select(Match.trial_id, Match.rank).where(Match.case_id == case_id)).all())
    trial_drafts = sorted((d for d in drafts if d.kind == "trial"), key=lambda d: (ranks.get(d.trial_id) or 10**9, d.id))
    options = []
    for d in trial_drafts:
        trial = NormalizedTrial.model_validate(s.get(Trial, d.trial_id).record)
        contacts = []
        for c in trial.central_contacts:
            bits = [b for b in (c.name, c.phone, c.email) if b]
            if bits:
                contacts.append(" · ".join(bits))
        texts = _approved_text(s, d)
        options.append(
            ReportSection(
                heading=f"{trial.brief_title} ({trial.registry_id})",
                paragraphs=[(_section_title(k), v) for k, v in texts.items() if v.strip()],
                contacts=contacts,
            )
        )
    contact = s.scalar(select(CaseContact).where(CaseContact.case_id == case_id))
    overview = _approved_text(s, overview_draft) if overview_draft else {}
    return ReportContent(
        case_reference=case.reference,
        prepared_for=contact.name if contact else None,
        date=utcnow().date().isoformat(),
        overview=[(_section_title(k), v) for k, v in overview.items() if v.strip() and k != "disclaimer"],
        options=options,
    )


def render_markdown(content: ReportContent) -> str:
    lines = ["# Your options: a report from the Next Option team", ""]
    lines.append(f"Case {_md_escape(content.case_reference)} · {content.date}")
    if content.prepared_for:
        lines.append(f"Prepared for {_md_escape(content.prepared_for)}")
    lines.append("")
    for title, text in content.overview:
        lines += [f"## {_md_escape(title)}", "", _md_escape(text), ""]
    for n, option in enumerate(content.options, start=1):
        lines += [f"## Option {n}: {_md_escape(option.heading)}", ""]
        for title, text in option.paragraphs:
            lines += [f"### {_md_escape(title)}", "", _md_escape(text), ""]
        if option.contacts:
            lines += ["### Study team contacts", ""] + [f"- {_md_escape(c)}" for c in option.contacts] + [""]
    lines += ["## Please read", "", _md_escape(content.disclaimer), ""]
    return "\n".join(lines)


def _paras(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())


def render_html(content: ReportContent) -> str:
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        "<title>Your options</title><style>body{font-family:DejaVu Sans,Arial,sans-serif;max-width:46em;margin:2em auto;"
        "line-height:1.5;color:#222}h1{color:#1a4d6e}h2{border-bottom:1px solid #ccc;margin-top:2em}"
        ".meta{color:#555}.disclaimer{background:#fff6e0;padding:1em;border-left:4px solid #e0a800}</style></head><body>",
        "<h1>Your options: a report from the Next Option team</h1>",
        f"<p class='meta'>Case {e(content.case_reference)} · {e(content.date)}"
        + (f"<br>Prepared for {e(content.prepared_for)}" if content.prepared_for else "")
        + "</p>",
    ]
    for title, text in content.overview:
        parts.append(f"<h2>{e(title)}</h2>{_paras(text)}")
    for n, option in enumerate(content.options, start=1):
        parts.append(f"<h2>Option {n}: {e(option.heading)}</h2>")
        for title, text in option.paragraphs:
            parts.append(f"<h3>{e(title)}</h3>{_paras(text)}")
        if option.contacts:
            parts.append("<h3>Study team contacts</h3><ul>" + "".join(f"<li>{e(c)}</li>" for c in option.contacts) + "</ul>")
    parts.append(f"<h2>Please read</h2><div class='disclaimer'>{_paras(content.disclaimer)}</div></body></html>")
    return "".join(parts)


def _font_path(name: str) -> Path | None:
    for d in _FONT_DIRS:
        if (d / name).exists():
            return d / name
    return None


def render_pdf(content: ReportContent) -> bytes:
    """A PDF with a Unicode font (DejaVu) so medical terms and non-ASCII names render."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    regular, bold = _font_path("DejaVuSans.ttf"), _font_path("DejaVuSans-Bold.ttf")
    if regular and bold:
        pdf.add_font("Body", "", str(regular))
        pdf.add_font("Body", "B", str(bold))
        family = "Body"

        def clean(t: str) -> str:
            return t
    else:  # without a Unicode font, degrade to Latin-1 rather than fail the release
        family = "Helvetica"

        def clean(t: str) -> str:
            return t.encode("latin-1", "replace").decode("latin-1")

    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def heading(text: str, size: int) -> None:
        pdf.set_font(family, "B", size)
        pdf.multi_cell(width, size * 0.55, clean(text))
        pdf.ln(1.5)

    def body(text: str) -> None:
        pdf.set_font(family, "", 10.5)
        for para in [p for p in text.split("\n") if p.strip()]:
            pdf.multi_cell(width, 5.4, clean(para))
            pdf.ln(1.2)

    heading("Your options: a report from the Next Option team", 17)
    body(f"Case {content.case_reference} · {content.date}" + (f"\nPrepared for {content.prepared_for}" if content.prepared_for else ""))
    for title, text in content.overview:
        heading(title, 13)
        body(text)
    for n, option in enumerate(content.options, start=1):
        heading(f"Option {n}: {option.heading}", 13)
        for title, text in option.paragraphs:
            heading(title, 11)
            body(text)
        if option.contacts:
            heading("Study team contacts", 11)
            body("\n".join(f"• {c}" for c in option.contacts))
    heading("Please read", 13)
    body(content.disclaimer)
    return bytes(pdf.output())


@requires("report.view")
def preview_report(actor: Actor, case_id: int) -> tuple[str, str, list[str]]:
    """Markdown and HTML of the report as it would be released now, and what still blocks release."""
    with session_scope() as s:
        ready, missing = case_ready_for_release(s, case_id)
        content = compose_report(s, case_id)
    if content.prepared_for and not actor.can("case.view_contact"):
        content = content.model_copy(update={"prepared_for": CONTACT_HIDDEN})
    return render_markdown(content), render_html(content), missing


@requires("report.release")
def release_report(actor: Actor, case_id: int) -> ReportView:
    """Release a new immutable report version (Markdown, HTML, PDF, sha256); earlier versions are kept."""
    with session_scope() as s:
        ready, missing = case_ready_for_release(s, case_id)
        if not ready:
            raise InvalidTransition("The report cannot be released yet: " + "; ".join(missing) + ".")
        content = compose_report(s, case_id)
        markdown, page = render_markdown(content), render_html(content)
        pdf = render_pdf(content)
        digest = hashlib.sha256(markdown.encode() + b"\0" + page.encode() + b"\0" + pdf).hexdigest()
        version = (s.scalar(select(func.max(Report.version)).where(Report.case_id == case_id)) or 0) + 1
        report = Report(case_id=case_id, version=version, markdown=markdown, html=page, pdf=pdf, sha256=digest, released_by=actor.user_id)
        s.add(report)
        for d in s.scalars(select(Draft).where(Draft.case_id == case_id, Draft.status == "approved")):
            d.status = "released"
        s.get(Case, case_id).status = "released"
        s.flush()
        record_event(s, actor, "report.release", "case", case_id, after={"report": report.id, "version": version, "sha256": digest})
        return _view(s, report)


def _view(s: Session, r: Report, *, hide_contact: bool = False) -> ReportView:
    markdown, page, has_pdf = r.markdown, r.html, r.pdf is not None
    name = s.scalar(select(CaseContact.name).where(CaseContact.case_id == r.case_id)) if hide_contact else None
    if name:
        # The released files name the family; the escaped forms are exactly those the renderers wrote.
        markdown = markdown.replace(f"Prepared for {_md_escape(name)}", f"Prepared for {_md_escape(CONTACT_HIDDEN)}")
        page = page.replace(f"Prepared for {html.escape(name)}", f"Prepared for {html.escape(CONTACT_HIDDEN)}")
        has_pdf = False  # a PDF cannot be edited the same way: it is for reviewers only
    return ReportView(
        id=r.id, case_id=r.case_id, version=r.version, sha256=r.sha256,
        released_by=s.get(User, r.released_by).username, released_at=r.released_at,
        markdown=markdown, html=page, has_pdf=has_pdf,
    )


@requires("report.view")
def list_reports(actor: Actor, case_id: int) -> list[ReportView]:
    """Every released version; the family's name is hidden from those who may not see contact details."""
    hide = not actor.can("case.view_contact")
    with session_scope() as s:
        return [
            _view(s, r, hide_contact=hide)
            for r in s.scalars(select(Report).where(Report.case_id == case_id).order_by(Report.version.desc()))
        ]


@requires("report.view")
def get_report_pdf(actor: Actor, report_id: int) -> bytes:
    """The released PDF; it names the family, so it is for those who may see contact details."""
    require(actor, "case.view_contact")
    with session_scope() as s:
        r = s.get(Report, report_id)
        if r is None or r.pdf is None:
            raise NotFound(f"No PDF for report {report_id}.")
        return r.pdf
