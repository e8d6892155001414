"""Opening a store: engine set-up (SQLite pragmas, PostgreSQL via psycopg 3) and migrations."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from . import schema

DEFAULT_URL = "sqlite:///rasd.db"
"""Where ``rasd ingest`` / ``export`` / ``query`` keep their data unless ``--db`` says otherwise."""

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
MIGRATION_LOCK_KEY = 0x52415344  # "RASD": the PostgreSQL advisory lock every migration takes


def _alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _normalize_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3; a bare path means SQLite."""
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class Store:
    """A Rasd event store (SQLite or PostgreSQL), always at the newest schema once opened.

    >>> store = Store.open("sqlite:///rasd.db")   # doctest: +SKIP
    >>> store.count("events")                     # doctest: +SKIP
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @classmethod
    def open(cls, url: str = DEFAULT_URL, *, upgrade: bool = True, **engine_kw: Any) -> Store:
        """Connect to ``url`` and run the Alembic migrations up to head (unless ``upgrade=False``).

        SQLite databases run in WAL mode with foreign keys on and a 30 s busy timeout, so a
        reader (``rasd export``) can work while an ingest writes.
        """
        u = make_url(_normalize_url(url))
        if u.get_backend_name() == "sqlite":
            if u.database and u.database != ":memory:":
                Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(u, **engine_kw)
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine_kw.setdefault("pool_pre_ping", True)
            engine = create_engine(u, **engine_kw)
        store = cls(engine)
        if upgrade:
            store.upgrade()
        return store

    def upgrade(self, revision: str = "head") -> None:
        """Apply the packaged migrations up to ``revision``.

        Migrations are serialised, so processes opening a new store at the same moment do not
        both create its tables: on PostgreSQL with a transaction-level advisory lock
        (``pg_advisory_xact_lock``), on SQLite with an exclusive ``flock`` on ``<db>.lock``
        beside the database file. The second process then finds the schema at head.
        """
        with self._migration_lock(), self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            command.upgrade(_alembic_config(conn), revision)

    @contextmanager
    def _migration_lock(self) -> Iterator[None]:
        """An exclusive file lock beside a SQLite database file (nothing for other backends)."""
        url = self.engine.url
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            yield
            return
        lock = Path(url.database).expanduser().with_name(Path(url.database).name + ".lock")
        with open(lock, "a+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)  # released when the file is closed
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def revision(self) -> str | None:
        """The schema revision the database is at (``None`` before any migration)."""
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    @staticmethod
    def head() -> str | None:
        """The newest packaged schema revision."""
        return ScriptDirectory.from_config(_alembic_config()).get_current_head()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection inside one transaction (committed on success, rolled back on error)."""
        with self.engine.begin() as conn:
            yield conn

    def count(self, table: str) -> int:
        """Number of rows of one store table (``articles``, ``events``, ...)."""
        t = schema.metadata.tables[table]
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t)).scalar_one())

    def counts(self) -> dict[str, int]:
        """Row counts of every table."""
        return {name: self.count(name) for name in schema.metadata.tables}

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
