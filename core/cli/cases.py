"""`case create|list|show|model-view|private`: intake from a JSON file with the intake form's fields, reading cases,
what a model sees of one, and the phrases kept from every model."""

from __future__ import annotations

import argparse

from pydantic import ValidationError

from core.case_privacy import preview_case_for_model, set_private_phrases
from core.cases import CaseInput, create_case, get_case, list_cases
from core.cli.common import acting_user, add_command, emit, read_json_object
from core.errors import ValidationFailed

# The intake form's fields: what a case file may hold (contact details are kept apart from the clinical facts).
INTAKE_FIELDS = (
    "age_years", "sex", "diagnosis", "disease_status", "prior_therapies", "lines_of_therapy", "biomarkers",
    "performance_status", "summary", "location_label", "travel_radius_km", "contact_name", "contact_email",
    "contact_phone", "contact_address", "pregnant",
)


def case_input_from_file(path: str) -> CaseInput:
    data = read_json_object(path, "the intake form's fields")
    unknown = sorted(set(data) - set(INTAKE_FIELDS))
    if unknown:
        raise ValidationFailed({k: f"{path}: not an intake field (known: {', '.join(INTAKE_FIELDS)})." for k in unknown})
    try:
        return CaseInput(**data)
    except ValidationError as exc:
        raise ValidationFailed({
            ".".join(str(p) for p in e["loc"]) or "file": f"{path}: {e['msg']}" for e in exc.errors()
        }) from None


def cmd_create(args: argparse.Namespace) -> int:
    actor = acting_user(args)
    case_id = create_case(actor, case_input_from_file(args.file), intake_key=args.key)
    case = get_case(actor, case_id)
    emit(args, {"id": case_id, "reference": case.reference, "status": case.status}, str(case_id))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    cases = list_cases(acting_user(args))
    emit(args, [{"id": c.id, "reference": c.reference, "status": c.status, "diagnosis": c.facts.diagnosis} for c in cases],
         lambda: "\n".join(f"{c.id:>5} {c.reference:<16} {c.status:<10} {c.facts.diagnosis[:60]}" for c in cases) or "No cases.")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    case = get_case(acting_user(args), args.case)
    emit(args, case, lambda: case.model_dump_json(indent=2))
    return 0


def cmd_model_view(args: argparse.Namespace) -> int:
    view = preview_case_for_model(acting_user(args), args.case)
    emit(args, view, lambda: "\n".join(f"{k}: {v}" for k, v in view.variables.items())
         + f"\n({len(view.hidden)} piece(s) of text replaced by placeholders)")
    return 0


def cmd_private(args: argparse.Namespace) -> int:
    phrases = set_private_phrases(acting_user(args), args.case, args.phrases or [])
    emit(args, {"case_id": args.case, "private_phrases": phrases},
         f"Case {args.case}: {len(phrases)} private phrase(s); models will not see them.")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("case", help="Create, list and show cases.", description="Create, list and show cases.")
    case_sub = p.add_subparsers(dest="case_command", required=True)
    c = add_command(case_sub, "create", "Create a case from a JSON file with the intake form's fields; prints its id.",
                    cmd_create, as_user=True, json_out=True)
    c.add_argument("--file", required=True, help="JSON object: " + ", ".join(INTAKE_FIELDS))
    c.add_argument("--key", help="submission key: the same key again returns the case it made, not a second one")
    add_command(case_sub, "list", "List cases.", cmd_list, as_user=True, json_out=True)
    c = add_command(case_sub, "show", "Show one case.", cmd_show, as_user=True, json_out=True)
    c.add_argument("case", type=int)
    c = add_command(case_sub, "model-view", "Show exactly what a model is sent of a case (identifiers replaced).",
                    cmd_model_view, as_user=True, json_out=True)
    c.add_argument("case", type=int)
    c = add_command(case_sub, "private", "Set the phrases of a case that no model may see (replaces the list).",
                    cmd_private, as_user=True, json_out=True)
    c.add_argument("case", type=int)
    c.add_argument("--phrase", dest="phrases", action="append", help="a phrase to keep private; repeat for several")
