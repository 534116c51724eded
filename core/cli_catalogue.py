"""`python -m core catalogue ...`: ranked text search, imports that report rejections and warnings, and reindexing."""

from __future__ import annotations

import argparse
import json
import sys

from core.auth import actor_by_username
from core.catalogue.explorer import search_catalogue
from core.catalogue.importer import import_paths
from core.catalogue.search_index import reindex_catalogue
from core.errors import WorkbenchError


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add the `catalogue` command and its subcommands to the main parser's subparsers."""
    catalogue = sub.add_parser("catalogue", help="Search, import into and reindex the catalogue.",
                               description="Search, import into and reindex the catalogue.")
    actions = catalogue.add_subparsers(dest="catalogue_command", required=True)
    p = _command(actions, "search", run_search, "Print the trials that best match TEXT, most relevant first "
                 "(spelling, word-form and CAR-T/CAR T/CART variants match alike).")
    p.add_argument("text", help='what to look for, e.g. "lymphoblastic leukaemia" or "CD7 CAR-T"')
    p.add_argument("--limit", type=int, default=20, help="how many hits to print (1-500)")
    p = _command(actions, "import", run_import, "Import files, folders or zips; list rejected records (and why) "
                 "and records imported with warnings.")
    p.add_argument("paths", nargs="+")
    p.add_argument("--show", type=int, default=20, help="how many rejections and warnings to list in text output")
    _command(actions, "rebuild-search-index", run_rebuild, "Index every stored trial again (after a repair or restore).")


def _command(actions: argparse._SubParsersAction, name: str, func, text: str) -> argparse.ArgumentParser:  # noqa: ANN001
    p = actions.add_parser(name, help=text, description=text)
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME", help="act as this user (their roles apply)")
    p.set_defaults(func=func)
    return p


def run_search(args: argparse.Namespace) -> int:
    """Print the ranked hits; exit 0 when something was found, 1 when nothing was, 2 on bad input."""
    try:
        hits = search_catalogue(actor_by_username(args.as_user), args.text, limit=args.limit)
    except WorkbenchError as exc:
        _fail(args, str(exc))
        return 2
    if args.json:
        print(json.dumps({"query": args.text, "hits": [h.model_dump() for h in hits]}, ensure_ascii=False, indent=2))
    elif not hits:
        print(f"No trial matches {args.text!r}.")
    else:
        for h in hits:
            print(f"{h.rank:>3}. {h.registry_id}  {h.title}  [{h.status}]")
    return 0 if hits else 1


def run_import(args: argparse.Namespace) -> int:
    """Import and report; exit 0 when every record was stored, 1 when some were rejected, 2 when nothing ran."""
    try:
        report = import_paths(actor_by_username(args.as_user), args.paths)
    except WorkbenchError as exc:
        _fail(args, str(exc))
        return 2
    if args.json:
        print(json.dumps({"summary": report.summary(), **report.as_dict()}, ensure_ascii=False, indent=2))
    else:
        print(report.summary())
        for r in report.rejected[: args.show]:
            print(f"  rejected: {r.file} [{r.position}] {r.registry_id or ''} field={r.field or '-'}: {r.reason}")
        for w in report.warnings[: args.show]:
            print(f"  warning:  {w.file} [{w.position}] {w.registry_id} {w.field}: {w.message}")
        hidden = max(0, len(report.rejected) - args.show) + max(0, len(report.warnings) - args.show)
        if hidden:
            print(f"  ... and {hidden} more (use --json for all)")
    return 1 if report.rejected else 0


def run_rebuild(args: argparse.Namespace) -> int:
    """Rebuild the full-text index in one transaction; exit 0 when done, 2 when not allowed."""
    try:
        count = reindex_catalogue(actor_by_username(args.as_user))
    except WorkbenchError as exc:
        _fail(args, str(exc))
        return 2
    print(json.dumps({"indexed": count}) if args.json else f"Indexed {count:,} trials.")
    return 0


def _fail(args: argparse.Namespace, message: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps({"error": message}, ensure_ascii=False))
    else:
        print(message, file=sys.stderr)
