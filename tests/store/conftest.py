"""Store fixtures: a ``backend`` parameter (sqlite, postgresql) and a fresh database URL per test.

PostgreSQL runs on a throwaway server started once per test session (per xdist worker) with
``initdb``/``pg_ctl`` in a temporary folder, listening on a free loopback port (as root, the
server runs as the ``postgres`` system user via ``runuser``). When the server binaries are not
installed, the PostgreSQL tests FAIL with a clear message in CI (``CI`` set in the environment)
and are skipped otherwise; ``make pg`` installs them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from rasd.store.pgserver import PostgresUnavailable, find_bindir, throwaway_server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PG_MISSING = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found: run `make pg` "
    "(apt-get install -y postgresql) to run the PostgreSQL store tests"
)


_pg_bindir = find_bindir  # the reliability tests restart the server with these binaries


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """URL (``postgresql+psycopg://rasd@127.0.0.1:<port>``) of a throwaway PostgreSQL server."""
    if find_bindir() is None:
        if os.environ.get("CI"):
            pytest.fail(PG_MISSING, pytrace=False)
        pytest.skip(PG_MISSING)
    try:
        with throwaway_server() as url:
            yield url
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database on the chosen backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'rasd.db'}"
        return
    import psycopg

    server = request.getfixturevalue("pg_server")
    name = f"rasd_{uuid.uuid4().hex[:12]}"
    plain = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # name is generated above, not user input
    yield f"{server}/{name}"
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def meta_path() -> Path:
    return EXAMPLES / "meta.jsonl"
