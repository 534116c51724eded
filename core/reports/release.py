"""Preview and release the family's report (immutable versions with a sha256), list versions, fetch a PDF."""

from __future__ import annotations

import hashlib
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.audit import record_event
from core.db import session_scope
from core.errors import InvalidTransition, NotFound
from core.models import Case, Draft, Report, User
from core.permissions import Actor, requires
from core.reports.compose import compose_report
from core.reports.pdf import render_pdf
from core.reports.render import render_html, render_markdown
from core.review import case_ready_for_release


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


@requires("report.view")
def preview_report(actor: Actor, case_id: int) -> tuple[str, str, list[str]]:
    """Markdown and HTML of the report as it would be released now, and what still blocks release."""
    with session_scope() as s:
        _, missing = case_ready_for_release(s, case_id)
        content = compose_report(s, case_id)
    return render_markdown(content), render_html(content), missing


def _mark_released(s: Session, case_id: int) -> None:
    """The status writes of a release (the lead moves these into core/workflow)."""
    for draft in s.scalars(select(Draft).where(Draft.case_id == case_id, Draft.status == "approved")):
        draft.status = "released"
    s.get(Case, case_id).status = "released"


@requires("report.release")
def release_report(actor: Actor, case_id: int) -> ReportView:
    """Release a new immutable report version (Markdown, HTML, PDF, sha256); earlier versions are kept."""
    with session_scope() as s:
        ready, missing = case_ready_for_release(s, case_id)
        if not ready:
            raise InvalidTransition("The report cannot be released yet: " + "; ".join(missing) + ".")
        content = compose_report(s, case_id)
        markdown, page, pdf = render_markdown(content), render_html(content), render_pdf(content)
        digest = hashlib.sha256(markdown.encode() + b"\0" + page.encode() + b"\0" + pdf).hexdigest()
        version = (s.scalar(select(func.max(Report.version)).where(Report.case_id == case_id)) or 0) + 1
        report = Report(
            case_id=case_id,
            version=version,
            markdown=markdown,
            html=page,
            pdf=pdf,
            sha256=digest,
            released_by=actor.user_id,
        )
        s.add(report)
        _mark_released(s, case_id)
        s.flush()
        record_event(
            s,
            actor,
            "report.release",
            "case",
            case_id,
            after={"report": report.id, "version": version, "sha256": digest},
        )
        return _view(s, report)


def _view(s: Session, r: Report) -> ReportView:
    return ReportView(
        id=r.id, case_id=r.case_id, version=r.version, sha256=r.sha256,
        released_by=s.get(User, r.released_by).username, released_at=r.released_at,
        markdown=r.markdown, html=r.html, has_pdf=r.pdf is not None,
    )  # fmt: skip


@requires("report.view")
def list_reports(actor: Actor, case_id: int) -> list[ReportView]:
    """Every released version of a case's report, newest first."""
    with session_scope() as s:
        rows = s.scalars(select(Report).where(Report.case_id == case_id).order_by(Report.version.desc()))
        return [_view(s, r) for r in rows]


@requires("report.view")
def get_report_pdf(actor: Actor, report_id: int) -> bytes:
    """The PDF of one released version."""
    with session_scope() as s:
        r = s.get(Report, report_id)
        if r is None or r.pdf is None:
            raise NotFound(f"No PDF for report {report_id}.")
        return r.pdf
