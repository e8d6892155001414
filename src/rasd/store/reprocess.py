"""Re-extract stored articles processed by an older extractor: ``rasd reprocess``.

An article needs reprocessing when its ``articles.extractor_version`` differs from
:func:`rasd.store.ingest.extractor_version` (or is NULL: stored before migration 0002), or when
one of its not-reviewed events carries another ``extractor_version``. Its not-reviewed events
are deleted and replaced by the current extractor's, in batches of ``batch_size`` articles, one
transaction per batch (extraction runs before the transaction opens). Fusion is re-run at the
end when anything changed.

Reviewed events are never touched: an event is *reviewed* when ``events.reviewed_at`` or
``events.review`` is set, or when it has a row in an ``event_reviews`` table (if the schema has
one). A new event that re-finds a reviewed one — the same trigger span, or for events without a
trigger the same type and sub-type — is dropped, so the analyst's version is not doubled. Kept
events keep their ``seq``; new events take the free positions in order.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, Connection, delete, exists, func, or_, select, update

from ..api import extract_article
from ..resources.loader import Resources, load_resources
from ..types import Article, Event
from . import schema
from .db import Store
from .fuse import fuse
from .ingest import extractor_version, insert_events

__all__ = ["ReprocessSummary", "reprocess", "reviewed_condition"]


@dataclass
class ReprocessSummary:
    """What one :func:`reprocess` call did.

    ``articles``: articles re-extracted; ``events_before`` / ``events_after``: their events before
    and after (reviewed ones included in both); ``kept``: reviewed events kept; ``failed``:
    ``(doc_id, reason)`` of articles whose extraction failed (left untouched); ``fused``: fused
    events afterwards (``None`` when nothing changed and fusion was not re-run).
    """

    version: str = ""
    articles: int = 0
    batches: int = 0
    events_before: int = 0
    events_after: int = 0
    kept: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    fused: int | None = None
    seconds: float = 0.0


def reviewed_condition() -> ColumnElement[bool]:
    """SQL condition on ``events``: true for events an analyst reviewed (kept by reprocess)."""
    e = schema.events
    conds: list[ColumnElement[bool]] = [e.c.reviewed_at.is_not(None), e.c.review.is_not(None)]
    reviews = schema.metadata.tables.get("event_reviews")
    if reviews is not None and "event_id" in reviews.c:
        conds.append(exists().where(reviews.c.event_id == e.c.id))
    return or_(*conds)


def _stale_condition(version: str) -> ColumnElement[bool]:
    a, e = schema.articles, schema.events
    old_event = exists().where(e.c.article_id == a.c.id, e.c.extractor_version != version, ~reviewed_condition())
    return or_(a.c.extractor_version.is_(None), a.c.extractor_version != version, old_event)


def _match_key(trigger_start: int | None, trigger_end: int | None, event_type: str, sub: str) -> tuple[object, ...]:
    if trigger_start is not None and trigger_end is not None:
        return ("trigger", trigger_start, trigger_end)
    return ("type", event_type, sub)


def _event_key(ev: Event) -> tuple[object, ...]:
    t = ev.trigger
    return _match_key(t.start if t else None, t.end if t else None, ev.event_type, ev.sub_event_type)


def _replace(conn: Connection, article_id: int, events: list[Event], version: str, summary: ReprocessSummary) -> None:
    """Replace one article's not-reviewed events by ``events`` (inside the caller's transaction)."""
    e = schema.events
    kept = conn.execute(
        select(e.c.seq, e.c.trigger_start, e.c.trigger_end, e.c.event_type, e.c.sub_event_type).where(
            e.c.article_id == article_id, reviewed_condition()
        )
    ).all()
    summary.events_before += conn.execute(select(func.count()).where(e.c.article_id == article_id)).scalar_one()
    conn.execute(delete(e).where(e.c.article_id == article_id, ~reviewed_condition()))
    taken = {k.seq for k in kept}
    reviewed_keys = {_match_key(k.trigger_start, k.trigger_end, k.event_type, k.sub_event_type) for k in kept}
    fresh = [ev for ev in events if _event_key(ev) not in reviewed_keys]
    seqs: list[int] = []
    n = 0
    while len(seqs) < len(fresh):
        if n not in taken:
            seqs.append(n)
        n += 1
    insert_events(conn, [(article_id, seq, ev) for seq, ev in zip(seqs, fresh, strict=True)], version=version)
    conn.execute(update(schema.articles).where(schema.articles.c.id == article_id).values(extractor_version=version))
    summary.kept += len(kept)
    summary.events_after += len(kept) + len(fresh)


def reprocess(
    store: Store,
    batch_size: int = 200,
    *,
    resources: Resources | None = None,
    run_fusion: bool = True,
    limit: int | None = None,
) -> ReprocessSummary:
    """Re-run the current extractor over articles processed by an older one (module docstring).

    Args:
        store: an open :class:`Store`.
        batch_size: articles per transaction.
        limit: reprocess at most this many articles (``None``: all that need it).

    Idempotent: a second call finds nothing to do. An interrupted call loses at most the batch
    in flight; running it again completes the work.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    started = time.perf_counter()
    res = resources or load_resources()
    version = extractor_version()
    summary = ReprocessSummary(version=version)
    a = schema.articles
    failed_ids: set[int] = set()
    last_id = 0
    while limit is None or summary.articles < limit:
        size = batch_size if limit is None else min(batch_size, limit - summary.articles)
        with store.engine.connect() as conn:
            rows = conn.execute(
                select(a.c.id, a.c.doc_id, a.c.text, a.c.pub_date, a.c.outlet, a.c.title, a.c.url)
                .where(a.c.id > last_id, _stale_condition(version))
                .order_by(a.c.id)
                .limit(size)
            ).all()
        if not rows:
            break
        last_id = rows[-1].id
        extracted: dict[int, list[Event]] = defaultdict(list)
        for r in rows:
            art = Article(
                text=r.text,
                doc_id=r.doc_id,
                pub_date=r.pub_date if isinstance(r.pub_date, date) else None,
                outlet=r.outlet,
                title=r.title,
                url=r.url,
            )
            try:
                extracted[r.id] = list(extract_article(art, resources=res).events)
            except Exception as exc:  # one bad article never stops the run; it stays as it was
                summary.failed.append((r.doc_id, f"extraction failed: {exc}"))
                failed_ids.add(r.id)
        with store.begin() as conn:
            for r in rows:
                if r.id not in failed_ids:
                    _replace(conn, r.id, extracted[r.id], version, summary)
                    summary.articles += 1
        summary.batches += 1
    if run_fusion and summary.articles:
        summary.fused = fuse(store)
    summary.seconds = time.perf_counter() - started
    return summary
