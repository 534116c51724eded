"""`match` and `select`: run the matcher for a case and print the shortlist with every verdict, pick trials."""

from __future__ import annotations

import argparse
from typing import Any

from core.cli.common import acting_user, add_command, emit
from core.errors import WorkbenchError
from core.matching.service import MatchView, dismiss_trial, list_matches, select_trial
from core.workflow.matching import start_matching


def match_record(m: MatchView) -> dict[str, Any]:
    """One shortlisted trial as the CLI prints it: what a reviewer needs to decide, with each verdict's reason."""
    return {
        "rank": m.rank, "registry_id": m.registry_id, "trial_id": m.trial_id, "title": m.title,
        "label": m.eligibility, "score": m.score, "distance_km": m.distance_km,
        "nearest_site": m.nearest_site, "passed_filters": m.passed_filters,
        "filter_reasons": [r["message"] for r in m.filter_reasons if not r.get("note")],
        "met": m.met, "unknown": m.unknown, "not_met": m.not_met, "status": m.status,
        "verdicts": [
            {"kind": v.kind, "position": v.position, "criterion": v.criterion_text, "verdict": v.verdict,
             "reason": v.explanation, "source": v.source, "evidence_sentences": v.evidence}
            for v in m.verdicts
        ],
    }


def _text(m: MatchView) -> str:
    flag = "" if m.passed_filters else "  [filtered: " + "; ".join(r["message"] for r in m.filter_reasons if not r.get("note")) + "]"
    distance = f"{m.distance_km:.0f} km" if m.distance_km is not None else "distance ?"
    return (f"{m.rank:>3}. trial {m.trial_id:>5} {m.registry_id:<12} {m.eligibility:<20} score {m.score:.3f} {distance:>12}"
            f"  {m.title[:60]}{flag}")


def cmd_match(args: argparse.Namespace) -> int:
    actor = acting_user(args)
    job = start_matching(actor, args.case)
    if job.status != "done":
        raise WorkbenchError(f"matching {job.status}: {job.error or job.message}")
    shortlist = list_matches(actor, args.case)[: args.top]
    emit(args, [match_record(m) for m in shortlist], lambda: "\n".join(_text(m) for m in shortlist) or "No trials matched.")
    return 0


def cmd_select(args: argparse.Namespace) -> int:
    actor = acting_user(args)
    for trial_id in args.trials:
        if args.dismiss:
            dismiss_trial(actor, args.case, trial_id, args.dismiss)
        else:
            select_trial(actor, args.case, trial_id)
    action = "dismissed" if args.dismiss else "selected"
    emit(args, {"case_id": args.case, action: args.trials}, f"{action.capitalize()} {len(args.trials)} trial(s) for case {args.case}.")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "match", "Match a case against the catalogue and print the shortlist.", cmd_match,
                    as_user=True, json_out=True)
    p.add_argument("case", type=int, help="case id")
    p.add_argument("--top", type=int, default=20, help="how many shortlisted trials to print")
    p = add_command(sub, "select", "Select (or dismiss) trials of a case's matches.", cmd_select, as_user=True, json_out=True)
    p.add_argument("case", type=int)
    p.add_argument("trials", type=int, nargs="+", help="trial ids (as printed by match)")
    p.add_argument("--dismiss", metavar="REASON", help="dismiss with this reason instead of selecting")
