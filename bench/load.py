"""Bounded load test of the REST API on loopback: concurrent reads plus concurrent article posts.

    .venv/bin/python bench/load.py                       # SQLite store in a temp folder
    .venv/bin/python bench/load.py --db postgresql://rasd@127.0.0.1:5432/rasd_load   # an empty PG database

Starts uvicorn with :func:`rasd.web.create_app` on 127.0.0.1 (a free port, in a thread), ingests
``examples/``, then for at most ``--seconds`` (and at most ``--max-requests`` reads) runs
``--readers`` threads of GET requests while ``--posts`` unique articles are each POSTed twice at
the same time. Prints requests/s, p50/p99 latency and errors; checks every posted article is stored
exactly once. ``tests/reliability/test_reliability_api.py`` runs the same code with assertions.
A post answered ``503`` (every extraction slot taken) is retried after its ``Retry-After``, as a
well-behaved client does; those answers are counted apart (``busy``), not as errors.

``--clients N`` (e.g. 20) runs three phases instead, each for ``--seconds``: N clients reading, N
clients reviewing events (accept / reject / correct), and N clients posting new articles while 4
clients keep reading; it prints requests/s, p50, p99, errors and 503s of each.

    .venv/bin/python bench/load.py --clients 20 --seconds 15
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import random
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
    busy: int = 0  # 503 answers (retried after Retry-After)

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
            f"errors {len(self.errors)}; 503 (retried) {self.busy}"
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

    def busy() -> None:
        with lock:
            result.busy += 1

    def poster(text: str) -> None:
        with httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {token}"}) as client:
            post_article(client, text, record, on_busy=busy)

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


def post_article(client: httpx.Client, text: str, record: Any, on_busy: Any = None) -> None:
    """POST one article, retrying after ``Retry-After`` while the server answers 503."""
    while True:
        t0 = time.perf_counter()
        status = 0
        try:
            r = client.post("/api/articles", json={"text": text, "pub_date": "2023-04-11", "outlet": "Load"})
            status = r.status_code
            err = None if status in (200, 201, 503) else f"POST: {status} {r.text[:200]}"
        except httpx.HTTPError as exc:
            err = f"POST: {exc!r}"
        if status == 503:
            if on_busy is not None:
                on_busy()
            time.sleep(float(r.headers.get("Retry-After", "1")))
            continue
        record(time.perf_counter() - t0, err, post=True, status=status)
        return


class _Recorder:
    """Thread-safe latencies, errors and 503s of one kind of request."""

    def __init__(self) -> None:
        self.result = LoadResult()
        self.lock = threading.Lock()

    def __call__(self, latency: float, error: str | None, *, post: bool = False, status: int = 0) -> None:
        with self.lock:
            self.result.latencies.append(latency)
            self.result.reads += 1
            if error:
                self.result.errors.append(error)

    def busy(self) -> None:
        with self.lock:
            self.result.busy += 1


def run_phase(base: str, kind: str, clients: int, seconds: float, event_ids: list[int]) -> dict[str, LoadResult]:
    """``clients`` clients doing ``kind`` (reads, reviews, posts) for ``seconds``; with posts, 4
    more clients read meanwhile (``reads during posts``)."""
    stop = time.perf_counter() + seconds
    recorders = {kind: _Recorder()}
    if kind == "posts":
        recorders["reads during posts"] = _Recorder()
    tag = str(time.time_ns())
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def client_loop(k: int, what: str) -> None:
        rnd = random.Random(k)
        rec = recorders[what]
        with httpx.Client(base_url=base, timeout=120, headers=auth) as client:
            i = 0
            while time.perf_counter() < stop:
                i += 1
                if what == "posts":
                    post_article(client, article_texts(1, tag=f"{tag}-{k}-{i}-")[0], rec, on_busy=rec.busy)
                    continue
                t0 = time.perf_counter()
                try:
                    if what == "reviews":
                        action = rnd.choice(["accept", "reject", "correct"])
                        body: dict[str, Any] = {"action": action}
                        if action == "correct":
                            body["fields"] = {"fatalities": rnd.randint(0, 9)}
                        r = client.post(f"/api/events/{rnd.choice(event_ids)}/review", json=body)
                        path = "POST review"
                    else:
                        path = READ_PATHS[(k + i) % len(READ_PATHS)]
                        r = client.get(path)
                    err = None if r.status_code == 200 else f"{path}: {r.status_code} {r.text[:200]}"
                except httpx.HTTPError as exc:
                    err = f"{what}: {exc!r}"
                rec(time.perf_counter() - t0, err)

    started = time.perf_counter()
    jobs = [(k, kind) for k in range(clients)] + (
        [(clients + k, "reads during posts") for k in range(4)] if kind == "posts" else []
    )
    with ThreadPoolExecutor(len(jobs)) as pool:
        for f in [pool.submit(client_loop, k, what) for k, what in jobs]:
            f.result()
    for rec in recorders.values():
        rec.result.seconds = time.perf_counter() - started
    return {what: rec.result for what, rec in recorders.items()}


def _app(store: Any, create_app: Any) -> Any:
    """The app as ``rasd serve`` builds it (extraction on one process; older code: as it was)."""
    params = inspect.signature(create_app).parameters
    kw = {"extract_workers": 1, "max_pending": 4} if "extract_workers" in params else {}
    return create_app(store, token=TOKEN, **kw)


def main_clients(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from rasd.resources.loader import load_resources
    from rasd.store import Store, ingest, schema
    from rasd.web import create_app

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'load.db'}"
        store = Store.open(url)
        ingest([EXAMPLES], store, meta=EXAMPLES / "meta.jsonl", progress=False, resources=load_resources())
        with store.engine.connect() as conn:
            event_ids = list(conn.execute(select(schema.events.c.id)).scalars())
        results: dict[str, LoadResult] = {}
        with serve(_app(store, create_app)) as base:
            for kind in ("reads", "reviews", "posts"):
                results.update(run_phase(base, kind, args.clients, args.seconds, event_ids))
        store.close()
    print(f"backend {url.split(':', 1)[0]}, {args.clients} clients per phase, {args.seconds:g} s each")
    print(f"| {'requests':<20} | {'req/s':>7} | {'p50 ms':>8} | {'p99 ms':>9} | {'errors':>6} | {'503':>5} |")
    failed = False
    for kind, r in results.items():
        rate = len(r.latencies) / r.seconds if r.seconds else 0.0
        print(
            f"| {kind:<20} | {rate:>7.1f} | {r.percentile(50) * 1000:>8.1f} | {r.percentile(99) * 1000:>9.1f} "
            f"| {len(r.errors):>6} | {r.busy:>5} |"
        )
        failed = failed or bool(r.errors)
        for e in r.errors[:3]:
            print("  error:", e)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="an EMPTY store URL (default: SQLite in a temporary folder)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--max-requests", type=int, default=2000)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--clients", type=int, help="run the three 20-client phases instead (reads, reviews, posts)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "src"))
    if args.clients:
        return main_clients(args)
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
        with serve(_app(store, create_app)) as base:
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
