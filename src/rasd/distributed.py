"""Extraction on a Dask cluster (``rasd ingest PATH... --engine dask``), streamed.

The client (the machine running ``rasd``) reads the inputs lazily with
:func:`rasd.inputs.iter_articles` and cuts them, as they come, into partitions of
``partition_size`` articles (default 1000). Each partition is sent to the cluster as one task as
soon as it is full, but at most ``max_in_flight`` partitions (default: twice the cluster's worker
threads) are outstanding at any time: before submitting another, the client waits for the oldest
one and hands its outcomes on. Client memory is therefore bounded by that window — about
``(max_in_flight + 1) × partition_size`` articles — whatever the size of the input, so years of
archives stream through like one folder.

A worker extracts its partition with the resources it loaded once
(:func:`rasd.resources.loader.load_resources` is cached per process, normally from its disk cache)
and sends back only the records — never the texts, which the client still holds. Optionally each
task also writes its events as one Parquet file, ``part-NNNNN.parquet`` (the columns of
``rasd export --format parquet``; the directory must be reachable from every worker, e.g. a
shared file system). Partition ``i`` is always the same slice of the input, so names and rows
depend only on the input and the partition size: a re-run overwrites the same files with the
same bytes, and files of an earlier run with more partitions are removed once the stream ends.

The outcomes come back strictly in input order, read errors in their places, so storing them
(:func:`rasd.store.ingest.ingest_articles`: content-hash dedupe, one transaction per batch,
fusion once at the end) gives exactly the store of a one-process ``rasd ingest``.

Choosing ``partition_size``: one partition is one task, so it should take a worker at least a
second or so (the scheduler's overhead per task is around a millisecond, the client's scatter per
partition a round trip) while ``(max_in_flight + 1) × partition_size`` texts still fit easily in
the client's memory. The default, 1000 articles (a few MB of text), suits news articles; lower it
for very long texts or a client with little memory, raise it for a very large cluster.

Running on a real cluster: start ``dask scheduler`` on one machine and ``dask worker
tcp://HOST:8786 --nthreads 1 --nworkers N`` on each worker machine (same rasd version everywhere),
or let dask-kubernetes / dask-jobqueue (Slurm, PBS, …) start them, then pass the scheduler's
address: ``rasd ingest PATH... --engine dask --scheduler tcp://HOST:8786``. Only the client reads
the inputs; the workers need a shared file system only for ``--parquet-out``. Without a scheduler
address, :func:`dask_client` starts a ``LocalCluster`` of one process per CPU.

Requires the ``dask`` extra: ``pip install 'rasd[dask]'``.
"""

from __future__ import annotations

import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from .api import extract_article
from .errors import ReadError
from .export import record_rows, write_parquet
from .inputs import iter_articles, load_meta
from .parallel import ExtractionFailure
from .resources.loader import load_resources
from .store.ingest import IngestSummary, content_hash, ingest_articles

if TYPE_CHECKING:
    from typing import TypeAlias

    from distributed import Client, Future

    from .store.db import Store
    from .types import Article, ArticleRecord

    _Yielded: TypeAlias = tuple[Article, ArticleRecord | ExtractionFailure] | ReadError

__all__ = [
    "DEFAULT_PARTITION_SIZE",
    "DaskRun",
    "PartitionResult",
    "dask_client",
    "extract_dask",
    "ingest_dask",
    "partition_name",
]

DEFAULT_PARTITION_SIZE = 1000
"""Articles per partition (one task on the cluster) unless told otherwise."""

_PART_RE = re.compile(r"^part-(\d{5,})\.parquet$")


def partition_name(index: int) -> str:
    """File name of partition ``index``'s Parquet output: ``part-00000.parquet``, …"""
    return f"part-{index:05d}.parquet"


@dataclass(frozen=True, slots=True)
class PartitionResult:
    """What one worker task returns: the outcome of each article, in order, and its Parquet rows."""

    index: int
    outcomes: list[ArticleRecord | ExtractionFailure]
    parquet_rows: int = 0
    worker_pid: int = 0


def _extract_partition(
    index: int, articles: list[Article], parquet_dir: str | None, data_dir: str | None
) -> PartitionResult:
    """The worker task: extract one partition (resources loaded once per worker process)."""
    res = load_resources(data_dir)  # lru-cached: once per worker process
    outcomes: list[ArticleRecord | ExtractionFailure] = []
    rows: list[dict[str, Any]] = []
    for art in articles:
        digest = content_hash(art.text)  # before extraction, which may truncate a huge text
        try:
            rec = extract_article(art, resources=res)
        except Exception as exc:  # one bad article never stops the partition
            outcomes.append(ExtractionFailure(art.path or art.doc_id, str(exc)))
            continue
        outcomes.append(rec)
        if parquet_dir is not None:
            rows.extend(record_rows(rec, content_hash=digest))
    n_rows = write_parquet(rows, Path(parquet_dir) / partition_name(index)) if parquet_dir is not None else 0
    return PartitionResult(index, outcomes, n_rows, os.getpid())


def _remove_stale(parquet_dir: Path, n: int) -> None:
    """Remove ``part-*.parquet`` files of an earlier run with more partitions than this one."""
    if not parquet_dir.is_dir():
        return
    for f in parquet_dir.iterdir():
        m = _PART_RE.match(f.name)
        if m and int(m.group(1)) >= n:
            f.unlink()


@dataclass(slots=True)
class _Segment:
    """A slice of the input in order: its items (articles and read errors) and the task
    extracting its articles (``None`` for a slice of read errors only)."""

    items: list[Article | ReadError]
    future: Future | None = None
    data: Future | None = None  # the scattered articles, released with the task

    def ready(self) -> bool:
        return self.future is None or self.future.done()

    def release(self) -> None:
        for fut in (self.future, self.data):
            if fut is not None:
                fut.release()

    def cancel(self) -> None:
        for fut in (self.future, self.data):
            if fut is not None:
                fut.cancel()


def extract_dask(
    paths: Iterable[str | Path],
    *,
    client: Client,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    max_in_flight: int | None = None,
    meta: Mapping[str, Mapping[str, Any]] | str | Path | None = None,
    pub_date: date | None = None,
    outlet: str | None = None,
    parquet_out: str | Path | None = None,
    data_dir: str | None = None,
    on_partition: Callable[[PartitionResult], None] | None = None,
) -> Iterator[tuple[Article, ArticleRecord | ExtractionFailure] | ReadError]:
    """Extract every article of ``paths`` on the Dask cluster behind ``client``, streaming.

    Yields, in input order, ``(article, record)`` for each article (``(article,
    ExtractionFailure)`` when its extraction raised) and each :class:`ReadError` in its place —
    exactly what :func:`rasd.store.ingest.ingest_articles` accepts. The input is read lazily and
    at most ``max_in_flight`` partitions are outstanding, so the client holds about
    ``(max_in_flight + 1) × partition_size`` articles at most, however long the input.

    Args:
        paths: files, folders or ``"-"``, read on the client as by :func:`iter_articles`.
        client: a ``distributed.Client`` (see :func:`dask_client`).
        partition_size: articles per partition (one task). A partition also closes early when
            it has gathered ``partition_size`` read errors, so that a long run of unreadable
            inputs does not pile up on the client either.
        max_in_flight: partitions submitted and not yet handed on, at most (a slice of read
            errors only, waiting for the partition before it, takes one of these places too).
            Default: twice the cluster's worker threads, as ``client.nthreads()`` reports them
            when each partition is submitted — so workers joining an adaptive cluster widen the
            window — and at least 2.
        meta: a ``meta.jsonl`` path or a loaded mapping (``doc_id`` → metadata).
        pub_date, outlet: defaults for inputs that carry none.
        parquet_out: a directory where task ``i`` writes ``part-{i:05d}.parquet`` (its events,
            the ``rasd export --format parquet`` columns); once the input is exhausted, files of
            an earlier run with more partitions are removed.
        data_dir: resource data directory the workers load (default: the bundled data).
        on_partition: called with each :class:`PartitionResult` as the client collects it, in
            partition order, before that partition's outcomes are yielded.

    Raises:
        ValueError: ``partition_size`` or ``max_in_flight`` below 1.
    """
    if partition_size < 1:
        raise ValueError("partition_size must be at least 1")
    if max_in_flight is not None and max_in_flight < 1:
        raise ValueError("max_in_flight must be at least 1")
    if isinstance(paths, (str, Path)):
        paths = [paths]
    meta_map = load_meta(meta) if isinstance(meta, (str, Path)) else meta
    out_dir = str(Path(parquet_out).resolve()) if parquet_out is not None else None
    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
    source = iter_articles([str(p) for p in paths], meta=meta_map, pub_date=pub_date, outlet=outlet)
    return _stream(source, client, partition_size, max_in_flight, out_dir, data_dir, on_partition)


def _stream(
    source: Iterator[Article | ReadError],
    client: Client,
    partition_size: int,
    max_in_flight: int | None,
    out_dir: str | None,
    data_dir: str | None,
    on_partition: Callable[[PartitionResult], None] | None,
) -> Iterator[_Yielded]:
    """The generator behind :func:`extract_dask` (arguments already checked)."""
    pending: deque[_Segment] = deque()
    n_parts = 0

    def window() -> int:
        if max_in_flight is not None:
            return max_in_flight
        return max(2, 2 * sum(client.nthreads().values()))

    def submit(items: list[Article | ReadError]) -> _Segment:
        nonlocal n_parts
        articles = [x for x in items if not isinstance(x, ReadError)]
        if not articles:
            return _Segment(items)
        [data] = client.scatter([articles], hash=False)  # one object per partition, not per article
        fut = client.submit(_extract_partition, n_parts, data, out_dir, data_dir, pure=False)
        n_parts += 1
        return _Segment(items, fut, data)

    def collect(seg: _Segment) -> Iterator[_Yielded]:
        if seg.future is None:
            yield from seg.items  # read errors only
            return
        result: PartitionResult = seg.future.result()
        seg.release()
        if on_partition is not None:
            on_partition(result)
        outcomes = iter(result.outcomes)
        for item in seg.items:
            yield item if isinstance(item, ReadError) else (item, next(outcomes))

    def cut(items: list[Article | ReadError]) -> Iterator[_Yielded]:
        limit = window()
        while len(pending) >= limit:  # the window is full: hand on the oldest partition first
            yield from collect(pending.popleft())
        pending.append(submit(items))
        while pending and pending[0].ready():  # and whatever has already come back
            yield from collect(pending.popleft())

    buffer: list[Article | ReadError] = []
    n_articles = n_errors = 0
    try:
        for item in source:
            buffer.append(item)
            if isinstance(item, ReadError):
                n_errors += 1
            else:
                n_articles += 1
            if n_articles >= partition_size or n_errors >= partition_size:
                yield from cut(buffer)
                buffer, n_articles, n_errors = [], 0, 0
        if buffer:
            yield from cut(buffer)
        while pending:
            yield from collect(pending.popleft())
    finally:
        for seg in pending:  # stopped early (an error, or the consumer closed the generator)
            seg.cancel()
        pending.clear()
    if out_dir is not None:
        _remove_stale(Path(out_dir), n_parts)


@dataclass
class DaskRun:
    """What :func:`ingest_dask` did: the ingest summary and the Parquet output."""

    summary: IngestSummary
    partitions: int = 0
    parquet_rows: int = 0
    workers: set[int] = field(default_factory=set)


def ingest_dask(
    paths: Iterable[str | Path],
    *,
    client: Client,
    store: Store | None = None,
    parquet_out: str | Path | None = None,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    max_in_flight: int | None = None,
    meta: Mapping[str, Mapping[str, Any]] | str | Path | None = None,
    pub_date: date | None = None,
    outlet: str | None = None,
    batch_size: int = 200,
    progress: bool = False,
    console: Console | None = None,
) -> DaskRun:
    """``rasd ingest --engine dask``: extract on the cluster, then store and/or write Parquet.

    The input streams through :func:`extract_dask` (``partition_size``, ``max_in_flight``).
    With ``store``, the records go through :func:`rasd.store.ingest.ingest_articles` on the
    client (articles already stored are skipped by content hash; fusion runs once at the end)
    and ``progress`` shows its bar. Without it, the summary only counts what was read and
    extracted (``new`` = extracted) and ``progress`` shows a bar of the articles extracted, on
    standard error (or ``console``).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [str(p) for p in paths]
    run = DaskRun(IngestSummary())

    def collected(result: PartitionResult) -> None:
        run.partitions += 1
        run.parquet_rows += result.parquet_rows
        run.workers.add(result.worker_pid)

    items = extract_dask(
        paths,
        client=client,
        partition_size=partition_size,
        max_in_flight=max_in_flight,
        meta=meta,
        pub_date=pub_date,
        outlet=outlet,
        parquet_out=parquet_out,
        on_partition=collected,
    )
    if store is not None:
        run.summary = ingest_articles(
            items, store, inputs=" ".join(paths), batch_size=batch_size, progress=progress, console=console
        )
        return run
    started = time.perf_counter()
    s = run.summary
    columns = (
        TextColumn("[bold]extract"),
        BarColumn(),
        TextColumn("{task.completed:,.0f} articles"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[rate]} {task.fields[stats]}"),
    )
    out = console or Console(stderr=True)
    with Progress(*columns, console=out, disable=not progress, transient=True) as bar:
        task = bar.add_task("extract", total=None, rate="", stats="")
        shown = 0  # partitions when the fields were last updated
        for item in items:
            if isinstance(item, ReadError):
                s.failed.append((item.path, item.reason))
                continue
            art, outcome = item
            s.read += 1
            if isinstance(outcome, ExtractionFailure):
                s.failed.append((outcome.where, f"{art.doc_id}: extraction failed: {outcome.message}"))
            else:
                s.new += 1
                s.events += len(outcome.events)
            if run.partitions == shown:
                bar.advance(task)
                continue
            shown = run.partitions
            elapsed = time.perf_counter() - started
            bar.update(
                task,
                advance=1,
                rate=f"{s.read / elapsed:,.0f} articles/s" if elapsed > 0 else "",
                stats=f"partitions {run.partitions:,} · events {s.events:,} · failed {len(s.failed):,}",
            )
    s.seconds = time.perf_counter() - started
    return run


@contextmanager
def dask_client(scheduler: str | None = None, *, workers: int | None = None) -> Iterator[Client]:
    """A ``distributed.Client`` for ``scheduler`` (``tcp://host:8786``), or for a new
    ``LocalCluster`` of ``workers`` one-thread processes (default: one per CPU) when it is ``None``.

    Raises:
        RuntimeError: Dask is not installed (``pip install 'rasd[dask]'``).
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("--engine dask needs Dask: pip install 'rasd[dask]'") from exc
    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    with (
        LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        yield client
