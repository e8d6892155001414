#!/usr/bin/env python3
"""Benchmark ``rasd ingest``: articles/s and database size into SQLite and PostgreSQL.

Usage::

    .venv/bin/python bench/bench_ingest.py [--corpus ../shared/corpus/bulk.jsonl.gz] [--articles 10000]
                                           [--batch-size 200] [--workers 1] [--out bench/ingest_results.json]

Ingests the first N articles of the bulk corpus (read with the normal reader, so reading,
extraction, storage and the final fusion are all timed, exactly as ``rasd ingest`` does) into a
fresh SQLite file and into a throwaway PostgreSQL server started like ``tests/store/conftest.py``
does (``initdb``/``pg_ctl`` on a free loopback port; skipped with a message when the binaries are
not installed). Prints articles/s and the database size per 1,000 articles (SQLite: the file plus
its WAL after a checkpoint; PostgreSQL: ``pg_database_size``; both minus the size of the freshly
migrated empty database), and writes the figures as JSON. ``--workers N`` extracts on N processes,
as ``rasd ingest --workers N`` does. The PostgreSQL server runs with its
default durability settings (fsync on), unlike the test server.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import text  # noqa: E402

from rasd.inputs import iter_articles  # noqa: E402
from rasd.resources.loader import load_resources  # noqa: E402
from rasd.store import Store, extractor_version, ingest_articles  # noqa: E402
from rasd.store.ingest import extracted_on_workers  # noqa: E402
from rasd.store.pgserver import find_bindir, throwaway_server  # noqa: E402


@contextmanager
def pg_server() -> Iterator[str]:
    """A durable throwaway PostgreSQL server (default fsync settings, unlike the tests) with a
    ``rasd_bench`` database; removed after."""
    import psycopg

    with throwaway_server(durable=True, prefix="rasd-bench-pg-") as server:
        with psycopg.connect(
            server.replace("postgresql+psycopg://", "postgresql://") + "/postgres", autocommit=True
        ) as conn:
            conn.execute('CREATE DATABASE "rasd_bench"')
        yield f"{server}/rasd_bench"


def _size_bytes(store: Store, sqlite_path: Path | None) -> int:
    if sqlite_path is not None:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(p.stat().st_size for p in sqlite_path.parent.glob(sqlite_path.name + "*"))
    with store.engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def run(
    name: str, url: str, corpus: Path, n: int, batch_size: int, sqlite_path: Path | None, workers: int = 1
) -> dict[str, Any]:
    """Ingest the first ``n`` articles of ``corpus`` into ``url``; returns the figures."""
    res = load_resources()
    store = Store.open(url)
    try:
        empty = _size_bytes(store, sqlite_path)
        items = itertools.islice(iter_articles([corpus], auto_meta=False), n)
        started = time.perf_counter()
        if workers > 1:
            items = extracted_on_workers(items, store, workers)
        summary = ingest_articles(
            items, store, inputs=str(corpus), batch_size=batch_size, progress=sys.stderr.isatty(), resources=res
        )
        seconds = time.perf_counter() - started
        size = _size_bytes(store, sqlite_path)
        counts = {t: store.count(t) for t in ("articles", "events", "fused_events")}
    finally:
        store.close()
    stored = max(1, counts["articles"])
    out = {
        "backend": name,
        "workers": workers,
        "articles_read": summary.read,
        "articles_stored": counts["articles"],
        "events": counts["events"],
        "fused_events": counts["fused_events"],
        "failed": len(summary.failed),
        "seconds": round(seconds, 2),
        "articles_per_s": round(summary.read / seconds, 1),
        "db_bytes": size,
        "db_bytes_empty": empty,
        "mb_per_1000_articles": round((size - empty) / 1e6 / stored * 1000, 2),
    }
    print(
        f"{name:10s} {out['articles_read']:>7,} articles in {seconds:7.1f} s = {out['articles_per_s']:7.1f} articles/s"
        f" · {out['events']:,} events · {size / 1e6:.1f} MB ({empty / 1e6:.1f} MB empty)"
        f" = {out['mb_per_1000_articles']:.2f} MB per 1,000 articles"
    )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "bulk.jsonl.gz")
    ap.add_argument("--articles", "-n", type=int, default=10_000, help="first N articles of the corpus")
    ap.add_argument("--batch-size", type=int, default=200, help="articles per transaction (as rasd ingest)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "ingest_results.json")
    ap.add_argument("--no-postgres", action="store_true", help="only benchmark SQLite")
    ap.add_argument("--workers", type=int, default=1, help="extraction processes (as rasd ingest --workers)")
    args = ap.parse_args(argv)
    if not args.corpus.is_file():
        print(f"bench_ingest: corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    results: dict[str, Any] = {
        "corpus": str(args.corpus),
        "articles": args.articles,
        "batch_size": args.batch_size,
        "extractor_version": extractor_version(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "backends": {},
    }
    with tempfile.TemporaryDirectory(prefix="rasd-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        results["backends"]["sqlite"] = run(
            "sqlite", f"sqlite:///{path}", args.corpus, args.articles, args.batch_size, path, args.workers
        )
    bindir = None if args.no_postgres else find_bindir()
    if bindir is None:
        reason = "--no-postgres" if args.no_postgres else "PostgreSQL binaries (initdb, pg_ctl) not found"
        print(f"postgresql skipped: {reason}")
        results["backends"]["postgresql"] = {"skipped": reason}
    else:
        with pg_server() as url:
            results["backends"]["postgresql"] = run(
                "postgresql", url, args.corpus, args.articles, args.batch_size, None, args.workers
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
