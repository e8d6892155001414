"""The library entry points: ``extract`` for one text, ``extract_many`` for a stream of articles."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from datetime import date

from .pipeline import run
from .resources.loader import Resources, load_resources
from .types import Article, ArticleRecord

MAX_CHARS = 2_000_000  # longer texts are cut here (a clear limit instead of unbounded work)
DEFAULT_TIME_BUDGET = 5.0
"""Seconds one article may take (``rasd extract/ingest --time-budget``, ``$RASD_TIME_BUDGET``);
a news article takes milliseconds. 0 means no limit."""


def _budget_from_env() -> float:
    try:
        return float(os.environ.get("RASD_TIME_BUDGET", DEFAULT_TIME_BUDGET))
    except ValueError:
        return DEFAULT_TIME_BUDGET


_time_budget = _budget_from_env()


def set_time_budget(seconds: float) -> None:
    """Set the default per-article time budget of this process and of the worker processes it
    starts afterwards (through ``$RASD_TIME_BUDGET``); 0 means no limit."""
    global _time_budget
    if seconds < 0:
        raise ValueError("the time budget cannot be negative")
    _time_budget = float(seconds)
    os.environ["RASD_TIME_BUDGET"] = repr(float(seconds))


def time_budget() -> float:
    """The default per-article time budget in seconds (0: none)."""
    return _time_budget


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def extract_article(
    article: Article, *, resources: Resources | None = None, budget: float | None = None
) -> ArticleRecord:
    """Every candidate event of one :class:`Article` with its confidence (offsets into
    ``article.text``); callers choose the threshold (``rasd ingest`` stores them all).

    Raises :class:`~rasd.errors.ExtractionTimeout` when the article takes longer than ``budget``
    seconds (default :func:`time_budget`, 5 s; 0 for no limit); every batch caller reports that
    article as failed and goes on.
    """
    res = resources or load_resources()
    if len(article.text) > MAX_CHARS:
        article.text = article.text[:MAX_CHARS]
    doc = run(article, res, budget=_time_budget if budget is None else budget)
    return ArticleRecord(
        doc_id=article.doc_id, pub_date=article.pub_date, events=doc.events, outlet=article.outlet, title=article.title
    )


def extract(
    text: str,
    *,
    pub_date: date | str | None = None,
    outlet: str | None = None,
    doc_id: str = "",
    resources: Resources | None = None,
    min_confidence: float | None = None,
) -> ArticleRecord:
    """Extract the events an Arabic news article reports.

    ``pub_date`` resolves relative dates ("أمس", "الإثنين"); without it they stay ``None``.
    Every evidence span is ``[start, end)`` into ``text`` exactly as given. Events below
    ``min_confidence`` are left out; by default, when the learned model decides, its threshold
    (the one that maximised cross-validated F1), else none.

    >>> rec = extract("مقتل 3 مدنيين في غارة جوية على مدينة إدلب أمس", pub_date="2018-05-10")
    >>> rec.events[0].sub_event_type
    'Air/drone strike'
    """
    title = text.split("\n", 1)[0].strip() or None
    article = Article(text=text, doc_id=doc_id, pub_date=_as_date(pub_date), outlet=outlet, title=title)
    res = resources or load_resources()
    record = extract_article(article, resources=res)
    if min_confidence is None:
        min_confidence = res.model.threshold if res.learned is not None else 0.0
    record.events = [e for e in record.events if e.confidence >= min_confidence]
    return record


def extract_many(articles: Iterable[Article], *, resources: Resources | None = None) -> Iterator[ArticleRecord]:
    """Stream records for many articles, loading resources once."""
    res = resources or load_resources()
    for article in articles:
        yield extract_article(article, resources=res)
