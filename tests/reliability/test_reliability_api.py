"""The REST API over real HTTP on loopback (issue 9): security defaults and a bounded load test.

Already proved in ``tests/api`` with the in-process TestClient (not repeated here): writes
need the right bearer token (``test_api_write.py::test_writes_need_the_right_token``), 413
over the body limit (``test_body_too_large_is_413``), 422 above the page limit
(``test_api_read.py::test_bad_parameters_are_422_with_a_message``), a generic 500
(``test_unexpected_errors_are_a_generic_500``) and CORS only when asked. Here the same
properties are checked through uvicorn and a real socket, then under concurrent load.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from rasd.store import Store, ingest, schema
from rasd.store.ingest import content_hash
from rasd.web import create_app
from rasd.web.app import MAX_BODY_BYTES, MAX_LIMIT

from .conftest import EXAMPLES, ROOT, deadline

_spec = importlib.util.spec_from_file_location("rasd_bench_load", ROOT / "bench" / "load.py")
assert _spec is not None and _spec.loader is not None
load = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = load  # dataclasses look their module up there
_spec.loader.exec_module(load)


def _store(url: str, res) -> Store:
    st = Store.open(url)
    ingest([EXAMPLES], st, meta=EXAMPLES / "meta.jsonl", progress=False, resources=res)
    return st


@pytest.fixture
def served(tmp_path: Path, res) -> Iterator[tuple[str, Store]]:
    st = _store(f"sqlite:///{tmp_path / 'api.db'}", res)
    app = create_app(st, token=load.TOKEN)

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("secret internals: /etc/shadow password=hunter2")

    with deadline(60, "serving"), load.serve(app) as base:
        yield base, st
    st.close()


def _post_status(client: httpx.Client, **kw: object) -> int | str:
    """Status of a POST to /api/articles, or "closed" when the server answered 413 and closed the
    connection before the client finished sending (it does not drain refused bodies)."""
    try:
        return client.post("/api/articles", **kw).status_code  # type: ignore[arg-type]
    except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
        return "closed"


def test_security_defaults_over_a_real_socket(served: tuple[str, Store]) -> None:
    """Proves, through uvicorn on 127.0.0.1: no CORS headers by default (simple request and
    preflight), a body over the limit is 413 whether declared or chunked and stores nothing,
    limit above MAX_LIMIT is 422, a crash is a bare JSON 500 without traceback or message, and
    no ``server`` header advertises the stack."""
    base, st = served
    before = st.counts()
    auth = {"Authorization": f"Bearer {load.TOKEN}"}
    with httpx.Client(base_url=base, timeout=30) as c:
        r = c.get("/api/events", headers={"Origin": "http://evil.example"})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
        assert "server" not in r.headers
        r = c.options(
            "/api/articles",
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in r.headers

        assert _post_status(c, json={"text": "ا" * MAX_BODY_BYTES}, headers=auth) in (413, "closed")

        def chunks() -> Iterator[bytes]:
            for _ in range(6):
                yield b" " * (MAX_BODY_BYTES // 4)

        chunked = _post_status(c, content=chunks(), headers={**auth, "Content-Type": "application/json"})
        assert chunked in (413, "closed")
        r = c.post("/api/articles", content=b"{" + b" " * (MAX_BODY_BYTES + 1), headers=auth)  # small enough to
        assert r.status_code == 413 and "bytes" in r.json()["detail"]  # be sent before the answer: a JSON 413

        for path in ("/api/events", "/api/fused-events", "/api/articles"):
            r = c.get(path, params={"limit": MAX_LIMIT + 1})
            assert r.status_code == 422 and str(MAX_LIMIT) in r.text
            assert c.get(path, params={"limit": MAX_LIMIT}).status_code == 200

        r = c.post("/api/articles", json={"text": "خبر"}, headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 401
    # uvicorn closes the connection after an unhandled exception (Starlette re-raises it after
    # the 500 is sent), so the crash gets its own client: a reused keep-alive socket may be reset
    with httpx.Client(base_url=base, timeout=30) as c:
        r = c.get("/api/boom")
        assert r.status_code == 500 and r.json() == {"detail": "internal server error"}
        assert "Traceback" not in r.text and "secret" not in r.text and "hunter2" not in r.text
    assert st.counts() == before


def _check_load(st: Store, base: str, n_posts: int, tag: str) -> None:
    before = st.count("articles")
    texts = load.article_texts(n_posts, tag=tag)
    result = load.run_load(base, texts, seconds=20, max_requests=2000, readers=4, post_workers=8)
    print(f"\n[{tag}] {result.summary()}")
    assert result.errors == []
    assert result.reads > 0 and result.posts == 2 * n_posts
    assert (result.created, result.existing) == (n_posts, n_posts)  # each text created exactly once
    a = schema.articles
    with st.engine.connect() as conn:
        hashes = list(conn.execute(select(a.c.content_hash)).scalars())
        searchable = conn.execute(select(func.count()).select_from(schema.article_search)).scalar_one()
    assert len(hashes) == len(set(hashes)) == before + n_posts
    assert {content_hash(t) for t in texts} <= set(hashes)
    assert searchable <= len(hashes)


def test_load_sqlite(tmp_path: Path, res) -> None:
    """Proves: on SQLite, 4 reader threads (bounded to 20 s and 2,000 requests) alongside 50
    articles each POSTed twice concurrently give 0 errors, and every article is stored exactly
    once (unique content hash). Prints requests/s and p50/p99 latency (not asserted)."""
    st = _store(f"sqlite:///{tmp_path / 'load.db'}", res)
    try:
        with deadline(120, "SQLite load test"), load.serve(create_app(st, token=load.TOKEN)) as base:
            _check_load(st, base, 50, "sqlite")
    finally:
        st.close()


def test_load_postgresql(request: pytest.FixtureRequest, res) -> None:
    """Proves the same on PostgreSQL with 25 articles posted twice (kept short for the suite)."""
    import uuid

    import psycopg

    server = request.getfixturevalue("pg_server")
    name = f"rasd_load_{uuid.uuid4().hex[:12]}"
    plain = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # generated name, not user input
    st = _store(f"{server}/{name}", res)
    try:
        with deadline(120, "PostgreSQL load test"), load.serve(create_app(st, token=load.TOKEN)) as base:
            _check_load(st, base, 25, "postgresql")
    finally:
        st.close()
        with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
