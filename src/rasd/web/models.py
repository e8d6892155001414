"""Pydantic request and response models of the REST API (they shape ``/openapi.json``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AggregateBucket",
    "AggregateOut",
    "ArticleCreated",
    "ArticleDetail",
    "ArticleIn",
    "ArticleList",
    "ArticleOut",
    "ArticleSummary",
    "AuditOut",
    "EventCorrection",
    "EventDetail",
    "EventList",
    "EventOut",
    "EvidenceOut",
    "FusedEventList",
    "FusedEventOut",
    "FusedReport",
    "Health",
    "ReviewIn",
    "ReviewOut",
    "Snippet",
]


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    schema_revision: str | None


class EventOut(BaseModel):
    """One stored article event, flattened (the ``events`` row plus its article and review)."""

    id: int
    article_id: int
    doc_id: str
    outlet: str | None
    pub_date: dt.date | None
    seq: int
    event_type: str
    sub_event_type: str
    date: dt.date | None
    date_precision: str | None
    location_text: str | None
    location_name: str | None
    country: str | None
    admin1: str | None
    admin2: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    actor1_text: str | None
    actor1_name: str | None
    actor2_text: str | None
    actor2_name: str | None
    fatalities: int | None
    injuries: int | None
    certainty: str
    role: str
    confidence: float
    notes: str
    review_status: str | None = Field(description="accepted, rejected, corrected, or null when not reviewed")


class EventList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[EventOut]


class FusedEventOut(BaseModel):
    """One fused event: the reports of one occurrence across articles."""

    id: int
    key: str
    event_type: str
    sub_event_type: str
    date: dt.date | None
    date_precision: str | None
    location_name: str | None
    country: str | None
    admin1: str | None
    admin2: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    actor1_name: str | None
    actor2_name: str | None
    fatalities: int | None
    fatalities_max: int | None
    injuries: int | None
    certainty: str
    role: str
    confidence: float
    notes: str
    n_reports: int


class FusedEventList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[FusedEventOut]


class EvidenceOut(BaseModel):
    start: int
    end: int
    text: str = Field(description="the article text of the span")


class FusedReport(BaseModel):
    """Another article's report of the same fused event."""

    event_id: int
    article_id: int
    doc_id: str
    outlet: str | None
    pub_date: dt.date | None
    title: str | None
    sub_event_type: str
    date: dt.date | None
    fatalities: int | None


class AuditOut(BaseModel):
    who: str = Field(description="The reviewer: the name of a `rasd token create` token, or `token` (the admin token)")
    at: dt.datetime
    action: str
    field: str | None
    old_value: Any
    new_value: Any
    comment: str | None = Field(default=None, description="The reviewer's comment on this review")


class CountryOut(BaseModel):
    code: str = Field(description="ISO2 code")
    name: str = Field(description="English name (ACLED's spelling)")
    events: int


class ArticleOut(BaseModel):
    id: int
    doc_id: str
    outlet: str | None
    pub_date: dt.date | None
    url: str | None
    title: str | None


class EventDetail(BaseModel):
    """An event with its evidence (and the text of each span), sources, article and fused siblings."""

    event: EventOut
    record: dict[str, Any] = Field(description="the v1 event of FORMAT.md (+ confidence, notes, trigger)")
    evidence: list[EvidenceOut]
    sources: list[str]
    article: ArticleOut
    fused_event: FusedEventOut | None
    other_reports: list[FusedReport]
    audit: list[AuditOut]


class AggregateBucket(BaseModel):
    key: str | None = Field(description="day (YYYY-MM-DD), ISO week (YYYY-Www), month (YYYY-MM), type or admin1")
    country: str | None = None
    events: int
    fatalities: int


class AggregateOut(BaseModel):
    by: str
    fused: bool
    buckets: list[AggregateBucket]


class Snippet(BaseModel):
    text: str
    offset: int = Field(description="where the snippet starts in the article text")
    start: int | None = Field(description="the first match in the article text, when found in the body")
    end: int | None


class ArticleSummary(ArticleOut):
    n_events: int
    snippet: Snippet | None = None


class ArticleList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ArticleSummary]


class ArticleDetail(ArticleOut):
    text: str
    content_hash: str
    ingested_at: dt.datetime
    events: list[EventOut]


class ArticleIn(BaseModel):
    """An article to extract and store (``POST /api/articles``)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="the article text (first line = title unless `title` is given)")
    pub_date: dt.date | None = None
    outlet: str | None = Field(default=None, max_length=256)
    title: str | None = None
    url: str | None = None
    doc_id: str | None = Field(default=None, max_length=512, description="default: api_<first 16 hex of sha256>")


class ArticleCreated(BaseModel):
    created: bool = Field(description="false when the same text was already stored (idempotent)")
    article: ArticleOut
    events: list[EventOut]


class EventCorrection(BaseModel):
    """Corrected values; only the fields given are changed (null clears a nullable field)."""

    model_config = ConfigDict(extra="forbid")

    event_type: str | None = None
    sub_event_type: str | None = None
    date: dt.date | None = None
    date_precision: Literal["day", "week", "month", "year"] | None = None
    location_text: str | None = None
    location_name: str | None = Field(default=None, max_length=256)
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    admin1: str | None = Field(default=None, max_length=256)
    admin2: str | None = Field(default=None, max_length=256)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    geo_precision: int | None = Field(default=None, ge=1, le=3)
    actor1_text: str | None = None
    actor1_name: str | None = Field(default=None, max_length=256)
    actor2_text: str | None = None
    actor2_name: str | None = Field(default=None, max_length=256)
    fatalities: int | None = Field(default=None, ge=0)
    injuries: int | None = Field(default=None, ge=0)
    role: Literal["main", "background"] | None = None
    certainty: Literal["reported", "hedged"] | None = None


class ReviewIn(BaseModel):
    """``accept`` or ``reject`` an event, or ``correct`` some of its fields."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["accept", "reject", "correct"]
    fields: EventCorrection | None = None
    comment: str | None = Field(default=None, max_length=4000)


class ReviewOut(BaseModel):
    event_id: int
    status: str
    reviewed_at: dt.datetime
    reviewed_by: str
    changes: list[AuditOut]
    event: EventOut
