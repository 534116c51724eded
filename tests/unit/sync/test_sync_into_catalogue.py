"""`python -m core sync` stores every fetched page in the catalogue, idempotently."""

from __future__ import annotations

from sqlalchemy import func, select

from core.cli.main import main
from core.db import session_scope
from core.models import Trial
from tests.support.fake_registry import FakeRegistry, load_real_studies


def test_sync_pages_land_in_the_catalogue_and_a_rerun_adds_nothing(db, tmp_path, capsys):
    studies = load_real_studies()
    with FakeRegistry(studies) as registry:
        args = ["sync", "--cond", "leukemia", "--page-size", "5", "--state", str(tmp_path / "s.json"), "--base-url", registry.base_url]
        assert main(args) == 0
        with session_scope() as s:
            stored = s.scalar(select(func.count(Trial.id)))
        assert stored >= len(studies) - 2  # a record the importer rejects is reported, never half-stored
        assert "stored:" in capsys.readouterr().out
        assert main(args) == 0  # incremental rerun: unchanged records are skipped
        with session_scope() as s:
            assert s.scalar(select(func.count(Trial.id))) == stored
