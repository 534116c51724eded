"""Which automatic checks block approval: the admin's choice, stored in the database and audited."""

from __future__ import annotations

from core.audit import record_event
from core.db import session_scope
from core.errors import ValidationFailed
from core.models import AppSetting
from core.permissions import Actor, requires

_KEY = "checks"


def load_blocking() -> dict[str, bool]:
    """The effective blocking flag of every check (defaults from the checks module, then the admin's choices)."""
    from core.drafting.checks import CHECK_NAMES, ChecksConfig

    with session_scope() as s:
        row = s.get(AppSetting, _KEY)
        config = ChecksConfig(**row.value) if row else ChecksConfig()
    return {name: config.is_blocking(name) for name in CHECK_NAMES}


@requires("settings.edit")
def save_checks_config(actor: Actor, blocking: dict[str, bool]) -> None:
    """Set which checks block approval; unknown check names are refused by name."""
    from core.drafting.checks import CHECK_NAMES

    unknown = sorted(set(blocking) - set(CHECK_NAMES))
    if unknown:
        raise ValidationFailed({"checks": f"unknown check(s): {', '.join(unknown)}; known: {', '.join(CHECK_NAMES)}."})
    before = load_blocking()
    with session_scope() as s:
        row = s.get(AppSetting, _KEY)
        value = {**(row.value if row else {}), "blocking": {**before, **blocking}}
        if row is None:
            s.add(AppSetting(key=_KEY, value=value))
        else:
            row.value = value
        record_event(s, actor, "settings.checks", "setting", _KEY, before={"blocking": before}, after={"blocking": value["blocking"]})
