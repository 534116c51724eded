"""Temporary databases for tests: a fresh SQLite file, or a fresh PostgreSQL schema, per test."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from core import db
from core.config import get_settings

_TEMPLATE: dict[str, Path] = {}


def backends() -> list[str]:
    """SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it)."""
    return ["sqlite", "postgres"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


def _sqlite_template(tmp_root: Path) -> Path:
    # Migrating once and copying the file keeps per-test setup to a few milliseconds.
    if "sqlite" not in _TEMPLATE:
        path = tmp_root / f"template-{uuid.uuid4().hex}.sqlite"
        url = f"sqlite:///{path}"
        db.upgrade_database(url)
        db.get_engine(url).dispose()
        db._engines.pop(url, None)
        with create_engine(url).connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        _TEMPLATE["sqlite"] = path
    return _TEMPLATE["sqlite"]


def _pg_url_with_schema(base: str, schema: str) -> str:
    if base.startswith("postgresql://"):
        base = "postgresql+psycopg://" + base[len("postgresql://") :]
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@contextmanager
def temporary_database(backend: str, tmp_path: Path, tmp_root: Path) -> Iterator[str]:
    """Point the settings at a brand-new migrated database for one test, and tear it down after."""
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "DATA_DIR", "DEMO_MODE")}
    if backend == "sqlite":
        path = tmp_path / "workbench.sqlite"
        shutil.copy(_sqlite_template(tmp_root), path)
        url = f"sqlite:///{path}"
        schema = None
    else:
        base = os.environ["TEST_DATABASE_URL"]
        schema = f"t_{uuid.uuid4().hex[:16]}"
        admin = create_engine(_pg_url_with_schema(base, "public"))
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        admin.dispose()
        url = _pg_url_with_schema(base, schema)
    os.environ["DATABASE_URL"] = url
    os.environ["DATA_DIR"] = str(tmp_path / "data")
    os.environ["DEMO_MODE"] = "false"
    get_settings.cache_clear()
    db.dispose_engines()
    try:
        if schema:
            db.upgrade_database(url)
        yield url
    finally:
        db.dispose_engines()
        if schema:
            admin = create_engine(_pg_url_with_schema(os.environ["TEST_DATABASE_URL"], "public"))
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        get_settings.cache_clear()
