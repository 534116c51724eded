"""Demo data belongs to the embedded try-it-out database: off with a DATABASE_URL unless asked for, and a database
with a demo account that can still log in is refused outside demo mode."""

from __future__ import annotations

import pytest

from core import bootstrap
from core.auth import authenticate, create_user
from core.bootstrap import disable_demo_accounts, prepare_database, seed_demo
from core.cli.main import main
from core.config import Settings, get_settings
from core.errors import AuthenticationFailed, ConfigurationError
from core.permissions import SYSTEM


def test_demo_mode_defaults_to_on_only_for_the_embedded_database(monkeypatch):
    monkeypatch.delenv("DEMO_MODE", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert Settings(_env_file=None).demo_enabled  # streamlit run on a fresh clone: the demo is there
    monkeypatch.setenv("DATABASE_URL", "postgresql://someone@db.example/workbench")
    assert not Settings(_env_file=None).demo_enabled  # a team database: no demo accounts unless asked
    monkeypatch.setenv("DEMO_MODE", "true")
    assert Settings(_env_file=None).demo_enabled
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setenv("DEMO_MODE", "false")
    assert not Settings(_env_file=None).demo_enabled


def test_seeding_demo_data_is_refused_outside_demo_mode(db, capsys):
    assert not get_settings().demo_enabled  # the test databases run with DEMO_MODE=false
    with pytest.raises(ConfigurationError, match="DEMO_MODE=true"):
        seed_demo()
    assert main(["seed-demo"]) == 1 and "DEMO_MODE=true" in capsys.readouterr().err


def test_a_demo_account_outside_demo_mode_stops_the_start_until_it_is_disabled(db, capsys):
    create_user(SYSTEM, "admin", "Demo Admin", ["admin"], "admin-demo", is_demo=True, enforce_policy=False)
    bootstrap._prepared.clear()
    with pytest.raises(ConfigurationError, match="admin can log in with published passwords"):
        prepare_database()
    assert main(["init"]) == 1 and "disable-demo-accounts" in capsys.readouterr().err
    assert main(["disable-demo-accounts", "--json"]) == 0
    assert '"admin"' in capsys.readouterr().out
    prepare_database()  # starts now
    with pytest.raises(AuthenticationFailed):
        authenticate("admin", "admin-demo")
    assert disable_demo_accounts() == []
