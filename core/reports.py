"""The family's report: composed from approved texts only, escaped, rendered as Markdown, HTML and PDF, released immutably."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import session_scope
from core.domain.statuses import APPROVED_OR_RELEASED, DraftStatus
from core.domain.trial import NormalizedTrial
from core.drafting.schema import SECTION_TITLES
from core.errors import NotFound
from core.models import Case, CaseContact, Draft, DraftVersion, Match, Report, Trial, User, utcnow
from core.permissions import Actor, requires

DISCLAIMER = (
    "This report gives information, not medical advice. It does not promise that any option will help, "
    "and a place on a study is never guaranteed. The study teams decide who can take part. "
    "Please talk about every option with your own doctor before deciding anything."
)
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
    return SECTION_TITLES.get(key, key.replace("_", " ").capitalize())


def _approved_text(s: Session, draft: Draft) -> dict[str, str]:
    version = s.get(DraftVersion, draft.current_version_id)
    return dict(version.sections) if version else {}


def compose_report(s: Session, case_id: int) -> ReportContent:
    """Gather the approved case overview and trial summaries, in match order, with the study contacts."""
    case = s.get(Case, case_id)
    if case is None:
        raise NotFound(f"No case with id {case_id}.")
    drafts = report_drafts(s, case_id)
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
    return render_markdown(content), render_html(content), missing


def case_ready_for_release(s: Session, case_id: int) -> tuple[bool, list[str]]:
    """Whether every selected trial's summary and the case overview are approved, and what is missing."""
    drafts = list(s.scalars(select(Draft).where(Draft.case_id == case_id, Draft.status != DraftStatus.REJECTED)))
    missing = []
    if not any(d.kind == "case" for d in drafts):
        missing.append("the case overview has not been drafted")
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


def source_fingerprint(s: Session, case_id: int) -> str:
    """What a report of this case would be made from now: each approved draft's current version and each trial
    record's content. The same fingerprint means the same report text."""
    parts = []
    for d in report_drafts(s, case_id):
        trial = s.get(Trial, d.trial_id) if d.trial_id else None
        parts.append(f"{d.id}:{d.current_version_id}:{trial.content_hash if trial else '-'}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def report_overrides(s: Session, case_id: int) -> list[dict[str, object]]:
    """Every blocking check overridden in the approved texts of the report, with who overrode it and why."""
    out = []
    for d in report_drafts(s, case_id):
        trial = s.get(Trial, d.trial_id) if d.trial_id else None
        part = "Case overview" if d.kind == "case" else (trial.brief_title if trial else f"trial #{d.trial_id}")
        for o in d.overrides or []:
            out.append({"draft_id": d.id, "part": part, **o})
    return out


@requires("report.view")
def list_report_overrides(actor: Actor, case_id: int) -> list[dict[str, object]]:
    """Every overridden check in the report's approved texts (the release asks to confirm them)."""
    with session_scope() as s:
        return report_overrides(s, case_id)


def report_view(s: Session, r: Report) -> ReportView:
    return ReportView(
        id=r.id, case_id=r.case_id, version=r.version, sha256=r.sha256,
        released_by=s.get(User, r.released_by).username, released_at=r.released_at,
        markdown=r.markdown, html=r.html, has_pdf=r.pdf is not None,
    )


@requires("report.view")
def list_reports(actor: Actor, case_id: int) -> list[ReportView]:
    with session_scope() as s:
        return [report_view(s, r) for r in s.scalars(select(Report).where(Report.case_id == case_id).order_by(Report.version.desc()))]


@requires("report.view")
def get_report_pdf(actor: Actor, report_id: int) -> bytes:
    with session_scope() as s:
        r = s.get(Report, report_id)
        if r is None or r.pdf is None:
            raise NotFound(f"No PDF for report {report_id}.")
        return r.pdf
