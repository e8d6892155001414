"""Reviewed events as gold annotations (``../shared/gold/FORMAT.md``), so ``rasd eval`` can score
the extractor against the analysts' corrections.

An article gets a gold record once at least one of its events has been reviewed. Its events are
the accepted and corrected ones, with the analysts' values; rejected events are left out, and so
are events nobody reviewed yet unless ``include_unreviewed`` is set (the record's ``note`` counts
each kind, so a partly reviewed article is visible as such).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from . import schema
from .db import Store
from .records import events_of

__all__ = ["GOLD_DROP", "export_gold", "gold_record", "iter_gold"]

GOLD_DROP = ("confidence", "notes", "trigger")
"""Rasd's additions to the v1 event that gold files do not carry."""


def _record(conn: Connection, art: Mapping[str, Any], include_unreviewed: bool) -> dict[str, Any] | None:
    e, r = schema.events, schema.event_reviews
    rows = (
        conn.execute(
            select(e, r.c.status)
            .outerjoin(r, r.c.event_id == e.c.id)
            .where(e.c.article_id == art["id"])
            .order_by(e.c.seq)
        )
        .mappings()
        .all()
    )
    counts = {"accepted": 0, "corrected": 0, "rejected": 0, "unreviewed": 0}
    for row in rows:
        counts[row["status"] or "unreviewed"] += 1
    if counts["unreviewed"] == len(rows):
        return None
    kept = ("accepted", "corrected", None) if include_unreviewed else ("accepted", "corrected")
    keep = [row for row in rows if row["status"] in kept]
    events = []
    for ev in events_of(conn, keep):
        d = ev.to_dict()
        for key in GOLD_DROP:
            d.pop(key, None)
        events.append(d)
    note = "Rasd events reviewed by analysts: " + ", ".join(f"{n} {k}" for k, n in counts.items())
    return {
        "doc_id": art["doc_id"],
        "pub_date": art["pub_date"].isoformat() if art["pub_date"] else None,
        "outlet": art["outlet"],
        "title": art["title"],
        "note": note + (" (unreviewed included)" if include_unreviewed else ""),
        "events": events,
    }


def gold_record(store: Store, doc_id: str, *, include_unreviewed: bool = False) -> dict[str, Any] | None:
    """The gold record of the (first stored) article ``doc_id``; ``None`` when it has no reviews."""
    a = schema.articles
    with store.engine.connect() as conn:
        art = conn.execute(select(a).where(a.c.doc_id == doc_id).order_by(a.c.id).limit(1)).mappings().first()
        return None if art is None else _record(conn, art, include_unreviewed)


def iter_gold(store: Store, *, include_unreviewed: bool = False) -> Iterator[dict[str, Any]]:
    """Gold records of every article with at least one reviewed event, in ingest order."""
    a, r = schema.articles, schema.event_reviews
    with store.engine.connect() as conn:
        reviewed = select(r.c.article_id).distinct()
        arts = conn.execute(select(a).where(a.c.id.in_(reviewed)).order_by(a.c.id)).mappings().all()
        seen: set[str] = set()
        for art in arts:
            if art["doc_id"] in seen:  # one gold file per doc_id
                continue
            rec = _record(conn, art, include_unreviewed)
            if rec is not None:
                seen.add(art["doc_id"])
                yield rec


def export_gold(store: Store, out_dir: str | Path, *, include_unreviewed: bool = False) -> int:
    """Write ``<out_dir>/<doc_id>.json`` for every reviewed article; returns the number written.

    The files load with :func:`rasd.eval.scorer.load_gold`, so
    ``rasd eval predictions.jsonl <out_dir>`` scores the extractor against the corrections.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for rec in iter_gold(store, include_unreviewed=include_unreviewed):
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in rec["doc_id"]) or "article"
        (out / f"{name}.json").write_text(json.dumps(rec, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        n += 1
    return n
