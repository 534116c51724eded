"""Backups of the workbench database: SQLite's online backup API, or pg_dump / psql for PostgreSQL."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from core.config import get_settings
from core.errors import WorkbenchError


def _sqlite_path(url: str) -> Path:
    return Path(make_url(url).database or "")


def _pg_args(url: str) -> list[str]:
    u = make_url(url.replace("+psycopg", ""))
    args = ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres", "-d", u.database or "postgres"]
    return args


def workbench_schema(url: str) -> str | None:
    """The schema a URL's `options=-csearch_path=...` puts the workbench in, if any (else the database's default)."""
    options = make_url(url.replace("+psycopg", "")).query.get("options") or ""
    found = re.search(r"search_path=([A-Za-z_][A-Za-z0-9_]*)", options if isinstance(options, str) else " ".join(options))
    return found.group(1) if found else None


def backup_database(out: Path, url: str | None = None) -> Path:
    """Write a consistent copy of the database to `out`, safe while the app is running."""
    url = url or get_settings().resolved_database_url
    out.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(out)
        try:
            with target:
                source.backup(target)  # page by page, while writers continue (WAL)
        finally:
            source.close()
            target.close()
        return out
    if not shutil.which("pg_dump"):
        raise WorkbenchError("pg_dump is not installed: install the PostgreSQL client tools (Debian: postgresql-client).")
    with out.open("wb") as fh:
        schema = workbench_schema(url)  # a workbench in its own schema is dumped alone, not with its neighbours
        scope = [f"--schema={schema}"] if schema else []
        done = subprocess.run(["pg_dump", "--no-owner", "--format=plain", *scope, *_pg_args(url)], stdout=fh, stderr=subprocess.PIPE)
    if done.returncode != 0:
        out.unlink(missing_ok=True)
        raise WorkbenchError(f"pg_dump failed: {done.stderr.decode(errors='replace').strip()[:500]}")
    return out


def restore_database(source: Path, url: str | None = None) -> None:
    """Restore a backup made by backup_database into the configured (empty) database."""
    url = url or get_settings().resolved_database_url
    if not source.exists():
        raise WorkbenchError(f"No backup file at {source}.")
    if url.startswith("sqlite"):
        target_path = _sqlite_path(url)
        if target_path.exists() and target_path.stat().st_size > 0:
            raise WorkbenchError(f"{target_path} exists: restore into a new DATA_DIR or move the old file away first.")
        target_path.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(source)
        dst = sqlite3.connect(target_path)
        try:
            with dst:
                src.backup(dst)
        finally:
            src.close()
            dst.close()
        return
    if not shutil.which("psql"):
        raise WorkbenchError("psql is not installed: install the PostgreSQL client tools (Debian: postgresql-client).")
    done = subprocess.run(["psql", "-v", "ON_ERROR_STOP=1", "-q", *_pg_args(url), "-f", str(source)], capture_output=True)
    if done.returncode != 0:
        raise WorkbenchError(f"psql failed: {done.stderr.decode(errors='replace').strip()[:500]}")
