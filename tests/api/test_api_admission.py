"""Hardening (issue 17, item 3): ``POST /api/articles`` is admitted ``max_pending`` at a time and
extracted off the request's thread; beyond that the answer is 503 with ``Retry-After`` at once
(before: every post queued behind the others' extraction, p99 16 s under 20 clients)."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from rasd.store import Store, schema
from rasd.web import create_app

TOKEN = "test-token-123"  # tests/api/conftest.py
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TEXT = "غارة جوية على مدينة إدلب\nقتل 3 مدنيين في غارة جوية على مدينة إدلب أمس {}"


def test_full_slots_answer_503_with_retry_after(rw_store: Store) -> None:
    app = create_app(rw_store, token=TOKEN, max_pending=1)
    client = TestClient(app, raise_server_exceptions=False)
    with app.state.article_slots:  # one post in progress: every slot taken
        r = client.post("/api/articles", json={"text": TEXT.format(1)}, headers=AUTH)
        assert r.status_code == 503 and r.headers["Retry-After"] == "1"
        assert "retry later" in r.json()["detail"]
        assert client.get("/api/events?limit=5").status_code == 200  # reads are not held up
    r = client.post("/api/articles", json={"text": TEXT.format(1)}, headers=AUTH)
    assert r.status_code == 201 and r.json()["events"]


def test_extraction_on_a_worker_process(rw_store: Store) -> None:
    app = create_app(rw_store, token=TOKEN, extract_workers=1)
    client = TestClient(app, raise_server_exceptions=False)
    r = client.post("/api/articles", json={"text": TEXT.format(2), "pub_date": "2018-05-10"}, headers=AUTH)
    assert r.status_code == 201, r.text
    assert r.json()["events"][0]["sub_event_type"] == "Air/drone strike"
    app.state.article_slots.close()


def test_twenty_concurrent_posts(rw_store: Store) -> None:
    """20 clients post at once with 2 slots: each answer is 201 or 503 (never a 500 and never a
    long wait), and clients that honour Retry-After get every article stored once."""
    app = create_app(rw_store, token=TOKEN, max_pending=2)
    client = TestClient(app, raise_server_exceptions=False)
    statuses: list[int] = []
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(20)

    def post(i: int) -> None:
        barrier.wait(30)
        while True:
            t0 = time.perf_counter()
            r = client.post("/api/articles", json={"text": TEXT.format(100 + i)}, headers=AUTH)
            with lock:
                statuses.append(r.status_code)
                latencies.append(time.perf_counter() - t0)
            if r.status_code != 503:
                return
            time.sleep(0.05)  # shorter than Retry-After: the test needs no real back-off

    threads = [threading.Thread(target=post, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert set(statuses) <= {201, 503} and statuses.count(201) == 20
    with rw_store.engine.connect() as conn:
        texts = set(conn.execute(select(schema.articles.c.text)).scalars())
    assert all(TEXT.format(100 + i) in texts for i in range(20))


@pytest.mark.parametrize("bad", [{"max_pending": 0}, {"extract_workers": -1}])
def test_bad_settings(rw_store: Store, bad: dict) -> None:
    with pytest.raises(ValueError):
        create_app(rw_store, token=TOKEN, **bad)
