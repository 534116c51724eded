"""Releasing a case's report: every part approved, every overridden check confirmed, and no new version when
nothing the family would read changed since the last release."""

from __future__ import annotations

import hashlib

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import record_event
from core.db import session_scope
from core.domain.statuses import CaseStatus, DraftStatus
from core.errors import ConfirmationRequired, ConflictError, InvalidTransition
from core.models import Case, Draft, Report
from core.permissions import Actor, requires
from core.reports.compose import ReportContent, compose_report
from core.reports.pdf import render_pdf
from core.reports.render import render_html, render_markdown
from core.reports.store import (
    ReportView,
    case_ready_for_release,
    content_fingerprint,
    report_overrides,
    report_view,
)
from core.workflow.steps import lock_case, move_case, move_draft, settle_drafted_case

# A release whose sources change while its PDF is rendered is composed again, this many times at most.
RELEASE_ATTEMPTS = 3


class ReleaseOutcome(BaseModel):
    report: ReportView
    created: bool  # False: nothing changed since this version was released, and no new version was made
    message: str


class _Composed(BaseModel):
    """What one release attempt read: the composed report, its fingerprint and the overrides in it."""

    content: ReportContent
    fingerprint: str
    overrides: list[dict[str, object]]


def _compose_checked(s: Session, case_id: int) -> _Composed:
    """The report as it would be released now, once every part is approved and any override confirmed."""
    ready, missing = case_ready_for_release(s, case_id)
    if not ready:
        raise InvalidTransition("The report cannot be released yet: " + "; ".join(missing) + ".")
    content = compose_report(s, case_id)
    return _Composed(content=content, fingerprint=content_fingerprint(content),
                     overrides=report_overrides(s, case_id))


def _latest(s: Session, case_id: int) -> Report | None:
    return s.scalar(select(Report).where(Report.case_id == case_id).order_by(Report.version.desc()).limit(1))


def _mark_released(s: Session, actor: Actor, case: Case, version: int, *, new_version: bool) -> None:
    """The approved drafts and the case take the release step. Also when nothing changed: the released version is
    the case's report, so the case is released, not left "in review" (a no-op when it already is)."""
    settle_drafted_case(s, case)
    approved = list(s.scalars(select(Draft).where(Draft.case_id == case.id, Draft.status == DraftStatus.APPROVED)))
    for d in approved:
        move_draft(s, actor, d, "release", after={"report_version": version})
    if new_version or approved or case.status != CaseStatus.RELEASED:
        move_case(s, actor, case, "release", after={"report_version": version})


def _unchanged(s: Session, actor: Actor, case: Case, latest: Report) -> ReleaseOutcome:
    _mark_released(s, actor, case, latest.version, new_version=False)
    return ReleaseOutcome(
        report=report_view(s, latest), created=False,
        message=f"Nothing changed since version {latest.version} was released; no new version was made.",
    )


@requires("report.release")
def release_report(actor: Actor, case_id: int, *, confirm_overrides: bool = False) -> ReleaseOutcome:
    """Release a new immutable report version (Markdown, HTML, PDF, sha256). Refused until every part is approved;
    a report whose approved texts carry overridden checks needs `confirm_overrides` (ConfirmationRequired lists
    them); the same composed report as the last release makes no new version.

    The report is composed in a read, rendered (the PDF takes a while) outside any write transaction, then
    written in a short one that composes again and checks that nothing changed meanwhile (else it starts over)."""
    for _ in range(RELEASE_ATTEMPTS):
        with session_scope() as s:
            read = _compose_checked(s, case_id)
            latest = _latest(s, case_id)
            unchanged = latest is not None and latest.source_fingerprint == read.fingerprint
        if read.overrides and not confirm_overrides and not unchanged:
            raise ConfirmationRequired(
                f"{len(read.overrides)} overridden check(s) in this report: read them and confirm the release.",
                items=read.overrides,
            )
        if unchanged:
            with session_scope(write=True) as s:
                case = lock_case(s, case_id)
                latest = _latest(s, case_id)
                if latest is not None and latest.source_fingerprint == _compose_checked(s, case_id).fingerprint:
                    return _unchanged(s, actor, case, latest)
            continue
        # Rendered outside the write transaction: other writers (on SQLite, all of them) are not kept waiting.
        markdown, page = render_markdown(read.content), render_html(read.content)
        pdf = render_pdf(read.content)
        digest = hashlib.sha256(markdown.encode() + b"\0" + page.encode() + b"\0" + pdf).hexdigest()
        with session_scope(write=True) as s:
            case = lock_case(s, case_id)
            now = _compose_checked(s, case_id)
            latest = _latest(s, case_id)
            if latest is not None and latest.source_fingerprint == now.fingerprint:
                return _unchanged(s, actor, case, latest)  # a concurrent release made this very report
            if now.fingerprint != read.fingerprint or now.overrides != read.overrides:
                continue  # something changed while rendering: what was rendered is not what would be released
            version = (latest.version if latest else 0) + 1
            report = Report(case_id=case_id, version=version, markdown=markdown, html=page, pdf=pdf, sha256=digest,
                            released_by=actor.user_id, source_fingerprint=read.fingerprint)
            s.add(report)
            _mark_released(s, actor, case, version, new_version=True)
            s.flush()
            record_event(s, actor, "report.release", "case", case_id,
                         after={"report": report.id, "version": version, "sha256": digest,
                                "overrides_confirmed": [f"{o['part']}: {o['check']}" for o in read.overrides]})
            return ReleaseOutcome(report=report_view(s, report), created=True,
                                  message=f"Released report version {version}.")
    raise ConflictError("The report's texts kept changing while it was being made, so nothing was released. "
                        "Release it again.")
