"""Which automatic checks block approval: the admin's choice, stored in the database and audited."""

from __future__ import annotations

from core.app_settings import read_setting, upsert_setting
from core.audit import record_event
from core.db import session_scope
from core.drafting.checking import load_checks_config
from core.drafting.checks import CHECK_NAMES
from core.errors import ValidationFailed
from core.permissions import Actor, requires

_KEY = "checks"


def load_blocking() -> dict[str, bool]:
    """The effective blocking flag of every check (defaults from the checks module, then the admin's choices)."""
    with session_scope() as s:
        config = load_checks_config(s)
    return {name: config.is_blocking(name) for name in CHECK_NAMES}


@requires("settings.edit")
def save_checks_config(actor: Actor, blocking: dict[str, bool]) -> None:
    """Set which checks block approval; unknown check names are refused by name."""
    unknown = sorted(set(blocking) - set(CHECK_NAMES))
    if unknown:
        raise ValidationFailed({"checks": f"unknown check(s): {', '.join(unknown)}; known: {', '.join(CHECK_NAMES)}."})
    before = load_blocking()
    with session_scope() as s:
        value = {**(read_setting(s, _KEY) or {}), "blocking": {**before, **blocking}}
        upsert_setting(s, _KEY, value)
        record_event(s, actor, "settings.checks", "setting", _KEY, before={"blocking": before}, after={"blocking": value["blocking"]})
