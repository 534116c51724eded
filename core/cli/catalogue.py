"""`import`, `embed-catalogue` and `catalogue search|rebuild-search-index`: bring trials in (saying what was rejected
and what came with warnings), keep the dense embeddings and the full-text index fresh, and search as a person would."""

from __future__ import annotations

import argparse
import sys

from core.catalogue.explorer import search_catalogue
from core.catalogue.search_index import reindex_catalogue
from core.catalogue.store import ImportReport
from core.cli.common import acting_user, add_command, emit, progress
from core.errors import WorkbenchError
from core.workflow.catalogue_jobs import import_files, start_catalogue_embedding


def _import_text(report: ImportReport, show: int) -> str:
    lines = [report.summary()]
    lines += [f"  rejected: {r.file} [{r.position}] {r.registry_id or ''} field={r.field or '-'}: {r.reason}"
              for r in report.rejected[:show]]
    lines += [f"  warning:  {w.file} [{w.position}] {w.registry_id} {w.field}: {w.message}" for w in report.warnings[:show]]
    hidden = max(0, len(report.rejected) - show) + max(0, len(report.warnings) - show)
    if hidden:
        lines.append(f"  ... and {hidden} more (use --json for all)")
    return "\n".join(lines)


def cmd_import(args: argparse.Namespace) -> int:
    report = import_files(acting_user(args), args.paths, on_progress=None if args.json else progress)
    if not args.json:
        print(file=sys.stderr)
    emit(args, {"summary": report.summary(), **report.as_dict()}, lambda: _import_text(report, args.show))
    return 1 if report.rejected else 0  # a rejected record was not imported: say so in the exit code too


def cmd_embed_catalogue(args: argparse.Namespace) -> int:
    view = start_catalogue_embedding(acting_user(args))
    if view.status != "done":
        raise WorkbenchError(f"embedding {view.status}: {view.error or view.message}")
    emit(args, view.result, f"Embedded {view.result['embedded']} trials (the others were up to date).")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    hits = search_catalogue(acting_user(args), args.text, limit=args.limit)
    emit(args, {"query": args.text, "hits": hits},
         lambda: "\n".join(f"{h.rank:>3}. {h.registry_id}  {h.title}  [{h.status}]" for h in hits)
         or f"No trial matches {args.text!r}.")
    return 0 if hits else 1  # asked to find something, and nothing was found


def cmd_rebuild(args: argparse.Namespace) -> int:
    count = reindex_catalogue(acting_user(args))
    emit(args, {"indexed": count}, f"Indexed {count:,} trials.")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "import", "Import trials from files, folders or zips (API v2 JSON, legacy XML, CSV, JSONL); "
                    "list rejected records (and why) and records imported with warnings.", cmd_import,
                    as_user=True, json_out=True)
    p.add_argument("paths", nargs="+")
    p.add_argument("--show", type=int, default=20, help="how many rejections and warnings to list in text output")
    add_command(sub, "embed-catalogue", "Compute the dense re-ranker's embeddings of new or changed trials (optional extra).",
                cmd_embed_catalogue, as_user=True, json_out=True)
    p = sub.add_parser("catalogue", help="Search the catalogue and rebuild its full-text index.",
                       description="Search the catalogue and rebuild its full-text index.")
    actions = p.add_subparsers(dest="catalogue_command", required=True)
    p = add_command(actions, "search", "Print the trials that best match TEXT, most relevant first (spelling, word-form "
                    "and CAR-T/CAR T/CART variants match alike).", cmd_search, as_user=True, json_out=True)
    p.add_argument("text", help='what to look for, e.g. "lymphoblastic leukaemia" or "CD7 CAR-T"')
    p.add_argument("--limit", type=int, default=20, help="how many hits to print (1-500)")
    add_command(actions, "rebuild-search-index", "Index every stored trial again (after a repair or restore).",
                cmd_rebuild, as_user=True, json_out=True)
