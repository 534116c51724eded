"""The command line: the same core functions the pages call, one subcommand per step of the flow."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from pathlib import Path

from sqlalchemy import select

from core.errors import WorkbenchError


def _actor(username: str):  # noqa: ANN202
    from core.auth import actor_for
    from core.db import session_scope
    from core.models import User

    with session_scope() as s:
        user = s.scalar(select(User).where(User.username == username, User.is_active.is_(True)))
        if user is None:
            raise WorkbenchError(f"No active user {username!r}; create one with `python -m core create-user`.")
        return actor_for(user)


def _progress(done: int, total: int | None, message: str = "") -> None:
    total_txt = f"/{total}" if total else ""
    print(f"\r  {done}{total_txt} {message}".ljust(100), end="", file=sys.stderr, flush=True)


def cmd_init(args: argparse.Namespace) -> int:
    from core.bootstrap import prepare_database

    prepare_database()
    print("Database ready (migrations applied, prompts seeded).")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from core.bootstrap import seed_demo

    result = seed_demo()
    print(f"Demo users created: {', '.join(result['users']) or 'none (already there)'}")
    print(f"Demo catalogue: {result['catalogue']}")
    print(f"Demo cases created: {len(result['cases'])}")
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from core.auth import create_user
    from core.permissions import SYSTEM

    password = None
    if not args.sso_only:
        password = args.password or getpass.getpass("Password: ")
    uid = create_user(SYSTEM, args.username, args.name or args.username, args.roles, password, email=args.email)
    print(f"Created user {args.username} (id {uid}) with roles {', '.join(args.roles)}.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from core.catalogue.importer import import_paths, refresh_search_index

    report = import_paths(_actor(args.as_user), args.paths, on_progress=_progress)
    print(file=sys.stderr)
    print(report.summary())
    if report.new or report.updated:
        refresh_search_index(lambda message: print(message + "…", file=sys.stderr))
    for r in report.rejected[: args.show_rejected]:
        print(f"  rejected: {r.file} [{r.position}] field={r.field or '-'}: {r.reason}")
    if len(report.rejected) > args.show_rejected:
        print(f"  ... and {len(report.rejected) - args.show_rejected} more rejected")
    return 0


def cmd_embed_catalogue(args: argparse.Namespace) -> int:
    from core.jobs import run_job
    from core.matching.embeddings import start_catalogue_embedding

    view = run_job(start_catalogue_embedding(_actor(args.as_user)))
    print(file=sys.stderr)
    if view.status != "done":
        print(f"error: embedding {view.status}: {view.error or view.message}", file=sys.stderr)
        return 2
    print(f"Embedded {view.result['embedded']} trials (the others were up to date).")
    return 0


def cmd_match(args: argparse.Namespace) -> int:
    from core.jobs import run_job
    from core.matching.service import list_matches, start_matching

    actor = _actor(args.as_user)
    job = run_job(start_matching(actor, args.case))
    if job.status != "done":
        print(f"Matching {job.status}: {job.error}")
        return 1
    for m in list_matches(actor, args.case, with_verdicts=False)[: args.top]:
        flag = "" if m.passed_filters else "  [filtered: " + "; ".join(r["message"] for r in m.filter_reasons if not r.get("note")) + "]"
        print(f"{m.rank:>3}. trial {m.trial_id:>5} {m.registry_id:<12} {m.eligibility:<20} met {m.met} unknown {m.unknown} not met {m.not_met}  {m.title[:60]}{flag}")
    return 0


def cmd_select(args: argparse.Namespace) -> int:
    from core.matching.service import dismiss_trial, select_trial

    actor = _actor(args.as_user)
    for trial_id in args.trials:
        if args.dismiss:
            dismiss_trial(actor, args.case, trial_id, args.dismiss)
        else:
            select_trial(actor, args.case, trial_id)
    print(("Dismissed" if args.dismiss else "Selected") + f" {len(args.trials)} trial(s) for case {args.case}.")
    return 0


def cmd_draft(args: argparse.Namespace) -> int:
    from core.drafting.service import start_drafting
    from core.jobs import run_job

    job = run_job(start_drafting(_actor(args.as_user), args.case))
    print(f"Drafting {job.status}: {job.result or job.error}")
    return 0 if job.status == "done" else 1


def cmd_review(args: argparse.Namespace) -> int:
    from core import review

    actor = _actor(args.as_user)
    if args.action == "list":
        for item in review.list_queue(actor, case_id=args.case):
            fails = f" failing: {', '.join(item.failing_checks)}" if item.failing_checks else ""
            print(f"draft {item.draft_id:>4} case {item.case_reference} {item.status:<10} {item.title[:60]}{fails}")
        return 0
    if args.action == "show":
        detail = review.get_draft_detail(actor, args.draft)
        print(f"# {detail.title} ({detail.status}, by {detail.drafter} {detail.model or ''})")
        for key, text in (detail.current.sections if detail.current else {}).items():
            print(f"\n## {key}\n{text}")
        for check in detail.current.checks if detail.current else []:
            print(f"[{'ok' if check['passed'] else 'FAIL'}{' blocking' if check['blocking'] else ''}] {check['name']}: {check['message']}")
        return 0
    if args.action == "approve":
        drafts = [args.draft] if args.draft else [i.draft_id for i in review.list_queue(actor, case_id=args.case)]
        for draft_id in drafts:
            review.claim_draft(actor, draft_id)
            status = review.approve_draft(actor, draft_id, override_reason=args.override_reason)
            print(f"draft {draft_id}: {status}")
        return 0
    raise WorkbenchError(f"unknown review action {args.action}")


def _write_atomically(path: Path, data: bytes) -> None:
    """Write next to the target and rename: a full disk leaves no half-written report file behind."""
    import os
    import tempfile

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
    from core.reports import get_report_pdf, release_report

    actor = _actor(args.as_user)
    report = release_report(actor, args.case)
    out = Path(args.out or ".")
    out.mkdir(parents=True, exist_ok=True)
    base = out / f"report-case{args.case}-v{report.version}"
    print(f"Released report v{report.version} sha256 {report.sha256}")
    _write_atomically(base.with_suffix(".md"), report.markdown.encode("utf-8"))
    _write_atomically(base.with_suffix(".html"), report.html.encode("utf-8"))
    _write_atomically(base.with_suffix(".pdf"), get_report_pdf(actor, report.id))
    print(f"Written {base}.md/.html/.pdf")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from core.backup import backup_database

    print(f"Backup written to {backup_database(Path(args.out))}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from core.backup import restore_database

    restore_database(Path(args.source))
    print("Restored. Start the app or run `python -m core init` to apply any newer migrations.")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from core.worker import run_worker

    return run_worker(once=args.once, poll_seconds=args.poll)


def cmd_check_llm(args: argparse.Namespace) -> int:
    from core.llm import LLMClient
    from core.llm_config import load_llm_settings

    settings = load_llm_settings()
    if not settings.is_configured:
        print("No LLM endpoint configured (LLM_BASE_URL or AZURE_OPENAI_ENDPOINT): the offline drafter is used.")
        return 1
    result = LLMClient(settings).check_endpoint()
    print(result.message)
    return 0 if result.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="Next Option Workbench command line.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, help_text: str, fn, *, as_user: bool = False) -> argparse.ArgumentParser:  # noqa: ANN001
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=fn)
        if as_user:
            p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME", help="act as this user (their roles apply)")
        return p

    add("init", "Create or upgrade the database and seed the prompts.", cmd_init)
    add("seed-demo", "Load demo users, the demo catalogue and demo cases.", cmd_seed_demo)
    p = add("create-user", "Create a real account (argon2-hashed password).", cmd_create_user)
    p.add_argument("username")
    p.add_argument("--name", help="display name")
    p.add_argument("--role", dest="roles", action="append", required=True, choices=["reviewer", "analyst", "admin"], help="repeat for several roles")
    p.add_argument("--email", help="e-mail, used to map single sign-on")
    p.add_argument("--password", help="password (asked for when omitted)")
    p.add_argument("--sso-only", action="store_true", help="no password: log in with single sign-on only")
    p = add("import", "Import trials from files, folders or zips (API v2 JSON, legacy XML, CSV, JSONL).", cmd_import, as_user=True)
    p.add_argument("paths", nargs="+")
    p.add_argument("--show-rejected", type=int, default=20, help="how many rejections to list")
    add("embed-catalogue", "Compute the dense re-ranker's embeddings of new or changed trials (optional extra).",
        cmd_embed_catalogue, as_user=True)
    p = add("match", "Match a case against the catalogue and print the ranked list.", cmd_match, as_user=True)
    p.add_argument("case", type=int, help="case id")
    p.add_argument("--top", type=int, default=20)
    p = add("select", "Select (or dismiss) trials of a case's matches.", cmd_select, as_user=True)
    p.add_argument("case", type=int)
    p.add_argument("trials", type=int, nargs="+", help="trial ids (as printed by match)")
    p.add_argument("--dismiss", metavar="REASON", help="dismiss with this reason instead of selecting")
    p = add("draft", "Draft summaries for a case's selected trials and its overview.", cmd_draft, as_user=True)
    p.add_argument("case", type=int)
    p = add("review", "Review drafts: list the queue, show a draft, approve.", cmd_review, as_user=True)
    p.add_argument("action", choices=["list", "show", "approve"])
    p.add_argument("--case", type=int)
    p.add_argument("--draft", type=int)
    p.add_argument("--override-reason", help="approve despite failing blocking checks, for this reason")
    p = add("release", "Release the report of a case (Markdown, HTML, PDF).", cmd_release, as_user=True)
    p.add_argument("case", type=int)
    p.add_argument("--out", help="folder to write the report files to")
    p = add("worker", "Run queued jobs (imports, matching, drafting) in this process.", cmd_worker)
    p.add_argument("--once", action="store_true", help="run what is queued, then stop")
    p.add_argument("--poll", type=float, default=1.0, help="seconds between polls (SQLite polling worker)")
    add("check-llm", "Check the configured LLM endpoint and say plainly what is wrong.", cmd_check_llm)
    p = add("backup", "Back up the database (SQLite online backup, or pg_dump), safe while the app runs.", cmd_backup)
    p.add_argument("out", help="file to write")
    p = add("restore", "Restore a backup into the configured, empty database.", cmd_restore)
    p.add_argument("source", help="backup file")
    for name, help_text in (
        ("rank-pools", "Rank each query's trial pool: --queries Q.jsonl --corpus C.jsonl --pools P.json --out R.json."),
        ("assess-criteria", "Assess eligibility criterion rows: --input ROWS.jsonl --out PREDICTIONS.jsonl."),
        ("sync", "Sync trials from the ClinicalTrials.gov API v2 (see `python -m core sync --help`)."),
    ):
        sub.add_parser(name, help=help_text, description=help_text)
    return parser


PASSTHROUGH = {
    "rank-pools": ("core.matching.rank_pools", "main_rank_pools"),
    "assess-criteria": ("core.matching.assess_rows", "main_assess_criteria"),
    "sync": ("core.catalogue.importer", "main_sync_into_catalogue"),
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in PASSTHROUGH:
        # These commands own their options; they are benchmark and sync tools with their own --help.
        import importlib

        module, func = PASSTHROUGH[argv[0]]
        if argv[0] == "sync":
            from core.bootstrap import prepare_database

            prepare_database()
        return getattr(importlib.import_module(module), func)(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command != "restore":  # a restore goes into an empty database
            from core.bootstrap import prepare_database

            prepare_database()
        return args.func(args)
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
