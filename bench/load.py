"""Bounded load test of the REST API on loopback: concurrent reads plus concurrent article posts.

    .venv/bin/python bench/load.py                       # SQLite store in a temp folder
    .venv/bin/python bench/load.py --db postgresql://rasd@127.0.0.1:5432/rasd_load   # an empty PG database

Starts uvicorn with :func:`rasd.web.create_app` on 127.0.0.1 (a free port, in a thread), ingests
``examples/``, then for at most ``--seconds`` (and at most ``--max-requests`` reads) runs
``--readers`` threads of GET requests while ``--posts`` unique articles are each POSTed twice at
the same time. Prints requests/s, p50/p99 latency and errors; checks every posted article is stored
exactly once. ``tests/reliability/test_reliability_api.py`` runs the same code with assertions.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TOKEN = "load-test-token"
READ_PATHS = (
    "/api/health",
    "/api/events?limit=50",
    "/api/events?limit=20&sort=-fatalities&country=SY",
    "/api/fused-events?limit=50",
    "/api/aggregates?by=month",
    "/api/aggregates?by=type&fused=true",
    "/api/articles?limit=20",
    "/api/articles?q=%D8%BA%D8%A7%D8%B1%D8%A9",  # غارة
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run ``app`` with uvicorn on 127.0.0.1 in a thread; yields the base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", server_header=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def article_texts(n: int, tag: str = "") -> list[str]:
    """``n`` distinct article texts built from the example articles."""
    texts = sorted(EXAMPLES.glob("*.txt"))
    return [texts[i % len(texts)].read_text(encoding="utf-8") + f"\nتحديث {tag}{i}" for i in range(n)]


@dataclass
class LoadResult:
    reads: int = 0
    posts: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    created: int = 0
    existing: int = 0

    @property
    def requests(self) -> int:
        return self.reads + self.posts

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[round(q) - 1]

    def summary(self) -> str:
        rate = self.requests / self.seconds if self.seconds else 0.0
        return (
            f"{self.requests} requests ({self.reads} reads, {self.posts} posts: {self.created} created, "
            f"{self.existing} already stored) in {self.seconds:.1f} s = {rate:.0f} req/s; "
            f"p50 {self.percentile(50) * 1000:.1f} ms, p99 {self.percentile(99) * 1000:.1f} ms; "
            f"errors {len(self.errors)}"
        )


def run_load(
    base: str,
    texts: list[str],
    *,
    token: str = TOKEN,
    seconds: float = 20.0,
    max_requests: int = 2000,
    readers: int = 4,
    post_workers: int = 8,
) -> LoadResult:
    """Reads on ``readers`` threads until every post is done and ``seconds``/``max_requests``
    allow; each text of ``texts`` is POSTed twice concurrently."""
    result = LoadResult()
    lock = threading.Lock()
    stop = threading.Event()
    started = time.perf_counter()
    end = started + seconds

    def record(latency: float, error: str | None, *, post: bool = False, status: int = 0) -> None:
        with lock:
            result.latencies.append(latency)
            if post:
                result.posts += 1
                result.created += status == 201
                result.existing += status == 200
            else:
                result.reads += 1
            if error:
                result.errors.append(error)

    def reader(k: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            i = k
            while not stop.is_set() and time.perf_counter() < end:
                with lock:
                    if result.reads >= max_requests:
                        return
                path = READ_PATHS[i % len(READ_PATHS)]
                i += 1
                t0 = time.perf_counter()
                try:
                    r = client.get(path)
                    err = None if r.status_code == 200 else f"GET {path}: {r.status_code} {r.text[:200]}"
                except httpx.HTTPError as exc:
                    err = f"GET {path}: {exc!r}"
                record(time.perf_counter() - t0, err)

    def poster(text: str) -> None:
        with httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {token}"}) as client:
            t0 = time.perf_counter()
            status = 0
            try:
                r = client.post("/api/articles", json={"text": text, "pub_date": "2023-04-11", "outlet": "Load"})
                status = r.status_code
                err = None if status in (200, 201) else f"POST: {status} {r.text[:200]}"
            except httpx.HTTPError as exc:
                err = f"POST: {exc!r}"
            record(time.perf_counter() - t0, err, post=True, status=status)

    with ThreadPoolExecutor(readers) as reads, ThreadPoolExecutor(post_workers) as posts:
        read_futures = [reads.submit(reader, k) for k in range(readers)]
        post_futures = [posts.submit(poster, t) for t in [x for t in texts for x in (t, t)]]
        for f in post_futures:
            f.result()
        stop.set()
        for f in read_futures:
            f.result()
    result.seconds = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="an EMPTY store URL (default: SQLite in a temporary folder)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--max-requests", type=int, default=2000)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--posts", type=int, default=50)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "src"))
    from rasd.resources.loader import load_resources
    from rasd.store import Store, ingest
    from rasd.store.ingest import content_hash
    from rasd.web import create_app

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'load.db'}"
        store = Store.open(url)
        res = load_resources()
        ingest([EXAMPLES], store, meta=EXAMPLES / "meta.jsonl", progress=False, resources=res)
        before = store.count("articles")
        texts = article_texts(args.posts, tag=str(time.time_ns()))
        with serve(create_app(store, token=TOKEN)) as base:
            result = run_load(base, texts, seconds=args.seconds, max_requests=args.max_requests, readers=args.readers)
        stored = store.count("articles") - before
        from sqlalchemy import func, select

        from rasd.store import schema

        a = schema.articles
        with store.engine.connect() as conn:
            dupes = conn.execute(
                select(func.count()).select_from(
                    select(a.c.content_hash).group_by(a.c.content_hash).having(func.count() > 1).subquery()
                )
            ).scalar_one()
            hashes = set(conn.execute(select(a.c.content_hash)).scalars())
        store.close()
    print(f"backend {url.split(':', 1)[0]}: {result.summary()}")
    missing = [t for t in texts if content_hash(t) not in hashes]
    print(
        f"posted {len(texts)} unique articles twice each: {stored} stored, {len(missing)} missing, {dupes} duplicated"
    )
    for e in result.errors[:10]:
        print("error:", e)
    return 0 if not result.errors and stored == len(texts) and not missing and not dupes else 1


if __name__ == "__main__":
    raise SystemExit(main())
