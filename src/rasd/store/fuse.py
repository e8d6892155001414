"""Cross-article fusion: reports of the same occurrence become one fused event.

Rule (deterministic, independent of ingest order): two article events are reports of the same
occurrence when they come from different articles, have the same ``event_type``, their dates
agree (both ``day`` precision and at most one day apart, or the same date at the same coarser
precision), their locations agree (same place id, or coordinates at most
:data:`MAX_DISTANCE_KM` apart; never different countries) and their actors are compatible (for
``actor1`` and for ``actor2``: equal names ignoring case, or one unknown/unidentified). Events
are visited in (type, date, article content hash, position) order and each joins the first
earlier cluster *all* of whose members it agrees with (complete linkage, so clusters do not
chain across days), else starts its own. Every event belongs to exactly one fused event
(singletons included); events without a date or a place stay singletons. Events an analyst
rejected (``events.review = 'rejected'``) are left out of fusion altogether.

A fused event takes its place, sub-type and notes from its most precise, most confident report;
``fatalities``/``injuries`` are the lowest figures reported (``fatalities_max`` the highest),
``certainty`` is ``reported`` when any report states it as fact, ``role`` is ``main`` when any
report is news, and every report stays linked (``fused_event_members``). Fusion is recomputed
from scratch in one transaction, so it gives the same result however often it runs.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, or_, select, text
from sqlalchemy import func as _func

from . import schema
from .db import Store

__all__ = ["MAX_DISTANCE_KM", "compatible", "fuse", "refuse"]

MAX_DISTANCE_KM = 10.0
MAX_DAY_GAP = 1
_FAR = 10**9

Row = Mapping[str, Any]


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _unknown_actor(name: str | None) -> bool:
    return name is None or name.casefold().startswith("unidentified")


def _actors_ok(x: Row, y: Row) -> bool:
    for n in (1, 2):
        a, b = x[f"actor{n}_name"], y[f"actor{n}_name"]
        if not (_unknown_actor(a) or _unknown_actor(b) or a.casefold() == b.casefold()):
            return False
    return True


def _dates_ok(x: Row, y: Row) -> bool:
    if x["date"] is None or y["date"] is None:
        return False
    if x["date_precision"] == "day" and y["date_precision"] == "day":
        return abs((x["date"] - y["date"]).days) <= MAX_DAY_GAP
    return x["date_precision"] == y["date_precision"] and x["date"] == y["date"]


def _places_ok(x: Row, y: Row) -> bool:
    if not (x["has_location"] and y["has_location"]):
        return False
    if x["country"] and y["country"] and x["country"] != y["country"]:
        return False
    if x["place_id"] and x["place_id"] == y["place_id"]:
        return True
    coords = (x["latitude"], x["longitude"], y["latitude"], y["longitude"])
    if any(c is None for c in coords):
        return False
    return _km(*coords) <= MAX_DISTANCE_KM


def compatible(x: Row, y: Row) -> bool:
    """True when two stored events (rows with ``article_id`` and the v1 columns) may be one event."""
    return (
        x["article_id"] != y["article_id"]
        and x["event_type"] == y["event_type"]
        and _dates_ok(x, y)
        and _places_ok(x, y)
        and _actors_ok(x, y)
    )


def _fusable(row: Row) -> bool:
    return row["date"] is not None and bool(row["has_location"])


def cluster(rows: Sequence[Row]) -> list[list[Row]]:
    """Group event rows into occurrences (see the module docstring); deterministic."""
    order = sorted(
        rows,
        key=lambda r: (
            r["event_type"],
            r["date"].toordinal() if r["date"] else _FAR,
            r["content_hash"],
            r["seq"],
        ),
    )
    clusters: list[list[Row]] = []
    open_by_type: dict[str, list[list[Row]]] = defaultdict(list)
    for row in order:
        if not _fusable(row):
            clusters.append([row])
            continue
        active = open_by_type[row["event_type"]]
        day = row["date"].toordinal()
        active[:] = [c for c in active if max(m["date"].toordinal() for m in c) >= day - MAX_DAY_GAP]
        for c in active:
            if all(compatible(row, m) for m in c):
                c.append(row)
                break
        else:
            c = [row]
            clusters.append(c)
            active.append(c)
    return clusters


def _pick(members: Sequence[Row]) -> Row:
    """The most precise, most confident report (ties: content hash, position)."""
    return min(
        members,
        key=lambda r: (
            r["geo_precision"] if r["geo_precision"] is not None else 9,
            -r["confidence"],
            r["content_hash"],
            r["seq"],
        ),
    )


def _actor(members: Sequence[Row], n: int) -> tuple[str | None, int | None]:
    named = [m for m in members if m[f"actor{n}_name"] is not None]
    if not named:
        return None, None
    best = min(
        named,
        key=lambda r: (_unknown_actor(r[f"actor{n}_name"]), -r["confidence"], r["content_hash"], r["seq"]),
    )
    return best[f"actor{n}_name"], best[f"actor{n}_inter"]


def _fused_row(members: Sequence[Row]) -> dict[str, Any]:
    rep = _pick(members)
    fat = [m["fatalities"] for m in members if m["fatalities"] is not None]
    inj = [m["injuries"] for m in members if m["injuries"] is not None]
    dates = [m["date"] for m in members if m["date"] is not None]
    a1, i1 = _actor(members, 1)
    a2, i2 = _actor(members, 2)
    key = hashlib.sha1("|".join(sorted(f"{m['content_hash']}:{m['seq']}" for m in members)).encode()).hexdigest()
    return {
        "key": key,
        "event_type": rep["event_type"],
        "sub_event_type": rep["sub_event_type"],
        "date": min(dates) if dates else None,
        "date_precision": rep["date_precision"],
        "location_name": rep["location_name"],
        "country": rep["country"],
        "admin1": rep["admin1"],
        "admin2": rep["admin2"],
        "latitude": rep["latitude"],
        "longitude": rep["longitude"],
        "geo_precision": rep["geo_precision"],
        "place_id": rep["place_id"],
        "actor1_name": a1,
        "actor1_inter": i1,
        "actor2_name": a2,
        "actor2_inter": i2,
        "fatalities": min(fat) if fat else None,
        "fatalities_max": max(fat) if fat else None,
        "injuries": min(inj) if inj else None,
        "certainty": "reported" if any(m["certainty"] == "reported" for m in members) else "hedged",
        "role": "main" if any(m["role"] == "main" for m in members) else "background",
        "confidence": max(m["confidence"] for m in members),
        "notes": rep["notes"] or "",
        "n_reports": len(members),
    }


FUSE_LOCK_KEY = 0x7261_7364_6675  # "rasdfu": PostgreSQL advisory lock serialising fuse()


def _not_rejected() -> Any:
    e = schema.events
    return or_(e.c.review.is_(None), e.c.review != "rejected")


def _fuse_columns() -> list[Any]:
    e = schema.events
    return [c for c in e.c if c.name not in ("location_text", "actor1_text", "actor2_text", "extractor_version")]


def _insert_clusters(conn: Connection, clusters: list[list[Row]]) -> None:
    fe, fm = schema.fused_events, schema.fused_event_members
    clusters.sort(key=lambda c: min((m["content_hash"], m["seq"]) for m in c))
    if not clusters:
        return
    fused_rows = [_fused_row(c) for c in clusters]
    ids = conn.execute(insert(fe).returning(fe.c.id, sort_by_parameter_order=True), fused_rows).scalars().all()
    links = [{"fused_event_id": fid, "event_id": m["id"]} for fid, c in zip(ids, clusters, strict=True) for m in c]
    conn.execute(insert(fm), links)


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":  # concurrent fuses (API posts) would insert the same keys
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FUSE_LOCK_KEY})


def fuse(store: Store) -> int:
    """Recompute every fused event of ``store`` in one transaction; returns how many there are."""
    e, a = schema.events, schema.articles
    fe, fm = schema.fused_events, schema.fused_event_members
    with store.begin() as conn:
        _lock(conn)
        stmt = select(*_fuse_columns(), a.c.content_hash).join(a, a.c.id == e.c.article_id).where(_not_rejected())
        rows = conn.execute(stmt).mappings().all()
        clusters = cluster(rows)
        conn.execute(delete(fm))
        conn.execute(delete(fe))
        _insert_clusters(conn, clusters)
        return len(clusters)


def _date_run(conn: Connection, event_type: str, day: date) -> tuple[date, date]:
    """The longest run of dates around ``day`` at which events of ``event_type`` occur with no gap
    wider than :data:`MAX_DAY_GAP` days: clusters never reach across such a gap, so the events of
    the run can be re-fused on their own."""
    e = schema.events
    gap = timedelta(days=MAX_DAY_GAP)
    lo = hi = day
    while True:  # widen until no stored date lies within the gap on either side
        new_lo = conn.execute(
            select(_func.min(e.c.date)).where(e.c.event_type == event_type, e.c.date >= lo - gap, e.c.date < lo)
        ).scalar()
        new_hi = conn.execute(
            select(_func.max(e.c.date)).where(e.c.event_type == event_type, e.c.date <= hi + gap, e.c.date > hi)
        ).scalar()
        if new_lo is None and new_hi is None:
            return lo, hi
        lo = new_lo or lo
        hi = new_hi or hi


def refuse(conn: Connection, event_ids: Iterable[int], before: Iterable[tuple[str, date | None]] = ()) -> int:
    """Re-fuse, inside the caller's transaction, only the fused events an edit of ``event_ids`` can
    change (after a review): the events of the same type whose dates chain to theirs, now and as
    they were (``before``: their former ``(event_type, date)``). Gives the clusters :func:`fuse`
    would; returns the number of fused events rebuilt."""
    e, a = schema.events, schema.articles
    fe, fm = schema.fused_events, schema.fused_event_members
    ids = sorted(set(event_ids))
    _lock(conn)
    now = conn.execute(select(e.c.event_type, e.c.date).where(e.c.id.in_(ids))).all()
    spans = {(t, d) for t, d in [*now, *before] if d is not None}
    where = [e.c.id.in_(ids)]
    for event_type, day in sorted(spans):
        lo, hi = _date_run(conn, event_type, day)
        where.append(and_(e.c.event_type == event_type, e.c.date >= lo, e.c.date <= hi))
    scope = or_(*where)
    touched = select(e.c.id).where(scope)
    old = select(fm.c.fused_event_id).where(fm.c.event_id.in_(touched)).distinct()
    old_ids = conn.execute(old).scalars().all()
    # every member of those fused events is re-clustered, so none is left without one
    members = select(fm.c.event_id).where(fm.c.fused_event_id.in_(old_ids))
    rows = (
        conn.execute(
            select(*_fuse_columns(), a.c.content_hash)
            .join(a, a.c.id == e.c.article_id)
            .where(or_(scope, e.c.id.in_(members)), _not_rejected())
        )
        .mappings()
        .all()
    )
    if old_ids:
        conn.execute(delete(fm).where(fm.c.fused_event_id.in_(old_ids)))
        conn.execute(delete(fe).where(fe.c.id.in_(old_ids)))
    clusters = cluster(rows)
    _insert_clusters(conn, clusters)
    return len(clusters)
