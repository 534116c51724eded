"""Releasing a case's report: every part approved, every overridden check confirmed, and no new version when
nothing changed since the last release."""

from __future__ import annotations

import hashlib

from pydantic import BaseModel
from sqlalchemy import func, select

from core.audit import record_event
from core.db import session_scope
from core.domain.statuses import DraftStatus
from core.errors import ConfirmationRequired, InvalidTransition
from core.models import Draft, Report
from core.permissions import Actor, requires
from core.reports.compose import compose_report
from core.reports.pdf import render_pdf
from core.reports.render import render_html, render_markdown
from core.reports.store import (
    ReportView,
    case_ready_for_release,
    report_overrides,
    report_view,
    source_fingerprint,
)
from core.workflow.steps import lock_case, move_case, move_draft


class ReleaseOutcome(BaseModel):
    report: ReportView
    created: bool  # False: nothing changed since this version was released, and no new version was made
    message: str


@requires("report.release")
def release_report(actor: Actor, case_id: int, *, confirm_overrides: bool = False) -> ReleaseOutcome:
    """Release a new immutable report version (Markdown, HTML, PDF, sha256). Refused until every part is approved;
    a report whose approved texts carry overridden checks needs `confirm_overrides` (ConfirmationRequired lists
    them); the same approved texts as the last release make no new version."""
    with session_scope(write=True) as s:
        case = lock_case(s, case_id)
        ready, missing = case_ready_for_release(s, case_id)
        if not ready:
            raise InvalidTransition("The report cannot be released yet: " + "; ".join(missing) + ".")
        fingerprint = source_fingerprint(s, case_id)
        latest = s.scalar(select(Report).where(Report.case_id == case_id).order_by(Report.version.desc()).limit(1))
        if latest is not None and latest.source_fingerprint == fingerprint:
            return ReleaseOutcome(
                report=report_view(s, latest), created=False,
                message=f"Nothing changed since version {latest.version} was released; no new version was made.",
            )
        overrides = report_overrides(s, case_id)
        if overrides and not confirm_overrides:
            raise ConfirmationRequired(
                f"{len(overrides)} overridden check(s) in this report: read them and confirm the release.",
                items=overrides,
            )
        content = compose_report(s, case_id)
        markdown, page = render_markdown(content), render_html(content)
        pdf = render_pdf(content)
        digest = hashlib.sha256(markdown.encode() + b"\0" + page.encode() + b"\0" + pdf).hexdigest()
        version = (s.scalar(select(func.max(Report.version)).where(Report.case_id == case_id)) or 0) + 1
        report = Report(case_id=case_id, version=version, markdown=markdown, html=page, pdf=pdf, sha256=digest,
                        released_by=actor.user_id, source_fingerprint=fingerprint)
        s.add(report)
        for d in s.scalars(select(Draft).where(Draft.case_id == case_id, Draft.status == DraftStatus.APPROVED)):
            move_draft(s, actor, d, "release", after={"report_version": version})
        move_case(s, actor, case, "release", after={"report_version": version})
        s.flush()
        record_event(s, actor, "report.release", "case", case_id,
                     after={"report": report.id, "version": version, "sha256": digest,
                            "overrides_confirmed": [f"{o['part']}: {o['check']}" for o in overrides]})
        return ReleaseOutcome(report=report_view(s, report), created=True, message=f"Released report version {version}.")
