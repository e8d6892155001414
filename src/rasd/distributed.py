"""Extraction on a Dask cluster (``rasd ingest PATH... --engine dask``).

The client (the machine running ``rasd``) reads the inputs with
:func:`rasd.pipeline.read.iter_articles`, cuts the articles into ``partitions`` contiguous
partitions and sends each to the cluster as one task. A worker extracts its partition with the
resources it loaded once (:func:`rasd.resources.loader.load_resources` is cached per process,
normally from its disk cache) and sends back only the records — never the texts, which the client
already holds. Optionally each task also writes its events as one Parquet file,
``part-NNNNN.parquet`` (the columns of ``rasd export --format parquet``; the directory must be
reachable from every worker, e.g. a shared file system). Names depend only on the partition
index and rows only on the input, so a re-run overwrites the same files with the same bytes.

The client gets the outcomes back in input order, so storing them
(:func:`rasd.store.ingest.ingest_articles`: content-hash dedupe, one transaction per batch,
fusion once at the end) gives exactly the store of a one-process ``rasd ingest``.

Requires the ``dask`` extra: ``pip install 'rasd[dask]'``.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .api import extract_article
from .errors import ReadError
from .export import record_rows, write_parquet
from .parallel import ExtractionFailure
from .pipeline.read import iter_articles, load_meta
from .resources.loader import load_resources
from .store.ingest import IngestSummary, content_hash, ingest_articles

if TYPE_CHECKING:
    from distributed import Client

    from .store.db import Store
    from .types import Article, ArticleRecord

__all__ = ["DaskRun", "PartitionResult", "dask_client", "extract_dask", "ingest_dask", "partition_name"]

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


def _split(items: list[Article], n: int) -> list[list[Article]]:
    """``n`` contiguous, nearly equal parts of ``items`` (the first ones one longer)."""
    size, extra = divmod(len(items), n)
    parts: list[list[Article]] = []
    start = 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        parts.append(items[start:end])
        start = end
    return parts


def _remove_stale(parquet_dir: Path, n: int) -> None:
    """Remove ``part-*.parquet`` files of an earlier run with more partitions than this one."""
    if not parquet_dir.is_dir():
        return
    for f in parquet_dir.iterdir():
        m = _PART_RE.match(f.name)
        if m and int(m.group(1)) >= n:
            f.unlink()


def extract_dask(
    paths: Iterable[str | Path],
    *,
    client: Client,
    partitions: int | None = None,
    meta: Mapping[str, Mapping[str, Any]] | str | Path | None = None,
    pub_date: date | None = None,
    outlet: str | None = None,
    parquet_out: str | Path | None = None,
    data_dir: str | None = None,
    on_partition: Callable[[PartitionResult], None] | None = None,
) -> Iterator[tuple[Article, ArticleRecord | ExtractionFailure] | ReadError]:
    """Extract every article of ``paths`` on the Dask cluster behind ``client``.

    Yields, in input order, ``(article, record)`` for each article (``(article,
    ExtractionFailure)`` when its extraction raised) and each :class:`ReadError` in its place —
    exactly what :func:`rasd.store.ingest.ingest_articles` accepts.

    Args:
        paths: files, folders or ``"-"``, read on the client as by :func:`iter_articles`.
        client: a ``distributed.Client`` (see :func:`dask_client`).
        partitions: number of tasks (default: twice the cluster's threads); never more than
            the number of articles.
        meta: a ``meta.jsonl`` path or a loaded mapping (``doc_id`` → metadata).
        pub_date, outlet: defaults for inputs that carry none.
        parquet_out: a directory where each task writes ``part-NNNNN.parquet`` (its events, the
            ``rasd export --format parquet`` columns); files of an earlier run with more
            partitions are removed at the end.
        data_dir: resource data directory the workers load (default: the bundled data).
        on_partition: called with each :class:`PartitionResult` as the client collects it.
    """
    if partitions is not None and partitions < 1:
        raise ValueError("partitions must be at least 1")
    if isinstance(paths, (str, Path)):
        paths = [paths]
    meta_map = load_meta(meta) if isinstance(meta, (str, Path)) else meta
    items = list(iter_articles([str(p) for p in paths], meta=meta_map, pub_date=pub_date, outlet=outlet))
    articles = [x for x in items if not isinstance(x, ReadError)]
    wanted = partitions or max(1, 2 * sum(client.nthreads().values()))
    n = min(wanted, len(articles))
    out_dir = str(Path(parquet_out).resolve()) if parquet_out is not None else None
    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
    futures = []
    for i, part in enumerate(_split(articles, n) if n else []):
        [data] = client.scatter([part])  # one object per partition, not one per article
        futures.append(client.submit(_extract_partition, i, data, out_dir, data_dir, pure=False))

    def outcomes() -> Iterator[ArticleRecord | ExtractionFailure]:
        for fut in futures:
            result: PartitionResult = fut.result()
            fut.release()
            if on_partition is not None:
                on_partition(result)
            yield from result.outcomes

    results = outcomes()
    for item in items:
        if isinstance(item, ReadError):
            yield item
        else:
            yield item, next(results)
    if out_dir is not None:
        _remove_stale(Path(out_dir), n)


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
    partitions: int | None = None,
    meta: Mapping[str, Mapping[str, Any]] | str | Path | None = None,
    pub_date: date | None = None,
    outlet: str | None = None,
    batch_size: int = 200,
    progress: bool = False,
) -> DaskRun:
    """``rasd ingest --engine dask``: extract on the cluster, then store and/or write Parquet.

    With ``store``, the records go through :func:`rasd.store.ingest.ingest_articles` on the
    client (articles already stored are skipped by content hash; fusion runs once at the end).
    Without it, the summary only counts what was read and extracted (``new`` = extracted).
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
        partitions=partitions,
        meta=meta,
        pub_date=pub_date,
        outlet=outlet,
        parquet_out=parquet_out,
        on_partition=collected,
    )
    if store is not None:
        run.summary = ingest_articles(items, store, inputs=" ".join(paths), batch_size=batch_size, progress=progress)
        return run
    started = time.perf_counter()
    s = run.summary
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
