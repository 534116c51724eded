"""Admin pages: users, audit log, model and check settings, import."""

from __future__ import annotations

import pytest

from core.auth import authenticate, list_users
from core.checks_config import load_blocking, save_checks_config
from core.config import get_settings
from core.errors import AuthenticationFailed, PermissionDenied, ValidationFailed
from tests.app.conftest import page


def test_users_page_creates_an_account_and_names_bad_fields(team):
    at = page("pages/users.py", team.admin).run()
    at.text_input(key="nu-username").input("Bad Name!")
    at.text_input(key="nu-password").input("short")
    at.button[0].click().run()
    errors = " ".join(e.value for e in at.error)
    assert "username" in errors and "display name" in errors and "roles" in errors
    assert at.text_input(key="nu-username").value == "Bad Name!"  # kept for correction
    at.text_input(key="nu-username").input("nurse.jo")
    at.text_input(key="nu-name").input("Nurse Jo")
    at.multiselect(key="nu-roles").select("reviewer")
    at.text_input(key="nu-password").input("long-password-7")
    at.button[0].click().run()
    assert "nurse.jo" in [u.username for u in list_users(team.admin)]


def test_users_page_unlocks_a_locked_account(team):
    for _ in range(get_settings().login_max_failures):
        with pytest.raises(AuthenticationFailed):
            authenticate("rob", "wrong-password")
    at = page("pages/users.py", team.admin).run()
    at.selectbox(key="eu-who").select("rob").run()
    assert any("rob is locked" in w.value for w in at.warning)
    at.button(key="eu-unlock-rob").click().run()
    assert not at.exception
    assert not next(u for u in list_users(team.admin) if u.username == "rob").locked
    assert authenticate("rob", "correct-horse-9").username == "rob"
    assert not any(b.key == "eu-unlock-rob" for b in at.button)  # the page was drawn again after the unlock


def test_audit_page_filters_by_action(team):
    at = page("pages/audit.py", team.admin).run()
    at.text_input(key="au-action").input("user.create").run()
    assert not at.exception
    assert any("4 event(s)" in c.value for c in at.caption)


def test_settings_page_saves_blocking_checks(team):
    at = page("pages/settings.py", team.admin).run()
    at.checkbox(key="s-chk-readability").check()
    next(b for b in at.button if b.label == "Save check settings").click().run()
    assert not at.exception
    assert load_blocking()["readability"] is True


def test_checks_config_rules(team):
    with pytest.raises(PermissionDenied):
        save_checks_config(team.reviewer, {"readability": True})
    with pytest.raises(ValidationFailed, match="nonsense"):
        save_checks_config(team.admin, {"nonsense": True})
    save_checks_config(team.admin, {"grounding": False})
    assert load_blocking()["grounding"] is False and load_blocking()["no_promises"] is True


def test_import_page_renders_for_admin(team):
    at = page("pages/import_trials.py", team.admin).run()
    assert not at.exception and at.title[0].value == "Import trials"


def test_import_page_lists_rejected_records_and_warnings(team, tmp_path):
    import json

    from core.workflow.catalogue_jobs import start_import
    from tests.support.paths import SHARED_DATA

    study = json.loads((SHARED_DATA / "ctgov" / "api-v2" / "aact-fixtures" / "NCT00763412.json").read_text())
    study["protocolSection"]["identificationModule"]["briefTitle"] = ""
    lines = [json.dumps(study), json.dumps({"_id": "NCT09999999", "text": "x" * 6 * 1024**2})]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    job = start_import(team.admin, [path])
    assert job.status == "done", job.error
    at = page("pages/import_trials.py", team.admin, **{"imp-job": job.id}).run()
    assert not at.exception
    assert any("need a look" in w.value for w in at.warning)
    tables = [d.value for d in at.dataframe]
    assert any("NCT09999999" in set(t.get("registry_id", [])) for t in tables)  # rejected, by name
    assert any("brief_title" in set(t.get("field", [])) and "message" in t for t in tables)  # the warning
