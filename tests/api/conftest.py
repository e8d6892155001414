"""API fixtures: a store ingested from ``examples/`` on SQLite and on PostgreSQL, and clients.

The PostgreSQL server fixture (``pg_server``) is reused from ``tests/store/conftest.py``; when
the server binaries are missing the PostgreSQL cases skip (or fail in CI) exactly as there.
"""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rasd.store import Store, ingest
from rasd.web import create_app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TOKEN = "test-token-123"

_spec = importlib.util.spec_from_file_location("rasd_tests_store_conftest", ROOT / "tests" / "store" / "conftest.py")
assert _spec is not None and _spec.loader is not None
_store_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_store_conftest)
pg_server = _store_conftest.pg_server  # the session-wide throwaway PostgreSQL server


def _new_url(backend: str, request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'rasd.db'}"
        return
    import psycopg

    server = request.getfixturevalue("pg_server")
    name = f"rasd_api_{uuid.uuid4().hex[:12]}"
    plain = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # generated name, not user input
    yield f"{server}/{name}"
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


SEED = "000_73c53d1290d9c61f"
COPY = "copy_of_seed"


def _ingested(url: str, res, folder: Path) -> Store:
    """The examples, plus a second outlet's copy of the seed article (so some events fuse)."""
    st = Store.open(url)
    ingest([EXAMPLES], st, meta=EXAMPLES / "meta.jsonl", batch_size=4, progress=False, resources=res)
    copy = folder / f"{COPY}.txt"
    copy.write_text((EXAMPLES / f"{SEED}.txt").read_text(encoding="utf-8") + "\nنقلا عن وكالات.\n", encoding="utf-8")
    meta = {COPY: {"pub_date": "2023-04-11", "outlet": "Copy Outlet"}}
    ingest([copy], st, meta=meta, progress=False, resources=res)
    return st


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def ro_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, res) -> Iterator[Store]:
    """A store with the examples, shared by a module's read-only tests (one per backend)."""
    folder = tmp_path_factory.mktemp("api")
    gen = _new_url(request.param, request, folder)
    st = _ingested(next(gen), res, folder)
    yield st
    st.close()
    next(gen, None)


@pytest.fixture
def ro_client(ro_store: Store) -> TestClient:
    """Read-only client (the app has a token, but read tests do not send it)."""
    return TestClient(create_app(ro_store, token=TOKEN), raise_server_exceptions=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def rw_store(request: pytest.FixtureRequest, tmp_path: Path, res) -> Iterator[Store]:
    """A fresh store with the examples, for tests that write."""
    gen = _new_url(request.param, request, tmp_path)
    st = _ingested(next(gen), res, tmp_path)
    yield st
    st.close()
    next(gen, None)


@pytest.fixture
def rw_client(rw_store: Store) -> TestClient:
    return TestClient(create_app(rw_store, token=TOKEN), raise_server_exceptions=False)


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}
