"""Command-line handlers for account work an admin does on the Users page: `unlock-user`."""

from __future__ import annotations

import argparse
import json
import sys

from core.auth import actor_by_username, unlock_user
from core.errors import WorkbenchError


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register `unlock-user` on the main parser's subcommands."""
    help_text = "Lift the lockout of an account after failed logins (admins)."
    p = sub.add_parser("unlock-user", help=help_text, description=help_text)
    p.add_argument("username", help="the locked account")
    p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME", help="act as this admin")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.set_defaults(func=run_unlock_user)


def run_unlock_user(args: argparse.Namespace) -> int:
    """Unlock the account; exit 0 when it is unlocked (or was not locked), 2 when refused or unknown."""
    try:
        was_locked = unlock_user(actor_by_username(args.as_user), args.username)
    except WorkbenchError as exc:
        if args.json:
            print(json.dumps({"ok": False, "username": args.username, "error": str(exc)}))
        else:
            print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"ok": True, "username": args.username, "was_locked": was_locked}))
    else:
        print(f"{args.username} is unlocked." if was_locked else f"{args.username} was not locked; nothing to lift.")
    return 0
