"""Extract articles on several processes, results in input order (``rasd extract --workers N``).

Each worker process has the resources once: where processes start by fork (Linux), the parent
loads them before the pool starts and every worker inherits them, shared copy-on-write; elsewhere
each worker loads its own (pool initializer, :func:`rasd.resources.loader.load_resources`,
normally from its disk cache). Workers extract chunks of articles; the parent reads
the inputs, sends chunks, and yields the outcomes chunk by chunk in exactly the input order, so
the output equals a one-process run. At most ``workers * prefetch`` chunks are in flight: a huge
input (``bulk.jsonl.gz``) is streamed, never read ahead whole.

Records come back as :class:`~rasd.types.ArticleRecord` objects (plain picklable dataclasses). A
failure while extracting one article comes back as an :class:`ExtractionFailure` for that
article, never stopping the batch, as in the one-process loop of the CLI.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import TypeVar

from .api import extract_article
from .resources.loader import Resources, load_resources
from .types import Article, ArticleRecord

__all__ = ["ExtractionFailure", "WorkerInfo", "extract_parallel", "tie_to_parent"]

T = TypeVar("T")

_RESOURCES: Resources | None = None
_READY_AT: float = 0.0


@dataclass(frozen=True, slots=True)
class ExtractionFailure:
    """Extraction of one article raised: where, and the exception's message."""

    where: str
    message: str


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """Which worker extracted a chunk and when (wall clock, ``time.time()``) it had finished loading."""

    pid: int
    ready_at: float


PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCHDOG_SECONDS = 1.0


def tie_to_parent(parent_pid: int, *, pdeathsig: bool = True) -> None:
    """End this (worker) process when its parent ``parent_pid`` dies, even by ``kill -9``.

    On Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` has the kernel kill it at once (with
    ``pdeathsig``: the signal comes when the *thread* that started the process exits, so only
    for processes started from a long-lived thread). Everywhere, a daemon thread checks every
    second that the parent is still ``parent_pid`` (an orphan is adopted by another process) and
    exits otherwise.
    """
    if pdeathsig and sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watchdog below still works
            pass
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(WATCHDOG_SECONDS)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="rasd-parent-watchdog", daemon=True).start()


def _init_worker(data_dir: str | None, parent_pid: int | None = None, pdeathsig: bool = False) -> None:
    """Pool initializer: die with the parent, load the resources once per worker process."""
    global _RESOURCES, _READY_AT
    if parent_pid is not None:
        tie_to_parent(parent_pid, pdeathsig=pdeathsig)
    _RESOURCES = load_resources(data_dir)
    _READY_AT = time.time()


def _extract_chunk(articles: list[Article]) -> tuple[list[ArticleRecord | ExtractionFailure], WorkerInfo]:
    res = _RESOURCES if _RESOURCES is not None else load_resources()
    out: list[ArticleRecord | ExtractionFailure] = []
    for article in articles:
        try:
            out.append(extract_article(article, resources=res))
        except Exception as exc:  # one bad article never stops the batch
            out.append(ExtractionFailure(article.path or article.doc_id, str(exc)))
    return out, WorkerInfo(os.getpid(), _READY_AT)


def _on_main_thread() -> bool:
    """The pool's processes are started from this thread (on submit): the main thread lives as
    long as the process, so the parent-death signal cannot come early."""
    return threading.current_thread() is threading.main_thread()


def extract_parallel(
    items: Iterable[T | Article],
    workers: int,
    *,
    chunksize: int = 32,
    prefetch: int = 4,
    data_dir: str | None = None,
    on_chunk: Callable[[WorkerInfo], None] | None = None,
    max_bytes: int | None = None,
    size_of: Callable[[T | Article], int] | None = None,
) -> Iterator[tuple[T | Article, ArticleRecord | ExtractionFailure | None]]:
    """Extract every :class:`Article` of ``items`` on ``workers`` processes.

    Yields ``(item, outcome)`` for every item in input order: ``outcome`` is the record (or an
    :class:`ExtractionFailure`) for an article, and ``None`` for an item that is not an article
    (a read error from :func:`rasd.inputs.iter_articles` passes through untouched, in its
    place). ``on_chunk`` is called with the :class:`WorkerInfo` of each finished chunk (the
    benchmark uses it to time worker start-up).

    Chunks start at an eighth of ``chunksize`` articles and double up to ``chunksize``: every
    worker gets work at once and a short input is still shared out, while a long one travels in
    large chunks (fewer round trips through the pool: less work for the parent process).

    With ``max_bytes`` (and ``size_of`` giving an item's size, e.g. its text's bytes), the items
    in flight are bounded by size as well as by count: at most about ``max_bytes`` of them (plus
    one chunk) are sent and not yet yielded, however large each one is.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    ctx = multiprocessing.get_context()
    if ctx.get_start_method() == "fork":
        # Load once here: forked workers inherit the resources (pages shared copy-on-write) instead
        # of each unpickling its own; frozen, they are never scanned (and so never copied) by the
        # cyclic garbage collector.
        load_resources(data_dir)
        gc.freeze()
    it = iter(items)
    init_args = (data_dir, os.getpid(), _on_main_thread())
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=init_args) as pool:
        pending: deque[tuple[list[T | Article], Future, int]] = deque()
        size = max(1, chunksize // 8)
        limited = max_bytes is not None and size_of is not None
        chunk_bytes = max(1, (max_bytes or 0) // (2 * workers))  # every worker still gets work
        in_flight = 0

        def take(n: int) -> tuple[list[T | Article], int]:
            if not limited:
                return list(islice(it, n)), 0
            chunk: list[T | Article] = []
            total = 0
            for x in it:
                chunk.append(x)
                total += size_of(x)  # type: ignore[misc]
                if len(chunk) >= n or total >= chunk_bytes:
                    break
            return chunk, total

        def submit() -> bool:
            nonlocal size, in_flight
            chunk, nbytes = take(size)
            size = min(chunksize, size * 2)
            if not chunk:
                return False
            articles = [x for x in chunk if isinstance(x, Article)]
            pending.append((chunk, pool.submit(_extract_chunk, articles), nbytes))
            in_flight += nbytes
            return True

        def room() -> bool:
            return len(pending) < workers * prefetch and (not limited or not pending or in_flight < max_bytes)

        more = True
        while more and room():
            more = submit()
        while pending:
            chunk, future, nbytes = pending.popleft()
            outcomes, info = future.result()
            in_flight -= nbytes
            while more and room():
                more = submit()
            if on_chunk is not None:
                on_chunk(info)
            results = iter(outcomes)
            for item in chunk:
                yield item, (next(results) if isinstance(item, Article) else None)
