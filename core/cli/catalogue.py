"""`import` and `embed-catalogue`: bring trials into the catalogue, and keep the dense re-ranker's embeddings fresh."""

from __future__ import annotations

import argparse
import sys

from core.cli.common import acting_user, add_command, emit, progress
from core.errors import WorkbenchError
from core.workflow.catalogue_jobs import import_files, start_catalogue_embedding


def cmd_import(args: argparse.Namespace) -> int:
    report = import_files(acting_user(args), args.paths, on_progress=None if args.json else progress)
    if not args.json:
        print(file=sys.stderr)

    def text() -> str:
        lines = [report.summary()]
        lines += [f"  rejected: {r.file} [{r.position}] field={r.field or '-'}: {r.reason}" for r in report.rejected[: args.show_rejected]]
        if len(report.rejected) > args.show_rejected:
            lines.append(f"  ... and {len(report.rejected) - args.show_rejected} more rejected")
        return "\n".join(lines)

    emit(args, report.as_dict(), text)
    return 1 if report.rejected else 0  # a rejected record was not imported: say so in the exit code too


def cmd_embed_catalogue(args: argparse.Namespace) -> int:
    view = start_catalogue_embedding(acting_user(args))
    if view.status != "done":
        raise WorkbenchError(f"embedding {view.status}: {view.error or view.message}")
    emit(args, view.result, f"Embedded {view.result['embedded']} trials (the others were up to date).")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "import", "Import trials from files, folders or zips (API v2 JSON, legacy XML, CSV, JSONL).",
                    cmd_import, as_user=True, json_out=True)
    p.add_argument("paths", nargs="+")
    p.add_argument("--show-rejected", type=int, default=20, help="how many rejections to list")
    add_command(sub, "embed-catalogue", "Compute the dense re-ranker's embeddings of new or changed trials (optional extra).",
                cmd_embed_catalogue, as_user=True, json_out=True)
