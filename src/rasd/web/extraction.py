"""Extraction for ``POST /api/articles``: bounded, and off the request's thread.

:class:`ArticleSlots` admits at most ``max_pending`` article posts at a time (extraction, storing
and fusion of each); a post beyond that is answered at once with ``503`` and ``Retry-After``
instead of queueing for seconds behind the others, so reads stay fast under a burst of posts.
With ``workers > 0`` the extraction itself runs in that many processes (started at once, from the
thread creating the app, each tied to this process's life by :func:`rasd.parallel.tie_to_parent`)
so it never holds the server's GIL; with ``workers=0`` it runs in the request's thread.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor

from ..api import extract_article
from ..parallel import ExtractionFailure, _extract_chunk, _init_worker, _on_main_thread
from ..resources.loader import load_resources
from ..types import Article, ArticleRecord

__all__ = ["ArticleSlots", "Busy"]

RETRY_AFTER_SECONDS = 1


class Busy(Exception):
    """Every slot is taken: answer 503 with ``Retry-After``."""


class ArticleSlots:
    """At most ``max_pending`` article posts at once; extraction on ``workers`` processes."""

    def __init__(self, *, workers: int = 0, max_pending: int = 4) -> None:
        if workers < 0 or max_pending < 1:
            raise ValueError("workers must be >= 0 and max_pending >= 1")
        self.max_pending = max_pending
        self._slots = threading.BoundedSemaphore(max_pending)
        self._pool: ProcessPoolExecutor | None = None
        if workers:
            ctx = multiprocessing.get_context()
            if ctx.get_start_method() == "fork":
                load_resources()  # inherited by the workers, copy-on-write
            init_args = (None, os.getpid(), _on_main_thread())
            self._pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=init_args)
            warm: list[Future] = [self._pool.submit(os.getpid) for _ in range(workers)]  # start them all now
            for f in warm:
                f.result()

    def __enter__(self) -> ArticleSlots:
        if not self._slots.acquire(blocking=False):
            raise Busy(f"{self.max_pending} articles are being extracted already; retry later")
        return self

    def __exit__(self, *exc: object) -> None:
        self._slots.release()

    def extract(self, article: Article) -> ArticleRecord:
        """The article's record; :class:`~rasd.parallel.ExtractionFailure` is raised as ValueError."""
        if self._pool is None:
            return extract_article(article, resources=load_resources())
        outcomes, _ = self._pool.submit(_extract_chunk, [article]).result()
        outcome = outcomes[0]
        if isinstance(outcome, ExtractionFailure):
            raise ValueError(outcome.message)
        return outcome

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
