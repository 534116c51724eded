"""Database engine, sessions and migrations (SQLite file with WAL by default, PostgreSQL via DATABASE_URL)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core.config import get_settings
from core.errors import DatabaseUnavailable

_engines: dict[str, Engine] = {}
_MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_KEY = 7_730_001  # the advisory lock the workbench's migrations take on PostgreSQL
STARTUP_LOCK_KEY = 7_730_002  # the advisory lock held while one process prepares the database (migrate, seed)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


def make_engine(url: str) -> Engine:
    """A new engine for `url`, with SQLite tuned for several readers and one writer."""
    if url.startswith("sqlite"):
        if url in ("sqlite://", "sqlite:///:memory:"):
            raise ValueError("in-memory SQLite is not supported: use a file so threads share one database")
        Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def get_engine(url: str | None = None) -> Engine:
    """The shared engine for the configured (or given) database URL."""
    url = url or get_settings().resolved_database_url
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def dispose_engines() -> None:
    """Close every pooled connection (tests and shutdown)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


@contextmanager
def session_scope(url: str | None = None, *, write: bool = False) -> Iterator[Session]:
    """One session per user action: commit on success, roll back on any error (a lost connection: DatabaseUnavailable).

    `write=True` for a read-check-write step (a workflow transition): on SQLite the transaction takes the write
    lock at its start, so two such steps run one after the other and the second reads what the first wrote.
    (A deferred SQLite transaction that read before another writer committed could not write at all.)
    On PostgreSQL the step locks its row with SELECT ... FOR UPDATE instead."""
    session = sessionmaker(bind=get_engine(url), expire_on_commit=False)()
    try:
        if write and session.get_bind().dialect.name == "sqlite":
            session.execute(text("BEGIN IMMEDIATE"))
        yield session
        session.commit()
    except OperationalError as exc:
        # A lost connection (database restarted, backend terminated) or a database that did not answer:
        # the transaction is gone as a whole, so say plainly that nothing was saved.
        with suppress(OperationalError):  # the connection may be dead already; the server dropped the transaction
            session.rollback()
        raise DatabaseUnavailable() from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def startup_lock(url: str | None = None) -> Iterator[None]:
    """Held while a process prepares its database (migrations, prompts, demo data), so app instances and workers
    that start together do it one after the other: the next one finds it done."""
    url = url or get_settings().resolved_database_url
    if url.startswith("sqlite"):
        lock_path = Path(url.split("///", 1)[1]).with_suffix(".startup.lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    with get_engine(url).connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})
            conn.commit()


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", (url or get_settings().resolved_database_url).replace("%", "%%"))
    return cfg


def upgrade_database(url: str | None = None) -> None:
    """Apply every pending migration; safe to call on every start."""
    cfg = alembic_config(url)
    with get_engine(url).begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several app instances or workers starting together migrate one after the other, not at once.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
