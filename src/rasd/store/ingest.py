"""Idempotent ingest: read → extract → store, one transaction per batch, then fusion.

A lost database connection (PostgreSQL restarted or unreachable for a moment) does not stop an
ingest: every database step (the ``runs`` row, each batch's transaction, fusion) is retried as
a whole, up to ``len(RETRY_DELAYS)`` times with growing pauses, on a fresh connection. A batch
whose commit may or may not have reached the server is safe to retry: articles are identified
by content hash, so those already stored are found and not inserted twice. Other database
errors (a full disk, a constraint, a locked SQLite file) are not retried.
"""

from __future__ import annotations

import functools
import hashlib
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Connection, exists, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from .. import __version__
from ..api import extract_article
from ..errors import ReadError
from ..inputs import iter_articles, load_meta
from ..parallel import ExtractionFailure, extract_parallel
from ..resources.loader import DATA_DIR, Resources, load_resources
from ..types import Article, ArticleRecord, Event
from ..urls import is_web_url
from . import schema
from .db import Store
from .fuse import fuse
from .records import event_row, iter_chunks

__all__ = [
    "DEFAULT_BATCH_BYTES",
    "IngestItem",
    "IngestSummary",
    "content_hash",
    "extracted_on_workers",
    "extractor_version",
    "ingest",
    "ingest_articles",
    "insert_events",
]

IngestItem = Article | ReadError | tuple[Article, ArticleRecord | ExtractionFailure]
"""What :func:`ingest_articles` accepts: an article to extract, a read error, or an article with
the outcome of its extraction done elsewhere (``rasd ingest --engine dask``)."""


@dataclass
class IngestSummary:
    """What one :func:`ingest` call did.

    ``read``: articles read; ``new``: stored now; ``skipped``: already in the store (same text);
    ``failed``: ``(path, reason)`` for inputs that could not be read or extracted; ``events``:
    events stored now; ``fused``: fused events in the store afterwards.
    """

    read: int = 0
    new: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    events: int = 0
    fused: int | None = None
    seconds: float = 0.0
    run_id: int | None = None

    @property
    def rate(self) -> float:
        """Articles read per second."""
        return self.read / self.seconds if self.seconds > 0 else 0.0


DEFAULT_BATCH_BYTES = 32 * 1024 * 1024
"""A batch is also cut when its articles' texts reach this many bytes (``--batch-bytes``): memory
follows the size of the input's records, not ``batch_size`` times the largest one."""


def text_bytes(item: object) -> int:
    """Bytes the article text an ingest item carries takes in memory (``sys.getsizeof``: no copy,
    about its UTF-8 size for Arabic); 0 for a read error."""
    if isinstance(item, tuple):
        item = item[0]
    art = getattr(item, "article", item)  # a _Stored wrapper
    return sys.getsizeof(art.text) if isinstance(art, Article) else 0


def content_hash(text: str) -> str:
    """sha256 (hex) of an article's text: the store's identity of an article."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=1)
def extractor_version() -> str:
    """``<rasd version>+<digest of the bundled resource data>``, recorded with every event."""
    digest = hashlib.sha1()
    for f in sorted(DATA_DIR.rglob("*")):
        if f.is_file():
            digest.update(str(f.relative_to(DATA_DIR)).encode())
            digest.update(f.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:10]}"


def _now() -> datetime:
    return datetime.now(UTC)


RETRY_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0)
"""Pauses (seconds) before each retry of a database step after a lost connection (~15 s in all)."""

# SQLSTATEs of a connection the server dropped or refused for now: connection exceptions (08xxx),
# admin/crash shutdown, "the database system is starting up / shutting down".
_TRANSIENT_SQLSTATES = ("08", "57P01", "57P02", "57P03")

T = TypeVar("T")


def _transient(exc: BaseException) -> bool:
    """Whether ``exc`` is a lost or refused database connection, worth retrying on a new one."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    if type(orig).__module__.split(".")[0] != "psycopg":  # SQLite: locks wait in busy_timeout
        return False
    state = getattr(orig, "sqlstate", None)
    if state is None:  # psycopg's own connection failures (refused, reset, closed) carry none
        return type(orig).__name__ in ("OperationalError", "InterfaceError")
    return state.startswith(_TRANSIENT_SQLSTATES)


def _retrying(step: Callable[[], T], what: str, warn: Callable[[str], None] | None = None) -> T:
    """Run ``step`` (one whole transaction); after a lost connection run it again, pausing
    :data:`RETRY_DELAYS` in turn; the last error propagates when every retry failed too."""
    for delay in (*RETRY_DELAYS, None):
        try:
            return step()
        except DBAPIError as exc:
            if delay is None or not _transient(exc):
                raise
            if warn is not None:
                reason = " ".join(str(exc.orig or exc).split())[:200]
                warn(f"database connection lost during {what} ({reason}); retrying in {delay:g} s")
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def _existing(conn: Connection, hashes: Iterable[str]) -> set[str]:
    a = schema.articles
    found: set[str] = set()
    for chunk in iter_chunks(sorted(set(hashes)), 500):
        found.update(conn.execute(select(a.c.content_hash).where(a.c.content_hash.in_(chunk))).scalars())
    return found


def _stored_by(conn: Connection, hashes: Iterable[str]) -> dict[str, int | None]:
    """``content_hash`` → ``run_id`` of the articles among ``hashes`` already in the store."""
    a = schema.articles
    found: dict[str, int | None] = {}
    for chunk in iter_chunks(sorted(set(hashes)), 500):
        rows = conn.execute(select(a.c.content_hash, a.c.run_id).where(a.c.content_hash.in_(chunk)))
        found.update((h, rid) for h, rid in rows)
    return found


def _count_events(conn: Connection, hashes: list[str]) -> int:
    """Number of events of the stored articles with these content hashes."""
    a, e = schema.articles, schema.events
    n = 0
    for chunk in iter_chunks(sorted(hashes), 500):
        q = select(func.count()).select_from(e.join(a, a.c.id == e.c.article_id)).where(a.c.content_hash.in_(chunk))
        n += int(conn.execute(q).scalar_one())
    return n


def _fusion_stale(store: Store) -> bool:
    """Whether some event belongs to no fused event (fusion of an earlier run did not finish)."""
    e, fm = schema.events, schema.fused_event_members
    with store.engine.connect() as conn:
        orphan = select(e.c.id).where(~exists().where(fm.c.event_id == e.c.id)).limit(1)
        return conn.execute(orphan).first() is not None


def insert_events(conn: Connection, items: list[tuple[int, int, Event]], *, version: str) -> int:
    """Insert events given as ``(article_id, seq, event)`` with their evidence and sources.

    Returns the number of events inserted. Shared by ingest and :func:`rasd.store.reprocess`.
    """
    if not items:
        return 0
    e = schema.events
    ev_rows = [event_row(ev, article_id=aid, seq=seq, extractor_version=version) for aid, seq, ev in items]
    ev_ids = conn.execute(insert(e).returning(e.c.id, sort_by_parameter_order=True), ev_rows).scalars().all()
    ev_objs = [ev for _, _, ev in items]
    spans = [
        {"event_id": eid, "seq": i, "start": s.start, "end": s.end}
        for eid, ev in zip(ev_ids, ev_objs, strict=True)
        for i, s in enumerate(ev.evidence)
    ]
    sources = [
        {"event_id": eid, "seq": i, "name": name}
        for eid, ev in zip(ev_ids, ev_objs, strict=True)
        for i, name in enumerate(ev.sources)
    ]
    if spans:
        conn.execute(insert(schema.evidence), spans)
    if sources:
        conn.execute(insert(schema.event_sources), sources)
    return len(ev_rows)


def _store_batch(
    conn: Connection, items: list[tuple[Article, str, ArticleRecord]], *, run_id: int, version: str
) -> int:
    """Insert articles and their events, evidence and sources; returns the number of events."""
    if not items:
        return 0
    now = _now()
    a = schema.articles
    art_rows = [
        {
            "doc_id": art.doc_id,
            "content_hash": h,
            "outlet": art.outlet,
            "pub_date": art.pub_date,
            "url": art.url,
            "title": art.title,
            "text": art.text,
            "ingested_at": now,
            "run_id": run_id,
            "extractor_version": version,
        }
        for art, h, _ in items
    ]
    art_ids = conn.execute(insert(a).returning(a.c.id, sort_by_parameter_order=True), art_rows).scalars().all()
    events = [
        (art_id, seq, ev)
        for art_id, (_, _, rec) in zip(art_ids, items, strict=True)
        for seq, ev in enumerate(rec.events)
    ]
    return insert_events(conn, events, version=version)


def _commit_batch(
    store: Store,
    articles: list[tuple[Article, ArticleRecord | ExtractionFailure | None]],
    summary: IngestSummary,
    *,
    res: Resources | None,
    run_id: int,
    version: str,
    warn: Callable[[str], None] | None = None,
) -> None:
    """Extract the batch's new articles and store them in ONE transaction.

    An article paired with an outcome was extracted elsewhere: its record is stored as is (or its
    :class:`ExtractionFailure` reported); one paired with ``None`` is extracted here.
    """
    hashed = [(art, outcome, content_hash(art.text)) for art, outcome in articles]

    def _known() -> set[str]:
        with store.engine.connect() as conn:
            return _existing(conn, (h for _, _, h in hashed))

    known = _retrying(_known, "the batch's look-up", warn)
    todo: list[tuple[Article, str, ArticleRecord]] = []
    seen = set(known)
    skipped = 0
    for art, outcome, h in hashed:
        if h in seen:
            skipped += 1
            continue
        seen.add(h)
        if isinstance(outcome, ExtractionFailure):
            summary.failed.append((outcome.where, f"{art.doc_id}: extraction failed: {outcome.message}"))
            continue
        if outcome is not None:
            todo.append((art, h, outcome))
            continue
        if res is None:
            res = load_resources()  # loaded only when something is extracted here
        try:
            rec = extract_article(art, resources=res)
        except Exception as exc:  # one bad article never stops the ingest
            summary.failed.append((art.path or art.doc_id, f"{art.doc_id}: extraction failed: {exc}"))
            continue
        todo.append((art, h, rec))
    new = n_events = attempts = 0

    def _store() -> None:
        # A retry checks the batch again inside its own transaction: another writer may have
        # stored some of the articles meanwhile (IntegrityError), or our commit reached the
        # server just before the connection dropped (then the rows carry this run's id).
        nonlocal skipped, new, n_events, attempts
        attempts += 1
        add_new = add_events = add_skipped = 0
        pending = todo
        with store.begin() as conn:
            if attempts > 1:
                again = _stored_by(conn, (h for _, h, _ in todo))
                ours = [h for h, rid in again.items() if rid == run_id]
                add_new, add_skipped = len(ours), len(again) - len(ours)
                add_events = _count_events(conn, ours)
                pending = [t for t in todo if t[1] not in again]
            add_events += _store_batch(conn, pending, run_id=run_id, version=version)
            add_new += len(pending)
        new, n_events, skipped = new + add_new, n_events + add_events, skipped + add_skipped

    try:
        _retrying(_store, "a batch's transaction", warn)
    except IntegrityError:  # a concurrent writer stored some of these articles: check again
        _retrying(_store, "a batch's transaction", warn)
    summary.skipped += skipped
    summary.new += new
    summary.events += n_events


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    meta: Mapping[str, Mapping[str, Any]] | str | Path | None = None,
    batch_size: int = 200,
    progress: bool = True,
    *,
    pub_date: date | None = None,
    outlet: str | None = None,
    resources: Resources | None = None,
    run_fusion: bool = True,
    console: Console | None = None,
    workers: int = 1,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
) -> IngestSummary:
    """Read, extract and store every article of ``paths``; articles already stored are skipped.

    Idempotent: an article whose text (sha256) is already in the store is not extracted again,
    so re-running over the same inputs adds nothing. Each batch of ``batch_size`` articles is
    committed in one transaction: a killed ingest loses at most the batch in flight, and a
    re-run completes it. A lost database connection is retried (see the module docstring; a
    warning goes to ``console``); any other database error propagates with nothing of the
    failed batch stored. After the batches, events are fused across articles (:func:`fuse`).

    Args:
        paths: files, folders or ``"-"``, as for :func:`rasd.inputs.iter_articles`.
        store: an open :class:`Store`.
        meta: a ``meta.jsonl`` path or an already loaded mapping (``doc_id`` → metadata).
        batch_size: articles per transaction.
        batch_bytes: a batch also ends when its texts reach this many bytes (UTF-8), and so does
            the look-ahead sent to the workers: peak memory stays bounded with huge records.
        progress: show a Rich progress bar (articles/s) on standard error.
        workers: extract on this many processes (:func:`rasd.parallel.extract_parallel`); this
            process reads and stores, and articles already stored are not sent to the workers.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if batch_bytes < 1:
        raise ValueError("batch_bytes must be at least 1")
    if workers < 1:
        raise ValueError("workers must be at least 1")
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [str(p) for p in paths]
    meta_map = load_meta(meta) if isinstance(meta, (str, Path)) else meta
    items: Iterable[IngestItem] = iter_articles(paths, meta=meta_map, pub_date=pub_date, outlet=outlet)
    if workers > 1:
        items = extracted_on_workers(items, store, workers, max_bytes=batch_bytes)
    return ingest_articles(
        items,
        store,
        inputs=" ".join(paths),
        batch_size=batch_size,
        batch_bytes=batch_bytes,
        progress=progress,
        resources=resources,
        run_fusion=run_fusion,
        console=console,
    )


@dataclass(frozen=True, slots=True)
class _Stored:
    """An article whose text is in the store already: it travels past the workers unextracted."""

    article: Article


def extracted_on_workers(
    items: Iterable[Article | ReadError],
    store: Store,
    workers: int,
    lookahead: int = 256,
    *,
    max_bytes: int = DEFAULT_BATCH_BYTES,
) -> Iterator[IngestItem]:
    """``items`` as :func:`ingest_articles` takes them, the new articles extracted on ``workers``
    processes, in input order; articles already stored (by content hash, looked up ``lookahead``
    at a time, or fewer when their texts reach ``max_bytes``) are passed on unextracted, so a
    re-run costs no extraction. The texts in flight to the workers stay under ``max_bytes`` too.
    Each of the two gets a quarter of ``max_bytes``: with the batch being filled (``batch_bytes``)
    the parent then holds about 1.5 times ``max_bytes`` of text, plus a record or two."""
    share = max(1, max_bytes // 4)

    def screened() -> Iterator[Article | ReadError | _Stored]:
        for chunk in iter_chunks(items, lookahead, max_bytes=share, size_of=text_bytes):
            hashes = {id(x): content_hash(x.text) for x in chunk if isinstance(x, Article)}
            try:
                with store.engine.connect() as conn:
                    known = _existing(conn, hashes.values())
            except DBAPIError:  # the batches' own look-ups retry and report it
                known = set()
            for x in chunk:
                yield _Stored(x) if isinstance(x, Article) and hashes[id(x)] in known else x

    for item, outcome in extract_parallel(screened(), workers, max_bytes=share, size_of=text_bytes):
        if isinstance(item, _Stored):
            yield item.article  # skipped by its hash when its batch is stored
        elif isinstance(item, Article) and outcome is not None:
            yield item, outcome
        else:
            yield item  # type: ignore[misc]  # a ReadError, in its place


def ingest_articles(
    items: Iterable[IngestItem],
    store: Store,
    *,
    inputs: str = "",
    batch_size: int = 200,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    progress: bool = False,
    resources: Resources | None = None,
    run_fusion: bool = True,
    console: Console | None = None,
) -> IngestSummary:
    """Extract and store already-read articles (a :class:`ReadError` item counts as a failure).

    The engine behind :func:`ingest`, for callers that read articles themselves (feeds,
    benchmarks): same idempotence (by content hash), one transaction per ``batch_size`` articles
    (fewer when their texts reach ``batch_bytes``),
    one ``runs`` row (``inputs`` is recorded there) and fusion at the end when anything is new
    (or when an earlier run stopped before its fusion).
    An item ``(article, record)`` was extracted elsewhere (e.g. on Dask workers,
    :mod:`rasd.distributed`): it is stored without extracting again (``(article,
    ExtractionFailure)`` counts as a failure).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    res = resources
    version = extractor_version()
    summary = IngestSummary()
    started = time.perf_counter()
    out = console or Console(stderr=True)

    def warn(message: str) -> None:
        out.print(f"[yellow]rasd: warning:[/] {message}", markup=True, highlight=False, soft_wrap=True)

    def _start_run() -> int:
        with store.begin() as conn:
            return int(
                conn.execute(
                    insert(schema.runs).returning(schema.runs.c.id),
                    {
                        "started_at": _now(),
                        "extractor_version": version,
                        "inputs": inputs[:10_000],
                        "n_read": 0,
                        "n_new": 0,
                        "n_skipped": 0,
                        "n_failed": 0,
                        "n_events": 0,
                    },
                ).scalar_one()
            )

    run_id = _retrying(_start_run, "the start of the run", warn)
    summary.run_id = run_id
    columns = (
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[rate]} {task.fields[stats]}"),
    )
    with Progress(*columns, console=out, disable=not progress, transient=True) as bar:
        task = bar.add_task("ingest", total=None, rate="", stats="")
        for chunk in iter_chunks(items, batch_size, max_bytes=batch_bytes, size_of=text_bytes):
            articles: list[tuple[Article, ArticleRecord | ExtractionFailure | None]] = []
            for item in chunk:
                if isinstance(item, ReadError):
                    where = item.path if item.line is None else f"{item.path}:{item.line}"
                    summary.failed.append((where, item.reason))
                    continue
                art = item[0] if isinstance(item, tuple) else item
                if art.url is not None and not is_web_url(art.url):  # never store a javascript: link
                    where = f"{art.path}: {art.doc_id}" if art.path else art.doc_id
                    warn(f"{where}: url {art.url[:200]!r} dropped (only http(s) URLs are kept; the article is)")
                    art.url = None
                articles.append(item if isinstance(item, tuple) else (item, None))
            summary.read += len(articles)
            _commit_batch(store, articles, summary, res=res, run_id=run_id, version=version, warn=warn)
            elapsed = time.perf_counter() - started
            bar.update(
                task,
                advance=len(articles),
                rate=f"{summary.read / elapsed:,.0f} articles/s" if elapsed > 0 else "",
                stats=f"new {summary.new:,} · skipped {summary.skipped:,} · failed {len(summary.failed):,}",
            )
    if run_fusion:
        # Also when nothing is new, if an earlier run stopped before (or during) its fusion.
        if summary.new or _retrying(lambda: _fusion_stale(store), "the fusion check", warn):
            summary.fused = _retrying(lambda: fuse(store), "fusion", warn)
        else:
            summary.fused = _retrying(lambda: store.count("fused_events"), "fusion", warn)
    summary.seconds = time.perf_counter() - started

    def _finish_run() -> None:
        with store.begin() as conn:
            conn.execute(
                update(schema.runs)
                .where(schema.runs.c.id == run_id)
                .values(
                    finished_at=_now(),
                    n_read=summary.read,
                    n_new=summary.new,
                    n_skipped=summary.skipped,
                    n_failed=len(summary.failed),
                    n_events=summary.events,
                )
            )

    _retrying(_finish_run, "the end of the run", warn)
    return summary
