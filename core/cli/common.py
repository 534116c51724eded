"""What every command shares: the acting user, JSON or text output, progress on stderr, reading input files."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from core.auth import actor_by_username
from core.errors import ValidationFailed
from core.permissions import Actor

Handler = Callable[[argparse.Namespace], int]


def acting_user(args: argparse.Namespace) -> Actor:
    return actor_by_username(args.as_user)


def add_command(sub: argparse._SubParsersAction, name: str, help_text: str, handler: Handler, *,
                as_user: bool = False, json_out: bool = False) -> argparse.ArgumentParser:
    """A subcommand with its handler, and the shared --as and --json options when it takes them."""
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.set_defaults(func=handler)
    if as_user:
        p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME", help="act as this user (their roles apply)")
    if json_out:
        p.add_argument("--json", action="store_true", help="print JSON instead of text")
    return p


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def emit(args: argparse.Namespace, data: Any, text: str | Callable[[], str]) -> None:
    """Print `data` as JSON with --json, else the human text."""
    if getattr(args, "json", False):
        print(json.dumps(_plain(data), indent=2, ensure_ascii=False, default=str))
    else:
        print(text() if callable(text) else text)


def progress(done: int, total: int | None, message: str = "") -> None:
    """A progress line on stderr (stdout stays clean for --json)."""
    total_txt = f"/{total}" if total else ""
    print(f"\r  {done}{total_txt} {message}".ljust(100), end="", file=sys.stderr, flush=True)


def read_json_object(path: str, what: str) -> dict[str, Any]:
    """One JSON object from a file, with a message naming the file and what is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationFailed({"file": f"{path} does not exist."}) from None
    except json.JSONDecodeError as exc:
        raise ValidationFailed({"file": f"{path} line {exc.lineno} column {exc.colno}: {exc.msg}."}) from None
    if not isinstance(data, dict):
        raise ValidationFailed({"file": f"{path} must hold one JSON object ({what})."})
    return data
