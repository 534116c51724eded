"""`draft`, `review ...` and `release`: the whole review loop from the command line, scriptable and testable."""

from __future__ import annotations

import argparse
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.cli.common import acting_user, add_command, emit, read_json_object
from core.domain.overrides import OVERRIDE_CATEGORIES, CheckOverride
from core.errors import ValidationFailed, WorkbenchError
from core.jobs.store import JobView
from core.reports.store import get_report_pdf
from core.workflow.drafting import retry_draft, start_drafting
from core.workflow.release import release_report
from core.workflow.review import (
    approve_draft,
    reject_draft,
    release_claim,
    request_changes,
    save_draft,
    start_review,
)
from core.workflow.review_views import DraftDetail, get_draft_detail, list_queue

_HEADING = re.compile(r"^## +(\w+) *$", re.MULTILINE)


def read_sections(path: str) -> dict[str, str]:
    """A draft's text from a file: a JSON object {section: text}, or Markdown with one `## section` heading per
    section (the format `review show` prints)."""
    if path.endswith(".json"):
        data = read_json_object(path, "section name to text")
        if not all(isinstance(v, str) for v in data.values()):
            raise ValidationFailed({"file": f"{path}: every section's text must be a string."})
        return data
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationFailed({"file": f"{path} does not exist."}) from None
    parts = _HEADING.split(text)
    if len(parts) < 3 or parts[0].strip():
        raise ValidationFailed({"file": f"{path}: start each section with a line '## section_name' (as `review show` prints)."})
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}


def sections_markdown(sections: dict[str, str]) -> str:
    return "\n\n".join(f"## {key}\n{text}" for key, text in sections.items())


def detail_record(d: DraftDetail) -> dict[str, Any]:
    current = d.current
    return {
        "draft_id": d.draft_id, "case_id": d.case_id, "kind": d.kind, "title": d.title, "status": d.status,
        "trial_registry_id": d.trial_registry_id, "claim_holder": d.claimed_by, "claim_expires_at": d.claim_expires_at,
        "current_version_id": current.id if current else None, "current_version": current.number if current else None,
        "drafter": d.drafter, "model": d.model, "prompt": d.prompt, "approved_by": d.approved_by,
        "sections": current.sections if current else {}, "checks": current.checks if current else [],
        "overrides": d.overrides, "feedback": d.feedback, "error": d.error,
    }


def _detail_text(d: DraftDetail) -> str:
    current = d.current
    lines = [f"# {d.title} (draft {d.draft_id}, {d.status}, version {current.number if current else '-'}"
             f" by {current.author if current else '-'}; claim: {d.claimed_by or 'nobody'})"]
    if current:
        lines.append(sections_markdown(current.sections))
        for c in current.checks:
            lines.append(f"[{'ok' if c['passed'] else 'FAIL'}{' blocking' if c['blocking'] else ''}] {c['name']}: {c['message']}")
    return "\n".join(lines)


def _need_draft(args: argparse.Namespace) -> int:
    if not args.draft:
        raise ValidationFailed({"draft": f"`review {args.action}` needs --draft N."})
    return args.draft


def _override(args: argparse.Namespace) -> CheckOverride | None:
    if not (args.override_category or args.override_reason):
        return None
    try:
        return CheckOverride(category=args.override_category or "", reason=args.override_reason or "")
    except ValidationError as exc:
        raise ValidationFailed({f"override_{e['loc'][0]}": e["msg"] for e in exc.errors()}) from None


def cmd_draft(args: argparse.Namespace) -> int:
    job = start_drafting(acting_user(args), args.case)
    failed = (job.result or {}).get("failed", [])
    emit(args, job, f"Drafting {job.status}: {job.result or job.error}")
    if job.status != "done":
        raise WorkbenchError(f"drafting {job.status}: {job.error or job.message}")
    if failed:  # drafts that failed were not written: the command did not do all it was asked
        raise WorkbenchError(f"{len(failed)} draft(s) failed ({', '.join(map(str, failed))}); see `review show --draft N`.")
    return 0


def _require_drafted(actor: Any, job: JobView, draft_id: int, doing: str) -> None:
    """A redraft job that did not end with the new version written is a command that did not do what it was asked:
    say why in one line (the CLI runs jobs inline, so the job is over)."""
    status = (job.result or {}).get("status")
    if job.status != "done" or status != "ready":
        drafted = job.payload.get("draft_id", draft_id)
        error = get_draft_detail(actor, drafted).error if status == "failed" else None
        reason = job.error or error or (f"the draft is {status}" if status else f"the job is {job.status}")
        raise WorkbenchError(f"draft {draft_id}: {doing}, but the redraft (job {job.id}) did not write a new version: "
                             f"{reason}.")


def cmd_review(args: argparse.Namespace) -> int:
    actor = acting_user(args)
    action = args.action
    if action == "list":
        items = list_queue(actor, case_id=args.case)
        emit(args, items, lambda: "\n".join(
            f"draft {i.draft_id:>4} case {i.case_reference} {i.status:<10} v{i.version_number or '-'}"
            f" {('claimed by ' + i.claimed_by) if i.claimed_by else 'unclaimed':<24} {i.title[:50]}"
            + (f" failing: {', '.join(i.failing_checks)}" if i.failing_checks else "")
            for i in items) or "The queue is empty.")
        return 0
    draft_id = _need_draft(args)
    if action == "show":
        detail = get_draft_detail(actor, draft_id)
        emit(args, detail_record(detail), lambda: _detail_text(detail))
        return 0
    if action == "claim":
        expires = start_review(actor, draft_id)
        emit(args, {"draft_id": draft_id, "claimed_by": actor.username, "expires_at": expires},
             f"draft {draft_id}: claimed by {actor.username} until {expires:%H:%M} UTC")
        return 0
    if action == "release-claim":
        release_claim(actor, draft_id)
        emit(args, {"draft_id": draft_id, "released": True}, f"draft {draft_id}: claim released")
        return 0
    if action == "save":
        if args.base_version is None or not args.file:
            raise ValidationFailed({"save": "`review save` needs --base-version V (the version you edited) and --file TEXT."})
        base = _version_id(actor, draft_id, args.base_version)
        saved = save_draft(actor, draft_id, read_sections(args.file), base_version_id=base)
        emit(args, {"draft_id": draft_id, "version": saved.number, "version_id": saved.id, "checks": saved.checks},
             f"draft {draft_id}: saved as version {saved.number}")
        return 0
    if action == "approve":
        if args.version is None:
            raise ValidationFailed({"version": "`review approve` needs --version V: the version you read."})
        status = approve_draft(actor, draft_id, version=args.version, override=_override(args))
        emit(args, {"draft_id": draft_id, "status": status}, f"draft {draft_id}: {status}")
        return 0
    if action == "request-changes":
        job = request_changes(actor, draft_id, args.comment or "")
        emit(args, {"draft_id": draft_id, "job": job}, f"draft {draft_id}: sent back; redraft job {job.id} {job.status}")
        _require_drafted(actor, job, draft_id, "sent back")
        return 0
    if action == "redraft":
        job = retry_draft(actor, draft_id)
        emit(args, {"draft_id": draft_id, "job": job}, f"draft {draft_id}: drafted again; job {job.id} {job.status}")
        _require_drafted(actor, job, draft_id, "queued for drafting again")
        return 0
    if action == "reject":
        reject_draft(actor, draft_id, args.comment or "")
        emit(args, {"draft_id": draft_id, "status": "rejected"}, f"draft {draft_id}: rejected")
        return 0
    raise ValidationFailed({"action": f"unknown review action {action}."})


def _version_id(actor: Any, draft_id: int, number: int) -> int:
    detail = get_draft_detail(actor, draft_id)
    found = next((v.id for v in detail.versions if v.number == number), None)
    if found is None:
        raise ValidationFailed({"base_version": f"draft {draft_id} has no version {number}."})
    return found


def _write_atomically(path: Path, data: bytes) -> None:
    """Write next to the target and rename: a full disk leaves no half-written report file behind."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise WorkbenchError(
            f"Could not write {path}: {exc.strerror or exc}. The report itself is released and stored; "
            "download it from the Reports page, or free some space and run `release` again."
        ) from exc


def cmd_release(args: argparse.Namespace) -> int:
    actor = acting_user(args)
    outcome = release_report(actor, args.case, confirm_overrides=args.confirm_overrides)
    report = outcome.report
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = out / f"report-case{args.case}-v{report.version}"
    _write_atomically(base.with_suffix(".md"), report.markdown.encode("utf-8"))
    _write_atomically(base.with_suffix(".html"), report.html.encode("utf-8"))
    _write_atomically(base.with_suffix(".pdf"), get_report_pdf(actor, report.id))
    files = [str(base.with_suffix(s)) for s in (".md", ".html", ".pdf")]
    emit(args, {"created": outcome.created, "message": outcome.message, "version": report.version,
                "sha256": report.sha256, "files": files},
         f"{outcome.message} sha256 {report.sha256}" + (f"\nWritten {', '.join(files)}" if files else ""))
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "draft", "Draft summaries for a case's selected trials and its overview.", cmd_draft,
                    as_user=True, json_out=True)
    p.add_argument("case", type=int)
    p = add_command(sub, "review", "The review loop: list, show, claim, release-claim, save, approve, request-changes, "
                    "reject, redraft (a failed or rejected draft).", cmd_review, as_user=True, json_out=True)
    p.add_argument("action", choices=["list", "show", "claim", "release-claim", "save", "approve", "request-changes", "reject",
                                      "redraft"])
    p.add_argument("--case", type=int, help="list: only this case's drafts")
    p.add_argument("--draft", type=int, help="the draft acted on")
    p.add_argument("--base-version", type=int, help="save: the version number your text was edited from")
    p.add_argument("--file", help="save: the text, as JSON {section: text} or Markdown with '## section' headings")
    p.add_argument("--version", type=int, help="approve: the version number you read")
    p.add_argument("--comment", help="request-changes: what should change; reject: why")
    p.add_argument("--override-category", choices=sorted(OVERRIDE_CATEGORIES),
                   help="approve despite failing blocking checks: the kind of reason")
    p.add_argument("--override-reason", help="approve despite failing blocking checks: a sentence saying why")
    p = add_command(sub, "release", "Release the report of a case (Markdown, HTML, PDF).", cmd_release,
                    as_user=True, json_out=True)
    p.add_argument("case", type=int)
    p.add_argument("--out", default=".", help="folder to write the report files to (default: here)")
    p.add_argument("--confirm-overrides", action="store_true",
                   help="release although checks were overridden (the command lists them without this)")
