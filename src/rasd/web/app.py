"""The REST API over a Rasd store: :func:`create_app` builds the FastAPI application.

Reads (``GET /api/...``) are open — serve them on loopback or behind a proxy. Writes need
``Authorization: Bearer <token>``: 401 without a token or with a wrong one, 403 when the app was
created without a token (writes disabled). Every query is built with SQLAlchemy Core
expressions, so filter values are bound parameters, never SQL text. Errors are JSON
(``{"detail": ...}``): 422 for bad parameters, 413 for bodies over :data:`MAX_BODY_BYTES`, and
a generic 500 without internals. The dashboard (static files of :data:`STATIC_DIR`, no build
step) is served at ``/``.
"""

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import tempfile
import weakref
from collections import defaultdict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import ColumnElement, Select, and_, func, insert, or_, select
from starlette.background import BackgroundTask

from .. import __version__
from ..errors import ExtractionTimeout
from ..export.formats import COUNTRY_NAMES, export
from ..learn.model import confidence_floor
from ..store import schema
from ..store.db import Store
from ..store.fuse import fuse
from ..store.gold import gold_record
from ..store.ingest import _store_batch, content_hash, extractor_version
from ..store.records import EventFilter, events_of, review_condition
from ..store.review import ReviewError, review_event
from ..store.search import index_articles, like_escape, search_condition, snippet
from ..store.tokens import any_active, reviewer_for
from ..types import Article
from . import models as m
from .extraction import RETRY_AFTER_SECONDS, ArticleSlots, Busy

STATIC_DIR = Path(__file__).resolve().parent / "static"
"""The dashboard (``index.html``, ``app.js``, vendored Leaflet), served at ``/``."""

__all__ = ["CSP", "MAX_BODY_BYTES", "MAX_LIMIT", "SECURITY_HEADERS", "STATIC_DIR", "create_app"]

log = logging.getLogger("rasd.web")

MAX_LIMIT = 500
"""Largest page size of the list endpoints."""
MAX_BODY_BYTES = 2 * 1024 * 1024
"""Largest request body accepted (413 above)."""

SORT_COLUMNS = (
    "date", "fatalities", "confidence", "id", "event_type", "sub_event_type", "country", "admin1", "location_name",
    "actor1_name", "actor2_name",
)  # fmt: skip
"""Columns the list endpoints sort by (``-`` in front: descending)."""
Sort = str
ExportFormat = Literal["csv", "geojson", "parquet"]
Review = Literal["default", "all", "unreviewed", "accepted", "corrected", "rejected"]
AggregateBy = Literal["day", "week", "month", "type", "sub_type", "admin1"]

ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]
]


# --------------------------------------------------------------------------------------------
# security headers on every response (pure ASGI, so static files and 413s get them too)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""The Content-Security-Policy of every response: scripts and styles from this server's files only
(no inline script, no inline ``style`` attribute, no ``eval``), nothing from other origins."""
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
"""Headers sent with every response (``/docs`` and ``/redoc`` get their own CSP, see :class:`SecurityHeaders`)."""

DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def docs_csp(html: bytes) -> str:
    """The CSP of FastAPI's ``/docs`` and ``/redoc`` pages: the same-origin policy plus the hashes
    of the page's own inline scripts (FastAPI writes its set-up script inline) and inline styles,
    which Swagger UI and ReDoc set. Their bundles come from a CDN in FastAPI's pages, which this
    policy does not allow (the server is meant to work offline): the schema is at /openapi.json."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode("ascii") + "'"
        for m in _INLINE_SCRIPT.finditer(html)
    )
    return CSP.replace("script-src 'self'", f"script-src 'self' {hashes}".rstrip()).replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'"
    )


class SecurityHeaders:
    """Add :data:`SECURITY_HEADERS` to every HTTP response (replacing any the app set)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("path") in DOCS_PATHS:
            await self._docs(scope, receive, send)
            return

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _with_headers(message.get("headers") or [], SECURITY_HEADERS)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _docs(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        """Buffer the (small) docs page to hash its inline scripts into its CSP."""
        start: MutableMapping[str, Any] | None = None
        body = bytearray()

        async def buffered(message: MutableMapping[str, Any]) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body", False) or start is None:
                return
            headers = {**SECURITY_HEADERS, "Content-Security-Policy": docs_csp(bytes(body))}
            start["headers"] = _with_headers(start.get("headers") or [], headers)
            await send(start)
            await send({"type": "http.response.body", "body": bytes(body), "more_body": False})

        await self.app(scope, receive, buffered)


def _with_headers(headers: Any, extra: dict[str, str]) -> list[tuple[bytes, bytes]]:
    names = {k.lower().encode("latin-1") for k in extra}
    kept = [(k, v) for k, v in headers if bytes(k).lower() not in names]
    return kept + [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in extra.items()]


# --------------------------------------------------------------------------------------------
# request body limit (pure ASGI, so chunked bodies without Content-Length are limited too)


class BodyLimit:
    """Answer 413 when a request body is larger than ``limit`` bytes; otherwise replay it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._too_large(send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._too_large(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Any) -> None:
        payload = json.dumps({"detail": f"request body larger than {self.limit} bytes"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": payload})


# --------------------------------------------------------------------------------------------
# filters


def _invalid(param: str, message: str, value: Any) -> HTTPException:
    """A 422 shaped like FastAPI's own validation errors."""
    return HTTPException(
        status_code=422, detail=[{"type": "value_error", "loc": ["query", param], "msg": message, "input": value}]
    )


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    parts = value.split(",")
    msg = "bbox must be minlon,minlat,maxlon,maxlat (4 numbers, lon in [-180, 180], lat in [-90, 90], min <= max)"
    try:
        minlon, minlat, maxlon, maxlat = (float(p) for p in parts)
    except ValueError:
        raise _invalid("bbox", msg, value) from None
    ok = -180 <= minlon <= maxlon <= 180 and -90 <= minlat <= maxlat <= 90
    if not ok:
        raise _invalid("bbox", msg, value)
    return minlon, minlat, maxlon, maxlat


@dataclass(frozen=True)
class Filters:
    """The event filters shared by the list and aggregate endpoints."""

    date_from: date | None = None
    date_to: date | None = None
    country: str | None = None
    admin1: str | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    actor: str | None = None
    q: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    min_confidence: float | None = None
    review: str = "default"

    def where(self, t: Any, *, fused: bool = False) -> list[ColumnElement[bool]]:
        """Conditions on table ``t`` (``events`` or ``fused_events``); values are bound parameters.

        On article events, rejected events are left out unless ``review`` is ``all`` or
        ``rejected``; fused events are built without rejected reports."""
        cond: list[ColumnElement[bool]] = []
        rc = review_condition(t, self.review)
        if rc is not None:
            cond.append(rc)
        if self.min_confidence is not None:
            cond.append(t.c.confidence >= self.min_confidence)
        if self.date_from is not None:
            cond.append(t.c.date >= self.date_from)
        if self.date_to is not None:
            cond.append(t.c.date <= self.date_to)
        if self.country:
            cond.append(t.c.country == self.country.upper())
        if self.admin1:
            cond.append(func.lower(t.c.admin1) == self.admin1.lower())
        if self.event_type:
            cond.append(or_(t.c.event_type == self.event_type, t.c.sub_event_type == self.event_type))
        if self.sub_event_type:
            cond.append(t.c.sub_event_type == self.sub_event_type)
        if self.actor:
            pat = f"%{like_escape(self.actor.lower())}%"
            cond.append(
                or_(
                    func.lower(t.c.actor1_name).like(pat, escape="\\"),
                    func.lower(t.c.actor2_name).like(pat, escape="\\"),
                )
            )
        if self.q:
            pat = f"%{like_escape(self.q.lower())}%"
            names = ["notes", "location_name", "admin1", "actor1_name", "actor2_name"]
            if not fused:
                names += ["location_text", "actor1_text", "actor2_text"]
            cond.append(or_(*(func.lower(t.c[n]).like(pat, escape="\\") for n in names)))
        if self.bbox is not None:
            minlon, minlat, maxlon, maxlat = self.bbox
            cond.append(t.c.longitude.between(minlon, maxlon))
            cond.append(t.c.latitude.between(minlat, maxlat))
        return cond


def event_filters(
    date_from: Annotated[date | None, Query(description="Events on or after this date (YYYY-MM-DD).")] = None,
    date_to: Annotated[date | None, Query(description="Events on or before this date (YYYY-MM-DD).")] = None,
    country: Annotated[str | None, Query(max_length=2, description="ISO2 country code, e.g. SY.")] = None,
    admin1: Annotated[str | None, Query(max_length=256, description="First-level region (English).")] = None,
    event_type: Annotated[str | None, Query(max_length=64, description="Event type or sub-event type.")] = None,
    sub_event_type: Annotated[str | None, Query(max_length=64)] = None,
    actor: Annotated[str | None, Query(max_length=256, description="Part of actor1's or actor2's name.")] = None,
    q: Annotated[str | None, Query(max_length=256, description="Text in notes, location or actors.")] = None,
    bbox: Annotated[str | None, Query(max_length=200, description="minlon,minlat,maxlon,maxlat")] = None,
    min_confidence: Annotated[
        float | None,
        Query(
            ge=0,
            le=1,
            description="Confidence at least this. Default: the extractor's threshold (as rasd extract, query and "
            "export); 0 returns every event.",
        ),
    ] = None,
    review: Annotated[
        Review,
        Query(
            description="default: every event but the rejected ones; all; or one status (unreviewed, accepted, "
            "corrected, rejected). Article events only."
        ),
    ] = "default",
) -> Filters:
    """The shared filter query parameters (a FastAPI dependency)."""
    if min_confidence is None:
        min_confidence = confidence_floor()
    return Filters(
        date_from, date_to, country, admin1, event_type, sub_event_type, actor, q, _bbox(bbox), min_confidence, review
    )


def reject_nul(request: Request) -> None:
    """422 for a NUL character in any query or path parameter (a global dependency): PostgreSQL
    cannot compare with it and SQLite's ``LIKE`` stops at it, so ``q=%00`` would match every row."""
    for key, value in request.query_params.multi_items():
        if "\x00" in key or "\x00" in value:
            raise _invalid(key.replace("\x00", ""), "must not contain NUL characters", value)
    for key, value in request.path_params.items():
        if isinstance(value, str) and "\x00" in value:
            raise HTTPException(
                422, [{"type": "value_error", "loc": ["path", key], "msg": "must not contain NUL characters",
                       "input": value}],
            )  # fmt: skip


Id = Annotated[int, PathParam(ge=1, le=m.MAX_ID, description="A stored row's id (a positive 32-bit integer).")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size (at most {MAX_LIMIT}).")]
Offset = Annotated[int, Query(ge=0, le=10**9, description="Rows to skip.")]
SortParam = Annotated[
    str,
    Query(
        pattern=f"^-?({'|'.join(SORT_COLUMNS)})$",
        description=f"One of {', '.join(SORT_COLUMNS)}; a leading '-' sorts descending (e.g. -date).",
    ),
]


def _order(t: Any, sort: Sort) -> list[Any]:
    name = sort.lstrip("-")
    if name not in t.c:
        raise _invalid("sort", f"{t.name} cannot be sorted by {name}", sort)
    col = t.c[name]
    first = col.desc() if sort.startswith("-") else col.asc()
    return [first.nulls_last(), t.c.id.desc() if sort.startswith("-") else t.c.id.asc()]


# --------------------------------------------------------------------------------------------
# queries


def _events_select() -> Select[Any]:
    e, a, r = schema.events, schema.articles, schema.event_reviews
    return select(e, a.c.doc_id, a.c.outlet, a.c.pub_date, r.c.status.label("review_status")).select_from(
        e.join(a, a.c.id == e.c.article_id).outerjoin(r, r.c.event_id == e.c.id)
    )


def _event_out(row: Any) -> m.EventOut:
    return m.EventOut.model_validate(dict(row))


def _audit_out(row: Any) -> m.AuditOut:
    return m.AuditOut(
        comment=row["comment"],
        who=row["who"],
        at=row["at"],
        action=row["action"],
        field=row["field"],
        old_value=json.loads(row["old_value"]) if row["old_value"] is not None else None,
        new_value=json.loads(row["new_value"]) if row["new_value"] is not None else None,
    )


def _article_out(row: Any) -> m.ArticleOut:
    return m.ArticleOut(
        id=row["id"], doc_id=row["doc_id"], outlet=row["outlet"], pub_date=row["pub_date"], url=row["url"],
        title=row["title"],
    )  # fmt: skip


def _period(d: date, by: str) -> str:
    """``d``'s day (YYYY-MM-DD), ISO week (YYYY-Www) or month (YYYY-MM)."""
    if by == "week":
        y, w, _ = d.isocalendar()
        return f"{y}-W{w:02d}"
    return d.isoformat()[:7] if by == "month" else d.isoformat()


# --------------------------------------------------------------------------------------------
# the application


def create_app(
    store: Store,
    *,
    token: str | None = None,
    allow_origins: list[str] | None = None,
    token_label: str = "token",
    max_body_bytes: int = MAX_BODY_BYTES,
    extract_workers: int = 0,
    max_pending: int = 4,
) -> FastAPI:
    """The REST API over ``store``.

    Args:
        store: an open :class:`~rasd.store.Store` (at the newest schema).
        token: the admin bearer token (recorded as ``token_label``); reviewer tokens made with
            ``rasd token create NAME`` are accepted too and recorded under their name. With
            neither an admin token nor an active reviewer token, writes are refused (403).
        allow_origins: origins allowed by CORS; ``None`` (the default) adds no CORS headers.
        token_label: recorded as "who" in the review audit trail.
        max_body_bytes: largest request body (413 above).
        extract_workers: processes extracting posted articles (0: in the request's thread).
        max_pending: article posts handled at once; more get 503 with ``Retry-After``.
    """
    app = FastAPI(
        title="Rasd",
        version=__version__,
        description="Arabic conflict events extracted by Rasd: events, fused events, articles, reviews.",
        dependencies=[Depends(reject_nul)],
        docs_url=None,  # served below from the vendored Swagger UI and ReDoc (no CDN, no inline script)
        redoc_url=None,
    )
    if allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(allow_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimit, limit=max_body_bytes)
    app.add_middleware(SecurityHeaders)  # added last: the outermost, so it sees every response
    expected = token.encode("utf-8") if token else None

    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": "internal server error"}, status_code=500, headers=SECURITY_HEADERS)

    app.add_exception_handler(Exception, internal_error)
    slots = ArticleSlots(workers=extract_workers, max_pending=max_pending)
    app.state.article_slots = slots
    weakref.finalize(app, slots.close)  # the workers also end with this process (tie_to_parent)

    def require_token(
        authorization: Annotated[str | None, Header(description="Bearer <token>")] = None,
    ) -> str:
        scheme, _, given = (authorization or "").partition(" ")
        given = given.strip()
        bearer = scheme.lower() == "bearer" and bool(given)
        if bearer and expected is not None and hmac.compare_digest(given.encode("utf-8"), expected):
            return token_label
        name = reviewer_for(store, given) if bearer else None  # looked up by sha256, never stored in clear
        if name is not None:
            return name
        if expected is None and not any_active(store):
            raise HTTPException(403, "writes are disabled: the server has no API token configured")
        raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})

    Writer = Annotated[str, Depends(require_token)]
    Flt = Annotated[Filters, Depends(event_filters)]

    # ---------------------------------------------------------------------------- reads

    @app.get("/api/health", response_model=m.Health, tags=["meta"])
    def health() -> m.Health:
        """Liveness and the store's schema revision."""
        return m.Health(version=__version__, schema_revision=store.revision())

    @app.get("/api/events", response_model=m.EventList, tags=["events"])
    def list_events(flt: Flt, limit: Limit = 50, offset: Offset = 0, sort: SortParam = "-date") -> m.EventList:
        """Article events matching the filters, one page at a time."""
        e = schema.events
        cond = flt.where(e)
        with store.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(e).where(and_(True, *cond))).scalar_one()
            rows = conn.execute(
                _events_select().where(*cond).order_by(*_order(e, sort)).limit(limit).offset(offset)
            ).mappings()
            items = [_event_out(r) for r in rows]
        return m.EventList(total=total, limit=limit, offset=offset, items=items)

    @app.get("/api/fused-events", response_model=m.FusedEventList, tags=["events"])
    def list_fused(flt: Flt, limit: Limit = 50, offset: Offset = 0, sort: SortParam = "-date") -> m.FusedEventList:
        """Fused events (one per occurrence, across articles) matching the filters."""
        fe = schema.fused_events
        cond = flt.where(fe, fused=True)
        with store.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(fe).where(and_(True, *cond))).scalar_one()
            rows = conn.execute(select(fe).where(*cond).order_by(*_order(fe, sort)).limit(limit).offset(offset))
            items = [m.FusedEventOut.model_validate(dict(r)) for r in rows.mappings()]
        return m.FusedEventList(total=total, limit=limit, offset=offset, items=items)

    @app.get("/api/events/{event_id}", response_model=m.EventDetail, tags=["events"])
    def get_event(event_id: Id) -> m.EventDetail:
        """One event: evidence spans with their text, sources, article, fused event and its other reports."""
        e, a, fe, fm = schema.events, schema.articles, schema.fused_events, schema.fused_event_members
        with store.engine.connect() as conn:
            row = conn.execute(_events_select().where(e.c.id == event_id)).mappings().first()
            if row is None:
                raise HTTPException(404, f"no event {event_id}")
            art = conn.execute(select(a).where(a.c.id == row["article_id"])).mappings().one()
            ev_row = conn.execute(select(e).where(e.c.id == event_id)).mappings().all()
            ev = events_of(conn, ev_row)[0]
            fused_row = (
                conn.execute(select(fe).join(fm, fm.c.fused_event_id == fe.c.id).where(fm.c.event_id == event_id))
                .mappings()
                .first()
            )
            others: list[m.FusedReport] = []
            if fused_row is not None:
                sib = conn.execute(
                    select(
                        e.c.id.label("event_id"), e.c.article_id, a.c.doc_id, a.c.outlet, a.c.pub_date, a.c.title,
                        e.c.sub_event_type, e.c.date, e.c.fatalities,
                    )
                    .select_from(fm.join(e, e.c.id == fm.c.event_id).join(a, a.c.id == e.c.article_id))
                    .where(fm.c.fused_event_id == fused_row["id"], fm.c.event_id != event_id)
                    .order_by(e.c.id)
                ).mappings()  # fmt: skip
                others = [m.FusedReport.model_validate(dict(s)) for s in sib]
            au = schema.review_audit
            audit = conn.execute(select(au).where(au.c.event_id == event_id).order_by(au.c.id)).mappings().all()
        text = art["text"]
        return m.EventDetail(
            event=_event_out(row),
            record=ev.to_dict(),
            evidence=[m.EvidenceOut(start=s.start, end=s.end, text=text[s.start : s.end]) for s in ev.evidence],
            sources=list(ev.sources),
            article=_article_out(art),
            fused_event=m.FusedEventOut.model_validate(dict(fused_row)) if fused_row is not None else None,
            other_reports=others,
            audit=[_audit_out(r) for r in audit],
        )

    @app.get("/api/aggregates", response_model=m.AggregateOut, tags=["events"])
    def aggregates(
        flt: Flt,
        by: Annotated[AggregateBy, Query(description="day, week, month, type, sub_type or admin1")] = "day",
        fused: Annotated[bool, Query(description="Count fused events instead of article events.")] = False,
    ) -> m.AggregateOut:
        """Event counts and fatalities per day, ISO week, month, event type or admin1 region."""
        t = schema.fused_events if fused else schema.events
        cond = flt.where(t, fused=fused)
        n, dead = func.count().label("n"), func.coalesce(func.sum(t.c.fatalities), 0).label("dead")
        buckets: list[m.AggregateBucket] = []
        with store.engine.connect() as conn:
            if by in ("day", "week", "month"):
                per: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
                for d, cnt, fat in conn.execute(select(t.c.date, n, dead).where(*cond).group_by(t.c.date)):
                    key = None if d is None else _period(d, by)
                    per[key][0] += cnt
                    per[key][1] += int(fat)
                keys = sorted(per, key=lambda k: (k is None, k or ""))
                buckets = [m.AggregateBucket(key=k, events=per[k][0], fatalities=per[k][1]) for k in keys]
            elif by in ("type", "sub_type"):
                col = t.c.event_type if by == "type" else t.c.sub_event_type
                rows = conn.execute(select(col, n, dead).where(*cond).group_by(col))
                buckets = [m.AggregateBucket(key=k, events=c, fatalities=int(f)) for k, c, f in rows]
                buckets.sort(key=lambda b: (-b.events, b.key or ""))
            else:
                rows = conn.execute(
                    select(t.c.country, t.c.admin1, n, dead).where(*cond).group_by(t.c.country, t.c.admin1)
                )
                buckets = [m.AggregateBucket(key=a1, country=c, events=k, fatalities=int(f)) for c, a1, k, f in rows]
                buckets.sort(key=lambda b: (-b.events, b.country or "", b.key or ""))
        return m.AggregateOut(by=by, fused=fused, buckets=buckets)

    @app.get("/api/countries", response_model=list[m.CountryOut], tags=["events"])
    def countries() -> list[m.CountryOut]:
        """Countries with events (ISO2 code and English name), for choosing a country by name."""
        e = schema.events
        with store.engine.connect() as conn:
            rows = conn.execute(
                select(e.c.country, func.count()).where(e.c.country.is_not(None)).group_by(e.c.country)
            ).all()
        out = [m.CountryOut(code=c, name=COUNTRY_NAMES.get(c, c), events=n) for c, n in rows]
        return sorted(out, key=lambda c: c.name)

    @app.get(
        "/api/export",
        tags=["events"],
        response_class=FileResponse,
        responses={
            200: {"content": {"text/csv": {}, "application/geo+json": {}, "application/vnd.apache.parquet": {}}}
        },
    )
    def export_view(
        flt: Flt,
        format: Annotated[ExportFormat, Query(description="csv (ACLED columns + extras), geojson or parquet")] = "csv",
        fused: Annotated[bool, Query(description="Fused events instead of article events.")] = False,
    ) -> FileResponse:
        """Every event matching the filters (the dashboard's current view), as a file."""
        fmt = {"csv": "acled-csv", "geojson": "geojson", "parquet": "parquet"}[format]
        where = EventFilter(review=flt.review, extra=lambda t: flt.where(t, fused=fused))
        fd, name = tempfile.mkstemp(prefix="rasd-export-", suffix=f".{format}")
        os.close(fd)
        try:
            export(store, fmt, name, fused=fused, where=where, extra_columns=True)
        except Exception:
            os.unlink(name)
            raise
        media = {"csv": "text/csv", "geojson": "application/geo+json", "parquet": "application/vnd.apache.parquet"}
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        return FileResponse(
            name,
            media_type=media[format],
            filename=f"rasd-{'fused-' if fused else ''}events-{stamp}.{format}",
            background=BackgroundTask(os.unlink, name),
        )

    @app.get("/api/articles", response_model=m.ArticleList, tags=["articles"])
    def list_articles(
        q: Annotated[str | None, Query(max_length=256, description="Arabic words; diacritics etc. ignored.")] = None,
        outlet: Annotated[str | None, Query(max_length=256)] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> m.ArticleList:
        """Articles, newest first; ``q`` searches titles and texts (every word must occur)."""
        a, e, s = schema.articles, schema.events, schema.article_search
        cond: list[ColumnElement[bool]] = []
        if outlet:
            cond.append(a.c.outlet == outlet)
        src: Any = a
        if q:
            index_articles(store)
            match = search_condition(q)
            if match is None:
                raise _invalid("q", "the query has no searchable characters", q)
            src = a.join(s, s.c.article_id == a.c.id)
            cond.append(match)
        n_events = select(func.count()).where(e.c.article_id == a.c.id).correlate(a).scalar_subquery()
        with store.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(src).where(and_(True, *cond))).scalar_one()
            rows = conn.execute(
                select(a.c.id, a.c.doc_id, a.c.outlet, a.c.pub_date, a.c.url, a.c.title, a.c.text, n_events.label("n"))
                .select_from(src)
                .where(*cond)
                .order_by(a.c.pub_date.desc().nulls_last(), a.c.id.desc())
                .limit(limit)
                .offset(offset)
            ).mappings().all()  # fmt: skip
        items = [
            m.ArticleSummary(
                **_article_out(r).model_dump(),
                n_events=r["n"],
                snippet=m.Snippet(**snippet(r["text"], q)) if q else None,
            )
            for r in rows
        ]
        return m.ArticleList(total=total, limit=limit, offset=offset, items=items)

    @app.get("/api/articles/{article_id}", response_model=m.ArticleDetail, tags=["articles"])
    def get_article(article_id: Id) -> m.ArticleDetail:
        """One article with its full text and its events."""
        a, e = schema.articles, schema.events
        with store.engine.connect() as conn:
            art = conn.execute(select(a).where(a.c.id == article_id)).mappings().first()
            if art is None:
                raise HTTPException(404, f"no article {article_id}")
            rows = conn.execute(_events_select().where(e.c.article_id == article_id).order_by(e.c.seq)).mappings()
            events = [_event_out(r) for r in rows]
        return m.ArticleDetail(
            **_article_out(art).model_dump(),
            text=art["text"],
            content_hash=art["content_hash"],
            ingested_at=art["ingested_at"],
            events=events,
        )

    @app.get("/api/gold/{doc_id}", tags=["reviews"])
    def get_gold(
        doc_id: str,
        include_unreviewed: Annotated[bool, Query(description="Keep events nobody reviewed yet.")] = False,
    ) -> dict[str, Any]:
        """The article's reviewed events as a gold record (FORMAT.md), for ``rasd eval``."""
        rec = gold_record(store, doc_id, include_unreviewed=include_unreviewed)
        if rec is None:
            raise HTTPException(404, f"no reviewed events for doc_id {doc_id!r}")
        return rec

    # ---------------------------------------------------------------------------- writes

    @app.post("/api/articles", response_model=m.ArticleCreated, tags=["articles"])
    def post_article(body: m.ArticleIn, response: Response, who: Writer) -> m.ArticleCreated:
        """Extract an article's events and store them; the same text posted again is not stored twice.

        At most ``max_pending`` posts are handled at once: another gets 503 with ``Retry-After``."""
        try:
            with slots:
                return _post_article(body, response, who)
        except Busy as exc:
            raise HTTPException(503, str(exc), headers={"Retry-After": str(RETRY_AFTER_SECONDS)}) from None

    def _post_article(body: m.ArticleIn, response: Response, who: str) -> m.ArticleCreated:
        a, e = schema.articles, schema.events
        h = content_hash(body.text)
        with store.engine.connect() as conn:
            existing = conn.execute(select(a.c.id).where(a.c.content_hash == h)).scalar_one_or_none()
        created = existing is None
        if created:
            title = body.title if body.title is not None else (body.text.split("\n", 1)[0].strip() or None)
            art = Article(
                text=body.text, doc_id=body.doc_id or f"api_{h[:16]}", pub_date=body.pub_date, outlet=body.outlet,
                title=title, url=body.url,
            )  # fmt: skip
            try:
                record = slots.extract(art)
            except (ExtractionTimeout, ValueError) as exc:  # the time budget, or a failure in a worker
                raise HTTPException(422, f"extraction failed: {exc}") from None
            version = extractor_version()
            now = datetime.now(UTC)
            run = {"started_at": now, "finished_at": now, "extractor_version": version, "inputs": f"api:{who}"}
            counts = {"n_read": 1, "n_new": 1, "n_skipped": 0, "n_failed": 0, "n_events": len(record.events)}
            try:
                with store.begin() as conn:
                    run_id = conn.execute(insert(schema.runs).returning(schema.runs.c.id), {**run, **counts})
                    _store_batch(conn, [(art, h, record)], run_id=run_id.scalar_one(), version=version)
            except Exception:
                with store.engine.connect() as conn:  # a concurrent request stored the same text
                    if conn.execute(select(a.c.id).where(a.c.content_hash == h)).scalar_one_or_none() is None:
                        raise
                created = False
            if created:
                fuse(store)
                index_articles(store)
        with store.engine.connect() as conn:
            art_row = conn.execute(select(a).where(a.c.content_hash == h)).mappings().one()
            rows = conn.execute(_events_select().where(e.c.article_id == art_row["id"]).order_by(e.c.seq)).mappings()
            events = [_event_out(r) for r in rows]
        response.status_code = 201 if created else 200
        return m.ArticleCreated(created=created, article=_article_out(art_row), events=events)

    @app.post("/api/events/{event_id}/review", response_model=m.ReviewOut, tags=["reviews"])
    def post_review(event_id: Id, body: m.ReviewIn, who: Writer) -> m.ReviewOut:
        """Accept, reject or correct an event; every change is kept in the audit trail."""
        changes = body.fields.model_dump(exclude_unset=True) if body.fields is not None else {}
        try:
            result = review_event(store, event_id, body.action, changes, who=who, comment=body.comment)
        except ReviewError as exc:
            if exc.not_found:
                raise HTTPException(404, str(exc)) from None
            raise HTTPException(
                422, [{"type": "value_error", "loc": ["body", "fields"], "msg": str(exc), "input": changes}]
            ) from None
        with store.engine.connect() as conn:
            row = conn.execute(_events_select().where(schema.events.c.id == event_id)).mappings().one()
        return m.ReviewOut(
            event_id=event_id,
            status=result.status,
            reviewed_at=result.reviewed_at,
            reviewed_by=result.reviewed_by,
            changes=[
                m.AuditOut(
                    who=who, at=result.reviewed_at, action=body.action, field=f,
                    old_value=o.isoformat() if isinstance(o, date) else o,
                    new_value=n.isoformat() if isinstance(n, date) else n,
                )
                for f, o, n in result.changes
            ],
            event=_event_out(row),
        )  # fmt: skip

    # ---------------------------------------------------------------------------- API docs

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> FileResponse:
        return FileResponse(STATIC_DIR / "docs.html", media_type="text/html")

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> FileResponse:
        return FileResponse(STATIC_DIR / "redoc.html", media_type="text/html")

    # ---------------------------------------------------------------------------- dashboard
    # the router's fallback (not a mount), so every route — including ones added to the app
    # later — takes precedence; GET/HEAD of other paths are the static files, else 404
    if STATIC_DIR.is_dir():
        static = StaticFiles(directory=STATIC_DIR, html=True)
        not_found = app.router.default

        async def dashboard(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
                await static(scope, receive, send)
            else:
                await not_found(scope, receive, send)

        app.router.default = dashboard

    return app
