"""Hardening (issue 17, item 3): concurrent writers on both backends.

* several processes opening a NEW store at the same moment all succeed (migrations are
  serialised: a file lock beside a SQLite database, an advisory lock on PostgreSQL) — before,
  "table runs already exists" / UniqueViolation;
* concurrent first reviews of one event all succeed, leaving one ``event_reviews`` row (an
  upsert) — before, ``UNIQUE event_reviews.event_id`` (a 500 from the API).
"""

from __future__ import annotations

import multiprocessing
import threading
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from rasd.store import Store, ingest, schema
from rasd.store.review import review_event

PROCESSES = 4
ROUNDS = 3


def _open_at_once(url: str, barrier, errors) -> None:  # a forked child
    try:
        barrier.wait(30)
        Store.open(url).close()
    except BaseException:  # reported to the parent
        errors.put(traceback.format_exc(limit=3))
        raise SystemExit(1) from None


def _fresh_urls(backend: str, tmp_path: Path, request: pytest.FixtureRequest, n: int) -> Iterator[str]:
    if backend == "sqlite":
        for i in range(n):
            yield f"sqlite:///{tmp_path / f'fresh{i}.db'}"
        return
    import psycopg

    server = request.getfixturevalue("pg_server")
    plain = server.replace("postgresql+psycopg://", "postgresql://")
    for _ in range(n):
        name = f"rasd_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # name generated here, not user input
        yield f"{server}/{name}"


def test_processes_opening_a_new_store_at_once(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    ctx = multiprocessing.get_context("fork")
    for url in _fresh_urls(backend, tmp_path, request, ROUNDS):
        barrier, errors = ctx.Barrier(PROCESSES), ctx.Queue()
        procs = [ctx.Process(target=_open_at_once, args=(url, barrier, errors)) for _ in range(PROCESSES)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        failures = []
        while not errors.empty():
            failures.append(errors.get())
        assert not failures, failures[0]
        assert [p.exitcode for p in procs] == [0] * PROCESSES
        with Store.open(url, upgrade=False) as store:
            assert store.revision() == Store.head()


def test_concurrent_first_reviews_of_one_event(db_url: str, res, meta_path: Path) -> None:
    threads = 8
    with Store.open(db_url) as store:
        ingest([str(meta_path.parent)], store, meta=meta_path, progress=False, resources=res)
        with store.engine.connect() as conn:
            event_ids = list(conn.execute(select(schema.events.c.id).order_by(schema.events.c.id).limit(3)).scalars())
        assert event_ids
        errors: list[str] = []
        for event_id in event_ids:
            barrier = threading.Barrier(threads)

            def review(i: int, event_id: int = event_id, barrier: threading.Barrier = barrier) -> None:
                try:
                    barrier.wait(30)
                    review_event(store, event_id, "accept" if i % 2 else "reject", who=f"analyst{i}")
                except Exception:  # reported to the test thread
                    errors.append(traceback.format_exc(limit=3))

            workers = [threading.Thread(target=review, args=(i,)) for i in range(threads)]
            for t in workers:
                t.start()
            for t in workers:
                t.join(60)
            assert not errors, errors[0]
            with store.engine.connect() as conn:
                r, audit = schema.event_reviews, schema.review_audit
                reviews = conn.execute(select(r.c.status).where(r.c.event_id == event_id)).scalars().all()
                trail = conn.execute(select(audit.c.who).where(audit.c.event_id == event_id)).scalars().all()
            assert len(reviews) == 1 and reviews[0] in ("accepted", "rejected")
            assert len(trail) == threads  # every review is in the audit trail
