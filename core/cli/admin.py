"""Set-up and operations: `init`, `seed-demo`, `create-user`, `unlock-user`, `worker`, `check-llm`, `backup`, `restore`."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from core.auth import create_user, unlock_user
from core.backup import backup_database, restore_database
from core.bootstrap import disable_demo_accounts, prepare_database, seed_demo
from core.cli.common import acting_user, add_command, emit
from core.errors import WorkbenchError
from core.jobs.worker import run_worker
from core.llm import LLMClient
from core.llm_config import load_llm_settings
from core.permissions import ROLES, SYSTEM


def cmd_init(args: argparse.Namespace) -> int:
    prepare_database()
    print("Database ready (migrations applied, prompts seeded).")
    return 0


def cmd_disable_demo_accounts(args: argparse.Namespace) -> int:
    disabled = disable_demo_accounts()
    emit(args, {"disabled": disabled}, f"Deactivated: {', '.join(disabled)}." if disabled else "No demo account can log in.")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    result = seed_demo()
    print(f"Demo users created: {', '.join(result['users']) or 'none (already there)'}")
    print(f"Demo catalogue: {result['catalogue']}")
    print(f"Demo cases created: {len(result['cases'])}")
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    password = None
    if not args.sso_only:
        password = args.password or getpass.getpass("Password: ")
    uid = create_user(SYSTEM, args.username, args.name or args.username, args.roles, password, email=args.email)
    print(f"Created user {args.username} (id {uid}) with roles {', '.join(args.roles)}.")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    return run_worker(once=args.once, poll_seconds=args.poll)


def cmd_check_llm(args: argparse.Namespace) -> int:
    settings = load_llm_settings()
    if not settings.is_configured:
        raise WorkbenchError("No LLM endpoint configured (LLM_BASE_URL or AZURE_OPENAI_ENDPOINT): the offline drafter is used.")
    result = LLMClient(settings).check_endpoint()
    emit(args, {"ok": result.ok, "message": result.message}, result.message)
    return 0 if result.ok else 1


def cmd_unlock_user(args: argparse.Namespace) -> int:
    was_locked = unlock_user(acting_user(args), args.username)
    emit(args, {"ok": True, "username": args.username, "was_locked": was_locked},
         f"{args.username} is unlocked." if was_locked else f"{args.username} was not locked; nothing to lift.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    print(f"Backup written to {backup_database(Path(args.out))}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    restore_database(Path(args.source))
    print("Restored. Start the app or run `python -m core init` to apply any newer migrations.")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    add_command(sub, "init", "Create or upgrade the database and seed the prompts.", cmd_init)
    add_command(sub, "seed-demo", "Load demo users, the demo catalogue and demo cases (demo mode only).", cmd_seed_demo)
    add_command(sub, "disable-demo-accounts", "Deactivate every demo account (their passwords are published).",
                cmd_disable_demo_accounts, json_out=True)
    p = add_command(sub, "create-user", "Create a real account (argon2-hashed password).", cmd_create_user)
    p.add_argument("username")
    p.add_argument("--name", help="display name")
    p.add_argument("--role", dest="roles", action="append", required=True, choices=list(ROLES), help="repeat for several roles")
    p.add_argument("--email", help="e-mail, used to map single sign-on")
    p.add_argument("--password", help="password (asked for when omitted)")
    p.add_argument("--sso-only", action="store_true", help="no password: log in with single sign-on only")
    p = add_command(sub, "unlock-user", "Lift the lockout of an account after failed logins (admins).", cmd_unlock_user,
                    as_user=True, json_out=True)
    p.add_argument("username", help="the locked account")
    p = add_command(sub, "worker", "Run queued jobs (imports, matching, drafting) in this process.", cmd_worker)
    p.add_argument("--once", action="store_true", help="run what is queued, then stop")
    p.add_argument("--poll", type=float, default=1.0, help="seconds between polls (SQLite polling worker)")
    add_command(sub, "check-llm", "Check the configured LLM endpoint and say plainly what is wrong.", cmd_check_llm, json_out=True)
    p = add_command(sub, "backup", "Back up the database (SQLite online backup, or pg_dump), safe while the app runs.", cmd_backup)
    p.add_argument("out", help="file to write")
    p = add_command(sub, "restore", "Restore a backup into the configured, empty database.", cmd_restore)
    p.add_argument("source", help="backup file")
