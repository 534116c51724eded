"""Every public service, called as every role, is allowed or refused exactly as the permission table says."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import core
from core.errors import PermissionDenied
from core.permissions import PERMISSIONS, ROLES, SERVICES, Actor


def _import_all_core_modules() -> None:
    for info in pkgutil.walk_packages(core.__path__, "core."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)


_import_all_core_modules()

# Functions that take an actor but are not role-gated services, and why.
NOT_SERVICES = {
    "core.auth.logout": "any logged-in user may log out",
    "core.auth.start_session": "any user who just logged in gets a session",
    "core.bootstrap.seed_demo_cases": "first-start seeding, runs as the system",
    "core.bootstrap.seed_demo_catalogue": "first-start seeding, runs as the system",
    "core.permissions.require": "the check itself",
}


def test_every_public_function_taking_an_actor_is_a_checked_service():
    unchecked = []
    for info in pkgutil.walk_packages(core.__path__, "core."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            params = list(inspect.signature(fn).parameters)
            qualified = f"{fn.__module__}.{fn.__qualname__}"
            if params[:1] == ["actor"] and qualified not in SERVICES and qualified not in NOT_SERVICES:
                unchecked.append(f"{fn.__module__}.{name}")
    assert unchecked == [], f"services without @requires: {unchecked}"


def test_the_table_names_only_known_roles():
    assert all(roles <= set(ROLES) for roles in PERMISSIONS.values())
    assert len(SERVICES) >= 40


@pytest.mark.parametrize("role", ROLES)
def test_every_service_as_every_role(role):
    actor = Actor(username=f"test-{role}", roles=frozenset({role}), user_id=None)
    wrong = []
    for name, (action, fn) in sorted(SERVICES.items()):
        allowed = role in PERMISSIONS[action]
        try:
            fn(actor)  # no other arguments: an allowed call gets past the check and fails on them
            refused = False
        except PermissionDenied:
            refused = True
        except Exception:
            refused = False
        if refused == allowed:
            wrong.append(f"{name} ({action}): {'refused' if refused else 'allowed'}")
    assert wrong == []
