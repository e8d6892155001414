"""Analyst reviews of stored events: accept, reject or correct fields, with an audit trail.

Every review upserts the event's ``event_reviews`` row (status, when, who, the reviewed v1 event
as JSON), sets ``events.reviewed_at`` / ``events.review`` (so ``rasd reprocess`` keeps the
event) and appends ``review_audit`` rows: one per corrected field (old and new value as JSON)
or one per accept / reject, each carrying the review's comment. Corrections are written to the
``events`` row itself, so reads, exports and :func:`rasd.store.gold.export_gold` see the
analyst's values, and the event's ``notes`` are written again from the corrected fields (by
:func:`rasd.pipeline.resolve.notes_for`, the sentence the extractor writes). In the same
transaction the fused events the review can change are rebuilt (:func:`rasd.store.fuse.refuse`):
a rejected event leaves its fused event, a corrected one may join another.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..pipeline.resolve import notes_for
from ..resources.loader import load_resources
from ..types import EVENT_TYPES, SUB_TO_TYPE
from . import schema
from .db import Store
from .fuse import refuse
from .records import events_of

__all__ = ["CORRECTABLE", "ReviewError", "ReviewResult", "review_event"]

Action = Literal["accept", "reject", "correct"]
STATUS: dict[str, str] = {"accept": "accepted", "reject": "rejected", "correct": "corrected"}

CORRECTABLE: tuple[str, ...] = (
    "event_type",
    "sub_event_type",
    "date",
    "date_precision",
    "location_text",
    "location_name",
    "country",
    "admin1",
    "admin2",
    "latitude",
    "longitude",
    "geo_precision",
    "actor1_text",
    "actor1_name",
    "actor2_text",
    "actor2_name",
    "fatalities",
    "injuries",
    "role",
    "certainty",
)
"""The ``events`` columns an analyst may correct (same names in the review API)."""

NOT_NULL = frozenset({"event_type", "sub_event_type", "role", "certainty"})
LOCATION_FIELDS = frozenset(
    {"location_text", "location_name", "country", "admin1", "admin2", "latitude", "longitude", "geo_precision"}
)


class ReviewError(ValueError):
    """A review that cannot be applied (unknown event, invalid or inconsistent values)."""

    def __init__(self, message: str, *, not_found: bool = False) -> None:
        super().__init__(message)
        self.not_found = not_found


@dataclass
class ReviewResult:
    """What :func:`review_event` did: the new status and the ``(field, old, new)`` changes."""

    event_id: int
    status: str
    reviewed_at: datetime
    reviewed_by: str
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)


def _json(value: Any) -> str:
    return json.dumps(value.isoformat() if isinstance(value, date) else value, ensure_ascii=False)


def _new_values(row: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        raise ReviewError(f"fields that cannot be corrected: {', '.join(unknown)}; allowed: {', '.join(CORRECTABLE)}")
    for name in sorted(NOT_NULL & set(changes)):
        if changes[name] is None:
            raise ReviewError(f"{name} cannot be null")
    values = dict(changes)
    if "sub_event_type" in values:
        sub = values["sub_event_type"]
        if sub not in SUB_TO_TYPE:
            raise ReviewError(f"unknown sub_event_type {sub!r}")
        if "event_type" in values and values["event_type"] != SUB_TO_TYPE[sub]:
            raise ReviewError(f"sub_event_type {sub!r} belongs to event_type {SUB_TO_TYPE[sub]!r}")
        values["event_type"] = SUB_TO_TYPE[sub]
    elif "event_type" in values:
        et = values["event_type"]
        if et not in EVENT_TYPES:
            raise ReviewError(f"unknown event_type {et!r}")
        if row["sub_event_type"] not in EVENT_TYPES[et]:
            raise ReviewError(f"event_type {et!r} needs a sub_event_type (the current one belongs to another type)")
    if "country" in values and values["country"] is not None:
        values["country"] = str(values["country"]).upper()
    return {k: v for k, v in values.items() if row[k] != v}


def review_event(
    store: Store,
    event_id: int,
    action: Action,
    changes: Mapping[str, Any] | None = None,
    *,
    who: str = "token",
    comment: str | None = None,
) -> ReviewResult:
    """Accept, reject or correct one stored event, in one transaction.

    ``changes`` maps :data:`CORRECTABLE` column names to new values (only with ``correct``;
    values already validated for type, e.g. ``date`` objects). Raises :class:`ReviewError`
    for an unknown event, unknown fields or inconsistent types.
    """
    if action not in STATUS:
        raise ReviewError(f"unknown action {action!r}: accept, reject or correct")
    changes = dict(changes or {})
    if changes and action != "correct":
        raise ReviewError("fields can only be given with action 'correct'")
    if action == "correct" and not changes:
        raise ReviewError("action 'correct' needs at least one field")
    e, r, audit = schema.events, schema.event_reviews, schema.review_audit
    now = datetime.now(UTC)
    with store.begin() as conn:
        row = conn.execute(select(e).where(e.c.id == event_id)).mappings().first()
        if row is None:
            raise ReviewError(f"no event {event_id}", not_found=True)
        prev = conn.execute(select(r.c.status).where(r.c.event_id == event_id)).scalar_one_or_none()
        status = STATUS[action]
        trail: list[dict[str, Any]] = []
        diff: list[tuple[str, Any, Any]] = []
        if action == "correct":
            new = _new_values(row, changes)
            if new and any(k in LOCATION_FIELDS for k in new):
                new["has_location"] = True
            if new:
                conn.execute(update(e).where(e.c.id == event_id).values(**new))
                _renote(conn, event_id)
            diff = [(k, row[k], v) for k, v in new.items() if k in CORRECTABLE]
            trail = [{"action": action, "field": k, "old_value": _json(o), "new_value": _json(v)} for k, o, v in diff]
        if not trail:
            trail = [{"action": action, "field": "status", "old_value": _json(prev), "new_value": _json(status)}]
        conn.execute(
            insert(audit),
            [
                {"event_id": event_id, "article_id": row["article_id"], "who": who, "at": now, "comment": comment, **t}
                for t in trail
            ],
        )
        if "reviewed_at" in e.c and "review" in e.c:  # migration 0002's marks, which reprocessing keeps
            conn.execute(update(e).where(e.c.id == event_id).values(reviewed_at=now, review=status))
        _upsert_review(conn, row, status=status, who=who, at=now, comment=comment, exists=prev is not None)
        refuse(conn, [event_id], before=[(row["event_type"], row["date"])])
    return ReviewResult(event_id=event_id, status=status, reviewed_at=now, reviewed_by=who, changes=diff)


def _renote(conn: Connection, event_id: int) -> None:
    """Write the event's notes again from its (corrected) fields, as the extractor writes them."""
    e = schema.events
    current = conn.execute(select(e).where(e.c.id == event_id)).mappings().all()
    ev = events_of(conn, current)[0]
    conn.execute(update(e).where(e.c.id == event_id).values(notes=notes_for(ev, load_resources().note_phrases)))


def _upsert_review(
    conn: Connection,
    row: Mapping[str, Any],
    *,
    status: str,
    who: str,
    at: datetime,
    comment: str | None,
    exists: bool,
) -> None:
    e, r = schema.events, schema.event_reviews
    current = conn.execute(select(e).where(e.c.id == row["id"])).mappings().all()
    event_json = json.dumps(events_of(conn, current)[0].to_dict(), ensure_ascii=False)
    values = {"status": status, "reviewed_at": at, "reviewed_by": who, "comment": comment, "event_json": event_json}
    if exists:
        conn.execute(update(r).where(r.c.event_id == row["id"]).values(**values))
        return
    # INSERT ... ON CONFLICT (event_id) DO UPDATE: a concurrent first review of the same event
    # (which also found no row) makes this an update instead of a unique violation
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = dialect_insert(r).values(event_id=row["id"], article_id=row["article_id"], event_seq=row["seq"], **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=[r.c.event_id], set_=values))
