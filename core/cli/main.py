"""The command line's entry: build the parser from each area's commands, register the job handlers, run one command.
Exit codes: 0 done; 1 the thing asked for did not happen (the reason on one line); 2 the command line was wrong."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

from core.bootstrap import prepare_database
from core.catalogue.importer import main_sync_into_catalogue
from core.cli import admin, cases, catalogue, matching, review, text_safety
from core.errors import ConfirmationRequired, WorkbenchError
from core.evaluation.assess_rows import main_assess_criteria
from core.evaluation.rank_pools import main_rank_pools
from core.jobs.dispatch import Runner, set_entry_runner
from core.workflow.job_handlers import register_job_handlers

# Tools that own their options (benchmark runners and the registry sync, each with its own --help).
PASSTHROUGH: dict[str, tuple[str, Callable[[list[str]], int], bool]] = {
    "rank-pools": ("Rank each query's trial pool: --queries Q.jsonl --corpus C.jsonl --pools P.json --out R.json.",
                   main_rank_pools, False),
    "assess-criteria": ("Assess eligibility criterion rows: --input ROWS.jsonl --out PREDICTIONS.jsonl.",
                        main_assess_criteria, False),
    "sync": ("Sync trials from the ClinicalTrials.gov API v2 (see `python -m core sync --help`).",
             main_sync_into_catalogue, True),
}
# Commands that work without (or before) a migrated database.
NO_DATABASE = {"restore"}
# Commands that may run while demo accounts are enabled outside demo mode (to disable them).
WITH_DEMO_ACCOUNTS = {"disable-demo-accounts"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="Next Option Workbench command line.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)
    for area in (admin, catalogue, cases, matching, review, text_safety):
        area.add_commands(sub)
    for name, (help_text, _, _) in PASSTHROUGH.items():
        sub.add_parser(name, help=help_text, description=help_text)
    return parser


def _say_error(exc: WorkbenchError) -> None:
    print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
    if isinstance(exc, ConfirmationRequired):
        for item in exc.items:
            print("  " + "; ".join(f"{k}: {v}" for k, v in item.items()), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    register_job_handlers()
    # The command line is its own runner: a command returns when its work is done.
    set_entry_runner(Runner.INLINE)
    try:
        if argv and argv[0] in PASSTHROUGH:
            _, run, needs_database = PASSTHROUGH[argv[0]]
            if needs_database:
                prepare_database()
            return run(argv[1:])
        args = build_parser().parse_args(argv)
        logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        if args.command not in NO_DATABASE:
            prepare_database(refuse_demo_accounts=args.command not in WITH_DEMO_ACCOUNTS)
        return args.func(args)
    except WorkbenchError as exc:
        _say_error(exc)
        return 1
