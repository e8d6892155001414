"""Event ⇄ row conversion and reading stored records back as v1 :class:`ArticleRecord` objects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, or_, select

from ..types import Actor, ArticleRecord, Event, Location, Span
from . import schema
from .db import Store

__all__ = [
    "REVIEW_CHOICES",
    "REVIEW_STATUSES",
    "EventFilter",
    "event_row",
    "events_of",
    "iter_article_events",
    "load_records",
    "review_condition",
    "review_status",
    "row_event",
]


def event_row(event: Event, *, article_id: int, seq: int, extractor_version: str) -> dict[str, Any]:
    """The ``events`` row of one extracted event (v1 fields flattened)."""
    loc, a1, a2 = event.location, event.actor1, event.actor2
    return {
        "article_id": article_id,
        "seq": seq,
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "date": event.date,
        "date_precision": event.date_precision,
        "has_location": loc is not None,
        "location_text": loc.text if loc else None,
        "location_name": loc.name if loc else None,
        "country": loc.country if loc else None,
        "admin1": loc.admin1 if loc else None,
        "admin2": loc.admin2 if loc else None,
        "latitude": loc.lat if loc else None,
        "longitude": loc.lon if loc else None,
        "geo_precision": loc.geo_precision if loc else None,
        "place_id": loc.id if loc else None,
        "actor1_text": a1.text if a1 else None,
        "actor1_name": a1.name if a1 else None,
        "actor1_inter": a1.inter if a1 else None,
        "actor1_id": a1.id if a1 else None,
        "actor2_text": a2.text if a2 else None,
        "actor2_name": a2.name if a2 else None,
        "actor2_inter": a2.inter if a2 else None,
        "actor2_id": a2.id if a2 else None,
        "fatalities": event.fatalities,
        "injuries": event.injuries,
        "certainty": event.certainty,
        "role": event.role,
        "confidence": float(event.confidence),
        "notes": event.notes or "",
        "trigger_start": event.trigger.start if event.trigger else None,
        "trigger_end": event.trigger.end if event.trigger else None,
        "extractor_version": extractor_version,
    }


def _actor(row: Mapping[str, Any], n: int) -> Actor | None:
    name = row[f"actor{n}_name"]
    if name is None:
        return None
    return Actor(text=row[f"actor{n}_text"] or "", name=name, inter=row[f"actor{n}_inter"], id=row[f"actor{n}_id"])


def row_event(row: Mapping[str, Any], evidence: Sequence[Span] = (), sources: Sequence[str] = ()) -> Event:
    """Rebuild an :class:`Event` from its ``events`` row, evidence spans and sources."""
    loc = None
    if row["has_location"]:
        loc = Location(
            text=row["location_text"] or "",
            name=row["location_name"],
            country=row["country"],
            admin1=row["admin1"],
            admin2=row["admin2"],
            lat=row["latitude"],
            lon=row["longitude"],
            geo_precision=row["geo_precision"] if row["geo_precision"] is not None else 1,
            id=row["place_id"],
        )
    trigger = None
    if row["trigger_start"] is not None and row["trigger_end"] is not None:
        trigger = Span(row["trigger_start"], row["trigger_end"])
    return Event(
        event_type=row["event_type"],
        sub_event_type=row["sub_event_type"],
        date=row["date"],
        date_precision=row["date_precision"],
        location=loc,
        actor1=_actor(row, 1),
        actor2=_actor(row, 2),
        fatalities=row["fatalities"],
        injuries=row["injuries"],
        sources=list(sources),
        certainty=row["certainty"],
        role=row["role"],
        confidence=row["confidence"],
        notes=row["notes"] or "",
        evidence=list(evidence),
        trigger=trigger,
    )


REVIEW_STATUSES = ("unreviewed", "accepted", "corrected", "rejected")
"""An event's review status (``events.review``; ``NULL`` is ``unreviewed``)."""
REVIEW_CHOICES = ("default", "all", *REVIEW_STATUSES)
"""Review selections: ``default`` = every event but the rejected ones, ``all``, or one status."""


def review_condition(table: Any, review: str | None) -> Any | None:
    """The SQL condition selecting ``review`` (:data:`REVIEW_CHOICES`) on ``table``; ``None`` for
    ``all`` and for tables without reviews (fused events are built without rejected reports)."""
    review = review or "default"
    if review not in REVIEW_CHOICES:
        raise ValueError(f"unknown review selection {review!r}; expected one of {', '.join(REVIEW_CHOICES)}")
    if review == "all" or "review" not in table.c:
        return None
    col = table.c.review
    if review == "default":
        return or_(col.is_(None), col != "rejected")
    if review == "unreviewed":
        return col.is_(None)
    return col == review


def review_status(value: str | None) -> str:
    """``events.review`` as a status of :data:`REVIEW_STATUSES`."""
    return value or "unreviewed"


class EventFilter:
    """Selection of events by date range, country, (sub-)event type and review status, applied in SQL.

    Rejected events are left out unless ``review`` is ``"all"`` (or ``"rejected"``); ``extra``
    adds conditions on the table (e.g. the API's filters), built from bound parameters.
    """

    def __init__(
        self,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        country: str | None = None,
        event_type: str | None = None,
        review: str = "default",
        extra: Callable[[Any], Sequence[Any]] | None = None,
        min_confidence: float | None = None,
    ) -> None:
        self.min_confidence = min_confidence
        self.date_from = date_from
        self.date_to = date_to
        self.country = country.upper() if country else None
        self.event_type = event_type
        review_condition(schema.events, review)  # validates
        self.review = review
        self.extra = extra

    @property
    def active(self) -> bool:
        return (
            self.extra is not None
            or self.review not in ("default", "all")
            or bool(self.min_confidence)
            or any(v is not None for v in (self.date_from, self.date_to, self.country, self.event_type))
        )

    def apply(self, stmt: Select[Any], table: Any) -> Select[Any]:
        """``stmt`` restricted to the rows of ``table`` (events or fused_events) that pass."""
        if self.min_confidence:
            stmt = stmt.where(table.c.confidence >= self.min_confidence)
        if self.date_from is not None:
            stmt = stmt.where(table.c.date >= self.date_from)
        if self.date_to is not None:
            stmt = stmt.where(table.c.date <= self.date_to)
        if self.country is not None:
            stmt = stmt.where(table.c.country == self.country)
        if self.event_type is not None:
            stmt = stmt.where((table.c.event_type == self.event_type) | (table.c.sub_event_type == self.event_type))
        cond = review_condition(table, self.review)
        if cond is not None:
            stmt = stmt.where(cond)
        if self.extra is not None:
            for c in self.extra(table):
                stmt = stmt.where(c)
        return stmt


def _children(conn: Connection, event_ids: Sequence[int]) -> tuple[dict[int, list[Span]], dict[int, list[str]]]:
    spans: dict[int, list[Span]] = defaultdict(list)
    names: dict[int, list[str]] = defaultdict(list)
    for i in range(0, len(event_ids), 500):
        chunk = list(event_ids[i : i + 500])
        ev, so = schema.evidence, schema.event_sources
        for r in conn.execute(
            select(ev.c.event_id, ev.c.start, ev.c.end)
            .where(ev.c.event_id.in_(chunk))
            .order_by(ev.c.event_id, ev.c.seq)
        ):
            spans[r.event_id].append(Span(r.start, r.end))
        for r in conn.execute(
            select(so.c.event_id, so.c.name).where(so.c.event_id.in_(chunk)).order_by(so.c.event_id, so.c.seq)
        ):
            names[r.event_id].append(r.name)
    return spans, names


def events_of(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> list[Event]:
    """:class:`Event` objects for ``events`` rows (with their evidence and sources)."""
    spans, names = _children(conn, [r["id"] for r in rows])
    return [row_event(r, spans.get(r["id"], ()), names.get(r["id"], ())) for r in rows]


def iter_article_events(
    store: Store, where: EventFilter | None = None, *, batch: int = 500
) -> Iterator[tuple[Mapping[str, Any], list[tuple[Mapping[str, Any], Event]]]]:
    """Stored articles with their ``(event row, Event)`` pairs, in ingest order.

    With an active filter only the matching events are kept and articles left without events
    are skipped; without one every article is returned (also those with no events).
    """
    flt = where or EventFilter()
    a, e = schema.articles, schema.events
    with store.engine.connect() as conn:
        last = 0
        while True:
            arts = conn.execute(select(a).where(a.c.id > last).order_by(a.c.id).limit(batch)).mappings().all()
            if not arts:
                return
            last = arts[-1]["id"]
            ids = [r["id"] for r in arts]
            stmt = flt.apply(select(e).where(e.c.article_id.in_(ids)), e).order_by(e.c.article_id, e.c.seq)
            ev_rows = conn.execute(stmt).mappings().all()
            by_article: dict[int, list[tuple[Mapping[str, Any], Event]]] = defaultdict(list)
            for row, ev in zip(ev_rows, events_of(conn, ev_rows), strict=True):
                by_article[row["article_id"]].append((row, ev))
            for art in arts:
                evs = by_article.get(art["id"], [])
                if flt.active and not evs:
                    continue
                yield art, evs


def load_records(store: Store, where: EventFilter | None = None) -> Iterator[tuple[Mapping[str, Any], ArticleRecord]]:
    """Stored articles as ``(article row, v1 ArticleRecord)``, in ingest order (see
    :func:`iter_article_events` for the effect of a filter)."""
    for art, evs in iter_article_events(store, where):
        yield (
            art,
            ArticleRecord(
                doc_id=art["doc_id"],
                pub_date=art["pub_date"],
                events=[ev for _, ev in evs],
                outlet=art["outlet"],
                title=art["title"],
            ),
        )


def iter_chunks(
    items: Iterable[Any],
    size: int,
    *,
    max_bytes: int | None = None,
    size_of: Callable[[Any], int] | None = None,
) -> Iterator[list[Any]]:
    """Consecutive lists of at most ``size`` items; with ``max_bytes``, also cut as soon as the
    items' ``size_of`` adds up to ``max_bytes`` (a single larger item makes a list of its own),
    so a batch of huge records holds few of them."""
    chunk: list[Any] = []
    total = 0
    for item in items:
        chunk.append(item)
        if max_bytes is not None and size_of is not None:
            total += size_of(item)
        if len(chunk) >= size or (max_bytes is not None and total >= max_bytes):
            yield chunk
            chunk = []
            total = 0
    if chunk:
        yield chunk
