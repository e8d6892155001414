"""Pydantic request and response models of the REST API (they shape ``/openapi.json``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..urls import is_web_url

__all__ = [
    "MAX_COUNT",
    "MAX_ID",
    "MAX_NAME",
    "MAX_TEXT_FIELD",
    "MAX_URL",
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


MAX_ID = 2**31 - 1
"""Largest id accepted in a path (the id columns are 32-bit ``INTEGER`` on PostgreSQL; 422 above)."""
MAX_COUNT = 1_000_000
"""Largest fatality or injury figure accepted in a correction."""
MAX_TEXT_FIELD = 1000
"""Largest Arabic span (``location_text``, ``actor1_text``, ``actor2_text``) accepted in a correction."""
MAX_NAME = 256
"""Largest name (location, actor, region, outlet) accepted, as the ``events`` columns."""
MAX_URL = 2048
"""Largest article URL accepted."""


def _no_nul(value: str | None) -> str | None:
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _web_url(value: str | None) -> str | None:
    if value is not None and not is_web_url(value):
        raise ValueError("must be an absolute http:// or https:// URL")
    return value


Str = Annotated[str, AfterValidator(_no_nul)]
"""A string without NUL characters (PostgreSQL cannot store them; SQLite's LIKE stops at them)."""
WebUrl = Annotated[str, Field(max_length=MAX_URL), AfterValidator(_no_nul), AfterValidator(_web_url)]
"""An absolute http(s) URL: anything else (``javascript:``, ``data:``, ...) is refused (422)."""


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

    text: Str = Field(min_length=1, description="the article text (first line = title unless `title` is given)")
    pub_date: dt.date | None = None
    outlet: Str | None = Field(default=None, max_length=MAX_NAME)
    title: Str | None = Field(default=None, max_length=4000)
    url: WebUrl | None = Field(default=None, description="the article's http(s) address (other schemes: 422)")
    doc_id: Str | None = Field(default=None, max_length=512, description="default: api_<first 16 hex of sha256>")


class ArticleCreated(BaseModel):
    created: bool = Field(description="false when the same text was already stored (idempotent)")
    article: ArticleOut
    events: list[EventOut]


class EventCorrection(BaseModel):
    """Corrected values; only the fields given are changed (null clears a nullable field)."""

    model_config = ConfigDict(extra="forbid")

    event_type: Str | None = Field(default=None, max_length=64)
    sub_event_type: Str | None = Field(default=None, max_length=64)
    date: dt.date | None = None
    date_precision: Literal["day", "week", "month", "year"] | None = None
    location_text: Str | None = Field(default=None, max_length=MAX_TEXT_FIELD)
    location_name: Str | None = Field(default=None, max_length=MAX_NAME)
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    admin1: Str | None = Field(default=None, max_length=MAX_NAME)
    admin2: Str | None = Field(default=None, max_length=MAX_NAME)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    geo_precision: int | None = Field(default=None, ge=1, le=3)
    actor1_text: Str | None = Field(default=None, max_length=MAX_TEXT_FIELD)
    actor1_name: Str | None = Field(default=None, max_length=MAX_NAME)
    actor2_text: Str | None = Field(default=None, max_length=MAX_TEXT_FIELD)
    actor2_name: Str | None = Field(default=None, max_length=MAX_NAME)
    fatalities: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    injuries: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    role: Literal["main", "background"] | None = None
    certainty: Literal["reported", "hedged"] | None = None


class ReviewIn(BaseModel):
    """``accept`` or ``reject`` an event, or ``correct`` some of its fields."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["accept", "reject", "correct"]
    fields: EventCorrection | None = None
    comment: Str | None = Field(default=None, max_length=4000)


class ReviewOut(BaseModel):
    event_id: int
    status: str
    reviewed_at: dt.datetime
    reviewed_by: str
    changes: list[AuditOut]
    event: EventOut
